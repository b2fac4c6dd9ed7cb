"""Sessions in people's own calendars (RFC 5545, built with icalendar): the feed of a person's sessions, and the
invitation e-mailed for a planned session or a series. Dates, times, formats and places only, never what anyone
wrote (notes, the agreement, descriptions).

Times are Europe/London with their TZID and the conventional VTIMEZONE (its yearly rules), so that a weekly 10:00
stays at 10:00 across the clock changes in every calendar reader. A planned session or a series keeps one UID
through every change; its SEQUENCE is raised by the action that changes it, before the invitation is built, so
calendars update the event in place.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from django.db.models import Exists, OuterRef
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from accounts.models import User
from frontend.dates import LONDON

from .models import ChemistryConversation, Engagement, PlannedSession, Session, SessionSeries

UTC = datetime.UTC
METHODS = ("REQUEST", "CANCEL")
# (FREQ, INTERVAL) of each rhythm.
RHYTHMS = {
    SessionSeries.Frequency.WEEKLY: (WEEKLY, 1),
    SessionSeries.Frequency.FORTNIGHTLY: (WEEKLY, 2),
    SessionSeries.Frequency.MONTHLY: (MONTHLY, 1),
}
FREQUENCY_NAMES = {WEEKLY: "WEEKLY", MONTHLY: "MONTHLY"}
FEED_SESSIONS = 500
FEED_PLANNED_SINCE = datetime.timedelta(days=30)


def invitation(item: PlannedSession | SessionSeries, *, method: str, organiser: User, attendees: list[User]) -> str:
    """The iCalendar invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) of a one-off planned session, of a
    whole series (a recurring event, its cancelled occurrences left out, its moved ones overridden), or of one
    occurrence of a series (the series' UID and the occurrence's RECURRENCE-ID)."""
    if method not in METHODS:
        raise ValueError(f"An invitation is a REQUEST or a CANCEL, not {method!r}.")
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    if isinstance(item, SessionSeries):
        occurrences = list(item.occurrences.all())
        events = _series_events(item, occurrences, summary=_invitation_summary, status=status, leave_out=_cancelled)
        events = events[:1] if method == "CANCEL" else events  # the master alone cancels the whole series
    else:
        summary = _invitation_summary(item.engagement, item.get_format_display())
        events = [_planned_event(item, summary=summary, status=status)]
    for event in events:
        event.add("organizer", _address(organiser))
        for attendee in attendees:
            event.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"))
    return _calendar(events, METHOD=method)


def chemistry_invitation(
    conversation: ChemistryConversation, *, method: str, organiser: User, attendees: list[User], site_name: str
) -> str:
    """The invitation (or cancellation) of a chemistry conversation: its time, length and place or link."""
    if method not in METHODS or conversation.starts_at is None:
        raise ValueError("A chemistry conversation's invitation is a REQUEST or a CANCEL of a planned time.")
    online = conversation.place == PlannedSession.Place.ONLINE
    event = Event()
    event.add("uid", conversation.uid)
    event.add("sequence", conversation.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", conversation.starts_at.astimezone(LONDON))
    event.add("dtend", (conversation.starts_at + datetime.timedelta(minutes=conversation.minutes)).astimezone(LONDON))
    event.add("summary", f"Chemistry conversation: {site_name} and {organiser}")
    event.add("location", (conversation.meeting_link if online else conversation.address) or "To be agreed")
    if online and conversation.meeting_link:
        event.add("url", conversation.meeting_link)
    event.add("description", f"A {conversation.minutes}-minute conversation before the site chooses its enabler.")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(organiser))
    for attendee in attendees:
        event.add("attendee", _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"))
    return _calendar([event], METHOD=method)


def feed(user: User) -> str:
    """The person's published calendar: the held sessions of every engagement they work in (all-day events), and
    what is planned from 30 days ago on (one-offs, and series as recurring events), never what is cancelled. A
    logged planned session appears once, as its held session."""
    engagements = Engagement.objects.working_with(user)
    held = (
        Session.objects.filter(engagement__in=engagements)
        .select_related("engagement__site", "engagement__enabler")
        .order_by("-held_on", "-pk")[:FEED_SESSIONS]
    )
    live = PlannedSession.objects.live().filter(starts_at__gte=timezone.now() - FEED_PLANNED_SINCE)
    one_offs = live.filter(engagement__in=engagements, series=None).select_related(
        "engagement__site", "engagement__enabler"
    )[:FEED_SESSIONS]
    series = (
        SessionSeries.objects.filter(engagement__in=engagements)
        .filter(Exists(live.filter(series=OuterRef("pk"))))
        .select_related("engagement__site", "engagement__enabler")
        .prefetch_related("occurrences")
    )

    def summary(engagement: Engagement, format_label: str) -> str:
        other_side = engagement.site.name if user.pk == engagement.enabler_id else str(engagement.enabler)
        return f"{format_label} with {other_side}"

    def gone(occurrence: PlannedSession) -> bool:
        return occurrence.is_cancelled or occurrence.is_logged

    events = [_held_event(each, summary=summary(each.engagement, each.get_format_display())) for each in held]
    events += [
        _planned_event(each, summary=summary(each.engagement, each.get_format_display()), status="CONFIRMED")
        for each in one_offs
    ]
    for each in series:
        occurrences = list(each.occurrences.all())
        events += _series_events(each, occurrences, summary=summary, status="CONFIRMED", leave_out=gone)
    return _calendar(events, **{"X-WR-CALNAME": "Alongside sessions"})


def _invitation_summary(engagement: Engagement, format_label: str) -> str:
    return f"{format_label}: {engagement.site.name} and {engagement.enabler}"


def _cancelled(occurrence: PlannedSession) -> bool:
    return occurrence.is_cancelled


def _calendar(events: Iterable[Event], **properties: str) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Alongside//Sessions//EN")
    calendar.add("version", "2.0")
    for name, value in properties.items():
        calendar.add(name, value)
    timed = False
    for event in events:
        calendar.add_component(event)
        timed = timed or isinstance(event.decoded("dtstart"), datetime.datetime)
    if timed:
        calendar.add_component(_london())
    return calendar.to_ical().decode()


def _london() -> Timezone:
    """Europe/London as calendars conventionally write it: British Summer Time from 01:00 GMT on the last Sunday of
    March, Greenwich Mean Time again from 02:00 BST on the last Sunday of October, every year. Each onset is the
    local time before the change, as RFC 5545 asks. Yearly rules, rather than a list of the dates of each change,
    are what every calendar reader understands (some misread a list and put every session an hour out)."""
    zone = Timezone()
    zone.add("tzid", "Europe/London")
    for name, kind, onset, month, offset_from, offset_to in (
        ("GMT", TimezoneStandard, datetime.datetime(1970, 10, 25, 2), 10, 1, 0),
        ("BST", TimezoneDaylight, datetime.datetime(1970, 3, 29, 1), 3, 0, 1),
    ):
        part = kind()
        part.add("dtstart", onset)
        part.add("rrule", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        part.add("tzname", name)
        part.add("tzoffsetfrom", datetime.timedelta(hours=offset_from))
        part.add("tzoffsetto", datetime.timedelta(hours=offset_to))
        zone.add_component(part)
    return zone


def _address(user: User, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = str(user)
    address.params.update(params)
    return address


def _held_event(session: Session, *, summary: str) -> Event:
    """A held session: an all-day event on the day it was held."""
    event = Event()
    event.add("uid", f"session-{session.pk}@alongside")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.held_on)
    event.add("summary", summary)
    event.add("location", session.get_place_display())
    event.add("description", f"{session.length}. Alongside session log.")
    return event


def _planned_event(
    planned: PlannedSession, *, summary: str, status: str, start: datetime.datetime | None = None
) -> Event:
    """A planned session, timed in Europe/London. An occurrence of a series goes by the series' UID and SEQUENCE
    with its RECURRENCE-ID; `start` makes it the series' master instead, starting where the rhythm began."""
    series = planned.series if planned.series_id else None
    begins = start or planned.starts_at
    event = Event()
    event.add("uid", planned.calendar_uid)
    event.add("sequence", series.sequence if series else planned.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", begins.astimezone(LONDON))
    event.add("dtend", (begins.astimezone(UTC) + (planned.ends_at - planned.starts_at)).astimezone(LONDON))
    if series and start is None:
        event.add("recurrence-id", _original_start(planned).astimezone(LONDON))
    event.add("summary", summary)
    online = planned.place == PlannedSession.Place.ONLINE
    location = planned.meeting_link if online else planned.address
    event.add("location", location or planned.get_place_display())
    if online and planned.meeting_link:
        event.add("url", planned.meeting_link)
    event.add("description", f"{planned.get_format_display()}, {planned.length}. {planned.get_place_display()}.")
    event.add("status", status)
    return event


def _series_events(
    series: SessionSeries,
    occurrences: list[PlannedSession],
    *,
    summary: Callable[[Engagement, str], str],
    status: str,
    leave_out: Callable[[PlannedSession], bool],
) -> list[Event]:
    """A series as a recurring event: the master (the first occurrence's time, length, format and place, with the
    rhythm's RRULE), an EXDATE for every occurrence left out (and any date of the rhythm that has none), an RDATE
    for any occurrence off the rhythm, and an override (RECURRENCE-ID) for every occurrence moved or changed."""
    if not occurrences:
        return []
    occurrences = sorted(occurrences, key=_original_start)
    first = occurrences[0]
    begins = _original_start(first).astimezone(LONDON)
    kept = [occurrence for occurrence in occurrences if not leave_out(occurrence)]
    frequency, interval = RHYTHMS[SessionSeries.Frequency(series.frequency)]
    until = _series_until(series, kept, default=begins)
    rhythm = set(rrule(frequency, interval=interval, dtstart=begins, until=until))
    planned = {_original_start(occurrence) for occurrence in occurrences}
    master = _planned_event(
        first, summary=summary(series.engagement, first.get_format_display()), status=status, start=begins
    )
    master.add(
        "rrule", {"FREQ": FREQUENCY_NAMES[frequency], "UNTIL": until} | ({"INTERVAL": interval} if interval > 1 else {})
    )
    left_out = {_original_start(occurrence) for occurrence in occurrences if leave_out(occurrence)}
    for moment in sorted(left_out | (rhythm - planned)):
        master.add("exdate", moment.astimezone(LONDON))
    for moment in sorted(planned - rhythm - left_out):
        master.add("rdate", moment.astimezone(LONDON))
    overrides = [
        _planned_event(occurrence, summary=summary(series.engagement, occurrence.get_format_display()), status=status)
        for occurrence in kept
        if occurrence.starts_at != _original_start(occurrence) or _details(occurrence) != _details(first)
    ]
    return [master, *overrides]


def _series_until(
    series: SessionSeries, kept: list[PlannedSession], *, default: datetime.datetime
) -> datetime.datetime:
    """UNTIL, in UTC as RFC 5545 asks beside a TZID: the end of the `until` day in London, or for a series ended
    early, its last occurrence kept."""
    if series.ended_at is not None:
        return max((_original_start(occurrence) for occurrence in kept), default=default).astimezone(UTC)
    end_of_day = datetime.datetime.combine(series.until, datetime.time(23, 59, 59), tzinfo=LONDON)
    return end_of_day.astimezone(UTC)


def _original_start(occurrence: PlannedSession) -> datetime.datetime:
    return occurrence.original_start or occurrence.starts_at


def _details(planned: PlannedSession) -> tuple[object, ...]:
    return (planned.format, planned.place, planned.address, planned.meeting_link, planned.hours, planned.days)
