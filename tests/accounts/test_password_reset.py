from __future__ import annotations

import re
import smtplib

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.tasks import deliver_notification
from tests.fake_notify.fixtures import FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.people import PASSWORD

RESET_LINK = re.compile(r"/accounts/password-reset/[^/\s]+/[^/\s]+/")


@pytest.fixture(autouse=True)
def _delivered(mail_after_each_request: None) -> None:
    """The outbox hands each request's e-mails over once its transaction commits, as in production."""


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


def test_the_reset_link_goes_through_the_outbox_like_every_email(site_lead: User) -> None:
    Client().post(reverse("accounts:password_reset"), {"email": site_lead.email})

    (notification,) = Notification.objects.filter(kind="password reset")
    (message,) = mail.outbox
    assert notification.status == Notification.Status.SENT
    assert RESET_LINK.fullmatch(notification.link)
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{notification.pk}.")


def test_with_notify_configured_the_reset_link_goes_through_notify(
    site_lead: User, fake_notify: FakeNotify, settings: object
) -> None:
    fake_notify.configure(settings)

    Client().post(reverse("accounts:password_reset"), {"email": site_lead.email})

    (message,) = fake_notify.messages()
    assert message["email_address"] == site_lead.email
    assert RESET_LINK.search(message["personalisation"]["body"])
    assert mail.outbox == []
    assert Notification.objects.get(kind="password reset").provider_id == message["id"]


def test_a_reset_asked_while_the_mail_server_refuses_is_sent_when_it_answers_again(
    site_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked while the mail server answers 451: the page says the link is on its way, and it is, on the next try."""
    from django.core.mail import EmailMultiAlternatives

    send = EmailMultiAlternatives.send

    def refuse(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    response = Client().post(reverse("accounts:password_reset"), {"email": site_lead.email})
    notification = Notification.objects.get(kind="password reset")
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    retried = deliver_notification.apply(args=[notification.pk]).get()

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert retried == "sent"
    (message,) = mail.outbox
    assert RESET_LINK.search(message.body)


def test_the_reset_email_carries_the_link_and_nothing_else_of_the_account(site_lead: User) -> None:
    Client().post(reverse("accounts:password_reset"), {"email": site_lead.email})

    body = mail.outbox[0].body
    assert RESET_LINK.search(body)
    for detail in (PASSWORD, site_lead.full_name, site_lead.get_short_name(), site_lead.email):
        assert detail not in body


def test_the_reset_link_is_kept_like_an_invitation_link_out_of_the_persons_list_in_the_app(
    site_lead: User,
) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": site_lead.email})
    client.force_login(site_lead)

    notification = Notification.objects.get(kind="password reset")
    listed = client.get(reverse("accounts:notification_list")).content.decode()
    assert notification.recipient is None and notification.address == site_lead.email
    assert not Notification.objects.visible_to(site_lead).filter(pk=notification.pk).exists()
    assert notification.link not in listed
