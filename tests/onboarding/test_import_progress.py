"""While an import runs, its progress (rows read, then rows done of the total) is kept in the cache for its page."""

from __future__ import annotations

from django.core.cache import cache

from accounts.models import User
from onboarding import imports
from onboarding.imports import organisations
from onboarding.models import ImportJob

from .imports import ORGANISATIONS, csv_file


def test_the_check_and_the_import_keep_their_progress_in_the_cache(programme_lead: User) -> None:
    content = csv_file(ORGANISATIONS + "".join(f"Trust {number},NHS trust,\n" for number in range(1200)))
    job = imports.start_check(kind="organisations", filename="o.csv", content=content, by=programme_lead)
    seen: list[dict[str, int]] = []
    real_set = cache.set

    def watch(key: str, value: dict[str, int], *args: object) -> None:
        if key == f"import-progress-{job.pk}":
            seen.append(value)
        real_set(key, value, *args)

    cache.set = watch  # type: ignore[method-assign]
    try:
        imports.check(job)
        imports.apply(imports.start_import(job=job, by=programme_lead), by=programme_lead)
    finally:
        cache.set = real_set  # type: ignore[method-assign]

    step, batch = organisations.TICK_EVERY, organisations.CREATE_BATCH
    checked = [{"done": done, "total": 1200} for done in (0, step, 2 * step)]
    imported = [{"done": done, "total": 1200} for done in (0, batch, 1200)]  # new rows are saved a batch at a time
    read = [{"reading": 1000}]  # while the file is read, before the number of rows is known
    assert seen == read + checked + imported
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.IMPORTED
    assert imports.progress(job) is None  # finished: the page shows the outcome instead
