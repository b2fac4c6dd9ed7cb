"""No container engine runs on the development machines, so the production shape is checked by reading it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_has_the_five_services_of_production(services: dict) -> None:
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_every_service_has_a_health_check_or_a_volume(services: dict) -> None:
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("db", "redis", "beat"):
        assert services[name]["volumes"], name


def test_web_migrates_before_gunicorn_serves(services: dict) -> None:
    command = services["web"]["command"]

    assert command.index("migrate") < command.index("gunicorn")
    assert "config.wsgi:application" in command


def test_worker_and_beat_run_celery_with_the_project_app(services: dict) -> None:
    assert services["worker"]["command"][:4] == ["celery", "--app", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "--app", "config", "beat"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_get_the_database_redis_and_a_required_secret(services: dict, name: str) -> None:
    environment = services[name]["environment"]

    assert environment["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # Set in .env, these reach the app only if compose passes them on: without the first, notes are off.
    for setting in ("NOTES_MASTER_KEYS", "OIDC_PROVIDERS", "NOTIFY_API_KEY", "NOTIFY_EMAIL_TEMPLATE_ID", "SITE_URL"):
        assert environment[setting].startswith(f"${{{setting}:-"), setting
    assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_dockerfile_installs_from_the_lock_file_and_serves_with_gunicorn() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "pip install -r requirements/base.txt" in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile
    assert "USER alongside" in dockerfile
