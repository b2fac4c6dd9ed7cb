"""Bulk import in a real browser: a programme lead uploads a file of people with one bad row, sees it named and
nothing saved, uploads the fixed file, imports it; an enabler in the file is invited and joins from the e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from engagements.models import EnablerProfile
from onboarding.models import ImportJob, Invitation
from sites.models import Site

PASSWORD = "harbour violet slowly kettle"
HEADER = b"email,full_name,job_title,role,site,sectors,capacity\n"
ROWS = (
    b"ana.enabler@example.org,Ana Example,Leadership coach,enabler,,NHS provider; Council and social care,3\n"
    b"bo.lead@example.org,Bo Example,Programme director,site lead,Ashvale,,\n"
)
BAD = HEADER + ROWS + b"cy.member@example,Cy Example,,site member,Ashvale,,\n"
FIXED = HEADER + ROWS + b"cy.member@example.org,Cy Example,,site member,Ashvale,,\n"


def _choose_file(person: object, content: bytes) -> None:
    person.click("#id_kind_2")  # People  # type: ignore[attr-defined]
    person.page.set_input_files(  # type: ignore[attr-defined]
        "#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": content}]
    )


@pytest.mark.django_db(transaction=True)
def test_journey_import_people_refused_then_fixed_then_an_invited_enabler_joins(
    people: object, site_a: Site, programme_lead: User
) -> None:
    lead = people(programme_lead, "programme lead")  # type: ignore[operator]
    lead.go("/onboarding/imports/", "import a spreadsheet")
    lead.submit("import a spreadsheet, with errors")
    assert "Choose a file to upload" in lead.text()
    assert "Choose what the file holds" in lead.text()

    _choose_file(lead, BAD)
    lead.submit("people file checked, one row refused")
    text = lead.text()
    assert "cy.member@example" in text and "Not an e-mail address" in text
    assert "Nothing was saved" in text
    assert not Invitation.objects.exists()
    assert not ImportJob.objects.filter(state=ImportJob.State.IMPORTED).exists()

    with lead.page.expect_navigation():
        lead.click("main a:has-text('Upload the fixed file')")
    lead.look("import a spreadsheet, again")
    _choose_file(lead, FIXED)
    lead.submit("fixed people file checked")
    assert "Checked: ready to import" in lead.text()
    assert lead.text().count("Created") >= 3
    lead.submit("people imported")
    assert "people.csv is imported." in lead.page.locator("body").inner_text()
    assert "Imported" in lead.text()
    assert Invitation.objects.filter(email__in=["ana.enabler@example.org", "bo.lead@example.org"]).count() == 2

    (message,) = [message for message in mail.outbox if message.to == ["ana.enabler@example.org"]]
    link = re.search(r"/onboarding/join/\S+/", message.body).group(0)
    enabler = people(None, "invited enabler")  # type: ignore[operator]
    enabler.go(link, "join Alongside as an enabler")
    enabler.fill("#id_new_password1", PASSWORD)
    enabler.fill("#id_new_password2", PASSWORD)
    enabler.submit("enabler's home")
    assert enabler.page.url.rstrip("/") == enabler.base
    profile = EnablerProfile.objects.get(user__email="ana.enabler@example.org")
    assert (profile.sectors, profile.capacity) == (["nhs-provider", "social-care"], 3)
    assert profile.user.job_title == "Leadership coach"
