"""Real processes for the chaos tests, each started by the test itself so that it can stop, kill and restart them
(the processes themselves are in tests/helpers/processes.py).

Every test gets its own redis-server on a free port (never the machine's shared Redis), its own SMTP server (aiosmtpd,
in the test process) that records each message it accepts, and as many Celery workers (with embedded beat, so the
outbox sweeper runs) or gunicorn servers as it asks for, all pointed at the test database. The workers run the
outbox with short intervals: the sweeper every second, a row due again two seconds after being handed over, and the
first retry after a refused send one second later.

The tests run on PostgreSQL only: a worker and a web server are other processes, so they need a database server.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.helpers.processes import (
    OUTBOX_ENV,
    MailServer,
    RecordingHandler,
    RedisServer,
    WebServer,
    Workers,
    app_env,
    drop_broker_connections,
    free_port,
    stop_process_group,
)

FAILED_REPORT = pytest.StashKey[bool]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip before the database is set up: these tests need a database server and redis-server to start."""
    if connection.vendor != "postgresql":
        pytest.skip("Chaos tests need PostgreSQL (DATABASE_URL): the workers and the web server are other processes")
    if shutil.which("redis-server") is None:
        pytest.skip("Chaos tests need redis-server on PATH: each test starts, kills and restarts its own")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failure, so that the process fixtures print what their processes said."""
    report = yield
    if report.failed:
        item.stash[FAILED_REPORT] = True
    return report


@pytest.fixture(autouse=True)
def _outbox_timings(settings: Any) -> None:
    """The test process is the web process: it sets when a new row is due for the sweeper, so it must agree with
    the workers, as processes sharing one environment do in production."""
    settings.OUTBOX_SWEEP_SECONDS = float(OUTBOX_ENV["OUTBOX_SWEEP_SECONDS"])
    settings.OUTBOX_SWEEP_AFTER = float(OUTBOX_ENV["OUTBOX_SWEEP_AFTER"])
    settings.OUTBOX_RETRY_BASE = float(OUTBOX_ENV["OUTBOX_RETRY_BASE"])


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """The test process's own Celery app publishes to the test's Redis, for real (never inline), as a web process
    with REDIS_URL does."""
    from accounts.notifications import wait_for_publisher
    from config import celery_app

    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.task_always_eager = False
    drop_broker_connections(celery_app)
    with celery_app.connection_for_write() as probe:
        assert probe.as_uri().endswith(f"127.0.0.1:{redis_server.port}/0"), probe.as_uri()
    try:
        yield redis_server
    finally:
        wait_for_publisher(timeout=60)  # nothing may be published to the next test's broker
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        drop_broker_connections(celery_app)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    handler = RecordingHandler()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates every command at INFO
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield MailServer(port=controller.port, handler=handler)
    finally:
        handler.holding.clear()
        controller.stop()


@pytest.fixture
def workers(
    request: pytest.FixtureRequest,
    transactional_db: None,
    tmp_path: Path,
    broker: RedisServer,
    mail_server: MailServer,
) -> Iterator[Workers]:
    """Stopped before the test database is emptied: a worker holding a row lock would block the flush."""
    started = Workers(tmp_path, broker, mail_server)
    try:
        yield started
    finally:
        for worker in started.started:
            worker.stop()
        if request.node.stash.get(FAILED_REPORT, False):
            print(started.output())


@pytest.fixture
def web_server(
    request: pytest.FixtureRequest, transactional_db: None, tmp_path: Path, redis_server: RedisServer
) -> Iterator[Callable[..., WebServer]]:
    started: list[WebServer] = []

    def start(*, workers: int = 2, **extra_env: str) -> WebServer:
        env = app_env(
            REDIS_URL=redis_server.url,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
            LOG_LEVEL="WARNING",
            **extra_env,
        )
        server = WebServer(env=env, log=tmp_path / f"gunicorn-{len(started) + 1}.log", workers=workers)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            stop_process_group(server.process)
        if request.node.stash.get(FAILED_REPORT, False):
            for server in started:
                print(f"--- {server.log.name} ---\n{server.log.read_text(errors='replace')}")


# The counts each chaos test prints, repeated at the end of the run so that CI's log shows them even when the
# tests pass (pytest keeps a passing test's output to itself).
COUNTS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid.startswith("tests/reliability/"):
        COUNTS.extend(line for line in report.capstdout.splitlines() if line.startswith("chaos "))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS:
        terminalreporter.write_sep("-", "chaos tests: counts")
        for line in COUNTS:
            terminalreporter.write_line(line)
