"""Text reminders, in a real browser and by keyboard alone: a site's lead adds a mobile number (a landline first),
types back the code texted to it through a fake GOV.UK Notify (a wrong code first), and turns the reminders off.
Every page and each of its error states is checked with axe and at narrow widths."""

from __future__ import annotations

import re

import pytest

from accounts.models import MobileNumber, User
from tests.fake_notify.fixtures import FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture


@pytest.mark.django_db(transaction=True)
def test_a_mobile_number_is_added_confirmed_and_its_reminders_turned_off(
    people: object, fake_notify: FakeNotify, settings: object, site_lead: User
) -> None:
    fake_notify.configure(settings)
    lead = people(site_lead, "site lead", keyboard_only=True)
    lead.go("/accounts/preferences/", "preferences")
    with lead.page.expect_navigation():
        lead.click("a:has-text('Text reminders on your mobile')")
    lead.look("text reminders: add a number")

    lead.fill("#id_number", "020 7946 0000")
    lead.submit("text reminders: a landline refused")
    assert "Enter a UK mobile number" in lead.text()
    lead.fill("#id_number", "07700 900 982")
    lead.submit("text reminders: enter the code")
    assert "We have texted a code to 07700 900 982" in lead.text()

    (text,) = [message for message in fake_notify.messages() if message["type"] == "sms"]
    code = re.search(r"\b(\d{6})\b", text["personalisation"]["body"]).group(1)
    lead.fill("#id_code", "000000" if code != "000000" else "111111")
    lead.submit("text reminders: a wrong code")
    assert "That code is not right" in lead.text()
    lead.fill("#id_code", code)
    lead.submit("text reminders: confirmed")
    assert "Your mobile number is confirmed. Text reminders are on." in lead.text()
    assert MobileNumber.objects.get(person=site_lead).text_reminders

    lead.click("#id_text_reminders")
    with lead.page.expect_navigation():
        lead.click("main form[method=post] button:has-text('Save')")
    lead.look("text reminders: turned off")
    assert "Your text reminders are saved." in lead.text()
    assert not MobileNumber.objects.get(person=site_lead).text_reminders
