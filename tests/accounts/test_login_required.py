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
def test_anonymous_visitor_is_sent_to_log_in_from_every_private_page(
    url_name: str, target: str, site_a: object, site_b: object
) -> None:
    url = reverse(url_name, kwargs=TARGETS[target]({"site_a": site_a, "site_b": site_b}))

    response = Client().get(url)

    if url_name in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
