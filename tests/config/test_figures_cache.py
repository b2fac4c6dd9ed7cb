"""The figures kept for everyone (core/memo.py): counted once and shared by every web process through the cache
(Redis when REDIS_URL is set), never slower or broken when the cache is away, and never holding what a site or
an enabler wrote: not a private note, a diagnostic, an agreement, a shared note or feedback words."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from core import memo
from engagements.actions.closeout import give_feedback
from engagements.actions.engagement import record_diagnostic, revise_agreement
from engagements.actions.notes import write_private_note
from engagements.actions.sessions import write_shared_note
from engagements.models import Engagement, Offer
from sites.models import Programme
from tests.helpers.access import MATRIX, TARGETS
from tests.helpers.engagements import shared_feedback
from tests.helpers.overview import world
from tests.helpers.people import client_for
from tests.helpers.sweeps import cache_holding

ROOT = Path(__file__).resolve().parents[2]


def test_a_figure_is_counted_once_then_read_from_the_cache(keeping: object) -> None:
    counted = []

    first = memo.remembered(("a figure",), lambda: counted.append(1) or 41 + len(counted))
    second = memo.remembered(("a figure",), lambda: counted.append(1) or 0)

    assert (first, second, len(counted)) == (42, 42, 1)
    assert cache.get(memo.cache_key(("a figure",))) == 42


def test_forgetting_a_figure_drops_it_from_the_cache(keeping: object) -> None:
    memo.remembered(("a figure",), lambda: 1)

    memo.forget(("a figure",))

    assert memo.remembered(("a figure",), lambda: 2) == 2


def test_with_the_cache_away_figures_are_counted_here_and_the_cache_is_not_asked_again_at_once(
    keeping: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []

    def away(*args: object, **kwargs: object) -> None:
        asked.append(1)
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(memo.cache, "get", away)
    monkeypatch.setattr(memo.cache, "set", away)

    first = memo.remembered(("a figure",), lambda: "counted")
    second = memo.remembered(("a figure",), lambda: "counted again")

    assert (first, second) == ("counted", "counted")  # kept in this process meanwhile
    assert len(asked) == 1


def test_the_overview_answers_while_the_cache_is_away(
    keeping: object, programme_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(*args: object, **kwargs: object) -> None:
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(memo.cache, "get", away)

    response = client_for(programme_lead).get(reverse("engagements:overview"))

    assert response.status_code == 200


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs REDIS_URL: two processes share only Redis")
def test_two_web_processes_share_one_count_through_redis(keeping: object) -> None:
    key = ("shared between processes", uuid.uuid4().hex)
    memo.remembered(key, lambda: "counted by the first process")

    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from core import memo; "
            f"print(memo.remembered({key!r}, lambda: 'counted again by the second'))",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "FIGURES_CACHE_SECONDS": "300"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert other.stdout.strip().splitlines()[-1] == "counted by the first process"


def test_sites_words_on_the_overview_stay_out_of_the_shared_cache(
    keeping: object, programme: Programme, offer: Offer, programme_lead: User
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    for engagement, lead in world(programme, offer, programme_lead, 5, feedback=[]):
        shared_feedback(engagement, lead, f"The {canary} helped")  # shared and approved in a quarter long closed
    every_quarter = {"period": "all"}

    page = client_for(programme_lead).get(reverse("engagements:overview"), every_quarter).content.decode()
    export = client_for(programme_lead).get(reverse("engagements:overview_export"), every_quarter).content.decode()

    assert canary in page and canary in export  # five sites: the words are shown, so they were read
    assert cache_holding(lambda raw: canary.encode() in raw) == []
    assert cache_holding(lambda raw: b"Place 0" in raw or b"All programmes" in raw) != []  # the figures were kept


def test_nothing_a_site_or_an_enabler_wrote_is_ever_cached_whoever_opens_every_page(
    keeping: object, objects: dict, django_capture_on_commit_callbacks: object
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    engagement: Engagement = objects["engagement_a"]
    enabler, site_lead = objects["enabler"], objects["site_lead"]
    with django_capture_on_commit_callbacks(execute=True):
        write_private_note(engagement=engagement, by=enabler, text=canary)
        write_shared_note(engagement=engagement, by=site_lead, body=canary)
        record_diagnostic(engagement=engagement, by=site_lead, stage=2, strengths=canary, development_areas=canary)
        give_feedback(
            engagement=engagement,
            by=site_lead,
            session=None,
            usefulness=5,
            what_helped=canary,
            could_be_better=canary,
        )
        revise_agreement(
            engagement=engagement,
            by=enabler,
            cadence="Weekly",
            ways_of_working=canary,
            goals=canary,
            confidentiality=canary,
        )
    rows = sorted({(name, target) for name, target, _ in MATRIX})

    for user in list(objects.values()):
        if not isinstance(user, User):
            continue
        client = client_for(user)
        for name, target in rows:
            client.get(reverse(name, kwargs=TARGETS[target](objects)))

    assert django_settings.FIGURES_CACHE_SECONDS == 300
    assert len(cache_holding(lambda raw: True)) >= 1  # figures were kept on the way
    assert cache_holding(lambda raw: canary.encode() in raw) == []
