"""An import is all or nothing per file: one refused row and nothing in the file is saved."""

from __future__ import annotations

from unittest import mock

from accounts.models import AuditEvent, User
from onboarding import imports
from onboarding.imports import organisations
from onboarding.models import ImportJob
from sites.models import Organisation, Site

from .imports import ORGANISATIONS, PEOPLE, csv_file, snapshot


def test_one_refused_row_and_nothing_in_the_file_is_saved(site_a: Site, programme_lead: User) -> None:
    text = PEOPLE + "ana@example.org,Ana Example,,enabler,,,2\nbob@,Bob Example,,enabler,,,\n"
    before = snapshot()

    job = imports.import_file(kind="people", filename="people.csv", content=csv_file(text), by=programme_lead)

    assert job.state == ImportJob.State.REFUSED
    assert [row["outcome"] for row in job.outcome] == ["created", "refused"]
    assert snapshot() == before
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.IMPORTED_A_FILE).exists()


def test_a_row_refused_since_the_check_stops_the_import(site_a: Site, programme_lead: User) -> None:
    content = csv_file(ORGANISATIONS + "Eastmoor Trust,NHS trust,\nWestmoor Trust,NHS trust,Moor\n")
    job = imports.start_check(kind="organisations", filename="o.csv", content=content, by=programme_lead)
    imports.check(job)
    job = imports.start_import(job=ImportJob.objects.get(pk=job.pk), by=programme_lead)
    Organisation.objects.create(name="Moor", sector=Organisation.Sector.OTHER)  # someone added it meanwhile

    job = imports.apply(job, by=programme_lead)

    assert job.state == ImportJob.State.REFUSED
    assert not Organisation.objects.filter(name__in=["Eastmoor Trust", "Westmoor Trust"]).exists()


def test_a_failure_half_way_through_rolls_every_row_back(site_a: Site, programme_lead: User) -> None:
    content = csv_file(ORGANISATIONS + "Eastmoor Trust,NHS trust,\nWestmoor Trust,NHS trust,\n")
    real = organisations.site_actions.create_organisations
    saved = []

    def fail_once_saved(**arguments: object) -> list[Organisation]:
        saved.extend(real(**arguments))  # type: ignore[arg-type]
        raise RuntimeError("the database went away")

    with mock.patch.object(organisations.site_actions, "create_organisations", fail_once_saved):
        job = imports.import_file(kind="organisations", filename="o.csv", content=content, by=programme_lead)

    assert job.state == ImportJob.State.FAILED
    assert job.problem == imports.COULD_NOT_FINISH
    assert [organisation.name for organisation in saved] == ["Eastmoor Trust", "Westmoor Trust"]  # written, then
    assert not Organisation.objects.filter(name__in=["Eastmoor Trust", "Westmoor Trust"]).exists()  # rolled back
