"""Sign-in through an organisation's provider, against a real one: tests/oidc_provider, run by gunicorn for the
whole test run (the `oidc_provider` fixture). Each test configures Alongside to use it (`provider`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.oidc_provider.fixtures import LocalProvider, oidc_provider

__all__ = ["oidc_provider"]  # the session's provider, for every test below this directory


@pytest.fixture
def provider(oidc_provider: LocalProvider, settings: Any, db: None) -> LocalProvider:
    """Alongside with the one provider "Test NHSmail", vouching for nhs.test (accounts.oidc forgets its clients
    whenever OIDC_PROVIDERS changes)."""
    settings.OIDC_PROVIDERS = oidc_provider.setting()
    return oidc_provider
