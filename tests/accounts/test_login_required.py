"""Deny by default: every page sends an anonymous visitor to log in unless it is one of the few public ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers.access import LOGIN, MATRIX, TARGETS

# The only pages open without a login, each for a reason.
PUBLIC = {
    "healthz",  # for the load balancer and monitoring
    "status",  # for monitoring: each part by name
    "accounts:notify_receipt",  # GOV.UK Notify's servers, with a bearer token
    "accessibility",  # a public-sector service publishes its accessibility statement
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "engagements:calendar_feed",  # calendar programs cannot log in; the secret address guards it
    "onboarding:invitation_accept",  # the invited person has no account yet; the single-use link guards it
    "accounts:oidc_start",  # signing in through an organisation's provider, not yet signed in
    "accounts:oidc_callback",
    "otp_webauthn:credential-authentication-begin",  # signing in with a passkey, not yet signed in
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",  # the passkey script's words, for the log-in page
}


def test_the_public_pages_are_exactly_the_ones_listed() -> None:
    open_to_anonymous = {name for name, _, expected in MATRIX if expected["anonymous"] != LOGIN}

    assert open_to_anonymous == PUBLIC


@pytest.mark.parametrize(("url_name", "target"), sorted({(n, t) for n, t, _ in MATRIX if n not in PUBLIC}))
def test_anonymous_visitor_is_sent_to_log_in_from_every_private_page(url_name: str, target: str, objects: dict) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    responses = [Client().get(url), Client().post(url)]

    for response in responses:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
