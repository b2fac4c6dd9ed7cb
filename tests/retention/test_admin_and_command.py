"""The administrators' side: legal holds placed and lifted in the admin, each run's report read there, and
`manage.py apply_retention [--dry-run]`."""

from __future__ import annotations

import datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from engagements.models import Engagement
from retention.models import LegalHold, RetentionRun
from retention.schedule import KINDS
from tests.helpers.people import client_for


def test_an_administrator_places_a_hold_in_the_admin_with_a_reason(
    engagement_a: Engagement, administrator: User
) -> None:
    client = client_for(administrator)
    add = reverse("admin:retention_legalhold_add")

    no_reason = client.post(add, {"engagement": engagement_a.pk, "reason": ""})
    placed = client.post(add, {"engagement": engagement_a.pk, "reason": "A claim received by letter"}, follow=True)
    twice = client.post(add, {"engagement": engagement_a.pk, "reason": "Again"})

    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    assert placed.status_code == 200
    hold = LegalHold.objects.get()
    assert (hold.engagement_id, hold.reason, hold.placed_by) == (
        engagement_a.pk,
        "A claim received by letter",
        administrator,
    )
    assert "held already" in twice.content.decode() and LegalHold.objects.count() == 1
    event = AuditEvent.objects.get(verb="placed a legal hold")
    assert (event.actor, event.target_id, event.detail) == (administrator, engagement_a.pk, {"hold": hold.pk})


def test_an_administrator_lifts_a_hold_from_the_list_and_it_stays_as_a_record(
    engagement_a: Engagement, administrator: User
) -> None:
    client = client_for(administrator)
    client.post(reverse("admin:retention_legalhold_add"), {"engagement": engagement_a.pk, "reason": "A claim"})
    hold = LegalHold.objects.get()

    lifted = client.post(
        reverse("admin:retention_legalhold_changelist"), {"action": "lift", "_selected_action": [hold.pk]}, follow=True
    )
    change_page = client.get(reverse("admin:retention_legalhold_change", args=[hold.pk]))

    hold.refresh_from_db()
    assert "1 legal hold(s) lifted" in lifted.content.decode()
    assert hold.lifted_at is not None and hold.lifted_by == administrator
    assert change_page.status_code == 200 and b'name="reason"' not in change_page.content  # read only
    assert AuditEvent.objects.filter(verb="lifted a legal hold", target_id=engagement_a.pk).exists()


def test_the_report_page_shows_every_kind_with_its_counts(administrator: User, site_member: User) -> None:
    with time_machine.travel(timezone.now() + datetime.timedelta(days=701), tick=False):
        call_command("apply_retention", stdout=StringIO())
    run = RetentionRun.objects.get()

    page = client_for(administrator).get(reverse("admin:retention_retentionrun_change", args=[run.pk]))
    listing = client_for(administrator).get(reverse("admin:retention_retentionrun_changelist"))

    text = page.content.decode()
    assert page.status_code == 200 and listing.status_code == 200
    assert all(kind.record in text for kind in KINDS)
    assert "about unused accounts" in text  # the notices it sent, counted
    assert site_member.full_name not in text and site_member.email not in text


def test_the_dry_run_prints_every_kind_and_changes_nothing(engagement_a: Engagement, site_member: User) -> None:
    output = StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=800), tick=False):
        call_command("apply_retention", "--dry-run", stdout=output)

    printed = output.getvalue()
    assert printed.startswith("Dry run: nothing was changed.")
    assert all(kind.record in printed for kind in KINDS)
    assert "Notices that would be sent first:" in printed and "about unused accounts" in printed
    assert not RetentionRun.objects.exists() and not AuditEvent.objects.filter(verb__contains="retention").exists()
    assert User.objects.get(pk=site_member.pk).inactivity_notice_sent_at is None


def test_the_command_applies_the_schedule_as_the_nightly_task_does(site_member: User) -> None:
    output = StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=701), tick=False):
        call_command("apply_retention", stdout=output)

    run = RetentionRun.objects.get()
    assert "Notices sent:" in output.getvalue() and run.notices["unused accounts"] >= 1
    assert User.objects.get(pk=site_member.pk).inactivity_notice_sent_at is not None


def test_celery_beat_runs_the_schedule_every_night(settings: object, site_member: User) -> None:
    from retention.tasks import apply_retention_schedule

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("retention."))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        destroyed = apply_retention_schedule.delay().get()

    assert entry["task"] == "retention.tasks.apply_retention_schedule"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert set(destroyed) == {kind.name for kind in KINDS} and RetentionRun.objects.count() == 1
