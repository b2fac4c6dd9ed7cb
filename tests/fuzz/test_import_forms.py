"""Fuzzing the import upload, as the central team uses it: any kind, any file name, any bytes.

A file Alongside can read is accepted (a redirect to its checked rows, which escape whatever the cells held); any
other is refused beside the file field with what is wrong with it, and nothing is kept.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import User
from onboarding import imports
from onboarding.forms import ImportUploadForm
from onboarding.models import ImportJob
from sites.models import Site
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FORMULAS, FUZZ, MARKUP, ODD, PLAIN, SQLISH, Field, any_text, choice, form_data, hostile

KINDS = list(ImportJob.Kind.values)
HEADERS = [list(imports.headers_of(kind).all) for kind in KINDS]
GOOD_VALUES = ("Ashvale", "London", "Vanguard", "2013/14", "enabler", "site lead", "ana@example.org", "3", "yes")
cell = st.one_of(st.sampled_from(PLAIN + MARKUP + SQLISH + FORMULAS + ODD + GOOD_VALUES), any_text)
# A file is (name, bytes); the test makes it an upload just before submitting.
FILE_NAMES = st.sampled_from(
    ["people.csv", "sites.csv", "organisations.xlsx", "list.txt", "x.xls", "a.pdf", "people", "é.csv"]
)


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(",".join('"' + value.replace('"', '""') + '"' for value in row) + "\r\n" for row in rows).encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])  # Excel cannot hold them
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


tables = st.sampled_from(HEADERS).flatmap(
    lambda names: st.lists(st.lists(cell, min_size=len(names), max_size=len(names)), max_size=4).map(
        lambda rows: [names, *rows]
    )
)
files = st.one_of(
    st.tuples(st.sampled_from(["people.csv", "sites.csv", "organisations.csv"]), tables.map(_csv)),
    st.tuples(st.just("workbook.xlsx"), tables.map(_xlsx)),
    st.tuples(FILE_NAMES, st.binary(max_size=300)),
    st.tuples(FILE_NAMES, tables.map(lambda rows: _csv(rows).decode().encode("utf-16"))),
    st.tuples(st.just("big.csv"), st.integers(300, 400).map(lambda rows: b"name,sector\n" + b"Trust,Council\n" * rows)),
)


def _as_upload(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: SimpleUploadedFile(value[0], value[1], content_type="text/csv") if isinstance(value, tuple) else value
        for name, value in data.items()
    }


@fuzzes(ImportUploadForm, "onboarding:import_start", "programme_lead")
def test_import_upload_accepts_a_readable_file_or_says_what_is_wrong(
    site_a: Site, programme_lead: User, settings: object
) -> None:
    """Any kind and any file: checked and shown row by row, or refused beside the field."""
    settings.IMPORT_MAX_BYTES = 4000  # type: ignore[attr-defined]  # big.csv is over it
    fields = {"kind": choice(KINDS), "file": Field(files, hostile)}
    upload = FormUnderFuzz(client_for(programme_lead), reverse("onboarding:import_start"), ImportUploadForm)

    @FUZZ
    @given(form_data(fields))
    @example(
        {
            "kind": "people",
            "file": ("people.csv", _csv([HEADERS[2], ["<script>alert(1)</script>", "x", "", "enabler", "", "", ""]])),
        }
    )
    @example({"kind": "sites", "file": ("people.csv", _csv([HEADERS[2]]))})
    def submit(data: dict[str, Any]) -> None:
        upload.submit(_as_upload(data))

    submit()

    upload.assert_accepted_and_refused()
