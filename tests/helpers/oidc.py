"""Signing in through an organisation's provider as a browser does, against the real one the tests run
(tests/oidc_provider): the button on Alongside's log-in page, the provider's own log-in, and back to the callback."""

from __future__ import annotations

import requests
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tests.oidc_provider.fixtures import SLUG, LocalProvider


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
