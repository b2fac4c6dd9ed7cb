"""The one way Alongside writes CSV: every cell that a spreadsheet program would run as a formula is neutralised.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return (the OWASP rule for CSV injection), or with
the full-width forms of the first four, which some spreadsheet programs also read as a formula, gets an apostrophe
put before it, so the program shows the text instead of running it. The same holds when any blank stands before such
a character: a space of any Unicode kind (a non-breaking or an ideographic space) or an invisible format character
(a zero-width space, a byte order mark), which spreadsheet programs skip. `starts_formula` is the one test of that,
for exports here and for imports (onboarding.imports.reading), so the two cannot disagree. Cells holding a comma,
a quote or a line break are quoted, as the csv module does. Lessons, sites' words, theme names and note text are
all typed by people, and a lesson's title of `=HYPERLINK(...)` must reach every library reader as words, not as a
link that runs.

`csv.writer` is used here and nowhere else: ruff's banned-api rule (TID251, pyproject.toml) refuses it in any other
module, and tests/test_csv_exports.py feeds every export such values.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol

# The OWASP list, and the full-width forms of its first four.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _blank(character: str) -> bool:
    """A space of any kind, or a character drawn as nothing (Unicode's format characters: zero-width space, joiners,
    the byte order mark)."""
    return character.isspace() or unicodedata.category(character) == "Cf"


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula: its first character that is not blank is one of
    FORMULA_STARTS (a tab or a carriage return counts as itself, before the blanks are skipped)."""
    for character in text:
        if character in FORMULA_STARTS:
            return True
        if not _blank(character):
            return False
    return False


def without_leading_blanks(text: str) -> str:
    """The text from its first character that is not blank (see `_blank`)."""
    for index, character in enumerate(text):
        if not _blank(character):
            return text[index:]
    return ""


def neutralise(value: object) -> str:
    """The cell's text, with an apostrophe before it if a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if starts_formula(text) else text


class CsvWriter:
    """Writes rows of cells to a text stream (an HttpResponse, a StringIO), every cell neutralised."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as the text of a CSV file."""
    out = io.StringIO()
    CsvWriter(out).writerows(rows)
    return out.getvalue()
