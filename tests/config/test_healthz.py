from __future__ import annotations

from pathlib import Path

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


def test_a_redis_outage_leaves_healthz_live_and_status_says_degraded(db: None, settings: object) -> None:
    """Every page works while Redis is away, so the probe the web's health check uses must not fail for it: a
    probe that did would turn a Redis outage into a web outage. The status report names Redis as down."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    live = Client().get(reverse("healthz"))
    report = Client().get(reverse("status"))

    assert live.status_code == 200
    assert live.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert report.status_code == 200
    assert report.json() == {"status": "degraded", "checks": {"database": "ok", "redis": "down"}}


def test_status_answers_503_when_the_database_is_down(db: None, settings: object, monkeypatch: object) -> None:
    settings.REDIS_URL = ""

    class UnreachableDatabase:
        def cursor(self) -> None:
            raise connection.Database.OperationalError("the server is not answering")

    monkeypatch.setattr("config.views.connection", UnreachableDatabase())
    response = Client().get(reverse("status"))

    assert response.status_code == 503
    assert response.json() == {"status": "down", "checks": {"database": "down"}}


def test_the_compose_web_health_check_probes_liveness_not_the_status_report() -> None:
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    web = compose.split("\n  web:", 1)[1].split("\n  worker:", 1)[0]

    assert "/healthz" in web and "/status" not in web


@pytest.mark.redis
def test_healthz_reports_a_real_redis(db: None, settings: object) -> None:
    import os

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: this run has no Redis")
    settings.REDIS_URL = os.environ["REDIS_URL"]

    response = Client().get(reverse("status"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
