"""One delivery end to end through the real broker and a real Celery worker process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import Notification, User
from accounts.notifications import enqueue_delivery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_notification_through_redis() -> None:
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("Needs REDIS_URL and PostgreSQL (DATABASE_URL): the worker is another process")
    from config import celery_app

    celery_app.control.purge()
    recipient = User.objects.create_user("worker@example.test", "x", full_name="Wren Worker")
    notification = Notification.objects.create(recipient=recipient, kind="test", subject="Hello", body="A body")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "SECRET_KEY": "worker-test-only",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "config", "worker", "--pool", "solo", "--loglevel", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        enqueue_delivery(notification.pk)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.status != Notification.Status.PENDING:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")

    assert notification.status == Notification.Status.SENT, output
    assert notification.attempts == 1
