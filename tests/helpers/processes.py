"""Real processes for the tests that need them, each started by the test itself so that it can stop, kill and
restart them: a redis-server of its own on a free port, an SMTP server (aiosmtpd, in the test process) that records
each message it accepts, Celery workers (with embedded beat, so the outbox sweeper runs) and gunicorn servers, all
pointed at the test database. The fixtures that start them are in tests/reliability/conftest.py; the OpenID provider
and the fake GOV.UK Notify start theirs with the same pieces."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis
from celery import Celery
from django.db import connection

from accounts.models import Notification
from tests.helpers.keys import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "alongside-chaos-tests-only"
# What the workers run with: short enough for a test, the same code paths as production's minutes.
OUTBOX_ENV = {"OUTBOX_SWEEP_SECONDS": "1", "OUTBOX_SWEEP_AFTER": "2", "OUTBOX_RETRY_BASE": "1"}
SETTLE_SECONDS = 3  # longer than a sweep and a hand-over: a duplicate still on its way would arrive in this time
REDIS_NOTHING_ON_DISK = ["--save", "", "--appendonly", "no"]
# Production's worker, with beat embedded so that the outbox sweeper runs; without the chatter between workers.
CELERY_WORKER = ["-m", "celery", "--app", "config", "worker", "--beat", "--loglevel", "warning", "--without-mingle"]
CELERY_WORKER += ["--without-gossip", "--without-heartbeat"]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# gunicorn's control socket is one path for every gunicorn on the machine: without it, servers cannot collide.
GUNICORN_OPTIONS = ["--no-control-socket"]
REDIS_SERVER = shutil.which("redis-server") or "redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, for other processes (as tests/engagements/test_celery_worker.py does)."""
    database = connection.settings_dict
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database["HOST"] or "127.0.0.1"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{database['NAME']}"


def app_env(**extra: str) -> dict[str, str]:
    """The environment of a worker or a web server: production's settings, with the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": SECRET_KEY,
        "NOTES_MASTER_KEYS": TEST_MASTER_KEY,
        "LOG_FORMAT": "plain",
        **extra,
    }
    env.pop("DEBUG", None)
    return env


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def stop_process_group(process: subprocess.Popen[bytes], *, grace: float = 10) -> None:
    """Ask a process and its children to stop, then kill whatever is left."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children a dead parent left behind, too
    process.wait(timeout=grace)


# Redis -------------------------------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own. Nothing is saved to disk, so a restart loses every queued task, as a crash
    of a Redis without persistence would: only the outbox can bring those deliveries back."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                *REDIS_NOTHING_ON_DISK,
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert wait_until(self.answers, timeout=10, interval=0.05), f"redis-server did not start on {self.port}"

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """Redis dies at once (SIGKILL): no goodbye to its clients, and what it held is gone."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)


def drop_broker_connections(app: Celery) -> None:
    """Celery keeps a pool of broker connections and of producers, made for the broker URL of the moment; without
    this it would go on publishing wherever it published before."""
    for pool in (app._pool, app.amqp._producer_pool):
        if pool is not None:
            pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


# Mail --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMessage:
    recipient: str
    subject: str


class RecordingHandler:
    """An aiosmtpd handler that records each message it accepts. It can refuse every message for a while (451, as
    a mail server that is overloaded or restarting does), slow each conversation down before the message is sent,
    and hold every new conversation before the message is sent, so that a test knows no message is half-way."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[ReceivedMessage] = []
        self.refused = 0
        self.refuse_until = 0.0  # time.monotonic() before which every message is refused
        self.delay_before_data = 0.0
        self.holding = threading.Event()
        self.held = 0
        # Conversations that have passed RCPT and have not had their answer to DATA yet.
        self.in_progress: set[int] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if self.holding.is_set():
            with self.lock:
                self.held += 1
            while self.holding.is_set():
                await asyncio.sleep(0.01)
            with self.lock:
                self.held -= 1
        if self.delay_before_data:
            await asyncio.sleep(self.delay_before_data)
        with self.lock:
            self.in_progress.add(id(session))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.in_progress.discard(id(session))
            if time.monotonic() < self.refuse_until:
                self.refused += 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            for recipient in envelope.rcpt_tos:
                self.messages.append(ReceivedMessage(recipient=recipient, subject=str(message["Subject"])))
        return "250 Message accepted for delivery"

    def received(self) -> list[ReceivedMessage]:
        with self.lock:
            return list(self.messages)


@dataclass
class MailServer:
    port: int
    handler: RecordingHandler

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class DeliveryCounts:
    notifications: int
    sent: int
    delivered: int  # notifications with at least one message at the mail server
    duplicates: int  # messages beyond the first for a notification
    missing: int
    unexpected: int  # messages that match no notification

    def line(self) -> str:
        return (
            f"notifications={self.notifications} sent={self.sent} delivered={self.delivered} "
            f"duplicates={self.duplicates} missing={self.missing} unexpected={self.unexpected}"
        )


def delivery_counts(notifications: Iterable[Notification], received: list[ReceivedMessage]) -> DeliveryCounts:
    """Each notification is one message to its recipient with its subject: the tests give every notification its
    own (recipient, subject)."""
    notifications = list(notifications)
    expected = {(n.recipient.email, n.subject) for n in notifications}
    assert len(expected) == len(notifications), "each notification needs its own recipient and subject"
    copies = Counter((message.recipient, message.subject) for message in received)
    return DeliveryCounts(
        notifications=len(notifications),
        sent=sum(n.status == Notification.Status.SENT for n in notifications),
        delivered=sum(1 for key in expected if copies[key]),
        duplicates=sum(copies[key] - 1 for key in expected if copies[key] > 1),
        missing=sum(1 for key in expected if not copies[key]),
        unexpected=sum(count for key, count in copies.items() if key not in expected),
    )


def wait_for_deliveries(mail_server: MailServer, *, timeout: float) -> DeliveryCounts:
    """Wait until every notification is sent and the mail server holds a message for each, then a little longer
    so that a duplicate on its way arrives too; the counts are taken after that."""

    def counts() -> DeliveryCounts:
        return delivery_counts(Notification.objects.select_related("recipient"), mail_server.handler.received())

    wait_until(lambda: (c := counts()).sent == c.notifications and c.missing == 0, timeout=timeout, interval=0.5)
    time.sleep(SETTLE_SECONDS)
    return counts()


# Celery workers ----------------------------------------------------------------------------------------------------


class Worker:
    """`celery worker --beat` in its own process group (so that a kill takes its children and beat with it)."""

    def __init__(self, *, env: dict[str, str], log: Path, schedule: Path, pool: str, concurrency: int) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, *CELERY_WORKER, "--schedule", str(schedule), "--pool", pool, "-c", str(concurrency)],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the worker, its pool's children and beat at once: nothing is finished, acknowledged or
        rolled back by the worker itself."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process_group(self.process, grace=15)


class Workers:
    """Starts Celery workers against the test's Redis, mail server and database; stops them all at the end."""

    def __init__(self, directory: Path, redis_server: RedisServer, mail_server: MailServer) -> None:
        self.directory = directory
        self.env = app_env(REDIS_URL=redis_server.url, EMAIL_URL=mail_server.url, **OUTBOX_ENV)
        self.started: list[Worker] = []

    def start(self, *, pool: str = "solo", concurrency: int = 1) -> Worker:
        number = len(self.started) + 1
        worker = Worker(
            env=self.env,
            log=self.directory / f"worker-{number}.log",
            schedule=self.directory / f"beat-schedule-{number}",  # a killed beat may leave its file half-written
            pool=pool,
            concurrency=concurrency,
        )
        self.started.append(worker)
        return worker

    def wait_until_ready(self, *, timeout: float = 30) -> None:
        """Until a worker answers a ping through the broker: it is consuming."""
        from config import celery_app

        assert wait_until(lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=timeout), self.output()

    def output(self) -> str:
        return "\n".join(f"--- {w.log.name} ---\n{w.log.read_text(errors='replace')}" for w in self.started)


# The web app -------------------------------------------------------------------------------------------------------


class WebServer:
    """The real app under gunicorn, with production's settings (DEBUG off) but plain HTTP."""

    def __init__(self, *, env: dict[str, str], log: Path, workers: int) -> None:
        self.port = free_port()
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "config.wsgi:application",
                    *GUNICORN_OPTIONS,
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> set[int]:
        """gunicorn's worker processes: the same set before and after means none was restarted."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}
