"""The fake Notify (tests/fake_notify/server.py) as a pytest fixture: started as its own process on a free port,
with a made-up API key whose service id and secret it checks the client's tokens against."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.helpers.processes import ROOT, free_port, wait_until

TEMPLATE_ID = "4f1e3a32-6d7b-4c1e-9f5a-3a1d2b6c7e80"
TEXT_TEMPLATE_ID = "9a2c5e71-0b3d-4f6a-8c1e-2d4f6a8b0c13"
CALLBACK_TOKEN = "a-callback-token-for-the-tests-only"


@dataclass
class FakeNotify:
    url: str
    api_key: str

    def answers(self, *answers: str) -> None:
        requests.post(f"{self.url}/_answers", json=list(answers), timeout=5).raise_for_status()

    def messages(self) -> list[dict]:
        return requests.get(f"{self.url}/_messages", timeout=5).json()

    def set_status(self, message_id: str, status: str) -> None:
        requests.post(f"{self.url}/_status", json={"id": message_id, "status": status}, timeout=5).raise_for_status()

    def configure(self, settings: object, *, timeout: float = 2) -> None:
        settings.NOTIFY_API_KEY = self.api_key
        settings.NOTIFY_BASE_URL = self.url
        settings.NOTIFY_EMAIL_TEMPLATE_ID = TEMPLATE_ID
        settings.NOTIFY_SMS_TEMPLATE_ID = TEXT_TEMPLATE_ID
        settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
        settings.NOTIFY_TIMEOUT = timeout


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_notify.server", str(port), service_id, secret], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _answers(url), timeout=15), "the fake Notify did not start"
        yield FakeNotify(url=url, api_key=f"alongside_tests-{service_id}-{secret}")
    finally:
        process.kill()
        process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/_messages", timeout=1).ok
    except requests.RequestException:
        return False
