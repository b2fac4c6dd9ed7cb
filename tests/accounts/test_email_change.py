"""Changing one's e-mail address: normalised, look-alikes refused, confirmed by a link sent to the new address,
the old address told, and the same answer whether or not another account has the address (which is told by e-mail
instead). Finding 5 of the independent security test."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from time_machine import TimeMachineFixture

from accounts.models import AuditEvent, Notification, User
from tests.helpers.people import log_in

INVISIBLE = "\u200b"
CYRILLIC_A = "\u0430"


@pytest.fixture(autouse=True)
def _delivered(mail_after_each_request: None) -> None:
    """Each request's e-mails are delivered as it ends."""


def _ask(client: Client, address: str) -> object:
    return client.post(reverse("accounts:email_change"), {"email": address}, follow=True)


def _link_in(message: mail.EmailMessage) -> str:
    return re.search(r"/accounts/security/email/confirm/[^\s]+/", message.body).group(0)


@pytest.mark.parametrize(
    "address",
    [
        f"enabler@exa{INVISIBLE}mple.test",  # a zero-width space
        f"enabler@ex{CYRILLIC_A}mple.test",  # a Cyrillic "a" among Latin letters
        "enabler@exa\u2060mple.test",  # a word joiner
        "enabler@exa\u00admple.test",  # a soft hyphen
    ],
)
def test_an_address_with_hidden_or_look_alike_characters_is_refused(site_lead: User, address: str) -> None:
    client = log_in(site_lead)

    page = _ask(client, address).content.decode()

    site_lead.refresh_from_db()
    assert "hidden characters" in page or "different alphabets" in page
    assert site_lead.email == "lead.a@example.test"
    assert mail.outbox == []


def test_the_new_address_changes_only_when_the_link_sent_to_it_is_opened(site_lead: User) -> None:
    client = log_in(site_lead)

    asked = _ask(client, "Avery.New@Example.test")
    site_lead.refresh_from_db()
    unchanged = site_lead.email
    (confirmation,) = mail.outbox
    link = _link_in(confirmation)
    shown = client.get(link)
    client.post(link)
    site_lead.refresh_from_db()

    assert "We have sent a link to avery.new@example.test" in asked.content.decode()
    assert unchanged == "lead.a@example.test"
    assert confirmation.to == ["avery.new@example.test"]
    assert "avery.new@example.test" in shown.content.decode()
    assert site_lead.email == "avery.new@example.test"
    assert AuditEvent.objects.filter(actor=site_lead, verb="changed e-mail address").exists()
    told = [message for message in mail.outbox if message.to == ["lead.a@example.test"]]
    assert [message.subject for message in told] == ["The e-mail address of your Alongside account was changed"]
    assert "avery.new" not in told[0].body


def test_the_link_works_once_only_for_its_own_account_and_not_after_a_day(
    site_lead: User, site_member: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = log_in(site_lead)
    _ask(client, "first.new@example.test")
    _ask(client, "second.new@example.test")
    first, second = (_link_in(message) for message in mail.outbox)

    someone_else = log_in(site_member).post(first)
    used = client.post(first), client.post(first)
    time_machine.move_to("2026-11-27 09:01", tick=False)
    expired = log_in(User.objects.get(pk=site_lead.pk)).post(second)

    site_lead.refresh_from_db()
    site_member.refresh_from_db()
    assert someone_else.status_code == 400
    assert site_member.email == "member.a@example.test"
    assert [response.status_code for response in used] == [302, 400]
    assert expired.status_code == 400
    assert site_lead.email == "first.new@example.test"


def test_another_accounts_address_gets_the_same_answer_and_its_owner_is_told(site_lead: User, enabler: User) -> None:
    client = log_in(site_lead)

    taken = _ask(client, "\uff25NABLER@example.test")  # a full-width "E"
    free = _ask(client, "nobody.yet@example.test")

    site_lead.refresh_from_db()
    enabler.refresh_from_db()
    answer = re.compile(r"We have sent a link to [^ ]+\. Your email address changes when you open it")
    assert answer.search(taken.content.decode()) and answer.search(free.content.decode())
    assert "Another account" not in taken.content.decode()
    assert site_lead.email == "lead.a@example.test"
    assert enabler.email != site_lead.email
    to_owner = [message for message in mail.outbox if message.to == [enabler.email]]
    assert [message.subject for message in to_owner] == ["Someone tried to use your e-mail address on Alongside"]
    assert "/confirm/" not in to_owner[0].body
    assert [message.to for message in mail.outbox if "/confirm/" in message.body] == [["nobody.yet@example.test"]]


def test_a_confirmation_link_is_never_shown_in_the_app(site_lead: User) -> None:
    client = log_in(site_lead)
    _ask(client, "avery.new@example.test")

    page = client.get(reverse("accounts:notification_list")).content.decode()

    assert Notification.objects.filter(recipient=site_lead, kind="confirm e-mail address").exists()
    assert "/confirm/" not in page


def test_the_link_for_the_longest_address_fits_its_notification(site_lead: User) -> None:
    """Found by fuzzing on PostgreSQL: a link for a 254-character address was longer than the column."""
    longest = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 56}.test"
    client = log_in(site_lead)

    _ask(client, longest)

    notification = Notification.objects.get(kind="confirm e-mail address")
    assert len(longest) == 254
    assert notification.address == longest
    assert len(notification.link) <= Notification._meta.get_field("link").max_length
