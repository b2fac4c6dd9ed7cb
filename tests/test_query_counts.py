"""Queries per page do not grow with the data: every page the benchmark measures (docs/benchmarks.md) is rendered
at two data sizes, as the person it is for, and must cost the same number of queries at both, and at most eight.

The larger size has five times the rows of every kind a page lists or counts (sites, requests waiting in the
queue, engagements, sessions of the engagement on the page, lessons), so a query per row would show.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements.actions.planning import plan_series
from engagements.actions.sessions import log_session
from engagements.models import EnablerProfile, Engagement, Session
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from sites.models import Organisation, Site, SiteMembership
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import client_for

MOST_QUERIES_PER_PAGE = 8

# (page, persona, URL): the pages of the benchmark.
PAGES = [
    ("site lead's home", "site_lead", lambda o: reverse("home")),
    ("enabler's home", "enabler", lambda o: reverse("home")),
    ("programme lead's home", "programme_lead", lambda o: reverse("home")),
    ("administrator's home", "administrator", lambda o: reverse("home")),
    ("request queue", "programme_lead", lambda o: reverse("engagements:queue")),
    ("site directory", "programme_lead", lambda o: reverse("sites:site_list")),
    ("engagement", "enabler", lambda o: reverse("engagements:engagement_detail", args=[o["engagement"].pk])),
    (
        "engagement, site lead",
        "site_lead",
        lambda o: reverse("engagements:engagement_detail", args=[o["engagement"].pk]),
    ),
    ("session log", "enabler", lambda o: reverse("engagements:session_list", args=[o["engagement"].pk])),
    ("private notes", "enabler", lambda o: reverse("engagements:private_note_list", args=[o["engagement"].pk])),
    ("library", "enabler", lambda o: reverse("lessons:library")),
    ("library, common term", "enabler", lambda o: reverse("lessons:library") + "?q=trust"),
    ("library, rare term", "enabler", lambda o: reverse("lessons:library") + "?q=wayfinding"),
    ("library, phrase", "enabler", lambda o: reverse("lessons:library") + '?q="shared+purpose"'),
    ("lesson", "enabler", lambda o: reverse("lessons:lesson_detail", args=[o["lesson"].pk])),
    ("programme overview", "programme_lead", lambda o: reverse("engagements:overview")),
    ("admin: sessions", "administrator", lambda o: reverse("admin:engagements_session_changelist")),
    ("admin: lessons", "administrator", lambda o: reverse("admin:lessons_lesson_changelist")),
]


def publish(engagement: Engagement, site_lead: User, title: str, themes: list[Theme]) -> Lesson:
    lesson = lesson_actions.draft_lesson(
        engagement=engagement,
        by=site_lead,
        title=title,
        body="Building trust and shared purpose before plans; wayfinding together.",
        audience="sites",
        themes=themes,
    )
    lesson_actions.approve_lesson(lesson=lesson, by=engagement.enabler, version=lesson.version)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=lesson.version)
    return lesson


def log(engagement: Engagement, day: int) -> Session:
    return log_session(
        engagement=engagement,
        by=engagement.enabler,
        held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
        length=Decimal("0.5"),
        format="one-to-one",
        place="remote",
        participants="Programme director",
        private_note=f"Reflection {day}",
    )


def grow(rounds: int, *, start: int, around: Engagement, programme_lead: User, themes: list[Theme]) -> None:
    """Adds `rounds` of everything the measured pages list or count: a site with a lead and a partner, a request
    waiting in the queue, an engagement with an enabler of its own, sessions and a published lesson; and sessions
    and a lesson on the engagement the pages show."""
    site_lead = around.site.memberships.get(role=SiteMembership.Role.LEAD).user
    for number in range(start, start + rounds):
        site = Site.objects.create(name=f"Growth site {number}", programme=around.site.programme, region="london")
        site.partners.add(Organisation.objects.create(name=f"Growth council {number}", sector="council"))
        lead = User.objects.create_user(f"lead{number}@growth.example.test", "x", full_name=f"Lead {number}")
        SiteMembership.objects.create(user=lead, site=site, role=SiteMembership.Role.LEAD)
        enabler = User.objects.create_user(f"coach{number}@growth.example.test", "x", full_name=f"Coach {number}")
        EnablerProfile.objects.create(user=enabler, approaches=["coaching"], regions=["london"], capacity=2)
        engagement = start_engagement(ask_for_support(site, around.offer, lead), enabler, lead, programme_lead)
        for day in range(3):
            log(engagement, day)
            log(around, number * 10 + day)
        publish(engagement, lead, f"Growth lesson {number}", themes[:2])
        publish(around, site_lead, f"Lesson of the page {number}", themes[1:3])
        waiting = Site.objects.create(
            name=f"Waiting site {number}", programme=around.site.programme, region="north-west"
        )
        waiting_lead = User.objects.create_user(f"waiting{number}@growth.example.test", "x", full_name="Wren Wait")
        SiteMembership.objects.create(user=waiting_lead, site=waiting, role=SiteMembership.Role.LEAD)
        ask_for_support(waiting, around.offer, waiting_lead)


def queries_per_page(clients: dict, objects: dict) -> dict[str, int]:
    counts = {}
    for page, persona, url in PAGES:
        client = clients[persona]
        client.get(url(objects))  # warm: a first visit may fill a per-process cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(objects))
        assert response.status_code == 200, (page, response.status_code)
        counts[page] = len(queries)
    return counts


def test_every_measured_page_costs_the_same_few_queries_at_two_data_sizes(
    personas: dict, engagement_a: Engagement, engagement_b: Engagement, themes: list[Theme], settings: object
) -> None:
    settings.FIGURES_CACHE_SECONDS = 300  # as served: figures the same for everyone are kept (core/memo.py)
    clients = {name: client_for(user) for name, user in personas.items() if user is not None}
    grow(1, start=1, around=engagement_a, programme_lead=personas["programme_lead"], themes=themes)
    objects = {"engagement": engagement_a, "lesson": Lesson.objects.published().first()}

    smaller = queries_per_page(clients, objects)
    grow(4, start=2, around=engagement_a, programme_lead=personas["programme_lead"], themes=themes)
    larger = queries_per_page(clients, objects)

    assert larger == smaller
    assert {page: count for page, count in larger.items() if count > MOST_QUERIES_PER_PAGE} == {}


def held(engagement: Engagement, number: int) -> Session:
    """A session held within the last 300 days (a few on some days), with no note."""
    return log_session(
        engagement=engagement,
        by=engagement.enabler,
        held_on=timezone.localdate() - datetime.timedelta(days=number % 300),
        length=Decimal("0.5"),
        format="one-to-one",
        place="remote",
        participants="Programme director",
    )


def plan_weekly(engagement: Engagement, weeks: int) -> None:
    """A weekly series of `weeks` sessions from next week, as the enabler plans it."""
    first = timezone.localdate() + datetime.timedelta(days=7)
    plan_series(
        engagement=engagement,
        by=engagement.enabler,
        first_starts_at=datetime.datetime.combine(first, datetime.time(10), tzinfo=ZoneInfo("Europe/London")),
        frequency="weekly",
        until=first + datetime.timedelta(weeks=weeks - 1),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/weekly",
    )


def test_the_engagement_page_costs_the_same_queries_with_500_held_and_50_planned_sessions_as_with_one(
    personas: dict, engagement_a: Engagement
) -> None:
    """The planned sessions come in one query, whatever their number; the held ones are counted, not listed."""
    clients = {name: client_for(personas[name]) for name in ("enabler", "site_lead", "site_member", "programme_lead")}
    url = reverse("engagements:engagement_detail", args=[engagement_a.pk])

    def queries() -> dict[str, int]:
        counts = {}
        for name, client in clients.items():
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[name] = len(captured)
        return counts

    held(engagement_a, 0)
    plan_weekly(engagement_a, 1)
    smaller = queries()
    for number in range(1, 500):
        held(engagement_a, number)
    plan_weekly(engagement_a, 49)
    larger = queries()

    assert Session.objects.filter(engagement=engagement_a).count() == 500
    assert engagement_a.planned_sessions.count() == 50
    assert larger == smaller
