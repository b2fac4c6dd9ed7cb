"""The browser tests' people and checks (their fixtures are in tests/e2e/conftest.py): a persona in their own browser
context, axe-core on every page they look at, the reflow and target-size check at narrow widths, the HTML as served
kept for the Nu Html Checker, and the authenticator's current code."""

from __future__ import annotations

import hashlib
import json
import os
import re
from base64 import b32decode
from dataclasses import dataclass, field
from pathlib import Path

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers.people import DEMO_TOTP_SECRET

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES_CHECKED: list[str] = []
VIEWS_CHECKED: set[str] = set()  # the URL name of every page axe and the reflow check have looked at
REFLOW_CHECKED: list[str] = []
REFLOW_SCRIPT = (ROOT / "tests" / "e2e" / "reflow.js").read_text()
HTML_PAGES: list[Path] = []  # the session's folder of pages as served
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTML_SAVED: dict[str, str] = {}  # what each saved page is (its file's name), by the digest of its HTML
# What differs from one response of a page to the next without changing its markup: CSRF tokens and CSP nonces.
PER_RESPONSE = re.compile(r'(value|nonce)="[^"]*"')
DESKTOP = {"width": 1200, "height": 900}
# A phone, or 400 % zoom on a 1280 px screen (the same CSS width); then 200 % zoom on the same screen.
NARROW = ({"width": 320, "height": 640}, {"width": 640, "height": 900})


def nhsuk_responsive_table_role(message: dict) -> bool:
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


def note_document(response: object, person: Person) -> None:
    """The response of each page the person's browser loads (not its scripts, styles or images)."""
    if response.request.resource_type == "document" and response.frame == person.page.main_frame:
        person.served["document"] = response


def note_csp_refusal(text: str, refusals: list[str]) -> None:
    if "Content Security Policy" in text:
        refusals.append(text)


def current_code(user: object) -> str:
    """The code an authenticator app with the demo secret shows now. Each person here may sign in several times
    within one 30-second step, and a code is accepted only once, so the test forgets the last one used."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"


def follow(person: object, selector: str, label: str) -> None:
    """Click what leads to the next page, wait for it, and look at it."""
    with person.page.expect_navigation():
        person.click(selector)
    person.look(label)
