"""Sustained load on the production shape: gunicorn under production settings, driven by wrk, signed in as each
persona of the demo, for five minutes at concurrency 32. Counts errors and samples each gunicorn worker's memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside_bench make load    # LOAD_SECONDS=300 CONCURRENCY=32

It migrates and seeds the demo into that database if it is empty, serves it on a free port, logs in through the
log-in page (the programme lead with the demo's published two-factor key), then runs wrk with one persona per wrk
thread over that persona's pages. It prints a Markdown table and writes it into docs/benchmarks.md.
"""

from __future__ import annotations

import base64
import datetime
import http.cookiejar
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEMO_PASSWORD = "alongside-demo"  # noqa: S105 - the published demo password
DEMO_TOTP_SECRET = "MHRGFUMJ6GE73XHHBW5P5MZ47JTHHNYC"  # noqa: S105 - the published demo secret

PERSONAS = {
    "site.lead@example.org": ["/", "/sites/mine/", "/lessons/", "/accounts/notifications/"],
    "enabler@example.org": ["/", "/lessons/", "/lessons/?q=trust", "/accounts/preferences/"],
    "programme.lead@example.org": ["/", "/requests/queue/", "/overview/", "/sites/", "/lessons/"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str) -> dict[str, str]:
    key_file = ROOT / ".local" / "notes-master-key"  # as `make run` makes it: the database outlives one run
    if not key_file.exists() and "NOTES_MASTER_KEYS" not in os.environ:
        key_file.parent.mkdir(exist_ok=True)
        key_file.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        key_file.chmod(0o600)
    master_key = key_file.read_text().strip() if key_file.exists() else ""
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")},
        "DATABASE_URL": database_url,
        "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "NOTES_MASTER_KEYS": os.environ.get("NOTES_MASTER_KEYS", master_key),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        # Production's settings refuse the console's e-mail (config/startup.py); the benchmark keeps none.
        "EMAIL_URL": "dummymail://",
    }


def log_in(base: str, email: str) -> str:
    """Signs in through the pages, as a person would; returns the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict[str, str]) -> str:
        page = opener.open(base + path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(base + path, data=data, headers={"Referer": base + path})
        return opener.open(request).geturl()

    landed = post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
    if "/two-factor/" in landed:
        code = f"{TOTP(base64.b32decode(DEMO_TOTP_SECRET)).token():06d}"
        post(urllib.parse.urlparse(landed).path + "?" + urllib.parse.urlparse(landed).query, {"code": code})
    cookie = next(c.value for c in jar if c.name == "sessionid")
    return cookie


def prepare_database(database_url: str, env: dict[str, str]) -> None:
    """Creates the database if need be, migrates it and seeds the demo into it when it is empty."""
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    subprocess.run(
        ["createdb", name],
        env={**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"},
        check=False,
        capture_output=True,
    )
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "seed_demo", "--if-empty"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def serve(env: dict[str, str], workers: int) -> tuple[str, subprocess.Popen]:
    """gunicorn as in production, on a free port; returns its address once /healthz answers, and the process."""
    port = free_port()
    command = [str(Path(PYTHON).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    gunicorn = subprocess.Popen([*command, "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return base, gunicorn


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


LUA = """
local personas = {%s}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  persona = personas[((id - 1) %% #personas) + 1]
end
function request()
  counter = counter + 1
  local path = persona.paths[(counter %% #persona.paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. persona.cookie})
end
function done(summary, latency, requests)
  io.write(string.format(
    "STATUS non2xx3xx=%%d errors_connect=%%d errors_read=%%d errors_write=%%d errors_timeout=%%d\\n",
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("LATENCY p50=%%.1f p95=%%.1f p99=%%.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def required_database_url(command: str) -> str:
    """DATABASE_URL, which must name PostgreSQL, once wrk is known to be here; else says what is missing."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit(
            f"{command} needs DATABASE_URL pointing at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/alongside_bench"
        )
    if not shutil.which("wrk"):
        sys.exit(f"{command} needs wrk, the load generator: apt-get install wrk")
    return database_url


def main() -> int:
    database_url = required_database_url("make load")
    seconds = int(os.environ.get("LOAD_SECONDS", "300"))
    concurrency = int(os.environ.get("CONCURRENCY", "32"))
    workers = int(os.environ.get("WEB_WORKERS", str(os.cpu_count() or 2)))
    env = environment(database_url)
    prepare_database(database_url, env)
    base, gunicorn = serve(env, workers)
    try:
        cookies = {email: log_in(base, email) for email in PERSONAS}
        personas = ", ".join(
            '{cookie = "' + cookies[email] + '", paths = {' + ", ".join(f'"{p}"' for p in paths) + "}}"
            for email, paths in PERSONAS.items()
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % personas)
        threads = len(PERSONAS)
        print(f"Warm-up 15 s, then {seconds} s at concurrency {concurrency} against {workers} gunicorn workers...")
        subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(concurrency),
                "-d",
                "15s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base,
            ],
            check=True,
            capture_output=True,
        )
        pids = worker_pids(gunicorn.pid)
        memory_start = {pid: rss_kib(pid) for pid in pids}
        samples: dict[int, list[int]] = {pid: [] for pid in pids}
        run = subprocess.Popen(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(concurrency),
                "-d",
                f"{seconds}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        while run.poll() is None:
            time.sleep(10)
            for pid in pids:
                if Path(f"/proc/{pid}").exists():
                    samples[pid].append(rss_kib(pid))
        output = run.stdout.read()
        memory_end = {pid: rss_kib(pid) if Path(f"/proc/{pid}").exists() else 0 for pid in pids}
        same_workers = worker_pids(gunicorn.pid) == pids
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    status = dict(re.findall(r"(\w+)=(\d+)", re.search(r"STATUS (.*)", output).group(1)))
    latency = dict(re.findall(r"(p\d+)=([\d.]+)", re.search(r"LATENCY (.*)", output).group(1)))
    errors = sum(int(v) for v in status.values())
    error_parts = ", ".join(f"{k} {v}" for k, v in status.items())

    def mib(values: dict[int, int]) -> str:
        return ", ".join(f"{values[pid] / 1024:.0f} MiB" for pid in pids)

    growth = ", ".join(f"{(memory_end[pid] - memory_start[pid]) / 1024:+.1f}" for pid in pids)
    highest = mib({pid: max(samples[pid] or [0]) for pid in pids})
    rows = [
        ("duration, concurrency", f"{seconds} s at {concurrency} connections (wrk, {threads} threads, a persona each)"),
        ("gunicorn", f"{workers} sync workers, production settings (DEBUG off), PostgreSQL, the demo data"),
        ("requests", f"{requests:,} ({rate:.0f} per second)"),
        ("errors (non-2xx/3xx, connect, read, write, timeout)", f"{errors} ({error_parts})"),
        ("latency p50 / p95 / p99", f"{latency['p50']} / {latency['p95']} / {latency['p99']} ms"),
        ("worker memory (RSS) after warm-up", mib(memory_start)),
        ("worker memory at the end", f"{mib(memory_end)} (change {growth} MiB)"),
        ("highest sample (every 10 s)", highest),
        ("workers restarted during the run", "none" if same_workers else "yes"),
    ]
    table = "| measure | value |\n|---|---|\n" + "".join(f"| {name} | {value} |\n" for name, value in rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    section = (
        f"## Sustained load (`make load`)\n\nRun on {datetime.date.today():%Y-%m-%d}, {machine}, with\n"
        f"`DATABASE_URL={database_url} make load`.\n\n{table}"
    )
    print(section)
    docs = ROOT / "docs" / "benchmarks.md"
    text = docs.read_text() if docs.exists() else "# Benchmarks\n\n"
    text = re.sub(r"## Sustained load \(`make load`\).*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n"
    docs.write_text(text + section)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
