"""Sessions' actions: logging a session, shared notes and actions, the access log, calendar feeds and nudges."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from sites import access as site_access

from .. import access, notes
from ..models import AccessRecord, Action, CalendarFeed, Engagement, Offer, PlannedSession, Session, SharedNote
from ..models.sessions import quiet_since

Verb = AuditEvent.Verb


@transaction.atomic
@sensitive_variables("private_note")
def log_session(
    *,
    engagement: Engagement,
    by: User,
    held_on: datetime.date,
    length: Decimal,
    format: str,
    place: str,
    participants: str,
    private_note: str = "",
    action_description: str = "",
    action_owner: User | None = None,
    action_due_on: datetime.date | None = None,
    planned: PlannedSession | None = None,
) -> Session:
    """The enabler logs a session: it counts against the day budget, and may carry a private note and an action.
    Logging a planned session (`planned`) makes it that session: it leaves the plans and the reminders.

    Length is in days for offers counted in on-site days, in hours otherwise.
    """
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if planned is not None:
        planned = PlannedSession.objects.select_for_update().get(pk=planned.pk)
        if planned.engagement_id != engagement.pk or not planned.may_be_logged():
            raise NotAllowed(
                "That planned session cannot be logged: it is cancelled, logged already, or still to come."
            )
    if by.pk != engagement.enabler_id:
        raise NotAllowed("Sessions are logged by the engagement's enabler.")
    if engagement.is_finished:
        raise NotAllowed(
            f"This engagement is {engagement.get_state_display().lower()}: no more sessions can be logged."
        )
    if held_on > timezone.localdate():
        raise NotAllowed("A session is logged once it has happened: its date must be today or earlier.")
    if held_on < engagement.earliest_session_date():
        raise NotAllowed("A session of this engagement can be logged from a year ago at the earliest.")
    counted_in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
    session = Session.objects.create(
        engagement=engagement,
        held_on=held_on,
        days=length if counted_in_days else None,
        hours=None if counted_in_days else length,
        format=format,
        place=place,
        participants=participants,
        logged_by=by,
    )
    engagement.use_days(session.counted_days)
    AuditEvent.record(actor=by, verb=Verb.USED_DAYS, target=engagement, days=str(session.counted_days))
    if private_note.strip():
        notes.write_note(engagement=engagement, author=by, text=private_note, session=session)
    if action_description.strip():
        add_action(
            engagement=engagement,
            by=by,
            description=action_description,
            owner=action_owner,
            due_on=action_due_on,
            session=session,
        )
    if planned is not None:
        planned.session = session
        planned.save(update_fields=["session"])
    AuditEvent.record(actor=by, verb=Verb.LOGGED_A_SESSION, target=engagement, session=session.pk)
    return session


@transaction.atomic
def add_action(
    *,
    engagement: Engagement,
    by: User,
    description: str,
    owner: User | None,
    due_on: datetime.date | None,
    session: Session | None = None,
) -> Action:
    if not access.is_party(by, engagement):
        raise NotAllowed("Actions are added by the site and its enabler.")
    if owner is None or owner.pk not in {person.pk for person in access.parties(engagement)}:
        raise NotAllowed("An action's owner is the enabler or a member of the site.")
    action = Action.objects.create(
        engagement=engagement,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        session=session,
        created_by=by,
    )
    AuditEvent.record(actor=by, verb=Verb.ADDED_AN_ACTION, target=engagement, action=action.pk)
    return action


@transaction.atomic
def toggle_action(*, action: Action, by: User) -> bool:
    """Mark an action done, or open it again when it was done. Returns whether it is done now."""
    action = Action.objects.select_for_update().select_related("engagement").get(pk=action.pk)
    if not access.is_party(by, action.engagement):
        raise NotAllowed("Actions are kept by the site and its enabler.")
    if action.is_done:
        action.reopen()
        AuditEvent.record(actor=by, verb=Verb.REOPENED_AN_ACTION, target=action.engagement, action=action.pk)
    else:
        action.mark_done()
        AuditEvent.record(actor=by, verb=Verb.COMPLETED_AN_ACTION, target=action.engagement, action=action.pk)
    return action.is_done


@transaction.atomic
def write_shared_note(*, engagement: Engagement, by: User, body: str) -> SharedNote:
    """A note for both parties to read. Never for the central team."""
    if not access.is_party(by, engagement):
        raise NotAllowed("Shared notes are written by the site and its enabler.")
    note = SharedNote.objects.create(engagement=engagement, author=by, body=body)
    AuditEvent.record(actor=by, verb=Verb.WROTE_A_SHARED_NOTE, target=engagement, note=note.pk)
    return note


def record_access(*, engagement: Engagement, user: User, kind: str) -> None:
    """Who looked at an engagement's records: one row in its access log, for its site's lead and its enabler."""
    AccessRecord.objects.create(engagement=engagement, user=user, kind=kind)


@transaction.atomic
def nudge_if_quiet(*, engagement: Engagement, today: datetime.date) -> bool:
    """A gentle e-mail to the enabler and the site's leads (never the central team) after a quiet spell,
    once per spell."""
    quiet = quiet_since(engagement)
    if quiet is None or (today - quiet).days < settings.NUDGE_AFTER_DAYS:
        return False
    if engagement.last_nudged_at and timezone.localdate(engagement.last_nudged_at) >= quiet:
        return False
    leads = site_access.site_leads(engagement.site_id)
    recipients = [person for person in [engagement.enabler, *leads] if person.nudges_enabled]
    notify(
        recipients=recipients,
        kind="nudge",
        subject=f"It has been a while since your last session with {engagement.site}",
        body=f"The last session of “{engagement.offer}” was on {quiet:%d %B %Y}. If a session has happened, the "
        "enabler can log it; if you are taking a break, you can pause the engagement. You can turn these "
        "e-mails off in your preferences.",
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )
    engagement.last_nudged_at = timezone.now()
    engagement.save(update_fields=["last_nudged_at"])
    return True


@transaction.atomic
def turn_on_calendar_feed(*, user: User) -> CalendarFeed:
    """A new secret address for the person's sessions; any earlier one stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    AuditEvent.record(actor=user, verb=Verb.TURNED_ON_A_CALENDAR_FEED, target=user)
    return feed


@transaction.atomic
def turn_off_calendar_feed(*, user: User) -> None:
    if CalendarFeed.objects.filter(user=user).delete()[0]:
        AuditEvent.record(actor=user, verb=Verb.TURNED_OFF_A_CALENDAR_FEED, target=user)
