"""Where each page's time goes, at national scale: every page `make bench` measures, served in this process by
Django's own request handler (the whole middleware stack, production settings) under cProfile, and its self time
put into five parts by the file each function lives in.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench make profile    # PROFILE_LABEL=after

- database: psycopg and Django's database back end (sending the SQL, waiting for PostgreSQL, reading the rows);
- query building: Django's ORM turning querysets into SQL (sql/, query.py, expressions, lookups);
- model instances: making model objects and converting their fields (models/base.py, fields);
- template: Django's template engine, crispy-forms, forms' widgets, Alongside's template tags, and the escaping,
  formatting and translation helpers templates call;
- URL reversing: django.urls, building each link of the page;
- middleware and request: Django's handlers, middleware, sessions, auth, CSP, axes, WhiteNoise and Alongside's own;
- the rest: Alongside's views and models, and what is left (Python's own library).

cProfile adds a cost to every Python call, so the milliseconds are larger than under gunicorn: read the shares.
Writes the table into docs/benchmarks.md under a heading of its label ("before" by default).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import environment, required_database_url  # noqa: E402

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "20"))
LABEL = os.environ.get("PROFILE_LABEL", "before")
ONLY = os.environ.get("PROFILE_PAGES", "")  # only the pages whose name starts so, and write nothing
PARTS = (
    "database",
    "query building",
    "model instances",
    "template",
    "URL reversing",
    "middleware and request",
    "the rest",
)

_RULES: tuple[tuple[str, str], ...] = (
    ("/psycopg", "database"),
    ("django/db/backends/", "database"),
    ("django/db/models/sql/", "query building"),
    ("django/db/models/query.py", "query building"),
    ("django/db/models/query_utils.py", "query building"),
    ("django/db/models/expressions.py", "query building"),
    ("django/db/models/lookups.py", "query building"),
    ("django/db/models/functions/", "query building"),
    ("django/db/models/manager.py", "query building"),
    ("django/db/models/base.py", "model instances"),
    ("django/db/models/fields/", "model instances"),
    ("django/db/models/", "query building"),
    ("django/template/", "template"),
    ("django/templatetags/", "template"),
    ("crispy_forms/", "template"),
    ("django/forms/", "template"),
    ("/templatetags/", "template"),
    ("/frontend/", "template"),
    ("django/utils/html.py", "template"),
    ("django/utils/safestring.py", "template"),
    ("django/utils/formats.py", "template"),
    ("django/utils/dateformat.py", "template"),
    ("django/utils/numberformat.py", "template"),
    ("django/utils/text.py", "template"),
    ("django/utils/translation/", "template"),
    ("django/urls/", "URL reversing"),
    ("django/middleware/", "middleware and request"),
    ("django/core/handlers/", "middleware and request"),
    ("django/contrib/sessions/", "middleware and request"),
    ("django/contrib/auth/", "middleware and request"),
    ("django_otp/", "middleware and request"),
    ("csp/", "middleware and request"),
    ("axes/", "middleware and request"),
    ("whitenoise/", "middleware and request"),
    ("/middleware.py", "middleware and request"),
    ("/config/people.py", "middleware and request"),
    ("/accounts/sessions.py", "middleware and request"),
)


def _generic(filename: str) -> bool:
    """Python's built-ins, its standard library, Django's lazy objects and asgiref's thread locals."""
    if filename == "~":
        return True
    if "/lib/python3" in filename and "site-packages" not in filename:
        return True
    return "django/utils/functional.py" in filename or "asgiref/" in filename


def part_of(filename: str) -> str:
    for fragment, part in _RULES:
        if fragment in filename:
            return part
    return "the rest"


def profile_page(client: object, path: str) -> tuple[float, dict[str, float]]:
    """Milliseconds a request under the profiler, and each part's share of the self time."""
    for _ in range(3):  # warm: kept figures kept, templates compiled, connections open
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status}: the profile would measure an error page")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(path)
    profiler.disable()
    elapsed = (time.perf_counter() - started) * 1000 / REQUESTS
    totals: dict[str, float] = defaultdict(float)
    stats = pstats.Stats(profiler)
    for (filename, _, _), (_, _, self_time, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        part = part_of(filename)
        if part != "the rest" or not _generic(filename) or not callers:
            totals[part] += self_time
            continue
        # Python's built-ins and general helpers (getattr, lazy strings, thread locals) are put where they were
        # called from, shared by each caller's own time in them.
        shared = sum(timing[2] for timing in callers.values()) or 1.0
        for (caller_file, _, _), timing in callers.items():
            totals[part_of(caller_file)] += self_time * timing[2] / shared
    whole = sum(totals.values()) or 1.0
    if os.environ.get("PROFILE_SHOW_REST"):
        rest = sorted(
            ((value[2], key) for key, value in stats.stats.items() if part_of(key[0]) == "the rest"),  # type: ignore[attr-defined]
            reverse=True,
        )[:12]
        for self_time, (filename, line, name) in rest:
            print(f"    {self_time / REQUESTS * 1000:6.2f} ms  {filename}:{line} {name}")
    return elapsed, {part: totals[part] / whole for part in PARTS}


def main() -> int:
    database_url = required_database_url("make profile")
    os.environ.update({**environment(database_url), "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "ERROR"})
    import django

    django.setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import two_factor
    from accounts.models import User
    from bench.run import pages
    from bench.scale import build

    data = build()
    clients: dict[str, Client] = {}
    rows = []
    for page in [page for page in pages(data) if page.name.startswith(ONLY)]:
        if page.persona not in clients:
            user = User.objects.get(email=page.persona)
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(user)
            device = two_factor.authenticator_for(user)
            if device is not None:
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            clients[page.persona] = client
        elapsed, shares = profile_page(clients[page.persona], page.path)
        cells = " | ".join(f"{shares[part]:.0%}" for part in PARTS)
        rows.append(f"| {page.name} | {elapsed:.1f} | {cells} |")
        print(rows[-1], flush=True)
    header = f"| page | ms a request (profiled) | {' | '.join(PARTS)} |\n|---|---:|{'---:|' * len(PARTS)}\n"
    section = (
        f"## Where the time goes: {LABEL} (`make profile`)\n\n"
        f"Each page {REQUESTS} times in one process under cProfile, after three warm-up requests, at national scale "
        "(bench/profile_pages.py says how a function's self time is put into a part). The shares are of all self "
        "time.\n\n" + header + "\n".join(rows) + "\n"
    )
    if ONLY:
        return 0
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text()
    heading = re.escape(f"## Where the time goes: {LABEL} (`make profile`)")
    text = re.sub(heading + r".*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n"
    docs.write_text(text + section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
