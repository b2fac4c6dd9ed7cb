"""New people in a file are invited, and their invitations e-mailed only once the import has committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail

from accounts.models import AuditEvent, User
from onboarding import imports
from onboarding.models import ImportJob, Invitation
from sites.models import Site

from .imports import PEOPLE, csv_file


def test_new_people_are_invited_only_after_the_import_commits(
    site_a: Site, programme_lead: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    text = (
        PEOPLE
        + "ana@example.org,Ana Example,Coach,enabler,,NHS provider,3\nbo@example.org,Bo Example,,site lead,Ashvale,,\n"
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = imports.import_file(kind="people", filename="people.csv", content=csv_file(text), by=programme_lead)
        sent_before_commit = len(mail.outbox)

    assert job.state == ImportJob.State.IMPORTED
    assert sent_before_commit == 0
    assert len(callbacks) == 1  # the two invitations are handed to the outbox in one batch, after commit
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.org", "bo@example.org"]
    ana = Invitation.objects.get(email="ana@example.org")
    assert (ana.role, ana.full_name, ana.job_title, ana.profile) == (
        "enabler",
        "Ana Example",
        "Coach",
        {"sectors": ["nhs-provider"], "capacity": 3},
    )
    assert Invitation.objects.get(email="bo@example.org").site == site_a
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.INVITED, actor=programme_lead).count() == 2
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.IMPORTED_A_FILE)
    assert (event.actor, event.target_id) == (programme_lead, job.pk)
    assert event.detail == {"kind": "people", "created": 2, "updated": 0, "unchanged": 0}


def test_an_invitation_still_waiting_is_updated_not_sent_again(site_a: Site, programme_lead: User) -> None:
    text = PEOPLE + "ana@example.org,Ana Example,,enabler,,,\n"
    imports.import_file(kind="people", filename="people.csv", content=csv_file(text), by=programme_lead)

    job = imports.import_file(
        kind="people",
        filename="people.csv",
        content=csv_file(PEOPLE + "ana@example.org,Ana Sample,Coach,enabler,,,5\n"),
        by=programme_lead,
    )

    assert job.outcome[0]["outcome"] == "updated"
    assert job.outcome[0]["reason"] == (
        "changes full name “Ana Example” → “Ana Sample”, job title (blank) → “Coach” and capacity (blank) → “5”"
    )
    invitation = Invitation.objects.get(email="ana@example.org")
    assert (invitation.full_name, invitation.job_title, invitation.profile, invitation.send_count) == (
        "Ana Sample",
        "Coach",
        {"capacity": 5},
        1,
    )


def test_an_operators_import_invites_with_no_actor(site_a: Site) -> None:
    job = imports.import_file(
        kind="people", filename="people.csv", content=csv_file(PEOPLE + "ana@example.org,Ana,,enabler,,,\n"), by=None
    )

    assert job.state == ImportJob.State.IMPORTED
    assert AuditEvent.objects.get(verb=AuditEvent.Verb.INVITED).actor is None
    assert AuditEvent.objects.get(verb=AuditEvent.Verb.IMPORTED_A_FILE).actor is None
