"""Secret tokens in paths never reach a log line, however the path is written: with a non-breaking or zero-width
space, a NUL, an accented letter or a line break after the token (Django escapes such a path before logging it),
or with any other suffix, from any logger."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from config.logging import JsonFormatter, PlainFormatter, redact_secret_paths
from engagements.actions.sessions import turn_on_calendar_feed

SUFFIXES = ["%C2%A0", "%E2%80%8B", "%00", "%C3%A9", "%0A", "%0D%0A", "%09", "%E2%80%AE", "/extra", "%2F..", "'\"<>"]


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [formatter.format(record) for record in caplog.records for formatter in (JsonFormatter(), PlainFormatter())]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_feed_address_with_a_suffix_logs_no_token(
    enabler: User,
    every_log_record: pytest.LogCaptureFixture,
    suffix: str,
) -> None:
    token = turn_on_calendar_feed(user=enabler).token

    response = Client().get(f"/calendar/{token}{suffix}.ics")

    assert response.status_code == 404
    lines = _lines(every_log_record)
    assert any("Not Found" in line for line in lines)
    assert not [line for line in lines if token in line or quote(token) in line]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_reset_address_with_a_suffix_logs_no_token(
    site_lead: User,
    every_log_record: pytest.LogCaptureFixture,
    suffix: str,
) -> None:
    uid = urlsafe_base64_encode(force_bytes(site_lead.pk))
    token = default_token_generator.make_token(site_lead)

    Client().get(f"/accounts/password-reset/{uid}/{token}{suffix}/")

    assert not [line for line in _lines(every_log_record) if token in line]


def test_every_logger_has_paths_with_tokens_redacted(every_log_record: pytest.LogCaptureFixture) -> None:
    logging.getLogger("some.library").warning(
        "Fetched %s and %s", "/calendar/abc123\\xa0.ics", "/x/password-reset/MQ/t-0k/"
    )

    (json_line, plain_line) = _lines(every_log_record)

    for line in (json_line, plain_line):
        assert "abc123" not in line and "t-0k" not in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not Found: /calendar/k3y\\xa0.ics", "Not Found: /calendar/[redacted]"),
        ("GET /accounts/password-reset/MQ/abc-123/ 404", "GET /accounts/password-reset/[redacted] 404"),
        ("GET /onboarding/join/U7B-yMeVc_XDtlD/ 200", "GET /onboarding/join/[redacted] 200"),
        (
            "/calendar/turn-on/ and /accounts/password-reset/sent/",
            "/calendar/turn-on/ and /accounts/password-reset/sent/",
        ),
    ],
)
def test_redaction_keeps_the_addresses_that_hold_no_secret(text: str, expected: str) -> None:
    assert redact_secret_paths(text) == expected
