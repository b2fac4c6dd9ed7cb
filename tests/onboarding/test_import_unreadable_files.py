"""A file that is not a table, in another encoding, with a formula in a cell, or far too large, gets a clear message
saying what is wrong and how to put it right."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from accounts.models import User
from onboarding import imports
from onboarding.models import ImportJob
from sites.models import Organisation

from .imports import ORGANISATIONS, PEOPLE, csv_file, xlsx_file


def _problem(content: bytes, filename: str = "organisations.csv", kind: str = "organisations") -> str:
    with pytest.raises(imports.ImportProblem) as problem:
        imports.read(kind=kind, filename=filename, content=content)
    return str(problem.value)


def test_a_file_that_is_not_a_table_has_no_header_row() -> None:
    assert _problem(b"\n\n,,\n").startswith("The file has no header row: its first line must name the columns")


def test_an_empty_file_says_it_is_empty() -> None:
    assert _problem(b"  \n").startswith("The file is empty.")


def test_a_text_that_is_not_a_table_has_unknown_headers() -> None:
    problem = _problem(b"Dear team, here are the organisations we spoke about\nKentish Care Trust\n")

    assert problem.startswith("The header row has “Dear team” and “here are the organisations we spoke about”,")
    assert "The columns are: name, sector, aliases." in problem


def test_a_file_of_another_kind_names_the_headers_alongside_does_not_know() -> None:
    problem = _problem(csv_file(PEOPLE), kind="organisations")

    assert problem.startswith("The header row has “email”, “full_name”, “job_title”, “role”")
    assert "Check that you chose the right kind of file." in problem


def test_a_missing_required_header_is_named() -> None:
    assert _problem(b"name,aliases\nKentish Care Trust,KCT\n") == (
        "The header row has no “sector” column: the file must have name, sector."
    )


def test_a_header_named_twice_is_refused() -> None:
    assert _problem(b"name,sector,Name\n").startswith("The header row names “name” more than once")


def test_a_csv_in_another_encoding_asks_for_csv_utf_8() -> None:
    content = (ORGANISATIONS + "Société Générale Care,Other,\n").encode("latin-1")

    problem = _problem(content)

    assert problem.startswith("The file is not in UTF-8 (line 2 has a character Alongside cannot read).")
    assert "“CSV UTF-8 (Comma delimited)”" in problem


def test_a_formula_in_a_workbook_cell_is_refused_with_its_line_and_column() -> None:
    content = xlsx_file([["name", "sector", "aliases"], ["Kentish Care Trust", "NHS trust", '=HYPERLINK("x")']])

    problem = _problem(content, filename="organisations.xlsx")

    assert problem.startswith("Line 2, column C holds a formula")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_csv_cell_that_looks_like_a_formula_is_refused(start: str) -> None:
    content = csv_file(ORGANISATIONS + f"Kentish Care Trust,NHS trust,\nEastmoor,{start}cmd|' /C calc'!A0,\n")

    assert _problem(content).startswith("Line 3, column B holds a formula (or text starting with =, +, - or @).")


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\u2007", "\u200b", "\ufeff", " \u00a0\u200b"])
def test_a_formula_behind_a_unicode_space_or_zero_width_character_is_refused(blank: str) -> None:
    content = csv_file(ORGANISATIONS + f'Kentish Care Trust,NHS trust,\nEastmoor,{blank}=HYPERLINK("x"),\n')

    assert _problem(content).startswith("Line 3, column B holds a formula (or text starting with =, +, - or @).")


def test_a_negative_number_behind_a_non_breaking_space_is_not_a_formula() -> None:
    content = csv_file(PEOPLE + "a@example.org,A,,enabler,,,\u00a0-1\n")

    rows = imports.read(kind="people", filename="p.csv", content=content)

    assert rows[0]["capacity"] == "-1"


def test_a_negative_number_is_not_a_formula() -> None:
    rows = imports.read(kind="people", filename="p.csv", content=csv_file(PEOPLE + "a@example.org,A,,enabler,,,-1\n"))

    assert rows[0]["capacity"] == "-1"


def test_a_file_larger_than_the_limit_is_refused(settings: object) -> None:
    settings.IMPORT_MAX_BYTES = 1024  # type: ignore[attr-defined]
    content = csv_file(ORGANISATIONS + "Kentish Care Trust,NHS trust,\n" * 60)

    assert _problem(content) == (
        "The file is 1.8\xa0KB: the largest file Alongside takes is 1.0\xa0KB. Split it into smaller files and "
        "import each one."
    )


def test_a_file_with_more_rows_than_the_limit_is_refused(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 10  # type: ignore[attr-defined]
    content = csv_file(ORGANISATIONS + "".join(f"Trust {number},NHS trust,\n" for number in range(11)))

    assert _problem(content).startswith(
        "The file has more than 10 rows, counting blank ones: the most Alongside imports at once is 10."
    )


def test_a_damaged_workbook_is_refused() -> None:
    content = xlsx_file([["name", "sector"]])[:400]

    assert _problem(content, filename="organisations.xlsx").startswith(
        "The file is not an Excel workbook Alongside can read"
    )


def test_an_old_excel_workbook_asks_for_xlsx() -> None:
    assert _problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="o.xls").startswith(
        "This is an Excel 97-2003 workbook (.xls)."
    )


def test_a_file_of_another_format_names_the_formats_alongside_reads() -> None:
    assert _problem(b"%PDF-1.7 ...", filename="organisations.pdf") == (
        "This is a .pdf file. Alongside reads .xlsx and .csv files: save the spreadsheet as one of these, then upload "
        "it."
    )


def _open_document_spreadsheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize("filename", ["organisations.ods", "organisations.xlsx", "organisations.csv"])
def test_an_open_document_spreadsheet_is_told_which_formats_alongside_reads(filename: str) -> None:
    assert _problem(_open_document_spreadsheet(), filename=filename) == (
        "This is an OpenDocument spreadsheet (.ods). Alongside reads .xlsx and .csv files: save the spreadsheet as "
        "one of these, then upload it."
    )


def test_a_zip_that_is_not_a_workbook_is_told_which_formats_alongside_reads() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    assert _problem(out.getvalue(), filename="organisations.docx").startswith(
        "This is a .docx file. Alongside reads .xlsx and .csv files"
    )


def test_a_pdf_named_csv_is_told_which_formats_alongside_reads() -> None:
    assert _problem(b"%PDF-1.7 ...", filename="organisations.csv").startswith(
        "This is not a CSV file. Alongside reads .xlsx and .csv files"
    )


@pytest.mark.parametrize(("separator", "words"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_separated_by_semicolons_or_tabs_says_so(separator: str, words: str) -> None:
    content = csv_file(f"name{separator}sector{separator}aliases\nKentish Care Trust{separator}NHS trust{separator}\n")

    assert _problem(content).startswith(f"The file seems to use {words} to separate its columns, not commas.")


def test_a_header_with_commas_and_semicolons_is_read_by_its_commas() -> None:
    rows = imports.read(
        kind="organisations",
        filename="o.csv",
        content=csv_file(ORGANISATIONS + "Kentish Care Trust,NHS trust,KCT; Kent\n"),
    )

    assert rows[0]["aliases"] == "KCT; Kent"


def test_a_csv_with_old_mac_line_endings_is_read_with_its_line_numbers() -> None:
    content = csv_file(ORGANISATIONS.replace("\n", "\r") + "Kentish Care Trust,NHS trust,\rEastmoor,=1+1,\r")

    assert _problem(content).startswith("Line 3, column B holds a formula")


def test_a_character_in_another_encoding_names_its_line_in_a_file_with_old_mac_line_endings() -> None:
    content = (ORGANISATIONS.replace("\n", "\r") + "Kentish Care Trust,NHS trust,\rEastmoor Caf\xe9,Council,\r").encode(
        "latin-1"
    )

    assert "(line 3 has a character Alongside cannot read)" in _problem(content)


def test_a_row_longer_than_the_header_is_refused_naming_the_column() -> None:
    assert _problem(csv_file(ORGANISATIONS + "Kentish Care Trust,NHS trust,,surplus\n")).startswith(
        "Column D has values but no heading (line 2 has one)."
    )


def test_values_under_a_blank_heading_in_a_csv_are_refused_naming_the_column() -> None:
    content = csv_file("name,sector,,aliases\nKentish Care Trust,NHS trust,,KCT\nEastmoor Council,Council,CCG,\n")

    assert _problem(content).startswith("Column C has values but no heading (line 3 has one).")


def test_values_under_the_blank_half_of_a_merged_heading_in_a_workbook_are_refused() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "full_name", "role", "sectors", None, "capacity"])
    sheet.append(["ana@example.org", "Ana Example", "enabler", "NHS provider", "Council and social care", 2])
    sheet.merge_cells("D1:E1")
    out = io.BytesIO()
    workbook.save(out)

    problem = _problem(out.getvalue(), filename="people.xlsx", kind="people")

    assert problem.startswith("Column E has values but no heading (line 2 has one).")


def test_a_blank_heading_over_an_empty_column_is_read() -> None:
    rows = imports.read(
        kind="organisations",
        filename="o.csv",
        content=csv_file("name,,sector\nKentish Care Trust,,NHS trust\n"),
    )

    assert rows[0].cells == {"name": "Kentish Care Trust", "sector": "NHS trust"}


def test_broken_quotation_marks_name_the_line() -> None:
    assert _problem(csv_file(ORGANISATIONS + '"Kentish Care" Trust,NHS trust\n')).startswith(
        "The file is not a table that Alongside can read: line 2 is not valid CSV"
    )


def test_a_workbook_is_read_as_the_app_shows_its_values() -> None:
    workbook = Workbook()
    workbook.active.append(["Name", "Programme", "Programme year", "Region", "Councils", "Boundaries overlap"])
    workbook.active.append(["Eastmoor", "Vanguard", 2015, "South West", 2.0, False])
    out = io.BytesIO()
    workbook.save(out)

    rows = imports.read(kind="sites", filename="sites.xlsx", content=out.getvalue())

    assert rows[0].cells == {
        "name": "Eastmoor",
        "programme": "Vanguard",
        "programme_year": "2015",
        "region": "South West",
        "councils": "2",
        "boundaries_overlap": "no",
    }


@pytest.mark.django_db
def test_the_check_and_the_import_refuse_a_blank_heading_over_values_alike(programme_lead: User) -> None:
    content = csv_file("name,sector,\nKentish Care Trust,NHS trust,Kent Care\n")

    checked = imports.check(imports.start_check(kind="organisations", filename="o.csv", content=content, by=None))
    imported = imports.import_file(kind="organisations", filename="o.csv", content=content, by=programme_lead)

    assert checked.state == imported.state == ImportJob.State.FAILED
    assert checked.problem == imported.problem
    assert checked.problem.startswith("Column C has values but no heading (line 2 has one).")
    assert not Organisation.objects.exists()
