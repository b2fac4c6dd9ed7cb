"""Bulk import at size: a file of 10,000 people and one of 10,000 organisations, checked, imported, then imported
again (every row unchanged), on PostgreSQL, with the engine the pages and `manage.py import_csv` use.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench_imports .venv/bin/python bench/imports.py

The database is created if need be, migrated, and emptied of the rows an import makes before each run. Times are
wall-clock in this process: reading the file, the check's reads, and for an import its one transaction through to
the commit. The invitations' e-mails are handed to the outbox after commit, as in production; their delivery by
Celery is not part of the import and not timed. Prints a Markdown table for docs/benchmarks.md ("Bulk import").
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
SITES = 100


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "bench/imports.py needs DATABASE_URL pointing at PostgreSQL, e.g. "
            "postgres://postgres@127.0.0.1:5432/alongside_bench_imports"
        )
    name = urllib.parse.urlparse(url).path.lstrip("/")
    subprocess.run(
        ["createdb", name], env={**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"}, capture_output=True
    )
    return url


def _files() -> dict[str, bytes]:
    organisations = ["name,sector,aliases"] + [
        f"Northfield Partner {number},{('NHS trust', 'Council', 'Voluntary sector')[number % 3]},NP{number}"
        for number in range(ROWS)
    ]
    people = ["email,full_name,job_title,role,site,sectors,capacity"]
    for number in range(ROWS):
        site = f"Bench Site {number % SITES}"
        if number % 10 == 0:
            people.append(
                f"enabler{number}@example.org,Enabler {number},Coach,enabler,,NHS provider; Voluntary sector,2"
            )
        elif number % 10 == 1:
            people.append(f"lead{number}@example.org,Lead {number},Director,site lead,{site},,")
        else:
            people.append(f"member{number}@example.org,Member {number},,site member,{site},,")
    return {"organisations": "\n".join(organisations).encode(), "people": "\n".join(people).encode()}


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> int:
    os.environ["DATABASE_URL"] = _database()
    os.environ.setdefault("SECRET_KEY", "bench-imports-only-not-a-secret")
    os.environ.pop("REDIS_URL", None)
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.db import connection

    from accounts.models import AuditEvent, Notification, User
    from config import celery_app
    from onboarding import imports
    from onboarding.models import ImportJob, Invitation
    from sites.models import Organisation, Programme, Region, Site

    # As in production: e-mails are handed to Celery after commit, on the outbox's own thread, never inline.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost/"

    Invitation.objects.filter(email__endswith="@example.org").delete()
    Notification.objects.filter(address__endswith="@example.org").delete()
    Organisation.objects.filter(name__startswith="Northfield Partner").delete()
    ImportJob.objects.all().delete()
    AuditEvent.objects.filter(verb__in=["imported a file", "invited a person", "created an organisation"]).delete()
    programme, _ = Programme.objects.get_or_create(kind=Programme.Kind.VANGUARD, year=2015)
    for number in range(SITES):
        Site.objects.get_or_create(
            name=f"Bench Site {number}", defaults={"programme": programme, "region": Region.LONDON}
        )
    lead, _ = User.objects.get_or_create(
        email="bench.lead@example.test", defaults={"full_name": "Bench Lead", "is_programme_lead": True}
    )

    results = []
    for kind, content in _files().items():
        name = f"{kind}.csv"
        check, _ = _timed(lambda: imports.dry_run(kind=kind, filename=name, content=content))  # noqa: B023
        first, job = _timed(lambda: imports.import_file(kind=kind, filename=name, content=content, by=lead))  # noqa: B023
        again, repeat = _timed(lambda: imports.import_file(kind=kind, filename=name, content=content, by=lead))  # noqa: B023
        if job.state != ImportJob.State.IMPORTED or repeat.counts()["unchanged"] != ROWS:  # type: ignore[attr-defined]
            sys.exit(f"The {kind} import did not do what it should: {job.problem or job.counts()}")  # type: ignore[attr-defined]
        results.append((kind, len(content), check, first, again, job.counts()))  # type: ignore[attr-defined]

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, Django {django.get_version()}, {postgres}.\n"
    )
    print("| file | size | check (dry run) | import | the same file again |")
    print("|---|---:|---:|---:|---:|")
    for kind, size, check, first, again, counts in results:
        print(
            f"| {ROWS:,} {kind} ({counts['created']:,} created) | {size / 1024:,.0f} KiB | {check:.1f} s "
            f"| {first:.1f} s | {again:.1f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
