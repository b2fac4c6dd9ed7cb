"""While the database is away, every page answers 503 with a plain message, and /healthz says which part is down."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.helpers.people import client_for


def _database_gone(*args: object, **kwargs: object) -> None:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_a_page_answers_503_with_a_plain_message_when_the_database_is_away(
    site_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(site_lead)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionStore, "load", _database_gone)  # the first thing a page reads from the database

    response = client.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Alongside cannot reach its database just now" in response.content.decode()
    assert "anything you had already saved is safe" in response.content.decode()


def test_any_other_failure_is_still_a_500(site_lead: User, monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_for(site_lead)
    client.raise_request_exception = False

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionStore, "load", broken)

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_healthz_says_the_database_is_down(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("config.views._database_ok", lambda: False)

    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
