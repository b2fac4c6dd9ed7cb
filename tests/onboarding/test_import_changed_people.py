"""An import that changes an existing person's details says so: the check shows each change (old to new) before
anything is saved, the audit trail records it against the person, and the person is told which of their details
changed and by which import."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEvent, Notification, User
from onboarding import imports
from onboarding.models import ImportJob
from sites.models import Site
from tests.helpers.people import client_for

from .imports import PEOPLE, csv_file

RENAMED = PEOPLE + "lead.a@example.test,Avery Renamed,Programme director,site lead,Ashvale,,\n"


def _import(by: User, text: str = RENAMED) -> ImportJob:
    return imports.import_file(kind="people", filename="ashvale-people.csv", content=csv_file(text), by=by)


def test_the_check_shows_each_change_from_old_to_new_before_it_is_saved(site_lead: User, programme_lead: User) -> None:
    job = imports.check(
        imports.start_check(kind="people", filename="ashvale-people.csv", content=csv_file(RENAMED), by=programme_lead)
    )

    assert job.outcome[0]["outcome"] == "updated"
    assert job.outcome[0]["reason"] == (
        "changes full name “Avery Lead” → “Avery Renamed” and job title (blank) → “Programme director”"
    )
    site_lead.refresh_from_db()
    assert (site_lead.full_name, site_lead.job_title) == ("Avery Lead", "")


def test_the_check_page_shows_the_change_from_old_to_new(site_lead: User, programme_lead: User) -> None:
    job = imports.check(
        imports.start_check(kind="people", filename="ashvale-people.csv", content=csv_file(RENAMED), by=programme_lead)
    )

    html = client_for(programme_lead).get(reverse("onboarding:import_detail", kwargs={"pk": job.pk})).content.decode()

    assert "Changes full name “Avery Lead” → “Avery Renamed”" in html


def test_renaming_a_person_records_an_audit_event_for_the_person(site_lead: User, programme_lead: User) -> None:
    job = _import(programme_lead)

    event = AuditEvent.objects.get(verb=AuditEvent.Verb.CHANGED_A_PERSONS_DETAILS)
    assert (event.actor, event.target) == (programme_lead, site_lead)
    assert event.detail == {"fields": ["full_name", "job_title"], "import_job": job.pk}


def test_a_renamed_person_is_told_which_details_changed_and_by_which_import(
    site_lead: User, site_member: User, programme_lead: User
) -> None:
    _import(programme_lead)

    (notice,) = Notification.objects.filter(kind="details changed by an import")
    assert notice.recipient == site_lead
    assert notice.subject == "Your details in Alongside changed"
    assert "An import of people changed your full name and job title in Alongside" in notice.body
    assert "“ashvale-people.csv”" in notice.body
    assert "by Pat Central" in notice.body
    assert "Avery Lead" not in notice.body  # which fields, not what they were


def test_an_enabler_whose_sectors_change_is_told_and_audited(enabler: User, programme_lead: User) -> None:
    _import(programme_lead, PEOPLE + "enabler@example.test,,,enabler,,NHS provider,2\n")

    (notice,) = Notification.objects.filter(kind="details changed by an import", recipient=enabler)
    assert "An import of people changed your sectors in Alongside" in notice.body
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EDITED_AN_ENABLER_PROFILE).count() == 1


def test_a_person_the_file_leaves_as_they_are_is_told_nothing(site_lead: User, programme_lead: User) -> None:
    _import(programme_lead, PEOPLE + "lead.a@example.test,Avery Lead,,site lead,Ashvale,,\n")

    assert not Notification.objects.filter(kind="details changed by an import").exists()
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.CHANGED_A_PERSONS_DETAILS).exists()


def test_a_refused_import_changes_nobody_and_tells_nobody(site_a: Site, site_lead: User, programme_lead: User) -> None:
    job = _import(programme_lead, RENAMED + "bob@,Bob,,enabler,,,\n")

    assert job.state == ImportJob.State.REFUSED
    assert not Notification.objects.filter(kind="details changed by an import").exists()
    site_lead.refresh_from_db()
    assert site_lead.full_name == "Avery Lead"
