from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse


def test_healthz_reports_the_database_without_a_login(db: None, settings: object) -> None:
    settings.REDIS_URL = ""

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_answers_503_when_the_database_is_down(db: None, settings: object, monkeypatch: object) -> None:
    settings.REDIS_URL = ""

    class UnreachableDatabase:
        def cursor(self) -> None:
            raise connection.Database.OperationalError("the server is not answering")

    monkeypatch.setattr("config.views.connection", UnreachableDatabase())
    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


def test_healthz_answers_503_when_redis_is_configured_but_down(db: None, settings: object) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "down"}


@pytest.mark.redis
def test_healthz_reports_a_real_redis(db: None, settings: object) -> None:
    import os

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: this run has no Redis")
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"
