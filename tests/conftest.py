"""The named personas every test speaks of, built with the real models.

Site A has a lead and a member; site B has a lead. The enabler works with site A (once `engagement_a` is asked
for), the other enabler with site B. A programme lead from the central team, an administrator, an NHS England
account manager linked to site A, and anonymous.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import User
from engagements.actions.engagement import share_diagnostic
from engagements.actions.sessions import log_session, turn_on_calendar_feed
from engagements.models import Action, EnablerProfile, Engagement, Offer
from engagements.notes import PrivateNote
from lessons import actions as lesson_actions
from lessons.models import Theme
from sites.models import Organisation, Programme, Region, Site, SiteMembership
from tests.helpers import inside_repository
from tests.helpers.engagements import ask_for_support, start_engagement

# Listening from here on for any path opened outside the repository (tests/helpers/inside_repository.py).
OUTSIDE = inside_repository.install()

# The web servers and Celery workers some tests start (tests/reliability, a real worker) run with DEBUG off and the
# console e-mail back end, which production refuses (config/startup.py); in tests it prints nothing anyone keeps.
os.environ.setdefault("ALLOW_CONSOLE_EMAIL", "true")

PASSWORD = "a-long-test-password-for-personas"
DEMO_TOTP_SECRET = "MHRGFUMJ6GE73XHHBW5P5MZ47JTHHNYC"


@pytest.fixture(autouse=True)
def _nothing_opened_outside_the_repository() -> Iterator[None]:
    """Fails the test during which code, a fixture or the test itself opened a path outside the repository (first
    of the autouse fixtures, so it is torn down last and sees the others' teardowns)."""
    yield
    found = OUTSIDE.since_last_told()
    assert not found, f"Opened outside the repository ({OUTSIDE.root}): {found}"


def pytest_collection_finish(session: pytest.Session) -> None:
    OUTSIDE.during_collection = OUTSIDE.since_last_told()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Paths opened after the last test (session fixtures' teardowns) fail the run as well. A pytest-xdist worker
    hands them to the main process (`pytest_testnodedown`), which fails the run."""
    found = OUTSIDE.since_last_told() + OUTSIDE.from_workers
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["opened_outside"] = found
    elif found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nOpened outside the repository ({OUTSIDE.root}) after the last test: {found}", file=sys.stderr)


def pytest_testnodedown(node: object, error: object) -> None:
    OUTSIDE.from_workers += getattr(node, "workeroutput", {}).get("opened_outside", [])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Production's slow hasher is the point in production; in tests it only costs minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mail_only_through_the_outbox(settings: object) -> Iterator[None]:
    """Every e-mail goes through the outbox: one sent any other way fails the test (tests/outbox_mail.py), even
    where the code that sent it swallowed the error."""
    from tests import outbox_mail

    settings.EMAIL_BACKEND = "tests.outbox_mail.OutboxOnlyBackend"
    start = len(outbox_mail.REFUSED)
    yield
    refused = outbox_mail.refused_since(start)
    assert not refused, f"E-mail sent past the outbox (not a notification): {refused}"


@pytest.fixture(autouse=True)
def _celery_tasks_inline(request: pytest.FixtureRequest) -> object:
    """Tasks run inline in tests, even with REDIS_URL set, so a test sees their effects. Tests marked
    `real_worker` send them through the real broker to a real worker process instead."""
    from config import celery_app

    if request.node.get_closest_marker("real_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    """The test client and the browser tests' live server speak plain HTTP; production redirects it to HTTPS
    (tests/test_security_headers.py checks that redirect on its own)."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _figures_counted_afresh(settings: object) -> None:
    """Each test sees the figures its own data gives: web processes keep them for minutes (core/memo.py); the
    query-count test turns keeping on to measure pages as served."""
    from core import memo

    settings.FIGURES_CACHE_SECONDS = 0
    memo.forget_all()


TEST_MASTER_KEY = "dGVzdHMtb25seS1ub3Rlcy1tYXN0ZXIta2V5LTMyYiE="  # 32 bytes, for tests only


@pytest.fixture
def keeping(settings: object) -> Iterator[object]:
    """Figures and pages kept as in production (core/memo.py), from an empty cache, and dropped afterwards."""
    from core import memo

    settings.FIGURES_CACHE_SECONDS = 300
    memo.forget_all()
    yield settings
    memo.forget_all()


@pytest.fixture(autouse=True)
def _notes_master_key(settings: object) -> None:
    settings.NOTES_MASTER_KEYS = [TEST_MASTER_KEY]


def _user(email: str, full_name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=full_name, **extra)


@pytest.fixture
def themes(db: None) -> list[Theme]:
    """The first themes. A migration adds them, but a transactional test (the browser tests) empties every table."""
    from importlib import import_module

    from django.utils.text import slugify

    migration = import_module("lessons.migrations.0002_themes_and_search_index")
    return [
        Theme.objects.get_or_create(slug=slugify(name), defaults={"name": name, "description": text})[0]
        for name, text in migration.THEMES
    ]


@pytest.fixture
def programme(db: None) -> Programme:
    return Programme.objects.create(kind=Programme.Kind.PIONEER, year=2013)


@pytest.fixture
def site_a(programme: Programme) -> Site:
    site = Site.objects.create(name="Ashvale", programme=programme, region=Region.LONDON)
    council = Organisation.objects.create(
        name="Ashvale Borough Council", sector=Organisation.Sector.COUNCIL, aliases="AB Council"
    )
    site.partners.add(council)
    return site


@pytest.fixture
def site_b(programme: Programme) -> Site:
    return Site.objects.create(
        name="Brookmere",
        programme=programme,
        region=Region.MIDLANDS,
        council_count=2,
        boundaries_overlap=True,
    )


@pytest.fixture
def site_lead(site_a: Site) -> User:
    user = _user("lead.a@example.test", "Avery Lead")
    SiteMembership.objects.create(user=user, site=site_a, role=SiteMembership.Role.LEAD)
    return user


@pytest.fixture
def site_member(site_a: Site) -> User:
    user = _user("member.a@example.test", "Ash Member")
    SiteMembership.objects.create(user=user, site=site_a, role=SiteMembership.Role.MEMBER)
    return user


@pytest.fixture
def other_site_lead(site_b: Site) -> User:
    user = _user("lead.b@example.test", "Blair Lead")
    SiteMembership.objects.create(user=user, site=site_b, role=SiteMembership.Role.LEAD)
    return user


@pytest.fixture
def enabler(db: None) -> User:
    user = _user("enabler@example.test", "Emery Enabler")
    EnablerProfile.objects.create(
        user=user, years_in_health=12, sectors=["social-care"], approaches=["coaching"], regions=["london"], capacity=2
    )
    return user


@pytest.fixture
def other_enabler(db: None) -> User:
    user = _user("other.enabler@example.test", "Orin Enabler")
    EnablerProfile.objects.create(user=user, years_in_health=20, sectors=["nhs-provider"], capacity=2)
    return user


@pytest.fixture
def account_manager(site_a: Site) -> User:
    user = _user("account.manager@example.test", "Ama Manager", is_account_manager=True)
    site_a.account_managers.add(user)
    return user


@pytest.fixture
def offer(programme: Programme) -> Offer:
    return Offer.objects.create(
        programme=programme, name="Weekly coaching", provider="A provider", cadence=Offer.Cadence.WEEKLY
    )


@pytest.fixture
def days_offer(programme: Programme) -> Offer:
    return Offer.objects.create(
        programme=programme,
        name="Up to 5 days on site",
        provider="A provider",
        cadence=Offer.Cadence.ON_SITE_DAYS,
        day_allowance=5,
    )


@pytest.fixture
def engagement_a(site_a: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> Engagement:
    request = ask_for_support(site_a, offer, site_lead)
    return start_engagement(request, enabler, site_lead, programme_lead)


@pytest.fixture
def engagement_b(
    site_b: Site, offer: Offer, other_site_lead: User, other_enabler: User, programme_lead: User
) -> Engagement:
    request = ask_for_support(site_b, offer, other_site_lead)
    return start_engagement(request, other_enabler, other_site_lead, programme_lead)


@pytest.fixture
def programme_lead(db: None) -> User:
    return _user("lead@central.example.test", "Pat Central", is_programme_lead=True)


@pytest.fixture
def administrator(db: None) -> User:
    return User.objects.create_superuser("admin@example.test", PASSWORD, full_name="Addison Admin")


PERSONAS = [
    "anonymous",
    "site_lead",
    "site_member",
    "other_site_lead",
    "enabler",
    "other_enabler",
    "programme_lead",
    "administrator",
    "account_manager",
]


@pytest.fixture
def personas(
    site_lead: User,
    site_member: User,
    other_site_lead: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    administrator: User,
    account_manager: User,
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "site_lead": site_lead,
        "site_member": site_member,
        "other_site_lead": other_site_lead,
        "enabler": enabler,
        "other_enabler": other_enabler,
        "programme_lead": programme_lead,
        "administrator": administrator,
        "account_manager": account_manager,
    }


@pytest.fixture
def objects(
    personas: dict, site_a: Site, site_b: Site, engagement_a: Engagement, engagement_b: Engagement, themes: list
) -> dict:
    """Every persona and a real object of each kind at site A and at site B, for the access tests."""
    share_a = share_diagnostic(engagement=engagement_a, person=personas["account_manager"], by=personas["site_lead"])
    manager_b = personas["account_manager"].__class__.objects.create_user(
        "manager.b@example.test", "x", full_name="Bo Manager", is_account_manager=True
    )
    site_b.account_managers.add(manager_b)
    share_b = share_diagnostic(engagement=engagement_b, person=manager_b, by=personas["other_site_lead"])
    for engagement, enabler in ((engagement_a, personas["enabler"]), (engagement_b, personas["other_enabler"])):
        lead = personas["site_lead"] if engagement is engagement_a else personas["other_site_lead"]
        log_session(
            engagement=engagement,
            by=enabler,
            held_on=datetime.date(2026, 11, 2),
            length=Decimal("1.5"),
            format="one-to-one",
            place="remote",
            participants="Programme director",
            private_note=f"Private reflection on {engagement.site}",
            action_description="Draft the charter",
            action_owner=lead,
            action_due_on=None,
        )
    feed = turn_on_calendar_feed(user=personas["enabler"])
    lessons = {}
    for label, engagement, enabler, lead in (
        ("a", engagement_a, personas["enabler"], personas["site_lead"]),
        ("b", engagement_b, personas["other_enabler"], personas["other_site_lead"]),
    ):
        theme = Theme.objects.get(slug="readiness-and-pull")
        draft = lesson_actions.draft_lesson(
            engagement=engagement,
            by=enabler,
            title="Trust first",
            body="Build trust before plans.",
            audience="sites",
            themes=[theme],
        )
        published = lesson_actions.draft_lesson(
            engagement=engagement,
            by=lead,
            title="Ask when ready",
            body="Pull, not push.",
            audience="providers",
            themes=[theme],
        )
        lesson_actions.approve_lesson(lesson=published, by=enabler, version=published.version)
        lesson_actions.approve_lesson(lesson=published, by=lead, version=published.version)
        lessons[f"lesson_{label}"], lessons[f"published_{label}"] = draft, published
    return {
        "site_a": site_a,
        "site_b": site_b,
        "note_a": PrivateNote.objects.get(engagement=engagement_a),
        "note_b": PrivateNote.objects.get(engagement=engagement_b),
        "action_a": Action.objects.get(engagement=engagement_a),
        "action_b": Action.objects.get(engagement=engagement_b),
        "feed_token": feed.token,
        **lessons,
        "engagement_a": engagement_a,
        "engagement_b": engagement_b,
        "share_a": share_a,
        "share_b": share_b,
        **personas,
    }


# Their DEBUG lines quote template contexts and SQL parameters; settings.LOGGING keeps them above DEBUG always.
QUIET_FOR_PRIVACY = ("django.template", "django.db.backends", "authlib")


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger at DEBUG, including those settings.LOGGING quiets only for noise (axes, Celery,
    Django's own), but not those it quiets for privacy."""
    caplog.set_level(logging.DEBUG)
    for name, existing in list(logging.root.manager.loggerDict.items()):
        if isinstance(existing, logging.Logger) and existing.level > logging.DEBUG and name not in QUIET_FOR_PRIVACY:
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def mail_after_each_request(django_capture_on_commit_callbacks: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test client request's e-mails are delivered as it ends, as they are after its transaction commits in
    production (the test's own transaction never commits)."""
    request = Client.request

    def request_and_deliver(self: Client, **kwargs: object) -> object:
        with django_capture_on_commit_callbacks(execute=True):
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", request_and_deliver)
