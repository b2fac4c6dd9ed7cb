"""A mobile number for text reminders: read as typed, confirmed with a code texted through GOV.UK Notify (a fake one,
its own process), and a text the day before each planned session that says the date, the time and the place alone."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import phones
from accounts.models import AuditEvent, MobileNumber, Notification, User
from accounts.tasks import deliver_notification
from engagements.models import Engagement
from engagements.tasks import send_session_reminders
from tests.fake_notify.fixtures import TEXT_TEMPLATE_ID, FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.engagements import DAY_BEFORE, PRIVATE, plan
from tests.helpers.people import client_for

NUMBER = "+447700900982"


@pytest.fixture
def through_notify(fake_notify: FakeNotify, settings: object) -> FakeNotify:
    fake_notify.configure(settings)
    return fake_notify


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07700 900982", NUMBER),
        ("07700-900-982", NUMBER),
        ("+44 7700 900 982", NUMBER),
        ("+44 (0)7700 900982", NUMBER),
        ("447700900982", NUMBER),
        ("0044 7700 900982", NUMBER),
        ("020 7946 0000", None),  # a London landline
        ("07000 000000", None),  # a personal number, not a mobile
        ("07600 000000", None),  # a pager
        ("0770090098", None),  # a digit short
        ("+33 6 12 34 56 78", None),  # not a UK number
        ("seven", None),
        ("", None),
    ],
)
def test_uk_mobile_numbers_are_read_as_typed_and_kept_in_one_form(typed: str, kept: str | None) -> None:
    assert phones.uk_mobile(typed) == kept


def _texts(fake: FakeNotify) -> list[dict]:
    return [message for message in fake.messages() if message["type"] == "sms"]


def _deliver_all() -> None:
    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        deliver_notification.apply(args=[pk]).get()


def _confirmed(person: User, fake: FakeNotify) -> None:
    client = client_for(person)
    client.post(reverse("accounts:mobile"), {"number": "07700 900 982"})
    _deliver_all()
    code = re.search(r"\b(\d{6})\b", _texts(fake)[-1]["personalisation"]["body"]).group(1)
    client.post(reverse("accounts:mobile_confirm"), {"code": code})


def test_a_number_is_confirmed_with_the_code_texted_to_it(through_notify: FakeNotify, site_lead: User) -> None:
    client = client_for(site_lead)

    asked = client.post(reverse("accounts:mobile"), {"number": "07700 900 982"})
    _deliver_all()
    (text,) = _texts(through_notify)
    code = re.search(r"\b(\d{6})\b", text["personalisation"]["body"]).group(1)
    wrong = client.post(reverse("accounts:mobile_confirm"), {"code": "000000" if code != "000000" else "111111"})
    right = client.post(reverse("accounts:mobile_confirm"), {"code": code})

    assert asked.status_code == 302 and asked["Location"] == reverse("accounts:mobile_confirm")
    assert (text["phone_number"], text["template_id"]) == (NUMBER, TEXT_TEMPLATE_ID)
    assert "That code is not right" in wrong.content.decode()
    assert right.status_code == 302
    mobile = MobileNumber.objects.get(person=site_lead)
    assert mobile.confirmed and mobile.text_reminders and mobile.code_digest == ""
    assert code not in mobile.code_digest
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CONFIRMED_A_MOBILE_NUMBER, actor=site_lead).exists()
    page = client.get(reverse("accounts:mobile")).content.decode()
    assert "07700 900 982" in page and "Remove my mobile number" in page
    # The code's text is never in the person's list in the app.
    assert not client.get(reverse("accounts:notification_list")).context["notifications"]


def test_an_expired_code_or_too_many_wrong_tries_are_refused(through_notify: FakeNotify, site_lead: User) -> None:
    client = client_for(site_lead)
    client.post(reverse("accounts:mobile"), {"number": NUMBER})
    _deliver_all()
    code = re.search(r"\b(\d{6})\b", _texts(through_notify)[-1]["personalisation"]["body"]).group(1)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(phones.CODE_TRIES):
        client.post(reverse("accounts:mobile_confirm"), {"code": wrong})
    too_many = client.post(reverse("accounts:mobile_confirm"), {"code": code})
    MobileNumber.objects.filter(person=site_lead).update(
        code_attempts=0, code_sent_at=timezone.now() - datetime.timedelta(minutes=phones.CODE_MINUTES + 1)
    )
    expired = client.post(reverse("accounts:mobile_confirm"), {"code": code})

    assert "too many wrong tries" in too_many.content.decode()
    assert "That code has expired" in expired.content.decode()
    assert not MobileNumber.objects.get(person=site_lead).confirmed


def test_a_second_code_within_a_minute_is_refused_and_a_landline_is_refused(
    through_notify: FakeNotify, site_lead: User
) -> None:
    client = client_for(site_lead)
    client.post(reverse("accounts:mobile"), {"number": NUMBER})
    again = client.post(reverse("accounts:mobile"), {"number": NUMBER})
    landline = client.post(reverse("accounts:mobile"), {"number": "020 7946 0000"})

    assert "less than a minute ago" in again.content.decode()
    assert phones.NOT_A_MOBILE in landline.content.decode()
    assert Notification.objects.filter(channel="text").count() == 1


def test_without_notify_texts_are_not_offered(site_lead: User, settings: object) -> None:
    settings.NOTIFY_API_KEY = ""
    page = client_for(site_lead).get(reverse("accounts:mobile")).content.decode()
    refused = client_for(site_lead).post(reverse("accounts:mobile"), {"number": NUMBER})

    assert "Text messages are not available in this service" in page
    assert "not available" in refused.content.decode()
    assert not MobileNumber.objects.exists() and not Notification.objects.exists()


def test_the_day_before_a_session_a_text_says_the_date_time_and_place_and_nothing_else(
    through_notify: FakeNotify, engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    _confirmed(site_lead, through_notify)
    Notification.objects.all().delete()
    plan(engagement_a, [site_lead, site_member], address="Room 4, the Civic Centre")

    with time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()
    texts = list(Notification.objects.filter(channel="text"))
    _deliver_all()

    (text,) = texts
    assert text.recipient == site_lead and text.phone == NUMBER
    assert text.body == "Alongside: your session is tomorrow, 3 June 2026 at 14:30, Room 4, the Civic Centre."
    assert engagement_a.site.name not in text.body and PRIVATE not in text.body and "http" not in text.body
    (sent,) = [message for message in _texts(through_notify) if "tomorrow" in message["personalisation"]["body"]]
    assert sent["phone_number"] == NUMBER
    # E-mail reminders go as before, to everyone who wants them.
    assert Notification.objects.filter(kind="session reminder", channel="email").count() == 3


def test_an_online_session_is_texted_as_online_never_with_its_link(
    through_notify: FakeNotify, engagement_a: Engagement, site_lead: User
) -> None:
    _confirmed(site_lead, through_notify)
    plan(engagement_a, [site_lead], place="online", address="", meeting_link="https://meet.example.test/secret-room")

    with time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()

    text = Notification.objects.get(kind="session reminder by text")
    assert text.body.endswith("at 14:30, online.") and "meet.example.test" not in text.body


def test_turning_text_reminders_off_or_removing_the_number_stops_them(
    through_notify: FakeNotify, engagement_a: Engagement, site_lead: User
) -> None:
    _confirmed(site_lead, through_notify)
    client = client_for(site_lead)
    client.post(reverse("accounts:mobile"), {})  # the box unticked
    assert not MobileNumber.objects.get(person=site_lead).text_reminders
    client.post(reverse("accounts:mobile_remove"))
    plan(engagement_a, [site_lead])

    with time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()

    assert not MobileNumber.objects.exists()
    assert not Notification.objects.filter(kind="session reminder by text").exists()
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.REMOVED_A_MOBILE_NUMBER, actor=site_lead).exists()


def test_the_subject_access_export_holds_the_mobile_number(through_notify: FakeNotify, site_lead: User) -> None:
    from reporting import subject_access

    _confirmed(site_lead, through_notify)

    profile = subject_access.collect(site_lead)["profile"]

    assert profile["mobile_number"] == NUMBER and profile["text_reminders"] is True
    assert profile["mobile_number_confirmed_at"] is not None


def test_with_texts_switched_off_a_confirmed_number_can_still_be_removed(
    through_notify: FakeNotify, site_lead: User, settings: object
) -> None:
    _confirmed(site_lead, through_notify)
    settings.NOTIFY_SMS_TEMPLATE_ID = ""

    page = client_for(site_lead).get(reverse("accounts:mobile")).content.decode()
    client_for(site_lead).post(reverse("accounts:mobile_remove"))

    assert "Text messages are off in this service just now" in page and "Remove my mobile number" in page
    assert not MobileNumber.objects.exists()
