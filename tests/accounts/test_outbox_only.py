"""Every e-mail Alongside sends goes through the outbox (accounts.notifications, delivered by accounts.tasks): the
tests' e-mail back end (tests/outbox_mail.py) refuses any other, so that code sending past it fails the suite."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification, User
from accounts.tasks import deliver_notification
from tests import outbox_mail


def test_an_email_sent_past_the_outbox_is_refused_and_remembered(db: None) -> None:
    start = len(outbox_mail.REFUSED)

    with pytest.raises(outbox_mail.SentPastTheOutbox):
        mail.send_mail("Reset your password", "A link", None, ["someone@example.test"])

    assert outbox_mail.refused_since(start) == ["Reset your password"]
    del outbox_mail.REFUSED[start:]  # this test's own refusal is the point: the autouse check must not fail it
    assert mail.outbox == []


def test_an_email_the_outbox_delivers_is_accepted(site_lead: User) -> None:
    notification = Notification.objects.create(recipient=site_lead, kind="test", subject="Hello", body="A body")

    deliver_notification.apply(args=[notification.pk]).get()

    (message,) = mail.outbox
    assert message.subject == "Hello"
