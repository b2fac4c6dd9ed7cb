"""docs/privacy.md shows the retention schedule for a data protection impact assessment: it must say what the code
does, kind by kind, with the default periods."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from retention.schedule import KINDS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def _rows() -> dict[str, list[str]]:
    rows = {}
    for line in PAGE.read_text().splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0]] = cells
    return rows


def test_every_kind_of_record_has_a_row_with_its_default_period_and_what_happens() -> None:
    rows = _rows()
    defaults = {**settings.RETENTION_DEFAULT_DAYS, "private_notes": 365, "sign_in_sessions": 0}

    wrong = []
    for kind in KINDS:
        row = rows.get(kind.record)
        expected = [kind.record, f"{defaults[kind.period or kind.name]} days", kind.counts_from, kind.happens]
        if row is None or [row[0], row[2], row[3], row[4]] != expected:
            wrong.append(kind.record)

    assert wrong == []


def test_every_setting_the_table_names_exists_and_every_setting_is_in_the_table() -> None:
    named = {row[1].strip("`") for row in _rows().values() if row[1].startswith("`") and len(row) == 6}

    assert named - {"NOTES_RETENTION_DAYS"} == {name.upper() for name in settings.RETENTION_DAYS}
