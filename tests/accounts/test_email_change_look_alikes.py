"""Finding 2 of issue 33, for a change of one's own address: an address that only looks like another account's
(the same skeleton, accounts.addresses) is treated as that account's: the same answer as any other, no link to it,
and its owner told. Hidden characters, two alphabets and full-width letters: tests/accounts/test_email_change.py."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.helpers.people import log_in

LATIN_ALPHA = "\u0251"  # Latin small letter alpha: a Latin letter, so one alphabet: only its look gives it away


@pytest.fixture(autouse=True)
def _delivered(mail_after_each_request: None) -> None:
    """Each request's e-mails are delivered as it ends."""


def _ask(client: Client, address: str) -> str:
    return client.post(reverse("accounts:email_change"), {"email": address}, follow=True).content.decode()


def test_a_look_alike_of_another_accounts_address_sends_no_link_and_its_owner_is_told(
    site_lead: User, enabler: User
) -> None:
    client = log_in(site_lead)

    page = _ask(client, f"enabler@ex{LATIN_ALPHA}mple.test")

    assert re.search(r"We have sent a link to [^ ]+\. Your email address changes when you open it", page)
    assert [message for message in mail.outbox if "/confirm/" in message.body] == []
    told = [message.subject for message in mail.outbox if message.to == [enabler.email]]
    assert told == ["Someone tried to use your e-mail address on Alongside"]


def test_a_link_to_an_address_that_now_looks_like_another_accounts_does_not_work(site_lead: User) -> None:
    client = log_in(site_lead)
    _ask(client, f"robin@ex{LATIN_ALPHA}mple.test")
    (message,) = mail.outbox
    link = re.search(r"/accounts/security/email/confirm/[^\s]+/", message.body).group(0)
    User.objects.create_user("robin@example.test", None, full_name="Robin Other")

    opened = client.post(link)

    site_lead.refresh_from_db()
    assert opened.status_code == 400
    assert site_lead.email == "lead.a@example.test"
