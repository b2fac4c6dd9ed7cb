from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.helpers.people import PASSWORD


def test_site_lead_logs_in_with_email_and_lands_on_home(site_lead: User) -> None:
    client = Client()

    response = client.post(reverse("accounts:login"), {"username": "LEAD.A@example.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == site_lead


def test_login_returns_to_the_page_first_asked_for(site_lead: User, site_a: object) -> None:
    wanted = reverse("sites:site_detail", kwargs={"pk": site_a.pk})
    client = Client()

    first = client.get(wanted)
    response = client.post(first["Location"], {"username": site_lead.email, "password": PASSWORD, "next": wanted})

    assert response["Location"] == wanted


@pytest.mark.parametrize("email", ["lead.a@example.test", "nobody@example.test"])
def test_wrong_password_says_so_without_saying_whether_the_account_exists(site_lead: User, email: str) -> None:
    response = Client().post(reverse("accounts:login"), {"username": email, "password": "not-the-password"})

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()


def test_failed_login_keeps_the_email_typed(db: None) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "typed@example.test", "password": "x"})

    assert 'value="typed@example.test"' in response.content.decode()


def test_deactivated_account_cannot_log_in(site_lead: User) -> None:
    site_lead.is_active = False
    site_lead.save(update_fields=["is_active"])

    client = Client()

    response = client.post(reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logout_is_a_post_and_ends_the_session(site_lead: User) -> None:
    client = Client()
    client.force_login(site_lead)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_empty_login_form_says_what_to_enter(db: None) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "", "password": ""})

    html = response.content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


@pytest.mark.parametrize("next_url", ["0", "home", "abc", "//evil.example/", "https://evil.example/"])
def test_signing_in_follows_next_only_to_a_path_of_this_site(site_lead: User, next_url: str) -> None:
    response = Client().post(
        reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
