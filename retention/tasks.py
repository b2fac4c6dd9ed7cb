from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task
def apply_retention_schedule() -> dict[str, int]:
    """Nightly: the retention schedule, applied in batches; returns how many records of each kind went."""
    return actions.apply_schedule().destroyed
