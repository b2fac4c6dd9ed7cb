from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from engagements.actions.sessions import log_session
from engagements.calendar import feed
from engagements.models import CalendarFeed, Engagement, PlannedSession, Session, SessionSeries
from engagements.models.planning import new_uid
from tests.helpers.people import client_for

LONDON = ZoneInfo("Europe/London")


def test_a_site_member_turns_on_a_feed_of_the_sites_sessions(engagement_a: Engagement, site_member: User) -> None:
    log_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        held_on=timezone.localdate(),
        length=Decimal("2"),
        format="partnership-board",
        place="on-site",
        participants="The board",
    )
    client_for(site_member).post(reverse("engagements:calendar_turn_on"))

    response = Client().get(reverse("engagements:calendar_feed", kwargs={"token": CalendarFeed.objects.get().token}))

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"] == "Alongside sessions"
    assert "METHOD" not in calendar
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == f"session-{Session.objects.get().pk}@alongside"
    assert event["SUMMARY"] == "Partnership board with Emery Enabler"
    assert event.decoded("DTSTART") == timezone.localdate()
    assert f"DTSTART;VALUE=DATE:{timezone.localdate():%Y%m%d}" in body
    assert event["LOCATION"] == "On site"
    assert "The board" not in body


def test_a_new_address_revokes_the_old_one_and_turning_off_revokes_all(site_member: User) -> None:
    client = client_for(site_member)
    client.post(reverse("engagements:calendar_turn_on"))
    old = CalendarFeed.objects.get().token
    client.post(reverse("engagements:calendar_turn_on"))
    new = CalendarFeed.objects.get().token

    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": old})).status_code == 404
    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": new})).status_code == 200
    client.post(reverse("engagements:calendar_turn_off"))
    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": new})).status_code == 404


def _planned(engagement: Engagement, starts_at: datetime.datetime, **extra: object) -> PlannedSession:
    fields: dict[str, object] = {"hours": Decimal("2"), "format": "leadership-team", "place": "on-site"}
    fields.update({"address": "Riverside House", "uid": new_uid("planned")} | extra)
    return PlannedSession.objects.create(
        engagement=engagement, starts_at=starts_at, planned_by=engagement.enabler, **fields
    )


def _logged(planned: PlannedSession) -> Session:
    session = log_session(
        engagement=planned.engagement,
        by=planned.engagement.enabler,
        held_on=timezone.localtime(planned.starts_at, LONDON).date(),
        length=Decimal("2"),
        format=planned.format,
        place="on-site",
        participants="Written by the enabler: the finance lead",
    )
    PlannedSession.objects.filter(pk=planned.pk).update(session=session)
    return session


def _events(user: User) -> list[Event]:
    return list(Calendar.from_ical(feed(user)).walk("VEVENT"))


def _soon(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def test_the_feed_has_planned_one_offs_timed_in_london_but_not_cancelled_or_long_past_ones(
    engagement_a: Engagement, site_member: User, enabler: User
) -> None:
    kept = _planned(engagement_a, _soon(7, 14))
    _planned(engagement_a, _soon(8), cancelled_at=timezone.now())
    _planned(engagement_a, _soon(-31))

    [event] = _events(site_member)

    assert event["UID"] == kept.uid
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART").astimezone(LONDON) == _soon(7, 14)
    assert event.decoded("DTEND").astimezone(LONDON) == _soon(7, 16)
    assert event["SUMMARY"] == "Leadership team with Emery Enabler"
    assert event["LOCATION"] == "Riverside House"
    assert "ATTENDEE" not in event
    assert "ORGANIZER" not in event
    [enablers] = _events(enabler)
    assert enablers["SUMMARY"] == "Leadership team with Ashvale"


def test_a_logged_planned_session_appears_once_as_its_held_session(engagement_a: Engagement, site_member: User) -> None:
    planned = _planned(engagement_a, _soon(-2))
    session = _logged(planned)

    text = feed(site_member)

    [event] = Calendar.from_ical(text).walk("VEVENT")
    assert event["UID"] == f"session-{session.pk}@alongside"
    assert planned.uid not in text
    assert "finance lead" not in text


def test_a_series_is_one_recurring_event_without_its_cancelled_and_logged_occurrences(
    engagement_a: Engagement, site_member: User
) -> None:
    starts = [_soon(-7) + datetime.timedelta(weeks=week) for week in range(4)]
    series = SessionSeries.objects.create(
        engagement=engagement_a,
        frequency="weekly",
        until=starts[-1].date(),
        uid=new_uid("series"),
        sequence=1,
        planned_by=engagement_a.enabler,
    )
    occurrences = [
        _planned(engagement_a, start, uid="", series=series, original_start=start, hours=Decimal("1"))
        for start in starts
    ]
    session = _logged(occurrences[0])
    PlannedSession.objects.filter(pk=occurrences[2].pk).update(cancelled_at=timezone.now())
    PlannedSession.objects.filter(pk=occurrences[3].pk).update(starts_at=starts[3] + datetime.timedelta(hours=5))

    events = _events(site_member)

    held, master, moved = _ordered(events)
    assert held["UID"] == f"session-{session.pk}@alongside"
    assert master["UID"] == moved["UID"] == series.uid
    assert master["SEQUENCE"] == moved["SEQUENCE"] == 1
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    assert master.decoded("DTSTART").astimezone(LONDON) == starts[0]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    exdates = [moment.dt.astimezone(LONDON) for value in master["EXDATE"] for moment in value.dts]
    assert exdates == [starts[0], starts[2]]
    assert moved["RECURRENCE-ID"].params["TZID"] == "Europe/London"
    assert moved.decoded("RECURRENCE-ID").astimezone(LONDON) == starts[3]
    assert moved.decoded("DTSTART").astimezone(LONDON) == starts[3] + datetime.timedelta(hours=5)


def _ordered(events: list[Event]) -> tuple[Event, Event, Event]:
    """The held session, the series' master and its override."""
    [held] = [event for event in events if event["UID"].startswith("session-")]
    [master] = [event for event in events if "RRULE" in event]
    [moved] = [event for event in events if "RECURRENCE-ID" in event]
    assert len(events) == 3
    return held, master, moved


def test_a_series_with_nothing_left_to_happen_leaves_the_feed(engagement_a: Engagement, site_member: User) -> None:
    start = _soon(3)
    series = SessionSeries.objects.create(
        engagement=engagement_a,
        frequency="weekly",
        until=start.date(),
        uid=new_uid("series"),
        ended_at=timezone.now(),
        planned_by=engagement_a.enabler,
    )
    _planned(engagement_a, start, uid="", series=series, original_start=start, cancelled_at=timezone.now())

    assert _events(site_member) == []


def test_the_feed_is_a_few_queries_however_much_is_planned(
    engagement_a: Engagement, site_member: User, django_assert_max_num_queries: object
) -> None:
    for day in range(1, 6):
        _planned(engagement_a, _soon(day))
    for weeks in range(2):
        series = SessionSeries.objects.create(
            engagement=engagement_a,
            frequency="weekly",
            until=_soon(30).date(),
            uid=new_uid("series"),
            planned_by=engagement_a.enabler,
        )
        for week in range(4):
            start = _soon(1 + weeks) + datetime.timedelta(weeks=week)
            _planned(engagement_a, start, uid="", series=series, original_start=start)

    with django_assert_max_num_queries(4):
        events = _events(site_member)

    assert len(events) == 7
