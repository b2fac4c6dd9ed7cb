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

import hashlib
import json
import os
import re
import shutil
import subprocess
from base64 import b32decode
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.helpers.people import DEMO_TOTP_SECRET

# Playwright's sync API keeps an event loop running in the test's thread; Django would take the test's own ORM
# calls (set-up and assertions, all synchronous) for async code without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a-long-test-password-for-personas"
PAGES_CHECKED: list[str] = []
VIEWS_CHECKED: set[str] = set()  # the URL name of every page axe and the reflow check have looked at
REFLOW_CHECKED: list[str] = []
REFLOW_SCRIPT = (Path(__file__).parent / "reflow.js").read_text()
HTML_PAGES: list[Path] = []  # the session's folder of pages as served
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTML_SAVED: dict[str, str] = {}  # what each saved page is (its file's name), by the digest of its HTML
# What differs from one response of a page to the next without changing its markup: CSRF tokens and CSP nonces.
PER_RESPONSE = re.compile(r'(value|nonce)="[^"]*"')
DESKTOP = {"width": 1200, "height": 900}
# A phone, or 400 % zoom on a 1280 px screen (the same CSS width); then 200 % zoom on the same screen.
NARROW = ({"width": 320, "height": 640}, {"width": 640, "height": 900})


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
        if not _nhsuk_responsive_table_role(message)
    ]
    assert done.returncode == 0 or messages, f"The Nu Html Checker did not run: {done.stderr[-2000:]}"
    assert errors == [], f"HTML errors (the pages are in {HTML_PAGES[0]}):\n" + "\n".join(errors)


def _nhsuk_responsive_table_role(message: dict) -> bool:
    """NHS.UK frontend's responsive table gives its table, rows and cells explicit ARIA roles (role="table", "row",
    "columnheader", "rowheader", "cell"), on purpose: at narrow widths its CSS displays the cells as blocks, which
    would otherwise strip their table semantics in some browsers. The checker calls a role on a table's own parts
    an error; these messages, and nothing else, are the design system's choice rather than a defect here."""
    return bool(
        re.fullmatch(
            r"The “role” attribute must not be used on a “(tr|td|th)” element which has a “table” ancestor with no "
            r"“role” attribute, or with a “role” attribute whose value is “table”, “grid”, or “treegrid”\.",
            message.get("message", ""),
        )
    )


def save_served_html(response: object | None, label: str) -> None:
    """The HTML the server sent for the page being looked at, once per distinct page (tokens and nonces aside)."""
    if response is None or not 200 <= response.status < 300:
        return
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    body = response.body()
    digest = hashlib.sha256(PER_RESPONSE.sub("", body.decode("utf-8", "replace")).encode()).hexdigest()
    if digest in HTML_SAVED or not HTML_PAGES:
        return
    safe = "".join(c if c.isalnum() else "-" for c in label).lower()[:80]
    name = f"{len(HTML_SAVED):04d}-{safe}.html"
    (HTML_PAGES[0] / name).write_bytes(body)
    HTML_SAVED[digest] = name


@pytest.fixture(autouse=True)
def _cookies_over_http(settings: object) -> None:
    """The live server speaks plain HTTP, so the secure-cookie flags of production are off here."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@dataclass
class Axe:
    """Runs axe on the current page; violations gather here and fail the test at its end."""

    violations: list[str] = field(default_factory=list)
    script: str = field(default_factory=lambda: AXE.read_text())

    def check(self, page: object, label: str) -> None:
        # Evaluated through the DevTools protocol, which the page's Content Security Policy does not govern: a
        # <script> tag added to the page would be refused, as it should be (no inline scripts in Alongside).
        page.evaluate(self.script)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        PAGES_CHECKED.append(label)
        VIEWS_CHECKED.add(_url_name(page.url))
        for violation in result["violations"]:
            for node in violation["nodes"]:
                self.violations.append(
                    f"{label} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']} "
                    f"at {json.dumps(node['target'])}: {node['html'][:200]}"
                )


def _url_name(url: str) -> str:
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return f"(no URL name: {urlsplit(url).path})"


@pytest.fixture
def axe() -> Iterator[Axe]:
    checker = Axe()
    yield checker
    assert checker.violations == [], "Accessibility violations:\n" + "\n".join(checker.violations)


def settle(page: object) -> None:
    """Two animation frames: the header's menu and other components lay themselves out again after a resize."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


@dataclass
class Reflow:
    """The page at each narrow width: no sideways scrolling, no target too small. Problems fail the test at its end."""

    problems: list[str] = field(default_factory=list)

    def check(self, page: object, label: str, screenshot: Path | None = None) -> None:
        before = page.viewport_size
        for size in NARROW:
            page.set_viewport_size(size)
            settle(page)
            result = page.evaluate(REFLOW_SCRIPT)
            where = f"{label} at {size['width']} px ({page.url})"
            if result["scrollWidth"] > result["viewport"]:
                self.problems.append(
                    f"{where}: the page is {result['scrollWidth']} px wide and scrolls sideways: "
                    + "; ".join(result["wide"])
                )
            self.problems += [f"{where}: target too small: {target}" for target in result["small"]]
            if screenshot is not None and size["width"] == 320:
                page.screenshot(path=str(screenshot), full_page=True)
        REFLOW_CHECKED.append(label)
        page.set_viewport_size(before)
        settle(page)


@pytest.fixture
def reflow() -> Iterator[Reflow]:
    checker = Reflow()
    yield checker
    assert checker.problems == [], "Reflow and target size problems:\n" + "\n".join(checker.problems)


@dataclass
class Person:
    """One persona in their own browser context: what they see, as they see it."""

    page: object
    base: str
    axe: Axe
    name: str
    keyboard_only: bool = False
    reflow: Reflow | None = None
    served: dict[str, object] = field(default_factory=dict)  # the response that brought the current page

    def go(self, path: str, label: str) -> None:
        self.page.goto(self.base + path)
        self.look(label)

    def look(self, label: str) -> None:
        self.axe.check(self.page, f"{self.name}: {label}")
        save_served_html(self.served.get("document"), f"{self.name}-{label}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() else "-" for c in f"{self.name}-{label}").lower()
        self.page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)
        if self.reflow is not None:
            self.reflow.check(self.page, f"{self.name}: {label}", SCREENSHOTS / f"{safe}-320px.png")

    # Acting: with the mouse, or with the keyboard alone (Tab, Shift+Tab, Enter, Space) -------------------------

    def focus(self, selector: str) -> None:
        """Tab (then Shift+Tab) through the page until the element has focus, as a keyboard user would."""
        target = self.page.locator(selector).first
        target.wait_for()
        for key in ("Tab", "Shift+Tab"):
            for _ in range(250):
                if target.evaluate("element => element === document.activeElement"):
                    return
                self.page.keyboard.press(key)
        raise AssertionError(f"{selector} cannot be reached with the keyboard on {self.page.url}")

    def click(self, selector: str) -> None:
        if not self.keyboard_only:
            self.page.locator(selector).first.click()
            return
        self.focus(selector)
        kind = self.page.locator(selector).first.evaluate("e => (e.type || '').toLowerCase()")
        self.page.keyboard.press("Space" if kind in ("checkbox", "radio") else "Enter")

    def fill(self, selector: str, text: str) -> None:
        if not self.keyboard_only:
            self.page.locator(selector).first.fill(text)
            return
        self.focus(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def submit(self, label: str) -> None:
        """Press the page's main submit button and wait for the next page."""
        with self.page.expect_navigation():
            self.click("main form[method=post] button[type=submit] >> nth=-1")
        self.look(label)

    def text(self) -> str:
        return self.page.locator("main").inner_text()


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
        page.on("console", lambda message: _note_csp_refusal(message.text, csp_refusals))
        person = Person(page, live_server.url, axe, name, keyboard_only, reflow)
        page.on("response", lambda response: _note_document(response, person))
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
            person.fill("#id_code", _current_code(user))
            with person.page.expect_navigation():
                person.click("main form[method=post] button[type=submit] >> nth=0")
        person.look("home")
        return person

    csp_refusals: list[str] = []
    yield log_in
    for context in contexts:
        context.close()
    assert csp_refusals == [], "The Content Security Policy refused something on a page:\n" + "\n".join(csp_refusals)


def _note_document(response: object, person: Person) -> None:
    """The response of each page the person's browser loads (not its scripts, styles or images)."""
    if response.request.resource_type == "document" and response.frame == person.page.main_frame:
        person.served["document"] = response


def _note_csp_refusal(text: str, refusals: list[str]) -> None:
    if "Content Security Policy" in text:
        refusals.append(text)


def _current_code(user: object) -> str:
    """The code an authenticator app with the demo secret shows now. Each person here may sign in several times
    within one 30-second step, and a code is accepted only once, so the test forgets the last one used."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"
