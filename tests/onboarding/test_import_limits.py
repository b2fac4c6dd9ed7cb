"""An import reads a file only as far as its limits (rows, blank ones counted; cells; a workbook's unpacked size),
stopping at the first one passed and naming it; a large file is checked in the background, never in the web request,
with how far the check has got on the import's page."""

from __future__ import annotations

import io
import re
import zipfile
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from config import celery_app
from onboarding import imports, tasks
from onboarding.models import ImportJob
from tests.helpers.people import client_for

from .imports import ORGANISATIONS, PEOPLE, csv_file, xlsx_file


def _problem(content: bytes, filename: str = "organisations.csv", kind: str = "organisations") -> str:
    with pytest.raises(imports.ImportProblem) as problem:
        imports.read(kind=kind, filename=filename, content=content)
    return str(problem.value)


def test_blank_rows_count_towards_the_row_limit_in_a_csv(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 10  # type: ignore[attr-defined]
    content = csv_file(ORGANISATIONS + "Kentish Care Trust,NHS trust,\n" + ",,\n" * 20)

    assert _problem(content).startswith(
        "The file has more than 10 rows, counting blank ones: the most Alongside imports at once is 10."
    )


def test_a_workbook_with_a_value_far_below_its_table_stops_at_the_row_limit(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 10  # type: ignore[attr-defined]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "sector", "aliases"])
    sheet.append(["Kentish Care Trust", "NHS trust", ""])
    sheet.cell(row=1_000_000, column=1, value="Eastmoor Council")
    out = io.BytesIO()
    workbook.save(out)

    assert _problem(out.getvalue(), filename="organisations.xlsx").startswith(
        "The file has more than 10 rows, counting blank ones"
    )


def test_a_workbook_that_declares_a_million_rows_is_read_as_far_as_its_rows_go(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 10  # type: ignore[attr-defined]
    content = xlsx_file([["name", "sector", "aliases"], ["Kentish Care Trust", "NHS trust", ""]])
    content = _with_sheet_xml(
        content, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1048576"', xml)
    )

    rows = imports.read(kind="organisations", filename="organisations.xlsx", content=content)

    assert [row["name"] for row in rows] == ["Kentish Care Trust"]


def test_the_cell_limit_names_itself(settings: object) -> None:
    settings.IMPORT_MAX_CELLS = 50  # type: ignore[attr-defined]
    content = csv_file(PEOPLE + "".join(f"p{number}@example.org,P,,enabler,,,\n" for number in range(10)))

    assert _problem(content, kind="people").startswith(
        "The file has more than 50 cells, counting empty ones: the most Alongside reads at once is 50."
    )


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_unread(settings: object) -> None:
    settings.IMPORT_MAX_UNPACKED_BYTES = 2000  # type: ignore[attr-defined]
    content = xlsx_file([["name", "sector", "aliases"], ["Kentish Care Trust", "NHS trust", ""]])

    with mock.patch("openpyxl.load_workbook") as load:
        problem = _problem(content, filename="organisations.xlsx")

    assert problem.startswith("The workbook unpacks to ")
    assert "the most Alongside reads is 2.0\xa0KB" in problem
    load.assert_not_called()


def _large_upload(client: object, content: bytes) -> object:
    data = {"kind": "organisations", "file": SimpleUploadedFile("large.csv", content, content_type="text/csv")}
    return client.post(reverse("onboarding:import_start"), data)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_large_file_is_checked_in_the_background_not_in_the_request(settings: object, programme_lead: User) -> None:
    settings.IMPORT_CHECK_IN_REQUEST_BYTES = 100  # type: ignore[attr-defined]
    content = csv_file("name,colour\n" + "Kentish Care Trust,blue\n" * 10)  # an unknown header: the check finds it
    celery_app.conf.task_always_eager = False  # as with REDIS_URL set (the autouse fixture puts it back)

    with mock.patch.object(tasks.check_import, "apply_async") as queued:
        response = _large_upload(client_for(programme_lead), content)

    job = ImportJob.objects.get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert job.state == ImportJob.State.CHECKING
    queued.assert_called_once_with((job.pk,), retry=False)
    assert tasks.check_import(job.pk) == ImportJob.State.FAILED
    assert ImportJob.objects.get().problem.startswith("The header row has “colour”")


@pytest.mark.django_db
def test_a_large_file_of_another_format_is_still_refused_in_the_request(settings: object, programme_lead: User) -> None:
    settings.IMPORT_CHECK_IN_REQUEST_BYTES = 100  # type: ignore[attr-defined]

    response = _large_upload(client_for(programme_lead), b"%PDF-1.7" + b"." * 200)

    assert response.context["form"].errors["file"][0].startswith("This is not a CSV file.")  # type: ignore[attr-defined]
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_with_the_broker_away_a_large_file_is_not_read_in_the_request(settings: object, programme_lead: User) -> None:
    settings.IMPORT_CHECK_IN_REQUEST_BYTES = 100  # type: ignore[attr-defined]
    content = csv_file(ORGANISATIONS + "Kentish Care Trust,NHS trust,\n" * 10)
    job = imports.start_check(kind="organisations", filename="large.csv", content=content, by=programme_lead)
    celery_app.conf.task_always_eager = False

    with (
        mock.patch.object(tasks.check_import, "apply_async", side_effect=ConnectionError("redis is away")),
        mock.patch.object(imports, "read") as read,
    ):
        tasks.enqueue_check(job)

    read.assert_not_called()
    job.refresh_from_db()
    assert (job.state, job.problem) == (ImportJob.State.FAILED, imports.COULD_NOT_QUEUE)


@pytest.mark.django_db
def test_the_page_of_a_file_being_read_says_how_far_it_has_got(programme_lead: User) -> None:
    job = imports.start_check(kind="organisations", filename="large.csv", content=b"x", by=programme_lead)
    cache.set(f"import-progress-{job.pk}", {"reading": 3000})

    html = client_for(programme_lead).get(reverse("onboarding:import_detail", kwargs={"pk": job.pk})).content.decode()

    assert "Reading the file: 3000 rows so far." in html
    assert 'data-alongside-reload="2000"' in html


def _with_sheet_xml(content: bytes, change: object) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = change(data)  # type: ignore[operator]
            target.writestr(part, data)
    return out.getvalue()
