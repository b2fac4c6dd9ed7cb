"""The import's two steps, the check and the import itself, each a thin task: load the job, call the engine.

Both are safe to run twice: a job that is no longer waiting for that step is left as it is. Publishing a task never
fails the request that asked for it: if the broker is away, the check of a small file runs at once in the request
(it reads, and saves nothing but the job's outcome) while a large file's fails with what to do (a web request never
reads a large file), and an import is put back, checked, to be started again.
"""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import User

from . import imports
from .models import ImportJob

logger = logging.getLogger(__name__)
# Far beyond the project's 60-second default: importing 10,000 people takes a while (docs/benchmarks.md).
LONG = {"soft_time_limit": 20 * 60, "time_limit": 21 * 60}
QUEUE_AWAY = "Alongside could not start the import just now, so nothing was saved. Try again in a few minutes."


@shared_task(acks_late=True, reject_on_worker_lost=True, **LONG)
def check_import(job_id: int) -> str:
    job = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.CHECKING).first()
    if job is None:
        return "skipped"
    return imports.check(job).state


@shared_task(acks_late=True, reject_on_worker_lost=True, **LONG)
def run_import(job_id: int, by_id: int | None) -> str:
    job = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.IMPORTING).first()
    if job is None:
        return "skipped"
    by = User.objects.filter(pk=by_id).first() if by_id is not None else None
    return imports.apply(job, by=by).state


def enqueue_check(job: ImportJob) -> None:
    """Hand the check to Celery; with the broker away, check a small file here and now rather than lose the
    upload. A large file is never read in the web request: with the broker away, it fails with what to do."""
    if check_import.app.conf.task_always_eager:  # no broker: Celery would run it here anyway
        check_import(job.pk)
        return
    try:
        check_import.apply_async((job.pk,), retry=False)
    except Exception:  # the broker's own errors vary by transport; none may reach the user
        if imports.checked_in_background(job):
            logger.warning("Import %s: the check of a large file could not be queued", job.pk, exc_info=True)
            imports.could_not_queue(job)
            return
        logger.warning("Import %s: the check could not be queued, so it runs in the request", job.pk, exc_info=True)
        check_import(job.pk)


def enqueue_import(job: ImportJob, by: User | None) -> bool:
    """Hand the import to Celery; with the broker away, the job waits, checked, to be started again."""
    if run_import.app.conf.task_always_eager:
        run_import(job.pk, by.pk if by else None)
        return True
    try:
        run_import.apply_async((job.pk, by.pk if by else None), retry=False)
    except Exception:  # as above
        logger.warning("Import %s could not be queued; it waits to be started again", job.pk, exc_info=True)
        imports.put_back(job=job, problem=QUEUE_AWAY)
        return False
    return True
