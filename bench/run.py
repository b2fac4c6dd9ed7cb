"""The benchmark: every page people use most, at the scale of a national programme, served the production way.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench make bench    # BENCH_SECONDS=10 CONCURRENCY=4
    BENCH_PAGES=engagement DATABASE_URL=... .venv/bin/python bench/run.py    # only the pages so named; prints only

1. Migrates that PostgreSQL database, seeds the demo, and builds (or reuses) the scale data set (bench/scale.py):
   10,000 sites, 20,000 organisations, 2,000 enablers, 50,000 engagements, 1,000,000 sessions each with an
   encrypted private note, 200,000 published lessons, and planned sessions: one to come for each open engagement,
   and for the engagement the benchmark opens a weekly series to come and a few past ones left to log.
2. Serves Alongside with gunicorn under production settings (DEBUG off) plus bench/settings.py, which adds only a
   baseline page behind log-in and a count of queries on each answer.
3. Signs in as each persona through the log-in page (the central team with the demo's two-factor key), then for
   the baseline and for each page: a warm-up, then wrk at fixed concurrency for a fixed time. The baseline is
   measured first and last; each page's rate is compared with their mean.
4. Times the library's searches in the database, shows their query plans, and times the nightly retention task
   with everything due (every engagement closed ten years ago: 1,000,000 notes and sessions among it) inside a
   transaction it rolls back.
5. Prints the table and writes it into docs/benchmarks.md, with the machine, versions and command.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import PYTHON, environment, log_in, prepare_database, required_database_url, serve  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ALONE_SECONDS = int(os.environ.get("BENCH_ALONE_SECONDS", "4"))
WARM_UP_SECONDS = int(os.environ.get("BENCH_WARM_UP_SECONDS", "3"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
ONLY = os.environ.get("BENCH_PAGES", "")  # measure only the pages whose name starts so, and write nothing
WORKERS = int(os.environ.get("WEB_WORKERS", str(os.cpu_count() or 2)))
LIST_TARGET, DETAIL_TARGET = 0.40, 0.60  # of the baseline's requests per second
SEARCH_P50_TARGET_MS, ADMIN_TARGET_MS, PURGE_TARGET_S = 15.0, 300.0, 60.0

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f errors=%d p50=%.2f p95=%.2f p99=%.2f\\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Page:
    name: str
    persona: str
    path: str
    kind: str  # "list", "detail", "search" (a list with its own p50 target) or "admin" (300 ms)


@dataclass
class Measured:
    page: Page
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    queries: int
    p50_alone: float  # one connection: the time a request takes when nobody else is asking


SITE_LEAD, ENABLER, PROGRAMME_LEAD, ADMINISTRATOR, CLOSED_SITE_LEAD = (
    "site.lead@example.org",
    "enabler@example.org",
    "programme.lead@example.org",
    "admin@example.org",
    "lead.wirral@example.org",  # the demo's Wirral, whose engagement closed: its close-out review
)


def quoted(phrase: str) -> str:
    return f'"{phrase}"'


def _site_of(lead: str) -> int:
    from sites.models import SiteMembership

    return SiteMembership.objects.filter(user__email=lead, role=SiteMembership.Role.LEAD).values_list(
        "site", flat=True
    )[0]


def _closed_engagement_of(lead: str) -> int:
    from engagements.models import Engagement

    closed = Engagement.objects.filter(site__memberships__user__email=lead, state=Engagement.State.CLOSED)
    return closed.order_by("-closed_on", "-pk").values_list("pk", flat=True)[0]


def pages(data: object) -> list[Page]:
    library = "/lessons/"
    return [
        Page("home: site lead", SITE_LEAD, "/", "list"),
        Page("home: enabler", ENABLER, "/", "list"),
        Page("home: programme lead", PROGRAMME_LEAD, "/", "list"),
        Page("home: administrator", ADMINISTRATOR, "/", "list"),
        Page("request queue", PROGRAMME_LEAD, "/requests/queue/", "list"),
        Page("site directory", PROGRAMME_LEAD, "/sites/", "list"),
        Page("engagement (500 sessions, 16 planned)", ENABLER, f"/engagements/{data.engagement_500_pk}/", "detail"),
        Page("session log (500 sessions)", ENABLER, f"/engagements/{data.engagement_500_pk}/sessions/", "list"),
        Page("private notes (500)", ENABLER, f"/engagements/{data.engagement_500_pk}/private-notes/", "list"),
        Page("library: browse", ENABLER, library, "list"),
        Page("library: common term", ENABLER, f"{library}?q={urllib.parse.quote(data.common_term)}", "search"),
        Page("library: rare term", ENABLER, f"{library}?q={urllib.parse.quote(data.rare_term)}", "search"),
        Page(
            "library: phrase", ENABLER, f"{library}?q={urllib.parse.quote(chr(34) + data.phrase + chr(34))}", "search"
        ),
        Page("lesson", ENABLER, f"/lessons/{data.lesson_pk}/", "detail"),
        Page("programme overview", PROGRAMME_LEAD, "/overview/", "list"),
        Page("invitations", PROGRAMME_LEAD, "/onboarding/invitations/", "list"),
        Page("enabler pool", PROGRAMME_LEAD, "/enablers/pool/", "list"),
        Page("site's people", SITE_LEAD, f"/onboarding/sites/{_site_of(SITE_LEAD)}/people/", "list"),
        Page("plan a session", ENABLER, f"/engagements/{data.engagement_500_pk}/plan/", "detail"),
        Page("import a file", PROGRAMME_LEAD, "/onboarding/imports/", "detail"),
        Page(
            "close-out review",
            CLOSED_SITE_LEAD,
            f"/engagements/{_closed_engagement_of(CLOSED_SITE_LEAD)}/close-out/",
            "detail",
        ),
        Page("admin: sessions", ADMINISTRATOR, "/admin/engagements/session/", "admin"),
        Page("admin: lessons", ADMINISTRATOR, "/admin/lessons/lesson/", "admin"),
    ]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(base: str, path: str, cookie: str) -> tuple[int, int]:
    """One request as the person: its status and its number of queries. A redirect counts as a failure."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return response.status, int(response.headers.get("X-Queries", "-1"))
    except urllib.error.HTTPError as error:
        return error.code, -1


def wrk(
    base: str, path: str, cookie: str, seconds: int, script: str, connections: int = CONCURRENCY
) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-H",
            f"Cookie: sessionid={cookie}",
            "-s",
            script,
            base + path,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = dict(re.findall(r"(\w+)=([\d.]+)", re.search(r"RESULT (.*)", output).group(1)))
    return {key: float(value) for key, value in values.items()}


def measure(base: str, page: Page, cookie: str, script: str) -> Measured:
    status, _ = fetch(base, page.path, cookie)
    if status != 200:
        sys.exit(f"{page.name} ({page.path}) answered {status} for {page.persona}, not 200: nothing to measure")
    wrk(base, page.path, cookie, WARM_UP_SECONDS, script)
    _, queries = fetch(base, page.path, cookie)  # counted warm, as served: kept figures are kept (core/memo.py)
    result = wrk(base, page.path, cookie, SECONDS, script)
    alone = wrk(base, page.path, cookie, ALONE_SECONDS, script, connections=1)
    measured = Measured(
        page,
        result["requests"] / result["seconds"],
        result["p50"],
        result["p95"],
        result["p99"],
        int(result["errors"] + alone["errors"]),
        queries,
        alone["p50"],
    )
    print(
        f"  {page.name:<28} {measured.rate:7.1f}/s  p50 {measured.p50:7.1f} ms  p95 {measured.p95:7.1f} ms  "
        f"p99 {measured.p99:7.1f} ms  alone p50 {measured.p50_alone:6.1f} ms  {queries} queries",
        flush=True,
    )
    return measured


def verdict(measured: Measured, baseline_rate: float) -> str:
    ratio = measured.rate / baseline_rate
    kind = measured.page.kind
    if measured.errors:
        return f"**not met**: {measured.errors} errors"
    if kind == "admin":
        return "met" if measured.p95 < ADMIN_TARGET_MS else f"**not met** (p95 {measured.p95:.0f} ms, target < 300)"
    target = DETAIL_TARGET if kind == "detail" else LIST_TARGET
    parts = [] if ratio >= target else [f"ratio {ratio:.0%} < {target:.0%}"]
    if kind == "search" and measured.p50_alone > SEARCH_P50_TARGET_MS:
        parts.append(f"p50 alone {measured.p50_alone:.1f} ms > 20")
    if measured.queries > 8:
        parts.append(f"{measured.queries} queries > 8")
    return "met" if not parts else "**not met** (" + "; ".join(parts) + ")"


def target_of(page: Page) -> str:
    return {
        "list": "≥ 40 % of baseline",
        "detail": "≥ 60 % of baseline",
        "search": "≥ 40 %, p50 alone ≤ 15 ms",
        "admin": "p95 < 300 ms",
    }[page.kind]


def _cold_page_ms(term: str) -> float:
    """A search nobody made in the last few minutes: its count, its page of results and its cards computed, the
    figures everyone shares kept (as they are on a running server). Each time the same search with one more word
    left out that no lesson has, so nothing of it is kept. Django's test client in this process, median of 7."""
    from django.test import Client

    from accounts.models import User

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(email=ENABLER))
    client.get(f"/lessons/?q={urllib.parse.quote(term)}")  # the shared figures counted, as on a running server
    timings = []
    for number in range(7):
        path = f"/lessons/?q={urllib.parse.quote(f'{term} -zqxj{number}{time.monotonic_ns()}')}"
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def database_measures(data: object) -> list[str]:
    """In this process, against the same database: the searches' time and plan in PostgreSQL alone, and the
    retention purge of every private note, rolled back."""
    from django.db import connection, transaction

    from engagements.models import Engagement, Session
    from engagements.notes import PrivateNote
    from lessons.models import Lesson
    from lessons.search import search
    from retention.actions import apply_schedule
    from retention.schedule import KINDS

    lines = []
    for label, term in (
        ("common term", data.common_term),
        ("rare term", data.rare_term),
        ("phrase", f'"{data.phrase}"'),
    ):
        lessons = search(Lesson.objects.published().select_related("programme"), term)
        sql, params = lessons[:20].query.sql_with_params()
        timings = []
        with connection.cursor() as cursor:
            for _ in range(7):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        scans = [re.sub(r"\s*\(cost=.*", "", line).strip(" ->") for line in plan if "Scan" in line]
        cold = _cold_page_ms(term)
        lines.append(
            f"| {label} (`{term}`) | {statistics.median(timings):.1f} ms | {cold:.1f} ms | {'; '.join(scans)} |"
        )
    notes, sessions = PrivateNote.objects.count(), Session.objects.count()
    long_ago = datetime.date.today() - datetime.timedelta(days=3650)
    told = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=60)
    with transaction.atomic():
        Engagement.objects.update(
            state=Engagement.State.CLOSED,
            closed_on=long_ago,
            retention_notice_sent_at=told,
            records_notice_sent_at=told,
            notes_destroyed_at=None,
        )
        started = time.perf_counter()
        run = apply_schedule()
        task_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    met = "met" if task_seconds < PURGE_TARGET_S else "**not met**"
    lines.append("")
    lines.append(
        f"Retention: the nightly task (`retention.tasks.apply_retention_schedule`) took **{task_seconds:.1f} s** "
        f"(target under 60 s: {met}), measured inside a transaction that was then rolled back, after marking every "
        f"engagement closed ten years ago and its parties told, so that everything an engagement keeps was due: "
        f"{notes:,} private notes and {sessions:,} sessions among it. What it destroyed, kind by kind:"
    )
    lines.append("")
    lines.append("| record | destroyed | seconds |\n|---|---:|---:|")
    lines.extend(
        f"| {kind.record} | {run.destroyed.get(kind.name, 0):,} | {run.seconds.get(kind.name, 0):.1f} |"
        for kind in KINDS
    )
    return lines


def versions() -> str:
    import django
    import gunicorn
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    return (
        f"{cpu}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB; Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {postgres}, psycopg {psycopg.__version__}, "
        f"gunicorn {gunicorn.__version__}, {wrk_version}"
    )


def main() -> int:
    database_url = required_database_url("make bench")
    env = {**environment(database_url), "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "ERROR"}
    prepare_database(database_url, env)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from bench.scale import build

    started = time.perf_counter()
    data = build()
    print(f"Scale data set ready in {time.perf_counter() - started:.0f} s", flush=True)

    base, gunicorn = serve(env, WORKERS)
    measured: list[Measured] = []
    try:
        everyone = (SITE_LEAD, ENABLER, PROGRAMME_LEAD, ADMINISTRATOR, CLOSED_SITE_LEAD)
        cookies = {email: log_in(base, email) for email in everyone}
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA)
        print(
            f"Each page: {WARM_UP_SECONDS} s warm-up, then {SECONDS} s at concurrency {CONCURRENCY}, {WORKERS} workers"
        )
        baseline_page = Page("baseline (trivial page)", ENABLER, "/bench/baseline/", "baseline")
        first = measure(base, baseline_page, cookies[ENABLER], script.name)
        for page in [page for page in pages(data) if page.name.startswith(ONLY)]:
            measured.append(measure(base, page, cookies[page.persona], script.name))
        last = measure(base, baseline_page, cookies[ENABLER], script.name)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    baseline_rate = (first.rate + last.rate) / 2
    if ONLY:
        for item in measured:
            print(f"{item.page.name}: {item.rate / baseline_rate:.0%} of the baseline ({baseline_rate:.0f}/s)")
        return 0
    database_lines = database_measures(data)

    header = (
        "| page | rps | p50 ms | p95 ms | p99 ms | p50 alone ms | queries | ratio to baseline | target | result |\n"
    )
    header += "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
    rows = [
        f"| {first.page.name}, first | {first.rate:.0f} | {first.p50:.1f} | {first.p95:.1f} | {first.p99:.1f} | "
        f"{first.p50_alone:.1f} | "
        f"{first.queries} | {first.rate / baseline_rate:.0%} | | |",
        f"| {last.page.name}, last | {last.rate:.0f} | {last.p50:.1f} | {last.p95:.1f} | {last.p99:.1f} | "
        f"{last.p50_alone:.1f} | "
        f"{last.queries} | {last.rate / baseline_rate:.0%} | | |",
    ]
    for item in measured:
        rows.append(
            f"| {item.page.name} | {item.rate:.0f} | {item.p50:.1f} | {item.p95:.1f} | {item.p99:.1f} | "
            f"{item.p50_alone:.1f} | "
            f"{item.queries} | {item.rate / baseline_rate:.0%} | {target_of(item.page)} | "
            f"{verdict(item, baseline_rate)} |"
        )
    table = header + "\n".join(rows) + "\n"
    counts = ", ".join(f"{value:,} {key}" for key, value in data.counts.items())
    section = (
        f"## Pages at scale (`make bench`)\n\nRun on {datetime.date.today():%Y-%m-%d} with\n"
        f"`DATABASE_URL={database_url} make bench` (BENCH_SECONDS={SECONDS}, CONCURRENCY={CONCURRENCY}).\n\n"
        f"Machine: {versions()}.\n\n"
        f"Data: {counts}.\n\n"
        f"gunicorn with {WORKERS} sync workers under production settings (DEBUG off) and wrk (2 threads, "
        f"{CONCURRENCY} connections) on the same machine; each page {WARM_UP_SECONDS} s warm-up then {SECONDS} s. "
        f"Ratio: the page's requests per second over the baseline's (the mean of its first and last runs, "
        f"{baseline_rate:.0f}/s). p50 alone: {ALONE_SECONDS} s more with one connection, so no request waits for "
        "another. Queries: counted on a request after the warm-up (bench/middleware.py).\n\n"
        f"{table}\n"
        "Library searches in PostgreSQL alone (the page's query for 20 lessons, median of 7), the whole page of a "
        "search nobody made in the last few minutes (its count, its page of results and its cards computed, the "
        "shared figures kept; Django's test client in one process, median of 7) and the scans in their plans:\n\n"
        "| search | time in PostgreSQL | the whole page, nothing kept | scans |\n|---|---:|---:|---|\n"
        + "\n".join(database_lines)
        + "\n"
    )
    print(section)
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text() if docs.exists() else "# Benchmarks\n\n"
    text = re.sub(r"## Pages at scale \(`make bench`\).*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n"
    docs.write_text(text + section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
