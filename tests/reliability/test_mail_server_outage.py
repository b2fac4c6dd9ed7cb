"""Chaos 3: the mail server refuses every message for a while."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import notify
from accounts.tasks import MAX_ATTEMPTS
from tests.helpers.processes import DeliveryCounts, MailServer, Workers, wait_for_deliveries

NOTIFICATIONS = 30
REFUSING_SECONDS = 5


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_deliveries_retry_while_the_mail_server_refuses_and_each_arrives_once(
    mail_server: MailServer, workers: Workers
) -> None:
    """Proves that when the mail server answers "451 try again later" to every message for five seconds, each
    delivery is recorded as a failed attempt, tried again after its back-off, and arrives exactly once when the
    server accepts again: none lost, none doubled, none given up on."""
    recipients = [
        User.objects.create_user(f"person.{number:03}@example.test", "x", full_name=f"Person {number:03}")
        for number in range(NOTIFICATIONS)
    ]
    workers.start()
    workers.wait_until_ready()
    handler = mail_server.handler

    handler.refuse_until = time.monotonic() + REFUSING_SECONDS
    with transaction.atomic():
        notify(recipients=recipients, kind="test", subject="Your support request has news", body="Something happened.")
    counts = wait_for_deliveries(mail_server, timeout=90)

    attempts = Counter(Notification.objects.values_list("attempts", flat=True))
    print(
        f"\nchaos 3: submitted={NOTIFICATIONS} refused by the mail server={handler.refused} "
        f"rows by attempts={dict(sorted(attempts.items()))} {counts.line()}"
    )
    assert handler.refused >= NOTIFICATIONS
    assert min(attempts) > 1  # every row was refused at least once, then tried again
    assert max(attempts) < MAX_ATTEMPTS  # and none came near being given up
    assert counts == DeliveryCounts(
        notifications=NOTIFICATIONS,
        sent=NOTIFICATIONS,
        delivered=NOTIFICATIONS,
        duplicates=0,
        missing=0,
        unexpected=0,
    )
