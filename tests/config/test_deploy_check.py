"""Production settings pass Django's deployment checklist with no warning at all.

`manage.py check --deploy` runs in a fresh interpreter, because the security settings are computed from the
environment when config.settings is imported: a check inside this test process would only see the test run's own
values. The environment is the one the README's "Configuration" describes for production.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.helpers.keys import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]

# Anything the developer's shell or CI exports that would change a security setting is dropped, so the check sees
# the defaults production gets, not the developer's local overrides (SECURE_SSL_REDIRECT=false, DEBUG=true, ...).
DROPPED_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "BEHIND_TLS_PROXY",
    "NOTES_MASTER_KEYS",
    "STATICFILES_STORAGE",
    "DJANGO_SETTINGS_MODULE",
    # Set for the browser tests' process (tests/e2e/conftest.py); Django's async.E001 check refuses it in production.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
DROPPED_PREFIXES = ("SECURE_", "SESSION_", "CSRF_")


def _deploy_check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED_VARIABLES and not key.startswith(DROPPED_PREFIXES)
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        # Long and random, as Django's security.W009 asks: at least 50 characters, not a "django-insecure-" key.
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="alongside.example.org",
        BEHIND_TLS_PROXY="true",
        # A throw-away file: the checks must not need a database, and must never open the developer's.
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        NOTES_MASTER_KEYS=TEST_MASTER_KEY,
    )
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path: Path) -> None:
    result = _deploy_check(tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert not (tmp_path / "deploy-check.sqlite3").exists(), "the deploy check opened the database"


def test_the_deploy_check_is_real_debug_on_fails_it(tmp_path: Path) -> None:
    """The same command with DEBUG on must fail, or the test above would pass for a check that never ran."""
    result = _deploy_check(tmp_path, DEBUG="true")

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "security.W018" in output, output  # DEBUG in deployment
    assert "security.W004" in output, output  # and, with it, no HSTS
