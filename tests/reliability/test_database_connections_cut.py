"""Chaos 4: every database connection of the running app is cut (pg_terminate_backend) while it serves traffic."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from accounts.models import User
from tests.helpers.people import PASSWORD
from tests.helpers.processes import WebServer, wait_until

GUNICORN_WORKERS = 2
TERMINATIONS = 3
# The condition on pid is in the WHERE clause and the termination in the select list, so that no plan can
# terminate the test's own connection before it filters it out.
TERMINATE_EVERY_OTHER_CONNECTION = """
    SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


@dataclass(frozen=True)
class Answer:
    client: str
    path: str
    started: float
    ended: float
    status: int  # 0 when no HTTP answer came at all


@dataclass(frozen=True)
class Cut:
    started: float
    ended: float  # when the terminated backends had gone
    connections: int


class Visitor(threading.Thread):
    """Asks for pages one after another until told to stop, recording each answer."""

    def __init__(self, name: str, base_url: str, paths: list[str], answers: list[Answer]) -> None:
        super().__init__(name=name, daemon=True)
        self.base_url = base_url
        self.paths = paths
        self.answers = answers
        self.stopping = threading.Event()
        self.last_page = ""
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, data: dict[str, str] | None = None) -> int:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=10) as response:
                self.last_page = response.read().decode(errors="replace")
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def sign_in(self, email: str) -> None:
        assert self.get("/accounts/login/") == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.last_page)
        assert token, "no CSRF token on the sign-in page"
        fields = {"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD, "next": "/"}
        assert self.get("/accounts/login/", fields) == 200  # the redirect to the home page, followed
        assert "Log out" in self.last_page, "not signed in"

    def run(self) -> None:
        while not self.stopping.is_set():
            for path in self.paths:
                started = time.monotonic()
                status = self.get(path)
                self.answers.append(Answer(self.name, path, started, time.monotonic(), status))


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_the_app_answers_again_at_once_after_its_database_connections_are_cut(
    site_lead: User, web_server: Callable[..., WebServer], settings: Any
) -> None:
    """Proves that the real app (gunicorn, two workers, persistent database connections) needs no restart when
    PostgreSQL drops its connections, as in a database restart or fail-over: after each cut, the next requests, to
    the health check, the sign-in page and a signed-in person's home page, all answer 200. Only a request in flight
    at the moment of the cut may fail, at most one per gunicorn worker."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # one the app knows
    site_lead.set_password(PASSWORD)
    site_lead.save(update_fields=["password"])
    server = web_server(workers=GUNICORN_WORKERS, CONN_MAX_AGE="600")
    assert wait_until(lambda: _status(server.url + "/healthz") == 200, timeout=30), "gunicorn did not start"
    gunicorn_workers = server.worker_pids()
    answers: list[Answer] = []
    signed_in = Visitor("signed-in", server.url, ["/healthz", "/"], answers)
    signed_in.sign_in(site_lead.email)
    visitors = [Visitor("anonymous", server.url, ["/healthz", "/accounts/login/"], answers), signed_in]
    for visitor in visitors:
        visitor.start()
    cuts = []

    time.sleep(1)
    for _ in range(TERMINATIONS):
        cuts.append(_cut_every_connection())
        time.sleep(1)
    for visitor in visitors:
        visitor.stopping.set()
        visitor.join(timeout=15)

    in_flight = [a for a in answers if any(a.started < cut.ended and a.ended > cut.started for cut in cuts)]
    failed_in_flight = [a for a in in_flight if a.status != 200]
    failed_after = [a for a in answers if a.status != 200 and a not in in_flight]
    print(
        f"\nchaos 4: requests={len(answers)} ok={sum(a.status == 200 for a in answers)} terminations={len(cuts)} "
        f"connections cut={[cut.connections for cut in cuts]} in flight at a cut={len(in_flight)} "
        f"failed in flight={[(a.path, a.status) for a in failed_in_flight]} failed after={len(failed_after)}"
    )
    assert all(cut.connections >= 1 for cut in cuts)  # the app's persistent connections really were cut
    assert failed_after == []
    for cut in cuts:
        during = [a for a in failed_in_flight if a.started < cut.ended and a.ended > cut.started]
        assert len(during) <= GUNICORN_WORKERS
        for visitor in visitors:
            after = [a for a in answers if a.client == visitor.name and a.started >= cut.ended]
            assert after and after[0].status == 200, f"{visitor.name}: nothing answered after the cut"
    assert server.process.poll() is None
    assert server.worker_pids() == gunicorn_workers  # the same gunicorn workers: nothing was restarted


def _cut_every_connection() -> Cut:
    """Terminate every connection to the test database but the test's own; done when the backends have gone."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(TERMINATE_EVERY_OTHER_CONNECTION)
        terminated = [pid for pid, signalled in cursor.fetchall() if signalled]

    def gone() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [terminated])
            return cursor.fetchone() == (0,)

    assert wait_until(gone, timeout=10, interval=0.01), f"backends {terminated} did not go"
    return Cut(started=started, ended=time.monotonic(), connections=len(terminated))


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server, plain HTTP)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0
