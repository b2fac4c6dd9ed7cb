"""Planning sessions ahead, in a real browser: the enabler plans a weekly series, the site's lead sees it on the
engagement page and moves one session (by keyboard alone), the enabler cancels another, a planned session is
logged once it has happened, and on-site days planned count beside the days used and the allowance. Every page and
its error state is checked with axe and at narrow widths."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.sessions import log_session, turn_on_calendar_feed
from engagements.models import Engagement, Offer, PlannedSession, SessionSeries
from frontend.dates import long_date
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement

LINK = "https://meet.example.test/ashvale-weekly"
ADDRESS = "Ashvale Civic Centre, Committee Room 2"


def follow(person: object, selector: str, label: str) -> None:
    with person.page.expect_navigation():
        person.click(selector)
    person.look(label)


def type_date(person: object, name: str, day: datetime.date) -> None:
    person.fill(f"#id_{name}_day", str(day.day))
    person.fill(f"#id_{name}_month", str(day.month))
    person.fill(f"#id_{name}_year", str(day.year))


def _agreed(engagement: Engagement, enabler: User, site_lead: User) -> Engagement:
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="Coaching.",
        goals="Trust.",
        confidentiality="Private.",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    return engagement


@pytest.fixture
def weekly(
    site_a: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User, themes: object
) -> Engagement:
    engagement = start_engagement(ask_for_support(site_a, offer, site_lead), enabler, site_lead, programme_lead)
    return _agreed(engagement, enabler, site_lead)


@pytest.fixture
def on_site_days(
    site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User, themes: object
) -> Engagement:
    engagement = start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)
    return _agreed(engagement, enabler, site_lead)


@pytest.mark.django_db(transaction=True)
def test_a_weekly_series_is_planned_seen_moved_cancelled_and_logged(
    people: object, weekly: Engagement, site_lead: User, programme_lead: User
) -> None:
    path = f"/engagements/{weekly.pk}/"
    first = timezone.localdate() + datetime.timedelta(days=7)
    enabler = people(weekly.enabler, "enabler")

    # The enabler plans a weekly series of four, inviting the site's lead.
    enabler.go(path, "engagement, nothing planned")
    assert "No session is planned yet" in enabler.text()
    follow(enabler, "a:has-text('Plan a session')", "plan a session")
    enabler.submit("plan a session, with errors")
    assert "There is a problem" in enabler.text() and "Enter the start time" in enabler.text()
    type_date(enabler, "starts_on", first)
    enabler.fill("#id_start_time", "10:00")
    enabler.fill("#id_length", "1.5")
    enabler.click("#id_format_1")
    enabler.click("#id_place_1")
    enabler.fill("#id_meeting_link", LINK)
    enabler.click("label:has-text('Avery Lead')")
    enabler.click("#id_repeat_1")
    type_date(enabler, "until", first + datetime.timedelta(weeks=3))
    enabler.submit("series planned")
    assert "4 sessions are planned" in enabler.page.locator("body").inner_text()
    series = SessionSeries.objects.get()
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert [timezone.localtime(o.starts_at).date() for o in occurrences] == [
        first + datetime.timedelta(weeks=week) for week in range(4)
    ]
    assert list(occurrences[0].invitees.all()) == [site_lead]

    # The site's lead sees it at once, and moves the second session, by keyboard alone.
    lead = people(site_lead, "site lead (keyboard)", keyboard_only=True)
    lead.go(path, "engagement, a series planned")
    text = lead.text()
    assert "Next session" in text and f"{long_date(first)} at 10:00" in text and LINK in text
    second_day = first + datetime.timedelta(weeks=1)
    follow(lead, f"a:has-text('the session on {long_date(second_day)}')", "change a planned session")
    lead.fill("#id_start_time", "25:00")
    follow(lead, "#save-change", "change a planned session, with errors")
    assert "Enter the start time as hours and minutes, like 09:30" in lead.text()
    moved_day = second_day + datetime.timedelta(days=1)
    type_date(lead, "starts_on", moved_day)
    lead.fill("#id_start_time", "14:30")
    follow(lead, "#save-change", "planned session moved")
    assert "The session is changed" in lead.page.locator("body").inner_text()
    assert f"{long_date(moved_day)} at 14:30" in lead.text()
    moved = PlannedSession.objects.get(pk=occurrences[1].pk)
    assert timezone.localtime(moved.starts_at).replace(tzinfo=None) == datetime.datetime.combine(
        moved_day, datetime.time(14, 30)
    )
    others = [PlannedSession.objects.get(pk=o.pk) for o in (occurrences[0], occurrences[2], occurrences[3])]
    assert {timezone.localtime(o.starts_at).time() for o in others} == {datetime.time(10)}

    # The enabler cancels the third; the rest stay.
    enabler.go(path, "engagement, one session moved")
    third_day = first + datetime.timedelta(weeks=2)
    follow(enabler, f"a:has-text('the session on {long_date(third_day)}')", "change the third session")
    assert "End the series" in enabler.text()
    follow(enabler, "main button:has-text('Cancel this session')", "planned session cancelled")
    assert "The session is cancelled" in enabler.page.locator("body").inner_text()
    assert long_date(third_day) not in enabler.text()
    assert list(series.occurrences.filter(cancelled_at__isnull=False)) == [occurrences[2]]
    assert series.occurrences.live().count() == 3

    # Each change reached the enabler's own calendar: the invitations parse, the series' UID throughout, its
    # SEQUENCE one higher at each change; the calendar feed holds the series with the moved and cancelled ones.
    invitations = [
        Calendar.from_ical(content)
        for message in mail.outbox
        if message.to == [weekly.enabler.email]
        for content, kind in message.alternatives
        if kind.startswith("text/calendar")
    ]
    masters = [next(event for event in calendar.walk("VEVENT") if "RRULE" in event) for calendar in invitations]
    assert [str(calendar["METHOD"]) for calendar in invitations] == ["REQUEST"] * 3
    assert {str(master["UID"]) for master in masters} == {series.uid}
    assert [int(master["SEQUENCE"]) for master in masters] == [0, 1, 2]
    assert "EXDATE" in masters[-1]
    assert [str(event["UID"]) for event in invitations[-1].walk("VEVENT") if "RECURRENCE-ID" in event] == [series.uid]
    feed = turn_on_calendar_feed(user=weekly.enabler)
    published = Calendar.from_ical(
        enabler.page.request.get(enabler.base + reverse("engagements:calendar_feed", args=[feed.token])).text()
    )
    in_feed = [event for event in published.walk("VEVENT") if str(event["UID"]) == series.uid]
    assert sum("RRULE" in event for event in in_feed) == 1 and sum("RECURRENCE-ID" in event for event in in_feed) == 1
    assert "EXDATE" in next(event for event in in_feed if "RRULE" in event)

    # The central team sees the engagement, and nothing of the plans.
    centre = people(programme_lead, "programme lead")
    centre.go(path, "engagement (central team), sessions planned")
    assert "Next session" not in centre.text() and "meet.example.test" not in centre.page.content()

    # Once the first session has happened, the enabler logs it from the plan.
    happened = timezone.now() - datetime.timedelta(hours=2)
    PlannedSession.objects.filter(pk=occurrences[0].pk).update(starts_at=happened)  # the day came and went
    enabler.go(path, "engagement, a session waiting to be logged")
    assert "Held, waiting to be logged" in enabler.text()
    follow(enabler, "a:has-text('Log this session')", "log a planned session")
    held_on = timezone.localtime(happened).date()
    assert enabler.page.locator("#id_held_on_day").input_value() == str(held_on.day)
    assert enabler.page.locator("#id_length").input_value() == "1.5"
    assert enabler.page.locator("#id_place_1").is_checked()  # online, so remote
    enabler.submit("planned session logged")
    assert "The session is logged" in enabler.page.locator("body").inner_text()
    logged = PlannedSession.objects.get(pk=occurrences[0].pk)
    assert logged.session is not None and logged.session.held_on == held_on
    assert "Log this session" not in enabler.text()


@pytest.mark.django_db(transaction=True)
def test_on_site_days_planned_count_beside_the_days_used_and_the_allowance(
    people: object, on_site_days: Engagement, site_lead: User
) -> None:
    path = f"/engagements/{on_site_days.pk}/"
    log_session(
        engagement=on_site_days,
        by=on_site_days.enabler,
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        length=Decimal("2"),
        format="design-workshop",
        place="on-site",
        participants="The partnership board",
    )
    enabler = people(on_site_days.enabler, "enabler")

    enabler.go(path, "engagement in on-site days")
    follow(enabler, "a:has-text('Plan a session')", "plan on-site days")
    assert "How often" not in enabler.text() and "Length in days" in enabler.text()
    enabler.submit("plan on-site days, with errors")
    assert "Enter how long the session will be" in enabler.text()
    type_date(enabler, "starts_on", timezone.localdate() + datetime.timedelta(days=14))
    enabler.fill("#id_start_time", "09.30")
    enabler.fill("#id_length", "4")
    enabler.click("#id_format_3")
    enabler.click("#id_place_0")
    enabler.fill("#id_address", ADDRESS)
    enabler.submit("on-site days planned past the allowance")

    body = enabler.page.locator("body").inner_text()
    assert "The session is planned" in body
    assert "4 days are planned and 2 used, more than the 5 days available" in body
    assert "4 days planned, not yet logged: 6 days with those used, of 5 available" in enabler.text()
    assert PlannedSession.objects.get().days == 4
    lead = people(site_lead, "site lead")
    lead.go(path, "engagement in on-site days, more planned than available")
    assert "More days planned than available" in lead.text() and ADDRESS in lead.text()
