"""Sign-in through an organisation's provider, against a real one: tests/oidc_provider, run by gunicorn for the
whole test run (the `oidc_provider` fixture). Each test configures Alongside to use it (`provider`)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tests.oidc_provider.fixtures import SLUG, LocalProvider, oidc_provider

__all__ = ["oidc_provider"]  # the session's provider, for every test below this directory


@pytest.fixture
def provider(oidc_provider: LocalProvider, settings: Any, db: None) -> LocalProvider:
    """Alongside with the one provider "Test NHSmail", vouching for nhs.test (accounts.oidc forgets its clients
    whenever OIDC_PROVIDERS changes)."""
    settings.OIDC_PROVIDERS = oidc_provider.setting()
    return oidc_provider


def start_url(slug: str = SLUG, next_url: str | None = None) -> str:
    url = reverse("accounts:oidc_start", args=[slug])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def sign_in_with_provider(
    client: Client,
    provider: LocalProvider,
    username: str,
    *,
    slug: str = SLUG,
    next_url: str | None = None,
    browser: requests.Session | None = None,
) -> HttpResponse:
    """The whole journey as a browser makes it: the button on Alongside's log-in page, the provider's own log-in,
    and back to Alongside's callback. Returns Alongside's answer to the callback."""
    return client.get(authorized_callback(client, provider, username, slug=slug, next_url=next_url, browser=browser))


def authorized_callback(
    client: Client,
    provider: LocalProvider,
    username: str,
    *,
    slug: str = SLUG,
    next_url: str | None = None,
    browser: requests.Session | None = None,
) -> str:
    """Up to the provider's redirect back to Alongside: the callback URL, with its code and state, not yet
    opened."""
    start = client.get(start_url(slug, next_url))
    assert start.status_code == 302, start
    assert start["Location"].startswith(provider.authorization_endpoint), start["Location"]
    return provider.authorize(start["Location"], username, browser=browser)
