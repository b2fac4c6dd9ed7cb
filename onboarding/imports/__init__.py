"""Bulk import of organisations, sites and people from a CSV file or an Excel workbook: the action layer of imports.

An upload becomes an ImportJob holding the file itself, so nothing a person sent is lost. It is checked first (a dry
run: every row's outcome, created, updated, unchanged or refused, with the reason for each refusal, and nothing
saved), then imported when a programme lead says so. The import checks every row again inside one transaction and
saves nothing at all if any is refused, so a file is imported whole or not at all; an unchanged row writes nothing,
so the same file twice changes nothing the second time. Each row's writes go through the sites' and onboarding's
actions, with their audit events, and the import records one `imported a file`.

Every check reads the database a fixed number of times whatever the length of the file (each kind's `Registry`), so
a file of 10,000 rows is checked in seconds. Both steps run as Celery tasks (onboarding/tasks.py); while one runs,
its progress is kept in the cache, because the import's own writes are invisible outside its transaction until it
commits. Losing the cache loses the progress bar and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from core.errors import NotAllowed

from ..models import ImportJob
from . import organisations, people, sites
from .cleaning import OUTCOMES, REFUSED, Planned
from .reading import Headers, ImportProblem, Row, check_format, read_rows, too_large

__all__ = [
    "KINDS",
    "OUTCOMES",
    "ImportProblem",
    "NotAllowed",
    "apply",
    "check",
    "checked_in_background",
    "could_not_queue",
    "dry_run",
    "headers_of",
    "import_file",
    "progress",
    "put_back",
    "read",
    "read_in_request",
    "start_check",
    "start_import",
    "too_large",
]

logger = logging.getLogger(__name__)
State = ImportJob.State
KINDS: dict[str, ModuleType] = {
    ImportJob.Kind.ORGANISATIONS: organisations,
    ImportJob.Kind.SITES: sites,
    ImportJob.Kind.PEOPLE: people,
}
PROGRESS_SECONDS = 60 * 60
COULD_NOT_CHECK = "Alongside could not check the file: nothing was saved. Upload it again; if it fails again, tell us."
COULD_NOT_QUEUE = (
    "Alongside could not start checking the file just now: nothing was saved. Upload it again in a few minutes."
)
COULD_NOT_FINISH = "Alongside could not finish the import, so nothing was saved. Try again; if it fails again, tell us."


def headers_of(kind: str) -> Headers:
    headers: Headers = KINDS[kind].HEADERS
    return headers


def read(*, kind: str, filename: str, content: bytes, on_progress: Callable[[int], None] | None = None) -> list[Row]:
    """The file's rows, or ImportProblem: for the upload form, which says at once what is wrong with a file."""
    return read_rows(content=content, filename=filename, headers=headers_of(kind), on_progress=on_progress)


def read_in_request(*, kind: str, filename: str, content: bytes) -> None:
    """What the upload form may read while the person waits (ImportProblem if the file cannot be imported): a
    small file whole, so that what is wrong with it shows beside the field; a file larger than
    IMPORT_CHECK_IN_REQUEST_BYTES only as far as its size and format, its rows being read by the check, in the
    background, with its progress on the import's page."""
    if len(content) > settings.IMPORT_CHECK_IN_REQUEST_BYTES:
        check_format(content=content, filename=filename)
    else:
        read(kind=kind, filename=filename, content=content)


def checked_in_background(job: ImportJob) -> bool:
    """Whether the job's file is too large to check in a web request (see read_in_request)."""
    return len(job.content) > settings.IMPORT_CHECK_IN_REQUEST_BYTES


def dry_run(
    *, kind: str, filename: str, content: bytes, tick: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Every row's outcome, saving nothing (ImportProblem if the file cannot be read)."""
    rows = read(kind=kind, filename=filename, content=content)
    return [item.as_outcome() for item in KINDS[kind].plan(rows, tick or (lambda done: None))]


def _may_import(by: User | None) -> None:
    if by is not None and not is_central_team(by):
        raise NotAllowed("Only the central team imports files.")


def start_check(*, kind: str, filename: str, content: bytes, by: User | None) -> ImportJob:
    """Keeps the upload as a job waiting to be checked (onboarding.tasks.check_import checks it)."""
    _may_import(by)
    if kind not in KINDS:
        raise NotAllowed("Choose what the file holds.")
    return ImportJob.objects.create(kind=kind, filename=filename[:255], content=content, created_by=by)


def progress(job: ImportJob) -> dict[str, int] | None:
    """Rows done of the total while a job runs ({"done": 40, "total": 100}), or rows read so far while the file is
    still being read ({"reading": 3000}), or None when nothing has been reported (or the cache is away)."""
    try:
        found: dict[str, int] | None = cache.get(_progress_key(job.pk))
        return found
    except Exception:  # the cache's own errors vary by back end; a missing bar is all it costs
        logger.warning("Import %s: no progress from the cache", job.pk, exc_info=True)
        return None


def _progress_key(pk: int) -> str:
    return f"import-progress-{pk}"


def _ticker(job: ImportJob, total: int) -> Callable[[int], None]:
    def tick(done: int) -> None:
        try:
            cache.set(_progress_key(job.pk), {"done": min(done, total), "total": total}, PROGRESS_SECONDS)
        except Exception:  # as above: the import goes on without its bar
            logger.warning("Import %s: progress not kept", job.pk, exc_info=True)

    tick(0)
    return tick


def _reading(job: ImportJob) -> Callable[[int], None]:
    """Progress while the file is read, before the number of rows is known: how many have been read so far."""

    def read_so_far(done: int) -> None:
        try:
            cache.set(_progress_key(job.pk), {"reading": done}, PROGRESS_SECONDS)
        except Exception:  # as in _ticker: the check goes on without its bar
            logger.warning("Import %s: progress not kept", job.pk, exc_info=True)

    return read_so_far


def could_not_queue(job: ImportJob) -> ImportJob:
    """A large file whose check could not be handed to the task queue: it is not read in the web request instead,
    so it fails, with what to do, rather than waiting for a check that will not come."""
    ImportJob.objects.filter(pk=job.pk, state=State.CHECKING).update(
        state=State.FAILED, problem=COULD_NOT_QUEUE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def check(job: ImportJob) -> ImportJob:
    """The dry run of a job waiting to be checked: every row's outcome kept on the job; nothing else saved. A job
    that is not waiting (checked already by a task run twice) is left as it is."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != State.CHECKING:
                return job
            try:
                rows = read(kind=job.kind, filename=job.filename, content=bytes(job.content), on_progress=_reading(job))
            except ImportProblem as problem:
                _finish(job, State.FAILED, problem=str(problem))
                return job
            planned = KINDS[job.kind].plan(rows, _ticker(job, len(rows)))
            _finish(job, State.REFUSED if _refusals(planned) else State.CHECKED, planned=planned)
    except Exception:
        logger.exception("Import %s could not be checked", job.pk)
        ImportJob.objects.filter(pk=job.pk, state=State.CHECKING).update(
            state=State.FAILED, problem=COULD_NOT_CHECK, finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def import_file(*, kind: str, filename: str, content: bytes, by: User | None) -> ImportJob:
    """For manage.py import_csv: the file kept as a job and imported at once, in this process."""
    _may_import(by)
    job = ImportJob.objects.create(
        kind=kind, filename=filename[:255], content=content, created_by=by, state=State.IMPORTING
    )
    return apply(job, by=by)


def start_import(*, job: ImportJob, by: User | None) -> ImportJob:
    """A checked job with no refusals is imported (onboarding.tasks.run_import imports it)."""
    _may_import(by)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != State.CHECKED:
            raise NotAllowed(f"This file cannot be imported now: it is {job.get_state_display().lower()}.")
        job.state = State.IMPORTING
        job.problem = ""
        job.save(update_fields=["state", "problem"])
    return job


def put_back(*, job: ImportJob, problem: str) -> ImportJob:
    """An import that could not be started (the task queue is away) waits, checked, to be started again."""
    ImportJob.objects.filter(pk=job.pk, state=State.IMPORTING).update(state=State.CHECKED, problem=problem[:300])
    job.refresh_from_db()
    return job


def apply(job: ImportJob, *, by: User | None) -> ImportJob:
    """Imports a job whose import was started: every row checked again and written in one transaction, or nothing
    written at all. A job not importing (finished by a task run twice) is left as it is."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != State.IMPORTING:
                return job
            _apply(job, by)
    except Exception:
        logger.exception("Import %s could not finish; nothing was saved", job.pk)
        ImportJob.objects.filter(pk=job.pk, state=State.IMPORTING).update(
            state=State.FAILED, problem=COULD_NOT_FINISH, finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def _apply(job: ImportJob, by: User | None) -> None:
    try:
        rows = read(kind=job.kind, filename=job.filename, content=bytes(job.content))
    except ImportProblem as problem:
        _finish(job, State.FAILED, problem=str(problem))
        return
    kind = KINDS[job.kind]
    planned = kind.plan(rows, lambda done: None)
    if _refusals(planned):  # something changed since the check: nothing is written
        _finish(job, State.REFUSED, planned=planned)
        return
    kind.write(planned, by, _ticker(job, len(planned)), job)
    _finish(job, State.IMPORTED, planned=planned)
    counts = job.counts()
    AuditEvent.record(
        actor=by,
        verb=AuditEvent.Verb.IMPORTED_A_FILE,
        target=job,
        kind=job.kind,
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
    )


def _refusals(planned: list[Planned]) -> int:
    return sum(item.outcome == REFUSED for item in planned)


def _finish(job: ImportJob, state: str, *, planned: list[Planned] | None = None, problem: str = "") -> None:
    job.state = state
    job.problem = problem[:300]
    fields = ["state", "problem"]
    if planned is not None:
        job.outcome = [item.as_outcome() for item in planned]
        job.row_count = len(planned)
        fields += ["outcome", "row_count"]
    if state in (State.IMPORTED, State.REFUSED, State.FAILED):
        job.finished_at = timezone.now()
        fields.append("finished_at")
    job.save(update_fields=fields)
    _forget_progress(job)


def _forget_progress(job: ImportJob) -> None:
    try:
        cache.delete(_progress_key(job.pk))
    except Exception:  # as above
        logger.warning("Import %s: progress not forgotten", job.pk, exc_info=True)
