"""Chaos 6: through GOV.UK Notify (a fake one, its own process), a worker is killed (SIGKILL) in the window no
SMTP delivery can close: Notify has accepted a message and the worker dies before it records so."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import notify
from accounts.notify import reference
from tests.fake_notify.fixtures import CALLBACK_TOKEN, TEMPLATE_ID, FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.processes import Workers, wait_until

BATCH = 30


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_notify_accepted_a_message_leaves_no_second_copy(
    fake_notify: FakeNotify, workers: Workers, settings: object
) -> None:
    """Proves that when Notify keeps the first message and the worker is killed before it can record it, a new
    worker asks Notify for that message's reference before sending again, finds it, and records it: every
    notification reaches Notify exactly once (sent, delivered to Notify, duplicates = 0)."""
    fake_notify.configure(settings)
    workers.env.update(
        NOTIFY_API_KEY=fake_notify.api_key,
        NOTIFY_BASE_URL=fake_notify.url,
        NOTIFY_EMAIL_TEMPLATE_ID=TEMPLATE_ID,
        NOTIFY_CALLBACK_TOKEN=CALLBACK_TOKEN,
        NOTIFY_TIMEOUT="60",  # the worker waits on the hung answer until it is killed
    )
    recipients = [
        User.objects.create_user(f"person.{n:03}@example.test", "x", full_name=f"P {n:03}") for n in range(BATCH)
    ]
    fake_notify.answers("accept-then-hang")  # the first message is kept, and its sender hears nothing
    first = workers.start()
    workers.wait_until_ready()

    with transaction.atomic():
        notify(recipients=recipients, kind="test", subject="Your support request has news", body="Something happened.")
    assert wait_until(lambda: len(fake_notify.messages()) >= 1, timeout=30), workers.output()
    in_the_window = Notification.objects.filter(sending_since__isnull=False, status="pending").count()
    first.kill()
    workers.start()
    assert wait_until(
        lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == BATCH, timeout=90
    ), workers.output()

    kept = Counter(message["reference"] for message in fake_notify.messages())
    expected = {reference(n) for n in Notification.objects.all()}
    sent = Notification.objects.filter(status=Notification.Status.SENT).count()
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    duplicates = sum(count - 1 for count in kept.values())
    print(
        f"\nchaos 6: notifications={BATCH} in Notify's window when killed={in_the_window} sent={sent} failed={failed} "
        f"at Notify={len(kept)} duplicates={duplicates} missing={len(expected - set(kept))}"
    )
    assert in_the_window == 1
    assert (sent, failed, len(kept), duplicates) == (BATCH, 0, BATCH, 0)
    assert set(kept) == expected
