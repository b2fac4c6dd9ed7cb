"""Chaos 7: Redis is away while notifications are written; when it returns, GOV.UK Notify (a fake one) leaves the
first sends unanswered. An independent check found both worker processes waiting out Notify's timeout together,
and the backlog out 36 s after Redis returned. Now a send waits NOTIFY_TIMEOUT (5 s) at most, the sends after it
wait NOTIFY_PAUSE_SECONDS (10 s) instead of asking Notify too, and the unanswered ones go again as that pause ends,
asking Notify first."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import notify, wait_for_publisher
from accounts.notify import reference
from tests.fake_notify.fixtures import CALLBACK_TOKEN, TEMPLATE_ID, FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.processes import RedisServer, Workers, wait_until

WRITTEN = 20
# Production's timings (config/settings.py), not the chaos tests' short ones.
PRODUCTION = {"OUTBOX_SWEEP_SECONDS": "30", "OUTBOX_SWEEP_AFTER": "60", "OUTBOX_RETRY_BASE": "30"}


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_notify_that_hangs_holds_the_backlog_after_a_redis_outage_only_for_its_timeout_and_back_off(
    fake_notify: FakeNotify, broker: RedisServer, workers: Workers, settings: object
) -> None:
    """Proves that with two worker processes and Notify leaving the first two sends unanswered, every notification
    written while Redis was away reaches Notify exactly once, and prints how long after Redis's return the last
    one was sent (docs/operations.md states the bound)."""
    settings.OUTBOX_SWEEP_AFTER = 60
    fake_notify.configure(settings)
    workers.env.update(
        PRODUCTION,
        NOTIFY_API_KEY=fake_notify.api_key,
        NOTIFY_BASE_URL=fake_notify.url,
        NOTIFY_EMAIL_TEMPLATE_ID=TEMPLATE_ID,
        NOTIFY_CALLBACK_TOKEN=CALLBACK_TOKEN,
    )
    people = [User.objects.create_user(f"person.{n:02}@example.test", full_name=f"P {n:02}") for n in range(WRITTEN)]
    workers.start(pool="prefork", concurrency=2)
    workers.wait_until_ready()

    broker.kill()
    for number, person in enumerate(people):
        with transaction.atomic():
            notify(recipients=[person], kind="test", subject=f"Written while Redis was away {number:02}", body="Hi.")
    wait_for_publisher(timeout=30)
    fake_notify.answers("hang", "hang")
    broker.start()
    returned = time.monotonic()
    everything_sent = wait_until(
        lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == WRITTEN, timeout=150
    )
    took = time.monotonic() - returned

    kept = Counter(message["reference"] for message in fake_notify.messages())
    duplicates = sum(count - 1 for count in kept.values())
    print(
        f"\nchaos 7: written={WRITTEN}; Notify hung 2 sends; all sent {took:.1f}s after Redis returned; at Notify="
        f"{len(kept)} duplicates={duplicates}"
    )
    assert everything_sent, workers.output()
    assert set(kept) == {reference(n) for n in Notification.objects.all()}
    assert duplicates == 0
