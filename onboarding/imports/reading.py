"""From an uploaded file's bytes to rows of text, or a plain-English reason why the file cannot be read.

CSV goes through the standard library's `csv` module and Excel workbooks through openpyxl, read-only (it streams
the sheet rather than building it in memory, and it shows a formula as a formula rather than its cached result).
A table library such as tablib would add a layer over those same two readers without what an import needs most:
the line and column of a formula, of a cell in another encoding or of a row that is too long, in words a
programme lead can act on.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.exports import starts_formula, without_leading_blanks

READ_TICK = 1000  # rows read between two reports of progress
MAX_COLUMNS = 64  # far more than any kind of import has; a sheet's empty columns beyond these are never read
ZIP_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")  # formats people upload by mistake
OPEN_DOCUMENT_EXTENSIONS = ("ods", "fods")
FORMATS_READ = "Alongside reads .xlsx and .csv files: save the spreadsheet as one of these, then upload it."
DAMAGED_WORKBOOK = (
    "The file is not an Excel workbook Alongside can read: it may be damaged or protected with a password. Open it "
    "in Excel and save it again as an Excel workbook (.xlsx) or CSV UTF-8."
)
# Header names as people write them, to the names Alongside uses.
HEADER_SYNONYMS = {"e-mail": "email", "email_address": "email", "e-mail_address": "email", "name_of_site": "name"}
LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # Windows, Unix and old Mac line endings alike
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class ImportProblem(Exception):
    """The file cannot be read as a table of this kind of record; the message says why, in plain English."""


@dataclass(frozen=True)
class Headers:
    """The columns of one kind of file: those it must have and those it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Row:
    """One row of the file: its line as a spreadsheet numbers it (the header row is line 1) and its cells by
    header name. A cell the row leaves out is an empty string."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.cells.get(name, "")


def header_name(text: str) -> str:
    """`Full name`, ` FULL_NAME ` and `full name` all name the column `full_name`."""
    name = "_".join(text.split()).lower()
    return HEADER_SYNONYMS.get(name, name)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def too_large(size: int) -> str:
    return (
        f"The file is {filesizeformat(size)}: the largest file Alongside takes is "
        f"{filesizeformat(settings.IMPORT_MAX_BYTES)}. Split it into smaller files and import each one."
    )


def check_format(*, content: bytes, filename: str) -> None:
    """What can be told of a file without reading its rows: its size, that it is not empty, and that it is a CSV
    file or an Excel workbook that does not unpack to too much. For a large upload, which is read in the background
    (onboarding.tasks), this is all the web request does."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportProblem(too_large(len(content)))
    if not content.strip():
        raise ImportProblem("The file is empty. Use a template below: it has the header row already.")
    _grid(content, filename)  # reads nothing yet: a generator, past the checks of its format


def read_rows(
    *, content: bytes, filename: str, headers: Headers, on_progress: Callable[[int], None] | None = None
) -> list[Row]:
    """The file's rows (blank ones left out), or ImportProblem saying why it is not a table of these columns.

    Reading stops as soon as a limit is passed: IMPORT_MAX_ROWS rows after the header, blank ones counted (a sheet
    of a million empty rows is refused at the limit rather than read to its end), and IMPORT_MAX_CELLS cells.
    `on_progress` hears how many rows have been read, every READ_TICK rows."""
    check_format(content=content, filename=filename)
    grid = _grid(content, filename)
    header_line, names = _header(grid, headers)
    rows = []
    cells_read = 0
    for read, (line, cells) in enumerate(grid, start=1):
        if read > settings.IMPORT_MAX_ROWS:
            raise ImportProblem(
                f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows, counting blank ones: the most Alongside "
                f"imports at once is {settings.IMPORT_MAX_ROWS:,}. Delete any empty rows below the table, or split "
                "the file into smaller files and import each one."
            )
        cells_read += len(cells)
        if cells_read > settings.IMPORT_MAX_CELLS:
            raise ImportProblem(
                f"The file has more than {settings.IMPORT_MAX_CELLS:,} cells, counting empty ones: the most Alongside "
                f"reads at once is {settings.IMPORT_MAX_CELLS:,}. Delete any empty columns or rows around the "
                "table, or split the file into smaller files and import each one."
            )
        if on_progress is not None and read % READ_TICK == 0:
            on_progress(read)
        _refuse_unnamed_values(line, cells, names, header_line)
        values = {name: cell.strip() for name, cell in zip(names, cells, strict=False) if name}
        if not any(values.values()):
            continue
        rows.append(Row(line=line, cells=values))
    return rows


def _refuse_unnamed_values(line: int, cells: list[str], names: list[str], header_line: int) -> None:
    """A value in a column with no heading (a blank header cell, such as the second half of two merged cells, or a
    column beyond the last heading) would be lost without a word: the file is refused, naming the column."""
    for index, cell in enumerate(cells):
        if (index >= len(names) or not names[index]) and cell.strip():
            raise ImportProblem(
                f"Column {column_letter(index)} has values but no heading (line {line} has one). Give the column "
                f"a heading in line {header_line}, or remove its values. (Two header cells merged into one leave "
                "the second column without a heading.)"
            )


def _grid(content: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """The file's rows, read by what its content is rather than by its name alone: a workbook renamed .csv is still
    read as a workbook, and an OpenDocument spreadsheet renamed .xlsx is still named for what it is."""
    extension = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if content.startswith(ZIP_MAGIC):
        _refuse_other_zips(content, extension)
        return _xlsx(content)
    if extension == "xls" or content.startswith(OLD_EXCEL_MAGIC):
        raise ImportProblem(
            "This is an Excel 97-2003 workbook (.xls). In Excel, save it as an Excel workbook (.xlsx) or as "
            "CSV UTF-8, then upload that."
        )
    if extension == "xlsx":
        raise ImportProblem(DAMAGED_WORKBOOK)
    if extension in OPEN_DOCUMENT_EXTENSIONS:
        raise ImportProblem(f"This is an OpenDocument spreadsheet (.{extension}). {FORMATS_READ}")
    if extension not in ("", "csv", "txt") or content.startswith(OTHER_MAGIC):
        what = f"a .{extension[:10]} file" if extension not in ("", "csv", "txt") else "not a CSV file"
        raise ImportProblem(f"This is {what}. {FORMATS_READ}")
    return _csv(content)


def _refuse_other_zips(content: bytes, extension: str) -> None:
    """A zip that is not an Excel workbook (an OpenDocument spreadsheet, a Numbers file, a Word document) is named
    for what it is, by its parts: an OpenDocument file says what it is in its first part, `mimetype`. A workbook
    that unpacks to more than IMPORT_MAX_UNPACKED_BYTES is refused unread."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            kind = ""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        raise ImportProblem(DAMAGED_WORKBOOK) from None
    # A zip says how large each part is unpacked, and Python's zipfile never unpacks a part beyond that: the sum
    # bounds what reading the workbook can cost, before any of it is parsed.
    unpacked = sum(part.file_size for part in parts)
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise ImportProblem(
            f"The workbook unpacks to {filesizeformat(unpacked)}: the most Alongside reads is "
            f"{filesizeformat(settings.IMPORT_MAX_UNPACKED_BYTES)}. Delete what the import does not need (other "
            "sheets, pictures, formatting of empty rows), or save it as CSV UTF-8, then upload it again."
        )
    if kind.startswith("application/vnd.oasis.opendocument"):
        raise ImportProblem(f"This is an OpenDocument spreadsheet (.ods). {FORMATS_READ}")
    if "xl/workbook.xml" not in names:
        what = f"a .{extension[:10]} file" if extension not in ("", "xlsx", "csv", "txt") else "not an Excel workbook"
        raise ImportProblem(f"This is {what}. {FORMATS_READ}")


def _csv(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(LINE_BREAK.findall(content[: error.start])) + 1
        raise ImportProblem(
            f"The file is not in UTF-8 (line {line} has a character Alongside cannot read). In Excel, choose "
            "Save As and “CSV UTF-8 (Comma delimited)”; in another program, save it as CSV with the UTF-8 "
            "encoding."
        ) from None
    if "\x00" in text:
        raise ImportProblem("The file is not a table of text: save it as CSV UTF-8 or as an Excel workbook (.xlsx).")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for line, cells in enumerate(reader, start=1):
            _refuse_formulas(line, cells)
            yield line, cells
    except csv.Error as error:
        raise ImportProblem(
            f"The file is not a table that Alongside can read: line {reader.line_num} is not valid CSV "
            f"({error}). Check the quotation marks on that line, or save the file again as CSV UTF-8."
        ) from None


def _xlsx(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only an Excel upload pays for loading it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception:  # a damaged zip, a missing part, an encrypted file: openpyxl raises any of a dozen kinds
        raise ImportProblem(DAMAGED_WORKBOOK) from None
    try:
        # The sheet's declared size (its dimension, which may claim a million rows) is ignored: the rows are read as
        # they come, and never more than the limit allows (read_rows stops at it).
        sheet.reset_dimensions()
        yield from _sheet_rows(sheet.iter_rows(max_col=MAX_COLUMNS, max_row=settings.IMPORT_MAX_ROWS + 2))
    except ImportProblem:
        raise
    except Exception:  # openpyxl's errors for a broken sheet vary with what is broken
        raise ImportProblem(
            "The workbook's first sheet could not be read to the end: it may be damaged. Open it in Excel and save "
            "it again as an Excel workbook (.xlsx) or CSV UTF-8."
        ) from None
    finally:
        workbook.close()


def _sheet_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    for line, row in enumerate(rows, start=1):
        cells = []
        for index, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                raise ImportProblem(_formula_message(line, index))
            cells.append(_text(getattr(cell, "value", None)))
        while cells and not cells[-1]:
            cells.pop()
        _refuse_formulas(line, cells)
        yield line, cells


def _text(value: object) -> str:
    """A cell's value as the app would show it: 2 for 2.0, yes or no, a date as 2015-04-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _refuse_formulas(line: int, cells: list[str]) -> None:
    """A cell a spreadsheet would run as a formula is refused, not imported: it could run when someone opens an
    export of the record. A plain number such as -1 is not a formula. Blanks before the sign (any Unicode space,
    a zero-width character) do not hide it: core.exports.starts_formula decides, as it does for every export."""
    for index, cell in enumerate(cells):
        if starts_formula(cell) and not NUMBER.match(without_leading_blanks(cell).strip()):
            raise ImportProblem(_formula_message(line, index))


def _formula_message(line: int, index: int) -> str:
    return (
        f"Line {line}, column {column_letter(index)} holds a formula (or text starting with =, +, - or @). "
        "Alongside imports values only: replace the formula with its value, or remove the sign at the start."
    )


def _header(grid: Iterator[tuple[int, list[str]]], headers: Headers) -> tuple[int, list[str]]:
    """The header row is the file's first line: each name known, none twice, every required one there."""
    expected = ", ".join(headers.all)
    first = next(grid, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise ImportProblem(
            f"The file has no header row: its first line must name the columns ({expected}). Use a template below."
        )
    line, cells = first
    _refuse_other_separators(cells)
    names = [header_name(cell) for cell in cells]
    unknown = [cell.strip() for cell, name in zip(cells, names, strict=True) if name and name not in headers.all]
    if unknown:
        raise ImportProblem(
            f"The header row has {_quoted(unknown)}, which Alongside does not know for this kind of file. The "
            f"columns are: {expected}. Check that you chose the right kind of file."
        )
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise ImportProblem(f"The header row names {_quoted(twice)} more than once: keep one column of each.")
    missing = [name for name in headers.required if name not in names]
    if missing:
        raise ImportProblem(
            f"The header row has no {_quoted(missing, joiner='or')} column: the file must have "
            f"{', '.join(headers.required)}."
        )
    return line, names


def _refuse_other_separators(cells: list[str]) -> None:
    """A header row read as one cell holding semicolons or tabs, and no comma, is a file separated by those (as
    Excel saves CSV where the comma is the decimal sign): say so, rather than that the headers are unknown."""
    filled = [cell for cell in cells if cell.strip()]
    if len(filled) != 1 or "," in filled[0]:
        return
    for separator, words in ((";", "semicolons"), ("\t", "tabs")):
        if separator in filled[0]:
            raise ImportProblem(
                f"The file seems to use {words} to separate its columns, not commas. Save it as comma-separated "
                "values: in Excel, choose Save As and “CSV UTF-8 (Comma delimited)”; in another program, choose the "
                "comma as the separator. Then upload it again."
            )


def _quoted(names: list[str], joiner: str = "and") -> str:
    quoted = [f"“{name[:60]}”" for name in names[:10]]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"
