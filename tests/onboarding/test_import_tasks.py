"""The check and the import are thin Celery tasks, safe to run twice; a broker that is away loses no upload."""

from __future__ import annotations

from unittest import mock

import pytest

from accounts.models import AuditEvent, User
from config import celery_app
from onboarding import imports, tasks
from onboarding.models import ImportJob
from sites.models import Organisation

from .imports import ORGANISATIONS, csv_file

CONTENT = csv_file(ORGANISATIONS + "Eastmoor Trust,NHS trust,\n")


def _checked(by: User) -> ImportJob:
    job = imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=by)
    return imports.check(job)


def test_the_check_task_checks_a_waiting_job(programme_lead: User) -> None:
    job = imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=programme_lead)

    assert tasks.check_import(job.pk) == ImportJob.State.CHECKED

    assert ImportJob.objects.get(pk=job.pk).outcome == [
        {"line": 2, "outcome": "created", "label": "Eastmoor Trust", "reason": ""}
    ]


def test_the_check_task_skips_a_job_checked_already(programme_lead: User) -> None:
    job = _checked(programme_lead)

    assert tasks.check_import(job.pk) == "skipped"


def test_the_import_task_skips_a_finished_job(programme_lead: User) -> None:
    job = imports.start_import(job=_checked(programme_lead), by=programme_lead)
    assert tasks.run_import(job.pk, programme_lead.pk) == ImportJob.State.IMPORTED

    assert tasks.run_import(job.pk, programme_lead.pk) == "skipped"

    assert Organisation.objects.filter(name="Eastmoor Trust").count() == 1
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.IMPORTED_A_FILE).count() == 1


def test_the_import_task_skips_a_job_never_started(programme_lead: User) -> None:
    job = _checked(programme_lead)

    assert tasks.run_import(job.pk, programme_lead.pk) == "skipped"

    assert not Organisation.objects.filter(name="Eastmoor Trust").exists()


def test_a_job_not_checked_cannot_be_started(programme_lead: User) -> None:
    job = imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=programme_lead)

    with pytest.raises(imports.NotAllowed, match="it is checking"):
        imports.start_import(job=job, by=programme_lead)


def test_with_the_broker_away_the_check_runs_in_the_request(programme_lead: User) -> None:
    job = imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=programme_lead)

    celery_app.conf.task_always_eager = False  # as with REDIS_URL set (the autouse fixture puts it back)

    with mock.patch.object(tasks.check_import, "apply_async", side_effect=ConnectionError("redis is away")):
        tasks.enqueue_check(job)

    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.CHECKED


def test_with_the_broker_away_an_import_waits_to_be_started_again(programme_lead: User) -> None:
    job = imports.start_import(job=_checked(programme_lead), by=programme_lead)

    celery_app.conf.task_always_eager = False

    with mock.patch.object(tasks.run_import, "apply_async", side_effect=ConnectionError("redis is away")):
        queued = tasks.enqueue_import(job, programme_lead)

    job.refresh_from_db()
    assert not queued
    assert (job.state, job.problem) == (ImportJob.State.CHECKED, tasks.QUEUE_AWAY)
    assert not Organisation.objects.filter(name="Eastmoor Trust").exists()


def test_only_the_central_team_imports(site_lead: User) -> None:
    with pytest.raises(imports.NotAllowed):
        imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=site_lead)


def test_a_check_that_breaks_leaves_the_job_failed_not_checking(programme_lead: User) -> None:
    job = imports.start_check(kind="organisations", filename="o.csv", content=CONTENT, by=programme_lead)

    with mock.patch.object(imports.organisations, "plan", side_effect=RuntimeError("a bug")):
        job = imports.check(job)

    assert (job.state, job.problem) == (ImportJob.State.FAILED, imports.COULD_NOT_CHECK)
