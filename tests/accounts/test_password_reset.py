from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD


def test_password_reset_by_email_lets_the_person_choose_a_new_password(site_lead: User) -> None:
    client = Client()

    client.post(reverse("accounts:password_reset"), {"email": "Lead.A@example.test"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead.a@example.test"]
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new long passphrase", "new_password2": "a brand new long passphrase"},
    )

    assert response["Location"] == reverse("accounts:password_reset_complete")
    site_lead.refresh_from_db()
    assert site_lead.check_password("a brand new long passphrase")
    assert not site_lead.check_password(PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db: None) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_email_contains_no_password(site_lead: User) -> None:
    Client().post(reverse("accounts:password_reset"), {"email": site_lead.email})

    assert PASSWORD not in mail.outbox[0].body


def test_password_change_needs_the_old_password_and_keeps_the_person_logged_in(site_lead: User) -> None:
    client = Client()
    client.force_login(site_lead)

    refused = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    accepted = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )

    assert refused.status_code == 200
    assert "nhsuk-error-summary" in refused.content.decode()
    assert accepted["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("home")).status_code == 200


def test_password_change_refuses_a_short_common_password(site_lead: User) -> None:
    client = Client()
    client.force_login(site_lead)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )

    assert response.status_code == 200
    assert "too short" in response.content.decode()
