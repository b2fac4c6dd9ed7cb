"""No inline script, style or event handler anywhere, so the Content-Security-Policy can stay strict.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts and styles from Alongside's own files only: no
'unsafe-inline', no nonces. Anything inline would be silently blocked by the browser, so a page would break in
production while working in a test. Two checks: the templates' source, and the HTML every page really renders,
including the Django admin (whose templates Alongside does not own).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.helpers.access import MATRIX, TARGETS
from tests.helpers.people import PERSONAS, client_for

INLINE_CODE = {
    # A JSON data block (Django's json_script, as django-otp-webauthn configures its script) is never run: not code.
    "an inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']application/json[\"'])[^>]*>", re.IGNORECASE
    ),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a style= attribute": re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.IGNORECASE),
    "an inline event handler": re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


def _template_files() -> list[Path]:
    """The project's template folders and those of its own apps; third-party apps' templates are checked as
    rendered HTML below, since Alongside cannot edit them."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(config.path).parts
    ]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


def test_templates_have_no_inline_script_style_or_event_handler() -> None:
    files = _template_files()

    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{text.count(chr(10), 0, match.start()) + 1}: {what}"
        for path in files
        for text in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE_CODE.items()
        for match in pattern.finditer(text)
    ]

    assert len(files) > 50, "the template folders were not found"
    assert not found, "Inline code the Content-Security-Policy would block:\n" + "\n".join(found)


class InlineCodeFinder(HTMLParser):
    """Collects, from rendered HTML, everything a script-src/style-src 'self' policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") == "application/json":
            return  # a data block (json_script): a browser never runs it, so no policy needs to allow it
        if tag == "script":
            source = attributes.get("src") or ""
            self.scripts.append(source)
            if not source:
                self.found.append("an inline <script>")
            elif not source.startswith("/") or source.startswith("//"):
                self.found.append(f"a script from another origin: {source}")
        if tag == "style":
            self.found.append("a <style> block")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"a style= attribute on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"an {name}= handler on <{tag}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"a javascript: address on <{tag}>")


def _inline_code(html: str) -> InlineCodeFinder:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder


def _pages_of_the_matrix(objects: dict) -> list[tuple[str, object]]:
    """Each page of tests/test_access.py's matrix once, with the first persona who may open it."""
    pages = []
    for name, target, expected in MATRIX:
        persona = next((persona for persona in PERSONAS if expected[persona] == 200), None)
        if persona is not None:
            pages.append((reverse(name, kwargs=TARGETS[target](objects)), objects[persona]))
    return pages


def _admin_pages(objects: dict) -> list[tuple[str, object]]:
    """The admin index, and the list, add and change pages of every model registered with it."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]  # an add page may answer 403
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{prefix}_change", args=[first.pk]))
    return [(url, objects["administrator"]) for url in pages]


def test_every_rendered_page_loads_scripts_only_from_its_own_files(objects: dict) -> None:
    """Every HTML page of the access matrix and of the admin, as the person who may open it."""
    found: list[str] = []
    checked = scripts = 0

    for url, person in _pages_of_the_matrix(objects) + _admin_pages(objects):
        response = client_for(person).get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        finder = _inline_code(response.content.decode())
        checked += 1
        scripts += len(finder.scripts)
        found += [f"{url}: {what}" for what in finder.found]

    assert checked > 80, f"only {checked} HTML pages were rendered"
    assert scripts >= 2 * checked, "the pages' own scripts were not seen: is the parser reading them?"
    assert not found, "Inline code the Content-Security-Policy would block:\n" + "\n".join(sorted(set(found)))


def test_the_checks_find_inline_code_when_there_is_some() -> None:
    """The two checks above can fail: each kind of inline code is recognised."""
    html = (
        '<script>alert(1)</script><script src="https://cdn.example.org/x.js"></script><style>p{}</style>'
        '<p style="color: red" onclick="go()"><a href="javascript:go()">x</a></p>'
    )

    kinds = {what for what, pattern in INLINE_CODE.items() if pattern.search(html)}
    found = _inline_code(html).found

    assert kinds == set(INLINE_CODE)
    assert len(found) == 6
