"""Settings come from the environment, and a production start without a secret key refuses, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update(environment)
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_missing_secret_key_outside_debug_stops_the_start_with_one_line() -> None:
    result = _load_settings()

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Alongside will not start: set SECRET_KEY (or DEBUG=true for local development only)."
    )


def test_debug_runs_without_a_secret_key_on_sqlite_with_tasks_inline() -> None:
    result = _load_settings(DEBUG="true", REDIS_URL="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_database_url_switches_to_postgresql_and_redis_url_to_a_real_broker() -> None:
    result = _load_settings(
        SECRET_KEY="k",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/alongside",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "False"]


def test_settings_keep_connections_healthy_and_speak_british_english(settings: object) -> None:
    database = settings.DATABASES["default"]

    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"
    assert "config.middleware.StaticFilesMiddleware" in settings.MIDDLEWARE  # WhiteNoise, with the icons
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


def test_nhsuk_icons_are_served_where_the_stylesheet_expects_them(db: None) -> None:
    from django.test import Client

    response = Client().get("/assets/images/nhsuk-icon-arrow-right.svg")

    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
