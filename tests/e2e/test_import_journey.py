"""Bulk import in a real browser: a programme lead uploads a file of people with one bad row, sees it named and
nothing saved, uploads the fixed file, imports it; an enabler in the file is invited and joins from the e-mail. A
large file is checked in the background, its page saying how far the check has got, by keyboard alone."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from config import celery_app
from engagements.models import EnablerProfile
from onboarding import tasks
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


LARGE = HEADER + b"".join(b"person%d@example.org,Person %d,,enabler,,,\n" % (n, n) for n in range(30))


def _hold_the_reload(person: object) -> None:
    """Clears the running page's timer (its reload every two seconds), so that axe and the reflow check look at one
    page rather than at a page reloading under them."""
    person.page.evaluate(  # type: ignore[attr-defined]
        "() => { const last = setTimeout(() => {}, 0); for (let id = 0; id <= last; id++) clearTimeout(id); }"
    )


@pytest.mark.django_db(transaction=True)
def test_journey_a_large_file_is_checked_in_the_background_with_how_far_it_has_got(
    people: object, site_a: Site, programme_lead: User, settings: object
) -> None:
    settings.IMPORT_CHECK_IN_REQUEST_BYTES = 1024  # type: ignore[attr-defined]
    settings.IMPORT_MAX_ROWS = 20  # type: ignore[attr-defined]
    lead = people(programme_lead, "programme lead", keyboard_only=True)  # type: ignore[operator]
    lead.go("/onboarding/imports/", "import a spreadsheet, a large file")
    celery_app.conf.task_always_eager = False  # as with REDIS_URL set: the check waits for a worker

    with mock.patch.object(tasks.check_import, "apply_async") as queued:
        lead.focus("#id_kind_0")  # a radio group is one stop of the Tab key; its arrows choose within it
        lead.page.keyboard.press("ArrowDown")
        lead.page.keyboard.press("ArrowDown")  # People
        lead.page.set_input_files("#id_file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": LARGE}])
        with lead.page.expect_navigation():
            lead.click("main form[method=post] button[type=submit]")
    _hold_the_reload(lead)
    lead.look("large file waiting to be checked")
    job = ImportJob.objects.get()
    assert queued.call_count == 1
    assert "Waiting to be checked." in lead.text()

    cache.set(f"import-progress-{job.pk}", {"reading": 20})
    with lead.page.expect_navigation(timeout=10_000):
        lead.page.reload()
    lead.look("large file being read")
    assert "Reading the file: 20 rows so far." in lead.text()

    tasks.check_import(job.pk)  # the worker's turn
    with lead.page.expect_navigation(timeout=10_000):
        pass  # the page reloads by itself
    lead.look("large file over the row limit")
    assert "Could not be read" in lead.text()
    assert "The file has more than 20 rows, counting blank ones" in lead.text()
    assert not Invitation.objects.exists()
