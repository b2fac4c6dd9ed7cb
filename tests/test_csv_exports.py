"""Every CSV Alongside writes neutralises text a spreadsheet program would run as a formula (CSV injection), and
`core.exports` is the only module that writes CSV at all."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from core.exports import csv_text, neutralise, starts_formula
from engagements import notes
from engagements.actions.sessions import add_action
from engagements.models import Engagement, Offer
from lessons import actions as lesson_actions
from lessons.models import Theme
from tests.helpers.people import client_for

# What the outside test used, and one value for every character of the OWASP rule.
FORMULAS = [
    '=HYPERLINK("https://example.test","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1dSUM(1)",
    # Blanks a spreadsheet skips before the sign: Unicode spaces and zero-width format characters.
    "\u00a0=1+1",
    "\u3000+1+1",
    "\u2007-2+3",
    "\u200b@SUM(1)",
    "\ufeff=1+1",
    '\u00a0\u200b =HYPERLINK("https://example.test")',
]
WRITERS = {"writer", "DictWriter"}
ROOT = Path(__file__).resolve().parent.parent


def _rows(content: bytes | str) -> list[list[str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row]


def _assert_no_formula(cells: list[str]) -> None:
    runnable = [cell for cell in cells if starts_formula(cell)]
    assert runnable == [], f"cells a spreadsheet would run: {runnable}"


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_is_shown_as_text(value: str) -> None:
    assert neutralise(value) == f"'{value}"
    assert _rows(csv_text([[value]])) == [[f"'{value}"]]


@pytest.mark.parametrize(
    "value", ["Trust first", "1.5", "", "a=b", "e-mail", "'already quoted", "\u00a0Trust", "\u200b"]
)
def test_ordinary_text_is_left_as_it_is(value: str) -> None:
    assert neutralise(value) == value


def test_the_library_export_neutralises_titles_bodies_and_themes(
    engagement_a: Engagement, site_lead: User, programme_lead: User
) -> None:
    theme = Theme.objects.create(name="@SUM(1)")
    lesson = lesson_actions.draft_lesson(
        engagement=engagement_a,
        by=site_lead,
        title="=SUM(1+1)",
        body="+cmd|' /C calc'!A0",
        audience="sites",
        themes=[theme],
    )
    lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=lesson.version)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=lesson.version)

    rows = _rows(client_for(programme_lead).get(reverse("lessons:library_export")).content)

    assert rows[1][:3] == ["'=SUM(1+1)", "For local sites", "'@SUM(1)"]
    assert rows[1][-1] == "'+cmd|' /C calc'!A0"
    _assert_no_formula(_cells(rows))


def test_the_overview_export_neutralises_offer_and_theme_names(
    offer: Offer, programme_lead: User, engagement_a: Engagement
) -> None:
    Offer.objects.filter(pk=offer.pk).update(name="=1+2")
    Theme.objects.create(name="-2+3")

    rows = _rows(client_for(programme_lead).get(reverse("engagements:overview_export")).content)

    assert "'=1+2" in _cells(rows)
    assert "'-2+3" in _cells(rows)
    _assert_no_formula(_cells(rows))


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_private_notes_download_neutralises_the_notes(
    engagement_a: Engagement, enabler: User, formula: str
) -> None:
    notes.write_note(engagement=engagement_a, author=enabler, text=formula)

    rows = _rows(client_for(enabler).get(reverse("engagements:private_notes_download")).content)

    assert rows[1][-1].startswith("'")  # the note as stored (its ends trimmed), with the apostrophe before it
    _assert_no_formula(_cells(rows))


def test_the_subject_access_export_neutralises_every_csv(
    engagement_a: Engagement, site_lead: User, tmp_path: Path
) -> None:
    add_action(
        engagement=engagement_a,
        by=site_lead,
        description="@SUM(1)",
        owner=site_lead,
        due_on=datetime.date(2026, 12, 31),
    )
    target = tmp_path / "export.zip"

    call_command("export_personal_data", site_lead.email, "--output", str(target))

    with zipfile.ZipFile(target) as archive:
        cells = [
            cell for name in archive.namelist() if name.endswith(".csv") for cell in _cells(_rows(archive.read(name)))
        ]
    assert "'@SUM(1)" in cells
    _assert_no_formula(cells)


def _project_modules() -> list[Path]:
    skip = {".venv", "node_modules", "tests", "migrations", ".git"}
    return [path for path in ROOT.rglob("*.py") if not skip & set(path.relative_to(ROOT).parts)]


def test_only_the_export_writer_writes_csv() -> None:
    writers = []
    for path in _project_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            attribute = (
                isinstance(node, ast.Attribute)
                and node.attr in WRITERS
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            )
            imported = (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and bool({alias.name for alias in node.names} & WRITERS)
            )
            if attribute or imported:
                writers.append(str(path.relative_to(ROOT)))

    assert writers == ["core/exports.py"]
