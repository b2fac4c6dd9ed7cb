"""Planning's actions: planned sessions and series of them, their invitations, reminders and prompts to log.

Planning sessions ahead: the actions for planned sessions and series of them, each one transaction with its
audit event and its calendar invitations, saved through the outbox.

Either party plans: the enabler or the site's lead. Every invitee and the enabler get an e-mail with an iCalendar
invitation (engagements.calendar), whose UID stays the same through every change and whose SEQUENCE goes up with
each, so that Outlook and Google Calendar update the meeting in place. A series is sent whole (its rhythm, the
occurrences cancelled, those moved) whenever any of it changes. The e-mails carry date, time, format, place or link:
never anything anyone wrote.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from dateutil.rrule import rrule
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, MobileNumber, User
from accounts.notifications import notify, notify_text
from accounts.notify import texts_available
from core.errors import NotAllowed
from frontend.dates import LONDON, long_date
from sites import access as site_access

from .. import access
from ..calendar import RHYTHMS, invitation
from ..models import Engagement, Offer, PlannedSession, SessionSeries
from ..models.planning import new_uid

Verb = AuditEvent.Verb
PLANNABLE = (Engagement.State.AGREEMENT, Engagement.State.ACTIVE, Engagement.State.PAUSED)
LONGEST_SERIES = datetime.timedelta(days=366)
FURTHEST_AHEAD = datetime.timedelta(days=2 * 366)


def _locked(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update().select_related("site", "enabler", "offer").get(pk=engagement.pk)


def _may_plan(engagement: Engagement, by: User) -> None:
    if not access.steers(by, engagement):
        raise NotAllowed("Sessions are planned by the engagement's enabler or the site's lead.")
    if engagement.state not in PLANNABLE:
        raise NotAllowed(f"This engagement is {engagement.get_state_display().lower()}: no sessions can be planned.")


def _check_when(starts_at: datetime.datetime) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise NotAllowed("A planned session starts in the future: choose a later date or time.")
    if starts_at > now + FURTHEST_AHEAD:
        raise NotAllowed("A session is planned at most two years ahead.")


def _check_place(place: str, address: str, meeting_link: str) -> None:
    if place == PlannedSession.Place.ON_SITE and not address.strip():
        raise NotAllowed("Say where on site the session is.")
    if place == PlannedSession.Place.ONLINE and not meeting_link.startswith("https://"):
        raise NotAllowed("An online session needs its meeting link, starting https://.")


def _check_invitees(engagement: Engagement, invitees: Sequence[User]) -> list[User]:
    members = {user.pk for user in site_access.site_members(engagement.site_id)}
    if any(user.pk not in members for user in invitees):
        raise NotAllowed("Only the site's own people can be invited.")
    return list(invitees)


def _length(engagement: Engagement, length: Decimal) -> dict[str, Decimal | None]:
    """Days for an offer counted in on-site days, hours otherwise (as a logged session)."""
    if length <= 0:
        raise NotAllowed("A session lasts more than no time at all.")
    in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
    return {"days": length if in_days else None, "hours": None if in_days else length}


def occurrence_starts(first: datetime.datetime, frequency: str, until: datetime.date) -> list[datetime.datetime]:
    """Every start of the rhythm from `first` to `until`, at the same wall-clock time in Europe/London across the
    clock changes: the rule the series' invitation carries (`calendar.RHYTHMS`), counted by dateutil's rrule in
    London's wall-clock time. A monthly rhythm keeps the day of the month and skips a month that has no such day,
    as an iCalendar RRULE does."""
    local = timezone.localtime(first, LONDON).replace(tzinfo=None)
    rule, interval = RHYTHMS[SessionSeries.Frequency(frequency)]
    last = datetime.datetime.combine(until, datetime.time.max)
    # rrule counts in whole seconds; the start keeps its own fraction of one, as the series' first session has it.
    return [
        start.replace(microsecond=local.microsecond, tzinfo=LONDON)
        for start in rrule(rule, interval=interval, dtstart=local, until=last)
    ]


def _words(planned: PlannedSession) -> str:
    """The session in a sentence: format, date, time, length, and place or link. Nothing anyone wrote."""
    local = timezone.localtime(planned.starts_at, LONDON)
    where = planned.address if planned.place == PlannedSession.Place.ON_SITE else f"online: {planned.meeting_link}"
    return f"{planned.get_format_display()} on {long_date(local.date())} at {local:%H:%M} ({planned.length}), {where}"


def _tell(
    engagement: Engagement,
    item: PlannedSession | SessionSeries,
    attendees: list[User],
    *,
    subject: str,
    happened: str,
    method: str = "REQUEST",
) -> None:
    """Each invitee and the enabler: an e-mail with the calendar invitation."""
    recipients = [*attendees, engagement.enabler]
    notify(
        recipients=recipients,
        kind="planned session",
        subject=subject,
        body=f"{happened}\n\nThe invitation is attached for your calendar.",
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
        calendar=invitation(item, method=method, organiser=engagement.enabler, attendees=attendees),
    )


def _series_attendees(series: SessionSeries) -> list[User]:
    first = series.occurrences.order_by("original_start").first()
    return list(first.invitees.all()) if first else []


@transaction.atomic
def plan_session(
    *,
    engagement: Engagement,
    by: User,
    starts_at: datetime.datetime,
    length: Decimal,
    format: str,
    place: str,
    address: str = "",
    meeting_link: str = "",
    invitees: Sequence[User] = (),
) -> PlannedSession:
    """One session booked ahead; the other party sees it at once on the engagement page."""
    engagement = _locked(engagement)
    _may_plan(engagement, by)
    _check_when(starts_at)
    _check_place(place, address, meeting_link)
    people = _check_invitees(engagement, invitees)
    planned = PlannedSession.objects.create(
        engagement=engagement,
        starts_at=starts_at,
        format=format,
        place=place,
        address=address.strip() if place == PlannedSession.Place.ON_SITE else "",
        meeting_link=meeting_link.strip() if place == PlannedSession.Place.ONLINE else "",
        uid=new_uid("planned"),
        planned_by=by,
        **_length(engagement, length),
    )
    planned.invitees.set(people)
    AuditEvent.record(actor=by, verb=Verb.PLANNED_A_SESSION, target=engagement, planned=planned.pk)
    _tell(
        engagement,
        planned,
        people,
        subject="A session is planned",
        happened=f"{by} planned a session: {_words(planned)}.",
    )
    return planned


@transaction.atomic
def plan_series(
    *,
    engagement: Engagement,
    by: User,
    first_starts_at: datetime.datetime,
    frequency: str,
    until: datetime.date,
    length: Decimal,
    format: str,
    place: str,
    address: str = "",
    meeting_link: str = "",
    invitees: Sequence[User] = (),
) -> SessionSeries:
    """A rhythm of sessions until a date, for weekly support: each occurrence a planned session of its own."""
    engagement = _locked(engagement)
    _may_plan(engagement, by)
    if engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS:
        raise NotAllowed("On-site days are planned one at a time; a rhythm is for weekly support.")
    if frequency not in SessionSeries.Frequency.values:
        raise NotAllowed("Choose how often the sessions happen.")
    _check_when(first_starts_at)
    first_day = timezone.localtime(first_starts_at, LONDON).date()
    if until < first_day:
        raise NotAllowed("The series ends on or after its first session.")
    if until - first_day > LONGEST_SERIES:
        raise NotAllowed("A series runs for a year at most: plan the next year's when it comes.")
    _check_place(place, address, meeting_link)
    people = _check_invitees(engagement, invitees)
    series = SessionSeries.objects.create(
        engagement=engagement, frequency=frequency, until=until, uid=new_uid("series"), planned_by=by
    )
    common = {
        "engagement": engagement,
        "series": series,
        "format": format,
        "place": place,
        "address": address.strip() if place == PlannedSession.Place.ON_SITE else "",
        "meeting_link": meeting_link.strip() if place == PlannedSession.Place.ONLINE else "",
        "planned_by": by,
        **_length(engagement, length),
    }
    starts = occurrence_starts(first_starts_at, frequency, until)
    occurrences = PlannedSession.objects.bulk_create(
        PlannedSession(original_start=start, starts_at=start, **common) for start in starts
    )
    through = PlannedSession.invitees.through
    through.objects.bulk_create(
        through(plannedsession_id=occurrence.pk, user_id=person.pk) for occurrence in occurrences for person in people
    )
    AuditEvent.record(
        actor=by, verb=Verb.PLANNED_A_SERIES, target=engagement, series=series.pk, occurrences=len(occurrences)
    )
    first = occurrences[0]
    _tell(
        engagement,
        series,
        people,
        subject="Sessions are planned",
        happened=(
            f"{by} planned {len(occurrences)} sessions, {series.get_frequency_display().lower()} until "
            f"{long_date(until)}, starting with {_words(first)}."
        ),
    )
    return series


def _live(planned: PlannedSession, by: User) -> PlannedSession:
    planned = (
        PlannedSession.objects.select_for_update(of=("self",))
        .select_related("engagement__site", "engagement__enabler", "engagement__offer", "series")
        .get(pk=planned.pk)
    )
    _may_plan(planned.engagement, by)
    if planned.is_cancelled:
        raise NotAllowed("This session was cancelled.")
    if planned.is_logged:
        raise NotAllowed("This session has been logged: change the session log instead.")
    return planned


def _raise_sequence(planned: PlannedSession) -> PlannedSession | SessionSeries:
    """What the calendars hold for it, one version on: the series, for an occurrence; else the session itself."""
    if planned.series_id is not None:
        series = SessionSeries.objects.select_for_update().get(pk=planned.series_id)
        series.sequence += 1
        series.save(update_fields=["sequence"])
        return series
    planned.sequence += 1
    planned.save(update_fields=["sequence"])
    return planned


@transaction.atomic
def move_planned_session(
    *,
    planned: PlannedSession,
    by: User,
    starts_at: datetime.datetime,
    place: str,
    address: str = "",
    meeting_link: str = "",
    invitees: Sequence[User] | None = None,
) -> PlannedSession:
    """A new time or place for one planned session; the other occurrences of its series stay as they are."""
    planned = _live(planned, by)
    engagement = planned.engagement
    _check_when(starts_at)
    _check_place(place, address, meeting_link)
    planned.starts_at = starts_at
    planned.place = place
    planned.address = address.strip() if place == PlannedSession.Place.ON_SITE else ""
    planned.meeting_link = meeting_link.strip() if place == PlannedSession.Place.ONLINE else ""
    planned.save(update_fields=["starts_at", "place", "address", "meeting_link"])
    if invitees is not None and planned.series_id is None:
        planned.invitees.set(_check_invitees(engagement, invitees))
    item = _raise_sequence(planned)
    AuditEvent.record(actor=by, verb=Verb.MOVED_A_PLANNED_SESSION, target=engagement, planned=planned.pk)
    people = _series_attendees(item) if isinstance(item, SessionSeries) else list(planned.invitees.all())
    _tell(
        engagement,
        item,
        people,
        subject="A planned session has changed",
        happened=f"{by} changed a planned session: it is now {_words(planned)}.",
    )
    return planned


@transaction.atomic
def cancel_planned_session(*, planned: PlannedSession, by: User) -> PlannedSession:
    """One planned session is off; in a series, the others stay."""
    planned = _live(planned, by)
    engagement = planned.engagement
    planned.cancelled_at = timezone.now()
    planned.save(update_fields=["cancelled_at"])
    item = _raise_sequence(planned)
    AuditEvent.record(actor=by, verb=Verb.CANCELLED_A_PLANNED_SESSION, target=engagement, planned=planned.pk)
    if isinstance(item, SessionSeries):
        _tell(
            engagement,
            item,
            _series_attendees(item),
            subject="A planned session is cancelled",
            happened=f"{by} cancelled one session of the series: {_words(planned)}.",
        )
    else:
        _tell(
            engagement,
            item,
            list(planned.invitees.all()),
            subject="A planned session is cancelled",
            happened=f"{by} cancelled a planned session: {_words(planned)}.",
            method="CANCEL",
        )
    return planned


@transaction.atomic
def end_series(*, series: SessionSeries, by: User) -> int:
    """Ends a rhythm early: every occurrence still to come is cancelled; those held stay. How many were cancelled."""
    series = (
        SessionSeries.objects.select_for_update()
        .select_related("engagement__enabler", "engagement__site")
        .get(pk=series.pk)
    )
    engagement = series.engagement
    _may_plan(engagement, by)
    if series.ended_at is not None:
        raise NotAllowed("This series has ended already.")
    now = timezone.now()
    left = series.occurrences.live().filter(starts_at__gt=now)
    cancelled = left.update(cancelled_at=now)
    series.ended_at = now
    series.sequence += 1
    series.save(update_fields=["ended_at", "sequence"])
    AuditEvent.record(actor=by, verb=Verb.ENDED_A_SERIES, target=engagement, series=series.pk, cancelled=cancelled)
    kept = series.occurrences.filter(cancelled_at__isnull=True).exists()
    _tell(
        engagement,
        series,
        _series_attendees(series),
        subject="A series of sessions has ended",
        happened=f"{by} ended the series early: the sessions still to come ({cancelled}) are cancelled.",
        method="REQUEST" if kept else "CANCEL",
    )
    return cancelled


def cancel_what_is_planned(*, engagement: Engagement, by: User) -> int:
    """A pairing ended early: every planned session still to come is cancelled, and every series ended, with the
    calendars told. Called inside the ending's transaction, which has checked who may end it. How many went."""
    now = timezone.now()
    cancelled = 0
    live = PlannedSession.objects.live().filter(engagement=engagement, starts_at__gt=now)
    for planned in live.filter(series=None).select_related("engagement__enabler").prefetch_related("invitees"):
        planned.cancelled_at, planned.sequence = now, planned.sequence + 1
        planned.save(update_fields=["cancelled_at", "sequence"])
        cancelled += 1
        _tell(
            engagement,
            planned,
            list(planned.invitees.all()),
            subject="A planned session is cancelled",
            happened=f"The pairing has ended, so this session is cancelled: {_words(planned)}.",
            method="CANCEL",
        )
    for series in SessionSeries.objects.select_for_update().filter(engagement=engagement, ended_at=None):
        cancelled += series.occurrences.live().filter(starts_at__gt=now).update(cancelled_at=now)
        series.ended_at, series.sequence = now, series.sequence + 1
        series.save(update_fields=["ended_at", "sequence"])
        _tell(
            engagement,
            series,
            _series_attendees(series),
            subject="A series of sessions has ended",
            happened="The pairing has ended, so the sessions still to come in this series are cancelled.",
            # Held ones stay in calendars: the rhythm is sent again without what is gone, or cancelled whole.
            method="REQUEST" if series.occurrences.filter(cancelled_at__isnull=True).exists() else "CANCEL",
        )
    return cancelled


def planned_days(engagement: Engagement) -> Decimal:
    """Days of the planned sessions still to be logged, for an offer counted in days."""
    if engagement.offer.cadence != Offer.Cadence.ON_SITE_DAYS:
        return Decimal("0")
    total = engagement.planned_sessions.live().aggregate(days=Sum("days"))["days"]
    return total or Decimal("0")


def budget_warning(engagement: Engagement) -> str | None:
    """Whether the days planned and used would pass the allowance (a warning: the site may agree more)."""
    available = engagement.days_available
    if available is None:
        return None
    planned = planned_days(engagement)
    if engagement.days_used + planned > available:
        return (
            f"{planned.normalize():f} days are planned and {engagement.days_used.normalize():f} used, more than the "
            f"{available.normalize():f} days available. The site's lead can agree extra days."
        )
    return None


def next_session(engagement: Engagement) -> PlannedSession | None:
    return engagement.planned_sessions.upcoming().select_related("series").first()


# Reminders and prompts (Celery beat) ----------------------------------------------------------------------------

PROMPT_AFTER = datetime.timedelta(days=2)


def _attending(planned: PlannedSession) -> list[User]:
    """The enabler and the invitees who can sign in; never the central team, even if invited."""
    people = [planned.engagement.enabler, *planned.invitees.all()]
    return [person for person in people if person.is_active and not person.is_programme_lead]


def send_session_reminders(*, now: datetime.datetime | None = None) -> int:
    """The day before (in Europe/London), one e-mail to each who wants it: format, date, time, length, and place or
    link; never anything anyone wrote. Once per planned session, however often it runs: each session is claimed in
    its own transaction, skipping one that another run holds. How many sessions were reminded of."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now, LONDON).date() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(tomorrow + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON)
    due = PlannedSession.objects.live().filter(reminder_sent_at__isnull=True, starts_at__gte=start, starts_at__lt=end)
    reminded = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            planned = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("engagement__enabler", "engagement__site")
                .filter(pk=pk)
                .first()
            )
            if planned is None:
                continue
            attending = _attending(planned)
            notify(
                recipients=[person for person in attending if person.session_reminders],
                kind="session reminder",
                subject=f"Tomorrow: a session with {planned.engagement.site}",
                body=f"A reminder of tomorrow's session: {_words(planned)}.\n\n"
                "You can turn these reminders off in your preferences.",
                link=reverse("engagements:engagement_detail", kwargs={"pk": planned.engagement_id}),
            )
            _text_reminders(planned, attending)
            planned.reminder_sent_at = now
            planned.save(update_fields=["reminder_sent_at"])
            reminded += 1
    return reminded


def _text_reminders(planned: PlannedSession, attending: list[User]) -> None:
    """A text to each of those attending who confirmed a mobile number and chose text reminders (GOV.UK Notify
    only): the date, the time and the place, never a link, a site's name or anything anyone wrote."""
    if not texts_available():
        return
    wanted = [person.pk for person in attending]
    local = timezone.localtime(planned.starts_at, LONDON)
    where = (planned.address or "on site") if planned.place == PlannedSession.Place.ON_SITE else "online"
    body = f"Alongside: your session is tomorrow, {long_date(local.date())} at {local:%H:%M}, {where}."
    for mobile in MobileNumber.objects.filter(
        person__in=wanted, confirmed_at__isnull=False, text_reminders=True
    ).select_related("person"):
        notify_text(recipient=mobile.person, phone=mobile.number, kind="session reminder by text", body=body)


def prompt_unlogged_sessions(*, now: datetime.datetime | None = None) -> int:
    """A planned session neither logged nor cancelled two days after its start: one word to its enabler (only), to
    log it or cancel it. Once per planned session. How many were prompted."""
    now = now or timezone.now()
    due = PlannedSession.objects.live().filter(prompt_sent_at__isnull=True, starts_at__lt=now - PROMPT_AFTER)
    prompted = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            planned = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("engagement__enabler", "engagement__site")
                .filter(pk=pk)
                .first()
            )
            if planned is None:
                continue
            engagement = planned.engagement
            link = reverse("engagements:session_create", kwargs={"pk": engagement.pk})
            notify(
                recipients=[engagement.enabler],
                kind="planned session prompt",
                subject=f"Was this session with {engagement.site} held?",
                body=f"Was this session held? Log it, or cancel it: {_words(planned)}.",
                link=f"{link}?planned={planned.pk}",
            )
            planned.prompt_sent_at = now
            planned.save(update_fields=["prompt_sent_at"])
            prompted += 1
    return prompted
