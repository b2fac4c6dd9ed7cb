"""Planning sessions ahead: the actions, their checks, their audit events and their calendar invitations."""

from __future__ import annotations

import datetime
import io
import itertools
import json
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent, Notification, User
from core.errors import NotAllowed
from engagements.actions.planning import (
    budget_warning,
    cancel_planned_session,
    end_series,
    move_planned_session,
    next_session,
    occurrence_starts,
    plan_series,
    plan_session,
    planned_days,
)
from engagements.actions.sessions import log_session
from engagements.models import Engagement, Offer, PlannedSession, SessionSeries
from engagements.models.sessions import quiet_since
from reporting.subject_access import export_person
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement

LONDON = ZoneInfo("Europe/London")


def _at(days: int, hour: int = 10) -> datetime.datetime:
    """A time `days` from today, at `hour` o'clock UK time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def _plan(engagement: Engagement, by: User, **changes: object) -> PlannedSession:
    fields = {
        "starts_at": _at(3),
        "length": Decimal("1.5"),
        "format": "one-to-one",
        "place": "online",
        "meeting_link": "https://meet.example.test/ashvale",
        "invitees": [],
        **changes,
    }
    return plan_session(engagement=engagement, by=by, **fields)  # type: ignore[arg-type]


def _calendar(notification: Notification) -> Calendar:
    return Calendar.from_ical(notification.calendar)


def test_the_enabler_plans_a_session_and_invitees_and_the_enabler_get_a_calendar_invitation(
    engagement_a: Engagement, enabler: User, site_member: User, site_lead: User
) -> None:
    planned = _plan(engagement_a, enabler, invitees=[site_member])

    sent = Notification.objects.filter(kind="planned session")
    assert {notification.recipient for notification in sent} == {site_member, enabler}
    event = next(part for part in _calendar(sent.first()).walk("VEVENT"))
    assert str(_calendar(sent.first())["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == planned.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART").astimezone(LONDON).hour == 10
    assert "Private" not in sent.first().body and "https://meet.example.test/ashvale" in sent.first().body
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.PLANNED_A_SESSION, actor=enabler).count() == 1
    assert next_session(engagement_a) == planned


def test_the_sites_lead_plans_too_but_a_member_and_the_central_team_cannot(
    engagement_a: Engagement, site_lead: User, site_member: User, programme_lead: User
) -> None:
    _plan(engagement_a, site_lead)

    for person in (site_member, programme_lead):
        with pytest.raises(NotAllowed):
            _plan(engagement_a, person)
    assert PlannedSession.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": _at(-1)}, "starts in the future"),
        ({"meeting_link": "http://meet.example.test/x"}, "starting https://"),
        ({"place": "on-site", "address": "  "}, "Say where on site"),
        ({"starts_at": _at(800)}, "two years ahead"),
        ({"length": Decimal("0")}, "more than no time"),
    ],
)
def test_a_bad_plan_is_refused_with_a_reason(
    engagement_a: Engagement, enabler: User, changes: dict, message: str
) -> None:
    with pytest.raises(NotAllowed) as refusal:
        _plan(engagement_a, enabler, **changes)

    assert message in refusal.value.text()
    assert not PlannedSession.objects.exists()


def test_only_the_sites_own_people_can_be_invited(
    engagement_a: Engagement, enabler: User, other_site_lead: User
) -> None:
    with pytest.raises(NotAllowed):
        _plan(engagement_a, enabler, invitees=[other_site_lead])


def _series(engagement: Engagement, by: User, *, weeks: int = 4, **changes: object) -> SessionSeries:
    first = _at(2)
    fields = {
        "first_starts_at": first,
        "frequency": "weekly",
        "until": first.date() + datetime.timedelta(weeks=weeks - 1),
        "length": Decimal("1"),
        "format": "one-to-one",
        "place": "on-site",
        "address": "Ashvale Town Hall",
        "invitees": [],
        **changes,
    }
    return plan_series(engagement=engagement, by=by, **fields)  # type: ignore[arg-type]


def test_a_weekly_series_is_one_planned_session_a_week_and_one_recurring_invitation(
    engagement_a: Engagement, enabler: User
) -> None:
    series = _series(engagement_a, enabler, weeks=4)

    occurrences = list(series.occurrences.order_by("starts_at"))
    assert len(occurrences) == 4
    assert {timezone.localtime(o.starts_at, LONDON).hour for o in occurrences} == {10}
    days = [timezone.localtime(o.starts_at, LONDON).date() for o in occurrences]
    assert [(later - earlier).days for earlier, later in itertools.pairwise(days)] == [7, 7, 7]
    calendar = _calendar(Notification.objects.filter(recipient=enabler, kind="planned session").get())
    master = next(part for part in calendar.walk("VEVENT") if "RRULE" in part)
    assert str(master["UID"]) == series.uid
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]


def test_moving_one_occurrence_leaves_the_rest_and_raises_the_series_sequence(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    series = _series(engagement_a, enabler)
    second = series.occurrences.order_by("starts_at")[1]
    others = {o.pk: o.starts_at for o in series.occurrences.exclude(pk=second.pk)}

    move_planned_session(
        planned=second,
        by=site_lead,
        starts_at=second.starts_at + datetime.timedelta(hours=4),
        place="on-site",
        address="Ashvale Library",
    )

    second.refresh_from_db()
    series.refresh_from_db()
    assert timezone.localtime(second.starts_at, LONDON).hour == 14 and second.address == "Ashvale Library"
    assert {o.pk: o.starts_at for o in series.occurrences.exclude(pk=second.pk)} == others
    assert series.sequence == 1
    latest = Notification.objects.filter(recipient=enabler, kind="planned session").order_by("-pk").first()
    overrides = [part for part in _calendar(latest).walk("VEVENT") if "RECURRENCE-ID" in part]
    assert len(overrides) == 1
    assert int(overrides[0]["SEQUENCE"]) == 1


def test_cancelling_one_occurrence_leaves_the_rest(engagement_a: Engagement, enabler: User) -> None:
    series = _series(engagement_a, enabler)
    third = series.occurrences.order_by("starts_at")[2]

    cancel_planned_session(planned=third, by=enabler)

    assert series.occurrences.live().count() == 3
    latest = Notification.objects.filter(recipient=enabler, kind="planned session").order_by("-pk").first()
    master = next(part for part in _calendar(latest).walk("VEVENT") if "RRULE" in part)
    assert "EXDATE" in master
    with pytest.raises(NotAllowed):
        cancel_planned_session(planned=third, by=enabler)


def test_cancelling_a_one_off_sends_a_cancellation_with_the_sequence_raised(
    engagement_a: Engagement, enabler: User
) -> None:
    planned = _plan(engagement_a, enabler)

    cancel_planned_session(planned=planned, by=enabler)

    latest = Notification.objects.filter(recipient=enabler, kind="planned session").order_by("-pk").first()
    calendar = _calendar(latest)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (planned.uid, 1)


def test_ending_a_series_early_cancels_what_is_left(engagement_a: Engagement, enabler: User) -> None:
    series = _series(engagement_a, enabler, weeks=6)

    cancelled = end_series(series=series, by=enabler)

    assert cancelled == 6
    assert not series.occurrences.live().exists()
    with pytest.raises(NotAllowed):
        end_series(series=series, by=enabler)


def test_a_series_is_refused_when_it_ends_before_it_starts_or_runs_over_a_year(
    engagement_a: Engagement, enabler: User
) -> None:
    first = _at(2)
    with pytest.raises(NotAllowed, match="on or after its first"):
        _series(engagement_a, enabler, until=first.date() - datetime.timedelta(days=1))
    with pytest.raises(NotAllowed, match="a year at most"):
        _series(engagement_a, enabler, until=first.date() + datetime.timedelta(days=400))
    assert not SessionSeries.objects.exists()


def test_a_monthly_rhythm_skips_a_month_without_the_day_as_a_calendar_does() -> None:
    first = datetime.datetime(2027, 1, 31, 9, 30, tzinfo=LONDON)

    starts = occurrence_starts(first, "monthly", datetime.date(2027, 5, 31))

    assert [start.date() for start in starts] == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 5, 31),
    ]
    assert {(start.hour, start.minute) for start in starts} == {(9, 30)}


def test_a_weekly_rhythm_keeps_its_wall_clock_time_across_the_clock_change() -> None:
    first = datetime.datetime(2026, 10, 20, 10, 0, tzinfo=LONDON)

    starts = occurrence_starts(first, "weekly", datetime.date(2026, 11, 3))

    assert [start.hour for start in starts] == [10, 10, 10]
    offsets = {start.utcoffset() for start in starts}
    assert offsets == {datetime.timedelta(hours=1), datetime.timedelta(0)}


def test_a_fortnightly_rhythm_steps_two_weeks_at_its_london_time_across_the_spring_clock_change() -> None:
    first = datetime.datetime(2027, 3, 16, 10, 0, tzinfo=LONDON)

    starts = occurrence_starts(first, "fortnightly", datetime.date(2027, 4, 13))

    assert [start.date() for start in starts] == [
        datetime.date(2027, 3, 16),
        datetime.date(2027, 3, 30),
        datetime.date(2027, 4, 13),
    ]
    assert [(start.hour, start.utcoffset()) for start in starts] == [
        (10, datetime.timedelta(0)),
        (10, datetime.timedelta(hours=1)),
        (10, datetime.timedelta(hours=1)),
    ]


def test_on_site_days_planned_count_beside_the_allowance_with_a_warning(
    site_b: Site, days_offer: Offer, other_site_lead: User, other_enabler: User, programme_lead: User
) -> None:
    engagement = start_engagement(
        ask_for_support(site_b, days_offer, other_site_lead), other_enabler, other_site_lead, programme_lead
    )
    allowance = engagement.days_available

    _plan(engagement, other_enabler, length=allowance, place="on-site", address="Brookmere House", meeting_link="")
    warning_before = budget_warning(engagement)
    _plan(engagement, other_enabler, length=Decimal("1"), place="on-site", address="Brookmere House", meeting_link="")

    assert planned_days(engagement) == allowance + 1
    assert warning_before is None
    assert "more than the" in budget_warning(engagement)


def test_a_series_is_for_weekly_support_not_on_site_days(
    site_b: Site, days_offer: Offer, other_site_lead: User, other_enabler: User, programme_lead: User
) -> None:
    engagement = start_engagement(
        ask_for_support(site_b, days_offer, other_site_lead), other_enabler, other_site_lead, programme_lead
    )

    with pytest.raises(NotAllowed, match="one at a time"):
        _series(engagement, other_enabler)


def test_logging_a_planned_session_after_it_happened_links_them(engagement_a: Engagement, enabler: User) -> None:
    planned = _plan(engagement_a, enabler)
    PlannedSession.objects.filter(pk=planned.pk).update(starts_at=_at(-1))
    planned.refresh_from_db()

    session = log_session(
        engagement=engagement_a,
        by=enabler,
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        length=Decimal("1.5"),
        format="one-to-one",
        place="remote",
        participants="",
        planned=planned,
    )

    planned.refresh_from_db()
    assert planned.session == session
    assert next_session(engagement_a) is None
    with pytest.raises(NotAllowed):
        log_session(
            engagement=engagement_a,
            by=enabler,
            held_on=timezone.localdate(),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="",
            planned=planned,
        )


def test_a_planned_session_counts_as_activity_for_the_gentle_nudges(engagement_a: Engagement, enabler: User) -> None:
    _plan(engagement_a, enabler, starts_at=_at(5))

    assert quiet_since(engagement_a) == _at(5).date()


def test_a_partys_data_export_holds_the_sessions_planned_in_their_engagement(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    planned = _plan(engagement_a, enabler, invitees=[site_lead])

    with zipfile.ZipFile(io.BytesIO(export_person(site_lead))) as archive:
        rows = json.loads(archive.read("planned_sessions.json"))

    assert [(row["id"], row["meeting_link"], row["invited"]) for row in rows] == [
        (planned.pk, "https://meet.example.test/ashvale", ["Avery Lead"])
    ]
