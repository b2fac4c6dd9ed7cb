"""Two rules every request passes: how long a session may last, and two-factor for the people who must use it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import two_factor

SIGNED_IN_AT = "alongside_signed_in_at"
LAST_SEEN_AT = "alongside_last_seen_at"
# The last-seen time is written at most this often, so a burst of requests does not write the session each time.
LAST_SEEN_RESOLUTION = 60


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.get_current_timezone())
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class SessionLimitsMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_TIMEOUT after they
    signed in, and tells them why on the log-in page. (A deactivated account is signed out by Django itself: its
    session no longer yields a user at the next request.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            signed_in = _timestamp(request.session.get(SIGNED_IN_AT))
            last_seen = _timestamp(request.session.get(LAST_SEEN_AT))
            if signed_in is None:  # a session from before these limits, or made by force_login
                signed_in = last_seen = now
                request.session[SIGNED_IN_AT] = now.timestamp()
            if last_seen is None:
                last_seen = signed_in
            reason = None
            if now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT:
                hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
                reason = f"You were signed out because you signed in more than {hours} hours ago. Please sign in again."
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
                reason = f"You were signed out after {minutes} minutes without activity. Please sign in again."
            if reason:
                logout(request)  # flushes the session: a new key, nothing of the old one kept
                messages.info(request, reason)
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
            if (now - last_seen).total_seconds() >= LAST_SEEN_RESOLUTION or LAST_SEEN_AT not in request.session:
                request.session[LAST_SEEN_AT] = now.timestamp()
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until a person who has two-factor (or must have it) has used it in this session, they reach only the
    two-factor pages, log out, and public pages. Programme leads and administrators without an authenticator yet
    are taken to set one up; everyone else with one is asked for a code."""

    ALLOWED_URL_NAMES = frozenset(
        {
            "accounts:two_factor_verify",
            "accounts:two_factor_setup",
            "accounts:logout",
            "accounts:login",
            # A passkey as the second factor, from the two-factor page.
            "otp_webauthn:credential-authentication-begin",
            "otp_webauthn:credential-authentication-complete",
            "otp_webauthn:js-i18n-catalog",
            "healthz",
            "accessibility",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or two_factor.is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED_URL_NAMES:
            return None
        if not getattr(view, "login_required", True):  # public pages (a calendar feed, the reset pages) stay public
            return None
        has_device = user.roles.has_authenticator
        if not has_device and not two_factor.is_required_for(user):
            return None
        target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
