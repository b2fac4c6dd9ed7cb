"""Alongside's calendars as two independent calendar readers see them: icalendar, and vobject (which reads the
VTIMEZONE in the file with dateutil, as many calendar programs do, rather than its own copy of Europe/London).

Each reader takes the times as the file writes them (local time and TZID) and the zone as the file's VTIMEZONE
describes it, expands the weekly rule with its exceptions, and applies the overrides; what it finds must be what
Alongside holds: every session still on, at its time, across both clock changes, and never a cancelled one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from accounts.models import Notification, User
from engagements.actions.planning import cancel_planned_session, move_planned_session, plan_series, plan_session
from engagements.calendar import chemistry_invitation, feed, invitation
from engagements.models import ChemistryConversation, Engagement, SessionSeries

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC

# (UID, start, end) in UTC, and the event's STATUS.
Occurrence = tuple[str, datetime.datetime, datetime.datetime, str]
Reader = Callable[[str], list[Occurrence]]


def _icalendar_reader(text: str) -> list[Occurrence]:
    """icalendar, with the zone built from the file's own VTIMEZONE (not looked up by its name)."""
    calendar = Calendar.from_ical(text)
    zones = {str(zone["TZID"]): zone.to_tz(lookup_tzid=False) for zone in calendar.walk("VTIMEZONE")}

    def as_written(prop: Any) -> datetime.datetime:
        moment = prop.dt
        if isinstance(moment, datetime.datetime) and "TZID" in prop.params:
            return moment.replace(tzinfo=None).replace(tzinfo=zones[prop.params["TZID"]])
        return moment

    def listed(event: Any, name: str) -> list[datetime.datetime]:
        values = event.get(name, [])
        values = values if isinstance(values, list) else [values]
        return [
            moment.dt.replace(tzinfo=None).replace(tzinfo=zones[value.params["TZID"]])
            if "TZID" in value.params
            else moment.dt
            for value in values
            for moment in value.dts
        ]

    events = [
        {
            "uid": str(event["UID"]),
            "start": as_written(event["DTSTART"]),
            "end": as_written(event["DTEND"]),
            "status": str(event.get("STATUS", "CONFIRMED")),
            "recurrence_id": as_written(event["RECURRENCE-ID"]) if "RECURRENCE-ID" in event else None,
            "rrule": event["RRULE"].to_ical().decode() if "RRULE" in event else None,
            "rdates": listed(event, "RDATE"),
            "exdates": listed(event, "EXDATE"),
        }
        for event in calendar.walk("VEVENT")
    ]
    return _expand(events)


def _vobject_reader(text: str) -> list[Occurrence]:
    """vobject, which turns the file's VTIMEZONE into a zone and expands the rule with its own rule set."""
    calendar = vobject.readOne(text)
    events = []
    for event in calendar.contents.get("vevent", []):
        rules = event.getrruleset(addRDate=True) if "rrule" in event.contents else None
        events.append(
            {
                "uid": event.uid.value,
                "start": event.dtstart.value,
                "end": event.dtend.value,
                "status": event.status.value if "status" in event.contents else "CONFIRMED",
                "recurrence_id": event.recurrence_id.value if "recurrence-id" in event.contents else None,
                "starts": list(rules) if rules is not None else None,
            }
        )
    return _expand(events)


def _expand(events: list[dict[str, Any]]) -> list[Occurrence]:
    """Every occurrence of every event, as a calendar shows them: a master's rule and dates less its EXDATEs, each
    replaced by the override whose RECURRENCE-ID names it."""
    found: dict[tuple[str, datetime.datetime], Occurrence] = {}
    masters = [event for event in events if event["recurrence_id"] is None]
    for event in masters:
        length = event["end"] - event["start"]
        starts = event.get("starts")
        if starts is None and event.get("rrule"):
            rules = rrulestr(event["rrule"], dtstart=event["start"], forceset=True)
            for moment in event["rdates"]:
                rules.rdate(moment)
            for moment in event["exdates"]:
                rules.exdate(moment)
            starts = list(rules)
        for start in starts or [event["start"]]:
            at = start.astimezone(UTC)
            found[(event["uid"], at)] = (event["uid"], at, (start + length).astimezone(UTC), event["status"])
    for event in events:
        if event["recurrence_id"] is None:
            continue
        found.pop((event["uid"], event["recurrence_id"].astimezone(UTC)), None)
        found[(event["uid"], event["start"].astimezone(UTC))] = (
            event["uid"],
            event["start"].astimezone(UTC),
            event["end"].astimezone(UTC),
            event["status"],
        )
    return sorted(found.values())


READERS = [pytest.param(_icalendar_reader, id="icalendar"), pytest.param(_vobject_reader, id="vobject")]


def _last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _series_across_both_clock_changes(engagement: Engagement, by: User, invitee: User) -> SessionSeries:
    """Weekly on Tuesdays at 10:00 London time, from before next year's spring clock change to after its autumn one."""
    year = datetime.date.today().year + 1
    first = _last_sunday(year, 3) - datetime.timedelta(days=12)
    return plan_series(
        engagement=engagement,
        by=by,
        first_starts_at=datetime.datetime.combine(first, datetime.time(10), tzinfo=LONDON),
        frequency="weekly",
        until=_last_sunday(year, 10) + datetime.timedelta(days=16),
        length=Decimal("1.5"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/ashvale",
        invitees=[invitee],
    )


def _on(series: SessionSeries) -> list[Occurrence]:
    """What Alongside holds: every occurrence still on, at its time."""
    return sorted(
        (series.uid, each.starts_at.astimezone(UTC), each.ends_at.astimezone(UTC), "CONFIRMED")
        for each in series.occurrences.filter(cancelled_at=None)
    )


def _latest_invitation(person: User) -> str:
    return Notification.objects.filter(recipient=person, kind="planned session").latest("pk").calendar


@pytest.mark.parametrize("read", READERS)
def test_every_invitation_of_a_weekly_series_reads_at_its_london_times_across_both_clock_changes(
    read: Reader, engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    series = _series_across_both_clock_changes(engagement_a, enabler, site_lead)
    planned = read(_latest_invitation(site_lead))
    assert planned == _on(series)
    assert len(planned) == 36
    assert {start.astimezone(LONDON).hour for _, start, _, _ in planned} == {10}
    assert {start.hour for _, start, _, _ in planned} == {9, 10}  # summer and winter

    after_spring, after_autumn = [
        series.occurrences.filter(original_start__date__gt=_last_sunday(series.until.year, month)).order_by(
            "original_start"
        )[2]
        for month in (3, 10)
    ]
    move_planned_session(
        planned=after_autumn,
        by=enabler,
        starts_at=after_autumn.starts_at + datetime.timedelta(days=1, hours=5),
        place="online",
        meeting_link="https://meet.example.test/ashvale",
    )
    moved = read(_latest_invitation(site_lead))
    assert moved == _on(series)
    after_autumn.refresh_from_db()
    assert after_autumn.starts_at.astimezone(LONDON).hour == 15

    cancel_planned_session(planned=after_spring, by=enabler)
    cancelled = read(_latest_invitation(site_lead))
    assert cancelled == _on(series)
    assert after_spring.starts_at.astimezone(UTC) not in {start for _, start, _, _ in cancelled}
    assert len(cancelled) == 35


@pytest.mark.parametrize("read", READERS)
def test_the_feed_reads_at_its_london_times_across_both_clock_changes_without_the_cancelled_session(
    read: Reader, engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    series = _series_across_both_clock_changes(engagement_a, enabler, site_lead)
    occurrences = list(series.occurrences.order_by("original_start"))
    cancel_planned_session(planned=occurrences[20], by=enabler)
    move_planned_session(
        planned=occurrences[31],
        by=enabler,
        starts_at=occurrences[31].starts_at - datetime.timedelta(hours=1),
        place="on-site",
        address="Ashvale Library",
    )

    on = read(feed(site_lead))

    assert on == _on(series)
    assert len(on) == 35
    assert occurrences[20].starts_at.astimezone(UTC) not in {start for _, start, _, _ in on}


@pytest.mark.parametrize("read", READERS)
def test_one_occurrence_cancelled_on_its_own_is_cancelled_at_its_london_time_after_the_clock_change(
    read: Reader, engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    series = _series_across_both_clock_changes(engagement_a, enabler, site_lead)
    summer = series.occurrences.order_by("original_start")[4]

    text = invitation(summer, method="CANCEL", organiser=enabler, attendees=[site_lead])

    start, end = summer.starts_at.astimezone(UTC), summer.ends_at.astimezone(UTC)
    assert read(text) == [(series.uid, start, end, "CANCELLED")]
    assert start.hour == 9


@pytest.mark.parametrize("read", READERS)
def test_a_cancelled_one_off_after_the_spring_clock_change_is_cancelled_at_its_london_time(
    read: Reader, engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    year = datetime.date.today().year + 1
    day = _last_sunday(year, 3) + datetime.timedelta(days=2)
    planned = plan_session(
        engagement=engagement_a,
        by=enabler,
        starts_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON),
        length=Decimal("1.5"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/ashvale",
        invitees=[site_lead],
    )
    start, end = planned.starts_at.astimezone(UTC), planned.ends_at.astimezone(UTC)
    assert read(_latest_invitation(site_lead)) == [(planned.uid, start, end, "CONFIRMED")]

    cancel_planned_session(planned=planned, by=enabler)

    assert read(_latest_invitation(site_lead)) == [(planned.uid, start, end, "CANCELLED")]
    assert start.hour == 9


@pytest.mark.parametrize("read", READERS)
def test_a_chemistry_conversation_after_the_autumn_clock_change_is_at_its_london_time(
    read: Reader, enabler: User, site_lead: User
) -> None:
    day = _last_sunday(datetime.date.today().year + 1, 10) + datetime.timedelta(days=1)
    starts_at = datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON)
    conversation = ChemistryConversation(
        uid="chemistry-readers@alongside", starts_at=starts_at, minutes=30, place="on-site", address="Civic Centre"
    )

    text = chemistry_invitation(
        conversation, method="REQUEST", organiser=enabler, attendees=[site_lead], site_name="Ashvale"
    )

    assert read(text) == [
        (
            conversation.uid,
            starts_at.astimezone(UTC),
            (starts_at + datetime.timedelta(minutes=30)).astimezone(UTC),
            "CONFIRMED",
        )
    ]
    assert starts_at.astimezone(UTC).hour == 10


def test_the_time_zone_is_europe_london_with_its_yearly_rules(engagement_a: Engagement, enabler: User) -> None:
    year = datetime.date.today().year + 1
    planned = plan_session(
        engagement=engagement_a,
        by=enabler,
        starts_at=datetime.datetime.combine(_last_sunday(year, 3), datetime.time(10), tzinfo=LONDON),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/ashvale",
    )
    text = _latest_invitation(enabler).replace("\r\n", "\n")

    zone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]

    assert planned.uid in text
    assert zone.splitlines() == [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/London",
        "BEGIN:STANDARD",
        "DTSTART:19701025T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZNAME:GMT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:19700329T010000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZNAME:BST",
        "TZOFFSETFROM:+0000",
        "TZOFFSETTO:+0100",
        "END:DAYLIGHT",
    ]
