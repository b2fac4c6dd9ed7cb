"""The import pages, as a programme lead uses them: upload, see every row checked, import, download a template."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from onboarding import imports
from onboarding.models import ImportJob, Invitation
from sites.models import Site
from tests.helpers.people import client_for

from .imports import PEOPLE, csv_file

GOOD = (
    PEOPLE
    + "ana@example.org,Ana Example,Coach,enabler,,NHS provider,2\nbo@example.org,Bo Example,,site lead,Ashvale,,\n"
)


def _upload(client: object, text: str | bytes, kind: str = "people", name: str = "people.csv") -> object:
    content = text if isinstance(text, bytes) else csv_file(text)
    data = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    return client.post(reverse("onboarding:import_start"), data)  # type: ignore[attr-defined]


def test_a_programme_lead_uploads_checks_and_imports_a_file(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)

    uploaded = _upload(client, GOOD)
    job = ImportJob.objects.get()
    detail = client.get(uploaded["Location"])  # type: ignore[index]
    imported = client.post(reverse("onboarding:import_run", kwargs={"pk": job.pk}), follow=True)

    assert uploaded["Location"] == reverse("onboarding:import_detail", kwargs={"pk": job.pk})  # type: ignore[index]
    assert (job.kind, job.filename, job.created_by, bytes(job.content)) == (
        "people",
        "people.csv",
        programme_lead,
        csv_file(GOOD),
    )
    html = detail.content.decode()
    assert "Checked: ready to import" in html
    assert "Import 2 rows" in html
    assert "sends 2 invitations" in html
    assert "people.csv is imported." in imported.content.decode()
    assert "What the import did" in imported.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.IMPORTED
    assert Invitation.objects.filter(email__in=["ana@example.org", "bo@example.org"]).count() == 2


def test_the_detail_page_lists_refusals_first_and_says_nothing_was_saved(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)
    _upload(client, PEOPLE + "ana@example.org,Ana Example,,enabler,,,\nbob@,Bob,,enabler,,,\n")
    job = ImportJob.objects.get()

    page = client.get(reverse("onboarding:import_detail", kwargs={"pk": job.pk}))
    refused_only = client.get(reverse("onboarding:import_detail", kwargs={"pk": job.pk}), {"show": "refused"})

    html = page.content.decode()
    assert "Nothing was saved" in html
    assert "1 row cannot be imported, so nothing in the file was saved." in html
    assert "Upload the fixed file" in html
    assert "Import 2 rows" not in html
    assert [row["label"] for row in page.context["page"].object_list] == ["bob@", "ana@example.org"]
    assert [row["label"] for row in refused_only.context["page"].object_list] == ["bob@"]
    assert not Invitation.objects.exists()


def test_the_rows_are_shown_100_a_page(programme_lead: User) -> None:
    text = "name,sector\n" + "".join(f"Trust {number},NHS trust\n" for number in range(250))
    client = client_for(programme_lead)
    _upload(client, text, kind="organisations", name="o.csv")
    url = reverse("onboarding:import_detail", kwargs={"pk": ImportJob.objects.get().pk})

    last = client.get(url, {"page": 3})

    assert [row["line"] for row in last.context["page"].object_list] == list(range(202, 252))


def test_a_file_that_cannot_be_read_is_refused_beside_the_field(programme_lead: User) -> None:
    response = _upload(client_for(programme_lead), "name;sector\nEastmoor;Council\n", kind="organisations")

    form = response.context["form"]  # type: ignore[attr-defined]
    assert form.errors["file"][0].startswith("The file seems to use semicolons to separate its columns, not commas.")
    assert 'class="nhsuk-error-summary"' in response.content.decode()  # type: ignore[attr-defined]
    assert form["kind"].value() == "organisations"
    assert not ImportJob.objects.exists()


def test_an_upload_with_nothing_chosen_says_what_is_missing(programme_lead: User) -> None:
    response = client_for(programme_lead).post(reverse("onboarding:import_start"), {})

    assert response.context["form"].errors == {
        "kind": ["Choose what the file holds"],
        "file": ["Choose a file to upload"],
    }


def test_a_job_not_ready_cannot_be_run(programme_lead: User) -> None:
    job = imports.start_check(kind="people", filename="p.csv", content=b"", by=programme_lead)

    response = client_for(programme_lead).post(reverse("onboarding:import_run", kwargs={"pk": job.pk}), follow=True)

    assert "This file cannot be imported now: it is checking." in response.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.CHECKING


def test_the_start_page_lists_recent_imports_and_the_running_page_reloads(programme_lead: User) -> None:
    job = imports.start_check(kind="sites", filename="pioneers.csv", content=b"", by=programme_lead)
    client = client_for(programme_lead)

    start = client.get(reverse("onboarding:import_start")).content.decode()
    running = client.get(reverse("onboarding:import_detail", kwargs={"pk": job.pk})).content.decode()

    assert "pioneers.csv" in start
    assert 'data-alongside-reload="2000"' in running
    assert "reload-while-running.js" in running


@pytest.mark.parametrize("kind", ["organisations", "sites", "people"])
def test_each_template_is_a_header_row_and_one_example_that_checks(kind: str, programme_lead: User) -> None:
    client = client_for(programme_lead)

    as_csv = client.get(reverse("onboarding:import_template", kwargs={"kind": kind, "extension": "csv"}))
    as_xlsx = client.get(reverse("onboarding:import_template", kwargs={"kind": kind, "extension": "xlsx"}))

    assert as_csv["Content-Disposition"] == f'attachment; filename="alongside-{kind}.csv"'
    header = as_csv.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == list(imports.headers_of(kind).all)
    rows = list(load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0].values)
    assert len(rows) == 2
    assert len(imports.read(kind=kind, filename="t.csv", content=as_csv.content)) == 1
    assert len(imports.read(kind=kind, filename="t.xlsx", content=as_xlsx.content)) == 1


def test_an_unknown_template_is_not_found(programme_lead: User) -> None:
    client = client_for(programme_lead)

    assert (
        client.get(reverse("onboarding:import_template", kwargs={"kind": "offers", "extension": "csv"})).status_code
        == 404
    )
    assert (
        client.get(reverse("onboarding:import_template", kwargs={"kind": "sites", "extension": "xls"})).status_code
        == 404
    )
