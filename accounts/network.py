"""The address a request came from, as Alongside trusts it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless Alongside runs behind its own TLS proxy (BEHIND_TLS_PROXY): then the address that proxy
    saw, the last one in X-Forwarded-For. Earlier entries are whatever the client chose to send, so never trusted."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    # None when there is no address (a unix socket, a request built in code): stored as NULL, never as a made-up
    # value that an IP-address column would refuse.
    return request.META.get("REMOTE_ADDR") or None
