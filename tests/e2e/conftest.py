"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Each page a journey visits is checked with axe-core (from node_modules) for WCAG 2.0, 2.1 and 2.2 A and AA rules,
and again at 320 x 640 CSS pixels (a phone, or 400 % zoom on a 1280 px screen) and at 640 x 900 (200 % zoom) for
what axe cannot see: the page must not scroll sideways (WCAG 1.4.10) and every pointer target must be at least 24
by 24 CSS pixels or spaced as WCAG 2.5.8 allows. A test fails on any violation and says the rule, the element and
the page. Screenshots of every page, and of each at 320 px, go to test-results/screenshots (git-ignored). Without
/usr/bin/chromium the tests skip, saying so.

The HTML the server sent for each distinct page checked is saved (in the session's own temporary folder, as two test
sessions may run at once in one working tree), and at the end of the session
the Nu Html Checker (npm's vnu-jar, one Java process for all the pages) reads it: any error in the markup fails the
session, saying the page, the line and the message. Without Java the check is left out, saying so (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts import two_factor
from accounts.models import User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.models import Engagement, Offer
from sites.models import Site
from tests.helpers.browser import (
    CHROMIUM,
    DESKTOP,
    HTML_PAGES,
    HTML_SAVED,
    PAGES_CHECKED,
    REFLOW_CHECKED,
    VIEWS_CHECKED,
    VNU,
    WCAG_TAGS,
    Axe,
    Person,
    Reflow,
    current_code,
    nhsuk_responsive_table_role,
    note_csp_refusal,
    note_document,
)
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import DEMO_TOTP_SECRET, PASSWORD

# Playwright's sync API keeps an event loop running in the test's thread; Django would take the test's own ORM
# calls (set-up and assertions, all synchronous) for async code without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: object) -> None:
    if PAGES_CHECKED:
        terminalreporter.write_line(
            f"axe: {len(PAGES_CHECKED)} page states checked against {', '.join(WCAG_TAGS)}; "
            f"{len(set(PAGES_CHECKED))} distinct"
        )
    if VIEWS_CHECKED:
        terminalreporter.write_line(
            f"pages reached: {len(VIEWS_CHECKED)} URL names: {', '.join(sorted(VIEWS_CHECKED))}"
        )
    if HTML_SAVED:
        terminalreporter.write_line(f"Nu Html Checker: {len(HTML_SAVED)} distinct pages as served, in {HTML_PAGES[0]}")
    if REFLOW_CHECKED:
        terminalreporter.write_line(
            f"reflow: {len(REFLOW_CHECKED)} page states checked at 320 x 640 and 640 x 900 (no sideways scrolling, "
            f"targets of 24 px or spaced); {len(set(REFLOW_CHECKED))} distinct"
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"No Chromium at {CHROMIUM}: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _live_server_over_http() -> Iterator[None]:
    """The live server speaks plain HTTP. Django's SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the live
    server builds its handler (before any test's `settings`), so it is turned off here, for the whole session."""
    from django.conf import settings

    previous = settings.SECURE_SSL_REDIRECT
    settings.SECURE_SSL_REDIRECT = False
    yield
    settings.SECURE_SSL_REDIRECT = previous


@pytest.fixture(scope="session", autouse=True)
def _html_checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every distinct page the journeys looked at, as the server sent it, read by the Nu Html Checker once, at the
    end of the session (one Java start for all of them)."""
    HTML_PAGES[:] = [tmp_path_factory.mktemp("html")]
    HTML_SAVED.clear()
    yield
    if not HTML_SAVED:
        return
    java = shutil.which("java")
    if java is None or not VNU.exists():
        message = "The Nu Html Checker needs Java and node_modules/vnu-jar (npm ci): the pages' HTML was not checked"
        assert not os.environ.get("CI"), message
        print(f"\n{message}")
        return
    files = [HTML_PAGES[0] / name for name in sorted(HTML_SAVED.values())]
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(done.stderr or "{}").get("messages", [])
    errors = [
        f"{Path(message.get('url', '')).name} line {message.get('lastLine', '?')}: {message['message']} "
        f"[{message.get('extract', '').strip()[:160]}]"
        for message in messages
        if not nhsuk_responsive_table_role(message)
    ]
    assert done.returncode == 0 or messages, f"The Nu Html Checker did not run: {done.stderr[-2000:]}"
    assert errors == [], f"HTML errors (the pages are in {HTML_PAGES[0]}):\n" + "\n".join(errors)


@pytest.fixture(autouse=True)
def _cookies_over_http(settings: object) -> None:
    """The live server speaks plain HTTP, so the secure-cookie flags of production are off here."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def axe() -> Iterator[Axe]:
    checker = Axe()
    yield checker
    assert checker.violations == [], "Accessibility violations:\n" + "\n".join(checker.violations)


@pytest.fixture
def reflow() -> Iterator[Reflow]:
    checker = Reflow()
    yield checker
    assert checker.problems == [], "Reflow and target size problems:\n" + "\n".join(checker.problems)


@pytest.fixture
def people(browser: object, live_server: object, axe: Axe, reflow: Reflow) -> Iterator[object]:
    contexts = []

    def log_in(user: object | None, name: str, *, keyboard_only: bool = False, viewport: dict | None = None) -> Person:
        context = browser.new_context(viewport=viewport or DESKTOP)
        # NHS.UK's font host is out of reach from the test machines: refused at once, not after a DNS timeout, so
        # pages render with the fallback font (the Content Security Policy allows the host; see settings).
        context.route("https://assets.nhs.uk/**", lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: note_csp_refusal(message.text, csp_refusals))
        person = Person(page, live_server.url, axe, name, keyboard_only, reflow)
        page.on("response", lambda response: note_document(response, person))
        if user is None:  # someone not signed in
            return person
        if two_factor.is_required_for(user) and not two_factor.has_authenticator(user):
            two_factor.set_up_known_secret(user, DEMO_TOTP_SECRET)  # as the demo's central team has
        person.go("/accounts/login/", "log in")
        person.fill("#id_username", user.email)
        person.fill("#id_password", PASSWORD)
        with person.page.expect_navigation():
            person.click("main button[type=submit]")
        if two_factor.is_required_for(user):
            person.look("two-factor code")
            person.fill("#id_code", current_code(user))
            with person.page.expect_navigation():
                person.click("main form[method=post] button[type=submit] >> nth=0")
        person.look("home")
        return person

    csp_refusals: list[str] = []
    yield log_in
    for context in contexts:
        context.close()
    assert csp_refusals == [], "The Content Security Policy refused something on a page:\n" + "\n".join(csp_refusals)


@pytest.fixture
def world(
    themes: object,
    site_a: Site,
    site_lead: User,
    offer: Offer,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
):
    return {"site_lead": site_lead, "enabler": enabler, "programme_lead": programme_lead, "offer": offer}


@pytest.fixture
def active(world: dict, site_a: Site) -> Engagement:
    request = ask_for_support(site_a, world["offer"], world["site_lead"])
    engagement = start_engagement(request, world["enabler"], world["site_lead"], world["programme_lead"])
    revise_agreement(
        engagement=engagement,
        by=world["enabler"],
        cadence="Weekly",
        ways_of_working="Coaching.",
        goals="Trust.",
        confidentiality="Private.",
    )
    confirm_agreement(engagement=engagement, by=world["enabler"])
    confirm_agreement(engagement=engagement, by=world["site_lead"])
    return engagement
