"""Chaos 2: the Celery worker is killed (SIGKILL) in the middle of a batch of deliveries."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import notify
from tests.helpers.processes import DeliveryCounts, MailServer, Workers, wait_for_deliveries, wait_until

BATCH = 100


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_leaves_every_email_delivered_exactly_once(
    mail_server: MailServer, workers: Workers
) -> None:
    """Proves that when a worker (prefork, two processes, with beat) is killed with SIGKILL half-way through 100
    deliveries, while its processes are in the middle of deliveries (row claimed and locked, transaction open, SMTP
    conversation started), a new worker delivers every e-mail exactly once: the killed transactions roll back and
    free their rows, and the tasks lost with the worker (acknowledged late, so never acknowledged) come back through
    the outbox sweeper.

    SMTP has no two-phase commit, so one window cannot be closed by any design: the mail server has accepted a
    message and the worker is killed before it records so; that message is then sent again. The kill here lands
    outside that window (the mail server holds each new conversation before its message, and every message it has
    accepted is recorded as sent), so a second copy would be Alongside's fault, and there must be none."""
    recipients = [
        User.objects.create_user(f"person.{number:03}@example.test", "x", full_name=f"Person {number:03}")
        for number in range(BATCH)
    ]
    handler = mail_server.handler
    handler.delay_before_data = 0.05  # so that the batch takes a few seconds
    first = workers.start(pool="prefork", concurrency=2)
    workers.wait_until_ready()

    with transaction.atomic():
        notify(recipients=recipients, kind="test", subject="Your support request has news", body="Something happened.")
    assert wait_until(lambda: len(handler.received()) >= BATCH // 2, timeout=60), workers.output()
    handler.holding.set()
    assert wait_until(lambda: _no_message_half_way(mail_server) and handler.held >= 1, timeout=10), workers.output()
    held = handler.held
    first.kill()
    sent_at_kill = Notification.objects.filter(status=Notification.Status.SENT).count()
    handler.holding.clear()
    handler.delay_before_data = 0
    workers.start(pool="prefork", concurrency=2)
    counts = wait_for_deliveries(mail_server, timeout=90)

    print(
        f"\nchaos 2: submitted={BATCH} sent when killed={sent_at_kill} deliveries in progress when killed={held} "
        f"{counts.line()}"
    )
    assert 0 < sent_at_kill < BATCH
    assert held >= 1
    assert counts == DeliveryCounts(
        notifications=BATCH, sent=BATCH, delivered=BATCH, duplicates=0, missing=0, unexpected=0
    )


def _no_message_half_way(mail_server: MailServer) -> bool:
    """No conversation is between sending its message and hearing the answer, and every message the mail server
    has accepted is recorded as sent."""
    handler = mail_server.handler
    with handler.lock:
        if handler.in_progress:
            return False
    accepted = {message.recipient for message in handler.received()}
    recorded = set(
        Notification.objects.filter(status=Notification.Status.SENT).values_list("recipient__email", flat=True)
    )
    return accepted <= recorded
