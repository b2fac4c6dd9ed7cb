"""Deny by default: every page sends an anonymous visitor to log in unless it says it is public."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_access import MATRIX, TARGETS

PUBLIC = {
    "healthz",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


@pytest.mark.parametrize(("url_name", "target"), sorted({(name, target) for name, target, _ in MATRIX}))
def test_anonymous_visitor_is_sent_to_log_in_from_every_private_page(url_name: str, target: str, objects: dict) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    responses = [Client().get(url), Client().post(url)]

    for response in responses:
        if url_name in PUBLIC:
            assert response.status_code in {200, 302, 405}  # public: answered, moved on, or GET only
        else:
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
