from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from accounts.models import User
from engagements.calendar import invitation
from engagements.models import Engagement, PlannedSession, SessionSeries
from engagements.models.planning import new_uid

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def _at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def _one_off(engagement: Engagement, starts_at: datetime.datetime, **extra: object) -> PlannedSession:
    fields: dict[str, object] = {
        "hours": Decimal("2"),
        "format": "leadership-team",
        "place": "on-site",
        "address": "Room 4, Riverside House, 1 Quay Street",
    }
    fields.update(extra)
    return PlannedSession.objects.create(
        engagement=engagement, starts_at=starts_at, uid=new_uid("planned"), planned_by=engagement.enabler, **fields
    )


def _series(
    engagement: Engagement, starts: list[datetime.datetime], *, frequency: str = "weekly", **extra: object
) -> SessionSeries:
    series = SessionSeries.objects.create(
        engagement=engagement,
        frequency=frequency,
        until=starts[-1].date(),
        uid=new_uid("series"),
        sequence=3,
        planned_by=engagement.enabler,
    )
    fields: dict[str, object] = {"hours": Decimal("1.5"), "format": "one-to-one", "place": "online"}
    fields.update(extra)
    fields.setdefault("meeting_link", "https://meet.example.test/abc-defg")
    for start in starts:
        PlannedSession.objects.create(
            engagement=engagement,
            series=series,
            original_start=start,
            starts_at=start,
            planned_by=engagement.enabler,
            **fields,
        )
    return series


def _events(text: str) -> list[Event]:
    return list(Calendar.from_ical(text).walk("VEVENT"))


def _local(event: Event, name: str) -> datetime.datetime:
    """The property's time as written (its TZID), after checking it is Europe/London rather than UTC or floating."""
    assert event[name].params["TZID"] == "Europe/London"
    value = event.decoded(name)
    assert value.tzinfo is not None
    return value.astimezone(LONDON)


def _local_list(event: Event, name: str) -> list[datetime.datetime]:
    values = event[name] if isinstance(event[name], list) else [event[name]]
    assert all(value.params["TZID"] == "Europe/London" for value in values)
    return [moment.dt.astimezone(LONDON) for value in values for moment in value.dts]


def _rule_starts(master: Event) -> list[datetime.datetime]:
    """The occurrences the master's RRULE makes, from its tz-aware DTSTART (as a calendar expands them)."""
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.decoded("DTSTART"))
    return [moment.astimezone(LONDON) for moment in rule]


def test_a_one_off_is_a_request_timed_in_london_with_its_uid_and_sequence_for_the_people_invited(
    engagement_a: Engagement, enabler: User, site_lead: User, site_member: User
) -> None:
    planned = _one_off(engagement_a, _at(2026, 12, 8, 14, 30), sequence=2)

    text = invitation(planned, method="REQUEST", organiser=enabler, attendees=[site_lead, site_member])

    calendar = Calendar.from_ical(text)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Alongside//Sessions//EN"
    [event] = _events(text)
    assert event["UID"] == planned.uid
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert _local(event, "DTSTART") == _at(2026, 12, 8, 14, 30)
    assert _local(event, "DTEND") == _at(2026, 12, 8, 16, 30)
    assert event.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
    assert event["SUMMARY"] == "Leadership team: Ashvale and Emery Enabler"
    assert event["LOCATION"] == "Room 4, Riverside House, 1 Quay Street"
    assert "URL" not in event
    assert "RRULE" not in event
    assert "RECURRENCE-ID" not in event
    assert event["ORGANIZER"] == "mailto:enabler@example.test"
    assert event["ORGANIZER"].params["CN"] == "Emery Enabler"
    attendees = {str(attendee): dict(attendee.params) for attendee in event["ATTENDEE"]}
    assert attendees == {
        "mailto:lead.a@example.test": {
            "CN": "Avery Lead",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        },
        "mailto:member.a@example.test": {
            "CN": "Ash Member",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        },
    }
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"


def test_an_online_one_off_has_its_meeting_link_as_place_and_url(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    planned = _one_off(
        engagement_a, _at(2026, 12, 9), place="online", address="", meeting_link="https://meet.example.test/xyz"
    )

    [event] = _events(invitation(planned, method="REQUEST", organiser=enabler, attendees=[site_lead]))

    assert event["LOCATION"] == "https://meet.example.test/xyz"
    assert event["URL"] == "https://meet.example.test/xyz"


def test_a_cancelled_one_off_is_a_cancel_of_the_same_uid_at_the_raised_sequence(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    planned = _one_off(engagement_a, _at(2026, 12, 10), sequence=4)

    text = invitation(planned, method="CANCEL", organiser=enabler, attendees=[site_lead])

    assert Calendar.from_ical(text)["METHOD"] == "CANCEL"
    [event] = _events(text)
    assert event["UID"] == planned.uid
    assert event["SEQUENCE"] == 4
    assert event["STATUS"] == "CANCELLED"
    assert _local(event, "DTSTART") == _at(2026, 12, 10)


def test_an_invitation_is_only_a_request_or_a_cancel(engagement_a: Engagement, enabler: User) -> None:
    planned = _one_off(engagement_a, _at(2026, 12, 10))

    with pytest.raises(ValueError, match="REQUEST or a CANCEL"):
        invitation(planned, method="PUBLISH", organiser=enabler, attendees=[])


def test_nothing_anyone_wrote_goes_into_an_invitation(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    engagement_a.request.help_wanted = "Written by the site: our budget worries"
    engagement_a.request.save()
    planned = _one_off(engagement_a, _at(2026, 12, 11))

    text = invitation(planned, method="REQUEST", organiser=enabler, attendees=[site_lead])

    assert "budget worries" not in text.replace("\r\n ", "")
    [event] = _events(text)
    assert str(event["DESCRIPTION"]) == "Leadership team, 2 hours. On site."
    assert set(event) <= {
        "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS",
        "ORGANIZER", "ATTENDEE",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("frequency", "step", "rule"),
    [
        ("weekly", datetime.timedelta(weeks=1), "FREQ=WEEKLY;UNTIL=20261215T235959Z"),
        ("fortnightly", datetime.timedelta(weeks=2), "FREQ=WEEKLY;UNTIL=20261229T235959Z;INTERVAL=2"),
    ],
)
def test_a_series_is_one_recurring_event_in_its_rhythm_until_the_end_of_its_last_day(
    engagement_a: Engagement,
    enabler: User,
    site_lead: User,
    frequency: str,
    step: datetime.timedelta,
    rule: str,
) -> None:
    starts = [_at(2026, 12, 1) + step * week for week in range(3)]
    series = _series(engagement_a, starts, frequency=frequency)

    text = invitation(series, method="REQUEST", organiser=enabler, attendees=[site_lead])

    assert Calendar.from_ical(text)["METHOD"] == "REQUEST"
    [master] = _events(text)
    assert master["UID"] == series.uid
    assert master["SEQUENCE"] == 3
    assert _local(master, "DTSTART") == _at(2026, 12, 1)
    assert _local(master, "DTEND") == _at(2026, 12, 1, 11, 30)
    recurrence = master["RRULE"]
    assert recurrence.to_ical().decode() == rule
    until = datetime.datetime.combine(starts[-1].date(), datetime.time(23, 59, 59), tzinfo=LONDON)
    assert recurrence["UNTIL"] == [until.astimezone(UTC)]
    assert _rule_starts(master) == starts
    assert "EXDATE" not in master
    assert master["LOCATION"] == master["URL"] == "https://meet.example.test/abc-defg"
    assert master["SUMMARY"] == "One-to-one coaching: Ashvale and Emery Enabler"
    assert str(master["ATTENDEE"]) == "mailto:lead.a@example.test"


def test_a_monthly_series_recurs_monthly(engagement_a: Engagement, enabler: User) -> None:
    starts = [_at(2026, 12, 15), _at(2027, 1, 15), _at(2027, 2, 15)]
    series = _series(engagement_a, starts, frequency="monthly")

    [master] = _events(invitation(series, method="REQUEST", organiser=enabler, attendees=[]))

    assert master["RRULE"]["FREQ"] == ["MONTHLY"]
    assert _rule_starts(master) == starts
    assert "EXDATE" not in master
    assert "RDATE" not in master


def test_a_series_leaves_out_its_cancelled_occurrences_and_overrides_a_moved_one(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    starts = [_at(2026, 12, 1) + datetime.timedelta(weeks=week) for week in range(4)]
    series = _series(engagement_a, starts)
    occurrences = list(series.occurrences.order_by("original_start"))
    occurrences[1].cancelled_at = datetime.datetime(2026, 11, 20, tzinfo=UTC)
    occurrences[1].save()
    occurrences[2].starts_at = _at(2026, 12, 16, 15)
    occurrences[2].save()
    occurrences[3].place, occurrences[3].address, occurrences[3].meeting_link = "on-site", "The library", ""
    occurrences[3].save()

    text = invitation(series, method="REQUEST", organiser=enabler, attendees=[site_lead])

    master, *overrides = _events(text)
    assert master["UID"] == series.uid
    assert "RECURRENCE-ID" not in master
    assert _local_list(master, "EXDATE") == [starts[1]]
    moved, elsewhere = sorted(overrides, key=lambda event: event.decoded("RECURRENCE-ID"))
    assert moved["UID"] == elsewhere["UID"] == series.uid
    assert moved["SEQUENCE"] == elsewhere["SEQUENCE"] == 3
    assert _local(moved, "RECURRENCE-ID") == starts[2]
    assert _local(moved, "DTSTART") == _at(2026, 12, 16, 15)
    assert _local(moved, "DTEND") == _at(2026, 12, 16, 16, 30)
    assert str(moved["ORGANIZER"]) == "mailto:enabler@example.test"
    assert _local(elsewhere, "RECURRENCE-ID") == _local(elsewhere, "DTSTART") == starts[3]
    assert elsewhere["LOCATION"] == "The library"
    assert "URL" not in elsewhere


def test_a_series_ended_early_stops_at_its_last_occurrence_kept(engagement_a: Engagement, enabler: User) -> None:
    starts = [_at(2026, 12, 1) + datetime.timedelta(weeks=week) for week in range(4)]
    series = _series(engagement_a, starts)
    series.ended_at = datetime.datetime(2026, 12, 9, tzinfo=UTC)
    series.save()
    series.occurrences.filter(original_start__gte=starts[2]).update(cancelled_at=series.ended_at)

    [master] = _events(invitation(series, method="REQUEST", organiser=enabler, attendees=[]))

    assert master["RRULE"]["UNTIL"] == [starts[1].astimezone(UTC)]
    assert [start for start in _rule_starts(master) if start not in _local_list(master, "EXDATE")] == starts[:2]


def test_cancelling_a_series_cancels_its_master_alone(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    starts = [_at(2026, 12, 1) + datetime.timedelta(weeks=week) for week in range(3)]
    series = _series(engagement_a, starts)
    series.occurrences.filter(original_start=starts[1]).update(starts_at=_at(2026, 12, 8, 16))

    text = invitation(series, method="CANCEL", organiser=enabler, attendees=[site_lead])

    assert Calendar.from_ical(text)["METHOD"] == "CANCEL"
    [master] = _events(text)
    assert master["UID"] == series.uid
    assert master["STATUS"] == "CANCELLED"
    assert master["SEQUENCE"] == 3
    assert "RRULE" in master


def test_one_occurrence_goes_by_its_series_uid_and_its_recurrence_id(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    starts = [_at(2026, 12, 1) + datetime.timedelta(weeks=week) for week in range(3)]
    series = _series(engagement_a, starts)
    occurrence = series.occurrences.get(original_start=starts[1])

    [event] = _events(invitation(occurrence, method="CANCEL", organiser=enabler, attendees=[site_lead]))

    assert event["UID"] == series.uid
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "CANCELLED"
    assert _local(event, "RECURRENCE-ID") == starts[1]


def test_a_weekly_series_stays_at_ten_oclock_in_london_across_the_autumn_clock_change(
    engagement_a: Engagement, enabler: User
) -> None:
    # The clocks go back on Sunday 25 October 2026.
    starts = [_at(2026, 10, 20), _at(2026, 10, 27), _at(2026, 11, 3)]
    series = _series(engagement_a, starts)

    text = invitation(series, method="REQUEST", organiser=enabler, attendees=[])

    [zone] = Calendar.from_ical(text).walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    [master] = _events(text)
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    occurrences = _rule_starts(master)
    assert [moment.date() for moment in occurrences] == [start.date() for start in starts]
    assert all(moment.hour == 10 and moment.minute == 0 for moment in occurrences)
    assert [moment.utcoffset() for moment in occurrences] == [
        datetime.timedelta(hours=1),
        datetime.timedelta(0),
        datetime.timedelta(0),
    ]
    assert [moment.astimezone(UTC).hour for moment in occurrences] == [9, 10, 10]


def test_a_one_off_on_the_spring_clock_change_day_is_at_its_london_time(
    engagement_a: Engagement, enabler: User
) -> None:
    # The clocks go forward at 01:00 UTC on Sunday 28 March 2027.
    planned = _one_off(engagement_a, _at(2027, 3, 28, 10))

    text = invitation(planned, method="REQUEST", organiser=enabler, attendees=[])

    [zone] = Calendar.from_ical(text).walk("VTIMEZONE")
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    [event] = _events(text)
    start = _local(event, "DTSTART")
    assert (start.hour, start.utcoffset()) == (10, datetime.timedelta(hours=1))
    assert start.astimezone(UTC) == datetime.datetime(2027, 3, 28, 9, tzinfo=UTC)
    assert "DTSTART;TZID=Europe/London:20270328T100000" in text
