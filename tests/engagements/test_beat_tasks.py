"""The beat tasks, with the clock frozen so the dates they count from are certain."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent, User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.sessions import log_session
from engagements.models import Engagement
from engagements.notes import EngagementKey, PrivateNote
from engagements.tasks import nudge_quiet_engagements
from retention.actions import apply_schedule

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def destroy_expired_private_notes(batch_size: int | None = None) -> dict[str, int]:
    """The private notes' part of a run of the retention schedule: enablers told, engagements' notes shredded."""
    run = apply_schedule(batch_size=batch_size)
    return {"warned": run.notices["private notes"], "engagements": run.destroyed["private_notes"]}


def _active(engagement: Engagement, site_lead: User) -> Engagement:
    revise_agreement(
        engagement=engagement, by=site_lead, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement, by=engagement.enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def active(engagement_a: Engagement, site_lead: User) -> Engagement:
    with time_machine.travel(START, tick=False):
        engagement = _active(engagement_a, site_lead)
        log_session(
            engagement=engagement,
            by=engagement.enabler,
            held_on=timezone.localdate(),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="",
            private_note="A note to keep for a while",
        )
    return engagement


def test_a_quiet_weekly_engagement_nudges_the_enabler_and_site_lead_once(
    active: Engagement, site_lead: User, programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(START + datetime.timedelta(days=13), tick=False):
            too_soon = nudge_quiet_engagements()
        with time_machine.travel(START + datetime.timedelta(days=15), tick=False):
            first = nudge_quiet_engagements()
        with time_machine.travel(START + datetime.timedelta(days=20), tick=False):
            again = nudge_quiet_engagements()

    assert (too_soon, first, again) == (0, 1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([active.enabler.email, site_lead.email])
    assert programme_lead.email not in [m.to[0] for m in mail.outbox]


def test_a_person_who_turned_nudges_off_is_not_nudged(
    active: Engagement, site_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    from django.urls import reverse

    from tests.helpers.people import client_for

    client_for(site_lead).post(reverse("accounts:preferences"), {})  # the box left unticked
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START + datetime.timedelta(days=15)):
        nudge_quiet_engagements()

    assert [m.to[0] for m in mail.outbox] == [active.enabler.email]


def test_retention_warns_30_days_before_then_destroys_the_notes(
    active: Engagement, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.NOTES_RETENTION_DAYS = 365
    closed_on = datetime.date(2026, 4, 1)
    Engagement.objects.filter(pk=active.pk).update(state=Engagement.State.CLOSED, closed_on=closed_on)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(datetime.datetime(2027, 2, 28, 3, tzinfo=datetime.UTC), tick=False):
            early = destroy_expired_private_notes()
        with time_machine.travel(datetime.datetime(2027, 3, 3, 3, tzinfo=datetime.UTC), tick=False):
            warned = destroy_expired_private_notes()
            again = destroy_expired_private_notes()
        with time_machine.travel(datetime.datetime(2027, 4, 2, 3, tzinfo=datetime.UTC), tick=False):
            destroyed = destroy_expired_private_notes()

    assert early == {"warned": 0, "engagements": 0}
    assert warned == {"warned": 1, "engagements": 0}
    assert again["warned"] == 0
    assert destroyed == {"warned": 0, "engagements": 1}
    assert [m.to[0] for m in mail.outbox] == [active.enabler.email]
    assert "download your notes" in mail.outbox[0].body
    assert AuditEvent.objects.get(verb="destroyed private notes", target_id=active.pk).detail == {"count": 1}
    assert not PrivateNote.objects.exists() and not EngagementKey.objects.exists()


def test_retention_works_in_batches(active: Engagement, engagement_b: Engagement, settings: object) -> None:
    settings.NOTES_RETENTION_DAYS = 30
    Engagement.objects.update(state=Engagement.State.CLOSED, closed_on=datetime.date(2026, 1, 1))

    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC), tick=False):
        counts = destroy_expired_private_notes(batch_size=1)

    assert counts["engagements"] == 2
    assert Engagement.objects.filter(notes_destroyed_at=None).count() == 0


def test_retention_destroys_a_batch_in_the_same_few_queries_however_many_engagements(
    active: Engagement, engagement_b: Engagement, settings: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NOTES_RETENTION_DAYS = 30
    for day in range(3):
        log_session(
            engagement=engagement_b,
            by=engagement_b.enabler,
            held_on=datetime.date(2026, 1, 5 + day),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="",
            private_note=f"Note {day}",
        )
    closed = {"state": Engagement.State.CLOSED, "retention_notice_sent_at": START}
    Engagement.objects.filter(pk=active.pk).update(closed_on=datetime.date(2026, 1, 1), **closed)
    Engagement.objects.filter(pk=engagement_b.pk).update(closed_on=datetime.date(2026, 5, 20), **closed)

    june = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    with time_machine.travel(june, tick=False), CaptureQueriesContext(connection) as one_expired:
        first = destroy_expired_private_notes()
    with time_machine.travel(datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC), tick=False):
        Engagement.objects.filter(pk=active.pk).update(notes_destroyed_at=None)  # due again, with nothing left
        with CaptureQueriesContext(connection) as two_expired:
            second = destroy_expired_private_notes()

    assert (first["engagements"], second["engagements"]) == (1, 2)
    assert len(two_expired.captured_queries) == len(one_expired.captured_queries)
    events = AuditEvent.objects.filter(verb="destroyed private notes")
    assert sorted((event.target_id, event.detail["count"]) for event in events) == sorted(
        [(active.pk, 1), (active.pk, 0), (engagement_b.pk, 3)]
    )
    assert not PrivateNote.objects.exists() and not EngagementKey.objects.exists()
