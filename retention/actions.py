"""Applying the retention schedule (retention/schedule.py), and the legal holds that stop it.

`apply_schedule` runs every night (retention.tasks, on Celery beat) and from `manage.py apply_retention`. It first
tells whoever must be told before a record goes (the parties of an engagement, an enabler of their private notes,
the owner of an unused account), then applies each kind of the schedule in batches of RETENTION_BATCH_SIZE rows, one
transaction a batch, and last writes a report of counts (`RetentionRun`) with its audit event. Safe to run twice: a
second run finds nothing due. A batch locks the engagements it touches and reads what is due again under the lock,
so a legal hold placed while the task runs wins.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from engagements.actions.notes import warn_before_destroying_notes
from engagements.models import Engagement
from frontend.dates import long_date
from sites import access as site_access

from . import schedule
from .models import LegalHold, RetentionRun
from .schedule import KINDS, Kind

logger = logging.getLogger(__name__)

# How far ahead the report looks.
LOOK_AHEAD_DAYS = 30


@dataclass
class Preview:
    """What a run at `at` would do: rows due now and in the next 30 days by kind, and the notices it would send."""

    due: dict[str, int] = field(default_factory=dict)
    due_soon: dict[str, int] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)
    held: int = 0


def preview(*, at: datetime.datetime | None = None) -> Preview:
    """Counts only; changes nothing (`manage.py apply_retention --dry-run`)."""
    at = at or timezone.now()
    result = Preview(held=LegalHold.objects.in_force().count())
    result.notices = {
        "engagement records": schedule.engagements_to_tell(at).count(),
        "private notes": schedule.enablers_to_tell_of_notes(at).count(),
        "unused accounts": schedule.accounts_to_tell(at).count(),
    }
    for kind in KINDS:
        result.due[kind.name] = kind.due(at, kind.days).count()
    result.due_soon = _due_soon(at)
    return result


def _due_soon(at: datetime.datetime) -> dict[str, int]:
    later = at + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    return {kind.name: kind.due(later, kind.days).count() - kind.due(at, kind.days).count() for kind in KINDS}


def apply_schedule(*, batch_size: int | None = None) -> RetentionRun:
    """One run of the schedule, now. Returns its report."""
    started = timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    notices = _tell_people(started, batch_size)
    destroyed: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    for kind in KINDS:
        began = time.perf_counter()
        destroyed[kind.name] += _apply(kind, started, batch_size)
        seconds[kind.name] += round(time.perf_counter() - began, 3)
    with transaction.atomic():
        run = RetentionRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            destroyed=dict(destroyed),
            notices=notices,
            due_soon=_due_soon(timezone.now()),
            held=LegalHold.objects.in_force().count(),
            seconds=dict(seconds),
        )
        AuditEvent.record(
            actor=None,
            verb=AuditEvent.Verb.APPLIED_THE_RETENTION_SCHEDULE,
            target=run,
            destroyed=run.destroyed,
            notices=notices,
        )
    logger.info(
        "Retention schedule applied: %s records destroyed, %s notices sent (report %s)",
        sum(destroyed.values()),
        sum(notices.values()),
        run.pk,
    )
    return run


def _apply(kind: Kind, at: datetime.datetime, batch_size: int) -> int:
    done = 0
    while True:
        ids = list(kind.due(at, kind.days).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        with transaction.atomic():
            if kind.engagement:
                model = kind.due(at, kind.days).model
                engagements = model.objects.filter(pk__in=ids).values(kind.engagement)
                locked = Engagement.objects.select_for_update().filter(pk__in=engagements).order_by("pk")
                list(locked.values_list("pk", flat=True))
                ids = list(kind.due(at, kind.days).filter(pk__in=ids).values_list("pk", flat=True))
            changed = kind.destroy(ids) if ids else 0
        if not changed:  # nothing more can go now (all of it held meanwhile, or changed under the task)
            return done
        done += changed


def _tell_people(at: datetime.datetime, batch_size: int) -> dict[str, int]:
    """The notices, each once: the parties of an engagement before its records go, an enabler before their private
    notes go, and the owner of an unused account before it is deactivated."""
    told = {"engagement records": 0, "private notes": 0, "unused accounts": 0}
    while engagements := list(schedule.engagements_to_tell(at).order_by("pk")[:batch_size]):
        told_now = sum(tell_parties_before_records_go(engagement=engagement) for engagement in engagements)
        told["engagement records"] += told_now
        if not told_now:  # held or told meanwhile: what is left is for the next run
            break
    for engagement in schedule.enablers_to_tell_of_notes(at).select_related("site", "enabler")[:batch_size]:
        told["private notes"] += warn_before_destroying_notes(engagement=engagement)
    unused_days = settings.RETENTION_DAYS["unused_accounts"]
    for user in schedule.accounts_to_tell(at).order_by("pk")[:batch_size]:
        last_seen = timezone.localdate(user.last_login or user.date_joined)
        deactivate_on = max(
            last_seen + datetime.timedelta(days=unused_days),
            timezone.localdate(at) + datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS),
        )
        told["unused accounts"] += account_actions.warn_of_inactivity(user=user, deactivate_on=deactivate_on)
    return told


def when_records_go(engagement: Engagement, *, told_on: datetime.date) -> list[tuple[datetime.date, list[str]]]:
    """The dates on which each of the engagement's records goes, none sooner than the notice period from now."""
    closed_on = engagement.closed_on or told_on
    earliest = told_on + datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    dates: dict[datetime.date, list[str]] = defaultdict(list)
    for kind in schedule.ENGAGEMENT_RECORDS:
        goes_on = max(closed_on + datetime.timedelta(days=kind.days), earliest)
        dates[goes_on].append(kind.record.lower())
    return sorted(dates.items())


@transaction.atomic
def tell_parties_before_records_go(*, engagement: Engagement) -> bool:
    """Once for an engagement: its enabler and its site's leads learn when its records go, and what stays. Names
    kinds of record and dates, never what they say. False if they were told already, or it is held."""
    engagement = Engagement.objects.select_for_update().select_related("site").get(pk=engagement.pk)
    if engagement.records_notice_sent_at is not None or LegalHold.objects.in_force().filter(engagement=engagement):
        return False
    schedule_of_it = when_records_go(engagement, told_on=timezone.localdate())
    stages = "\n".join(f"- On {long_date(goes_on)}: {', '.join(records)}." for goes_on, records in schedule_of_it)
    notify(
        recipients=[engagement.enabler, *site_access.site_leads(engagement.site_id)],
        kind="records-retention",
        subject=f"The records of your engagement at {engagement.site} will be destroyed from "
        f"{long_date(schedule_of_it[0][0])}",
        body=(
            "Alongside keeps an engagement's records for a set time after it closes, then destroys them, as its "
            f"retention schedule says:\n{stages}\n\nWhat stays: the engagement's dates and days used, feedback "
            "scores and goal outcomes without their words, and published lessons while you both consent. If you "
            "want to keep anything, copy it from the engagement's page before then."
        ),
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )
    engagement.records_notice_sent_at = timezone.now()
    engagement.save(update_fields=["records_notice_sent_at"])
    return True


# Legal holds ----------------------------------------------------------------------------------------------------


def _may_hold(by: User) -> None:
    if not (by.is_active and by.is_superuser):
        raise NotAllowed("Only an administrator places or lifts a legal hold.")


@transaction.atomic
def place_legal_hold(*, engagement: Engagement, by: User, reason: str) -> LegalHold:
    """The schedule skips everything of the engagement (and its parties' names) until the hold is lifted."""
    _may_hold(by)
    reason = reason.strip()
    if not reason:
        raise NotAllowed("Say why the records must be kept: the hold is recorded with its reason.")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if LegalHold.objects.in_force().filter(engagement=engagement).exists():
        raise NotAllowed("This engagement's records are held already.")
    hold = LegalHold.objects.create(engagement=engagement, reason=reason, placed_by=by)
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.PLACED_A_LEGAL_HOLD, target=engagement, hold=hold.pk)
    return hold


@transaction.atomic
def lift_legal_hold(*, hold: LegalHold, by: User) -> LegalHold:
    """From the next run, the schedule applies to the engagement's records again (those long due go then, after
    their parties are told, as for any other)."""
    _may_hold(by)
    Engagement.objects.select_for_update().filter(pk=hold.engagement_id).first()
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    hold.lift(by=by)
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.LIFTED_A_LEGAL_HOLD, target=hold.engagement, hold=hold.pk)
    return hold
