"""The e-mail back end every test runs with: Django's test back end (`mail.outbox`), which refuses any message not
sent by the outbox's delivery task (accounts.tasks.deliver_notification). Every e-mail Alongside sends is a
notification, saved with the change that causes it and delivered from there (or through GOV.UK Notify); one sent any
other way (Django's own password reset view did) would skip the retries, the delivery receipts and Notify."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends import locmem

# What the delivery task gives each message it sends (accounts.tasks.message_id), and nothing else does.
OUTBOX_MESSAGE_ID = re.compile(r"<notification-\d+\.\d{14}@[^>]+>")


class SentPastTheOutbox(AssertionError):
    """An e-mail was sent without going through the outbox."""


# Each message refused, kept as well as raised: code that sends may swallow the error (Django's password reset form
# logs any failure to send and carries on), and the test must fail all the same (tests/conftest.py checks this list).
REFUSED: list[str] = []


class OutboxOnlyBackend(locmem.EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            if not OUTBOX_MESSAGE_ID.fullmatch(str(message.extra_headers.get("Message-ID", ""))):
                REFUSED.append(str(message.subject))
                raise SentPastTheOutbox(
                    f"An e-mail ({message.subject!r}) was sent past the outbox: send it as a notification "
                    "(accounts.notifications), so that it is retried, receipted and goes through GOV.UK Notify."
                )
        return super().send_messages(email_messages)


def refused_since(start: int) -> list[str]:
    return REFUSED[start:]
