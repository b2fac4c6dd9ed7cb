"""Outside DEBUG, the web and the Celery worker refuse to start with the console e-mail back end (which would print
live invitation and password reset links to the server's output), unless the operator says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "Alongside will not start: e-mail would be printed to the server's output"
# What the developer's shell or the test run exports that would change the answer.
DROPPED = {"DEBUG", "EMAIL_URL", "ALLOW_CONSOLE_EMAIL", "NOTIFY_API_KEY", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}


def _start(command: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(SECRET_KEY="alongside-tests-only", **environment)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


WEB = [sys.executable, "-c", "import config.wsgi"]
ASGI = [sys.executable, "-c", "import config.asgi"]
# The worker stops before it consumes anything; one that started after all would run until the timeout above, which
# fails the test.
WORKER = [sys.executable, "-m", "celery", "--app", "config", "worker", "--pool", "solo", "--loglevel", "warning"]


@pytest.mark.parametrize("command", [WEB, ASGI, WORKER], ids=["web", "asgi", "worker"])
def test_production_with_the_console_email_back_end_refuses_to_start(command: list[str]) -> None:
    result = _start(command)

    assert result.returncode != 0
    assert REFUSAL in result.stderr


@pytest.mark.parametrize(
    "environment",
    [
        {"ALLOW_CONSOLE_EMAIL": "true"},
        {"EMAIL_URL": "smtp+tls://alongside:secret@mail.example.org:587"},
        {"DEBUG": "true"},
    ],
    ids=["allowed explicitly", "a mail server", "debug"],
)
def test_the_web_starts_when_the_operator_chose_the_console_or_set_a_mail_server(environment: dict) -> None:
    result = _start(WEB, **environment)

    assert result.returncode == 0, result.stderr
