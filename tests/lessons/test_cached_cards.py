"""The library's lesson cards are rendered once and kept for everyone who may use the library (core/memo.py). Kept
or not, a withdrawn lesson leaves every page at once, in every web process; a card is never shown to someone who
may not see it; and a draft is never in one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from tests.helpers.people import client_for
from tests.helpers.sweeps import cache_holding

ROOT = Path(__file__).resolve().parents[2]


def _published(engagement: Engagement, title: str, themes: list[Theme]) -> Lesson:
    lead = engagement.site.memberships.get(role="lead").user
    lesson = lesson_actions.draft_lesson(
        engagement=engagement, by=engagement.enabler, title=title, body=f"{title}: what we learned.", audience="sites",
        themes=themes[:1],
    )  # fmt: skip
    lesson_actions.approve_lesson(lesson=lesson, by=engagement.enabler, version=lesson.version)
    lesson_actions.approve_lesson(lesson=lesson, by=lead, version=lesson.version)
    return lesson


def _pages(user: User, theme: Theme) -> str:
    client = client_for(user)
    urls = [
        reverse("lessons:library"),
        reverse("lessons:library") + "?q=learned",
        reverse("lessons:theme_detail", args=[theme.slug]),
    ]
    return "\n".join(client.get(url).content.decode() for url in urls)


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_lesson_leaves_every_kept_page_at_once(
    keeping: object,
    engagement_a: Engagement,
    themes: list[Theme],
    enabler: User,
    site_member: User,
    site_lead: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    staying = _published(engagement_a, "Trust takes time", themes)
    leaving = _published(engagement_a, "Boards need a shared purpose", themes)
    before = _pages(enabler, themes[0])
    assert staying.title in before and leaving.title in before
    assert cache_holding(lambda raw: leaving.title.encode() in raw) != []  # kept, as the others will read it

    with django_capture_on_commit_callbacks(execute=True):
        lesson_actions.withdraw_consent(lesson=leaving, by=site_lead)
    after = _pages(site_member, themes[0])

    assert staying.title in after and leaving.title not in after
    assert cache_holding(lambda raw: leaving.title.encode() in raw) == []  # not even kept out of sight


def test_the_kept_cards_are_the_same_for_everyone_and_never_shown_to_someone_without_the_library(
    keeping: object, engagement_a: Engagement, themes: list[Theme], enabler: User, account_manager: User
) -> None:
    lesson = _published(engagement_a, "Allow time for the process", themes)
    draft = lesson_actions.draft_lesson(
        engagement=engagement_a, by=enabler, title="A draft", body="Not agreed yet.", audience="sites",
        themes=themes[:1],
    )  # fmt: skip

    shown = client_for(enabler).get(reverse("lessons:library")).content.decode()
    refused = client_for(account_manager).get(reverse("lessons:library"))

    assert lesson.title in shown and draft.title not in shown
    assert refused.status_code == 404 and lesson.title.encode() not in refused.content
    assert cache_holding(lambda raw: draft.title.encode() in raw) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs REDIS_URL: two processes share only Redis")
def test_a_lesson_withdrawn_in_one_web_process_leaves_the_library_of_another_at_once(
    keeping: object,
    engagement_a: Engagement,
    themes: list[Theme],
    enabler: User,
    site_lead: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The other process reads the same database: PostgreSQL")
    staying = _published(engagement_a, "Trust takes time", themes)
    leaving = _published(engagement_a, "Boards need a shared purpose", themes)

    first = _other_process_reads_the_library(enabler)
    _pages(enabler, themes[0])  # and this process keeps its cards too
    with django_capture_on_commit_callbacks(execute=True):
        lesson_actions.withdraw_consent(lesson=leaving, by=site_lead)
    second = _other_process_reads_the_library(enabler)

    assert staying.title in first and leaving.title in first
    assert staying.title in second and leaving.title not in second
    assert cache_holding(lambda raw: leaving.title.encode() in raw) == []


def _other_process_reads_the_library(user: User) -> str:
    """Another web process on the same database and Redis: it signs the person in and opens the library."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "client = Client(); from accounts.models import User; "
        f"client.force_login(User.objects.get(email={user.email!r})); "
        "print(json.dumps(client.get('/lessons/', secure=True).content.decode()))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "FIGURES_CACHE_SECONDS": "300",
            "ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode == 0, other.stderr[-2000:]
    return json.loads(other.stdout.strip().splitlines()[-1])


def test_a_newly_published_lesson_is_on_every_kept_page_at_once(
    keeping: object, engagement_a: Engagement, themes: list[Theme], enabler: User, site_member: User
) -> None:
    first = _published(engagement_a, "Trust takes time", themes)
    before = _pages(enabler, themes[0])

    second = _published(engagement_a, "Boards need a shared purpose", themes)
    after = _pages(site_member, themes[0])

    assert first.title in before and second.title not in before
    assert first.title in after and second.title in after


def test_the_library_edition_moves_with_every_change_to_what_the_library_holds(
    engagement_a: Engagement, themes: list[Theme], enabler: User, site_lead: User
) -> None:
    from lessons.models import LibraryEdition

    editions = [LibraryEdition.current()]
    lesson = _published(engagement_a, "Trust takes time", themes)
    editions.append(LibraryEdition.current())
    lesson_actions.revise_lesson(
        lesson=lesson, by=enabler, title="Trust takes longer", body="Still true.", audience="sites", themes=themes[:1]
    )
    editions.append(LibraryEdition.current())
    for party in (enabler, site_lead):
        lesson_actions.approve_lesson(lesson=lesson, by=party, version=Lesson.objects.get(pk=lesson.pk).version)
    editions.append(LibraryEdition.current())
    lesson_actions.withdraw_consent(lesson=lesson, by=site_lead)
    editions.append(LibraryEdition.current())

    assert editions == [0, 1, 2, 3, 4]


def test_a_kept_lesson_page_answers_404_once_withdrawn_and_never_to_someone_without_the_library(
    keeping: object,
    engagement_a: Engagement,
    themes: list[Theme],
    enabler: User,
    site_lead: User,
    account_manager: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    lesson = _published(engagement_a, "Trust takes time", themes)
    related = _published(engagement_a, "Trust and shared purpose", themes)
    url = reverse("lessons:lesson_detail", args=[lesson.pk])
    kept = client_for(enabler).get(url)

    refused = client_for(account_manager).get(url)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_actions.withdraw_consent(lesson=related, by=site_lead)
    without_related = client_for(enabler).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_actions.withdraw_consent(lesson=lesson, by=site_lead)
    gone = client_for(enabler).get(url)

    assert kept.status_code == 200 and related.title in kept.content.decode()
    assert refused.status_code == 404 and lesson.title.encode() not in refused.content
    assert lesson.title in without_related and related.title not in without_related
    assert gone.status_code == 404 and lesson.title.encode() not in gone.content
    assert cache_holding(lambda raw: lesson.title.encode() in raw) == []
