"""Chaos 5: Redis is away while notifications are written, with production's outbox timings; it comes back.

An independent fault run on the production shape found rows written while Redis was down going out 65 to 139 s after
it returned: a row became due only 60 s after it was written, and beat's next sweep came up to 30 s after that. Now
a row that could not be handed over is due at once, and a worker asks for a sweep as it reconnects to the broker.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from accounts.models import User
from accounts.notifications import notify, wait_for_publisher
from tests.helpers.processes import DeliveryCounts, MailServer, RedisServer, Workers, wait_for_deliveries

WRITTEN = 20
# Production's timings (config/settings.py), not the chaos tests' short ones: beat sweeps every 30 s, and a new row
# is due for the sweeper 60 s after it is written.
PRODUCTION = {"OUTBOX_SWEEP_SECONDS": "30", "OUTBOX_SWEEP_AFTER": "60"}


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_notifications_written_while_redis_was_away_go_out_as_soon_as_it_returns(
    broker: RedisServer, mail_server: MailServer, workers: Workers, settings: object
) -> None:
    """Proves that with production's sweep timings, every notification written while Redis was down is e-mailed
    exactly once, within the 30 s that beat's own sweep could take at most, and long before the 60 s grace period
    they were written with would have made them due."""
    settings.OUTBOX_SWEEP_AFTER = 60
    workers.env.update(PRODUCTION)
    people = [
        User.objects.create_user(f"person.{n:02}@example.test", full_name=f"Person {n:02}") for n in range(WRITTEN)
    ]
    workers.start()
    workers.wait_until_ready()

    broker.kill()
    for number, person in enumerate(people):
        with transaction.atomic():
            notify(recipients=[person], kind="test", subject=f"Written while Redis was away {number:02}", body="Hello.")
    wait_for_publisher(timeout=30)
    broker.start()
    returned = time.monotonic()
    counts = wait_for_deliveries(mail_server, timeout=30)
    took = time.monotonic() - returned

    print(f"\nchaos 5: written while Redis was away={WRITTEN}; all sent {took:.1f}s after it returned; {counts.line()}")
    assert counts == DeliveryCounts(
        notifications=WRITTEN, sent=WRITTEN, delivered=WRITTEN, duplicates=0, missing=0, unexpected=0
    )
