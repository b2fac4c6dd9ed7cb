"""Chaos 1: Redis dies in the middle of a run of submissions and comes back empty."""

from __future__ import annotations

import logging
import time
from collections import Counter

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.notifications import wait_for_publisher
from engagements.models import Offer, SupportRequest
from sites.models import Programme, Region, Site, SiteMembership
from tests.helpers.people import PASSWORD, client_for
from tests.helpers.processes import DeliveryCounts, MailServer, RedisServer, Workers, wait_for_deliveries

SUBMISSIONS = 200


@pytest.mark.reliability
@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_requests_are_saved_while_redis_is_down_and_each_notification_is_delivered_once_after(
    programme: Programme,
    offer: Offer,
    programme_lead: User,
    broker: RedisServer,
    mail_server: MailServer,
    workers: Workers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Proves that with Redis killed for the middle third of 200 submissions through the real view, every
    submission answers with its redirect (no 5xx) and is saved, and that once Redis is back every notification they
    caused is e-mailed exactly once: those handed over before the crash were lost with Redis (it keeps nothing on
    disk), those made while it was down never reached it, and the outbox sweeper hands them all over again."""
    second_programme_lead = User.objects.create_user(
        "second.lead@central.example.test", PASSWORD, full_name="Sam Central", is_programme_lead=True
    )
    site_leads = []
    for number in range(SUBMISSIONS):
        site = Site.objects.create(name=f"Site {number:03}", programme=programme, region=Region.LONDON)
        lead = User.objects.create_user(f"lead.{number:03}@example.test", PASSWORD, full_name=f"Lead {number:03}")
        SiteMembership.objects.create(user=lead, site=site, role=SiteMembership.Role.LEAD)
        site_leads.append((site, lead))
    caplog.set_level(logging.WARNING, logger="alongside.security")  # 200 log-ins: not worth a line each
    workers.start()
    workers.wait_until_ready()
    statuses: Counter[int] = Counter()
    slowest_answer = {"up": 0.0, "down": 0.0}

    for number, (site, lead) in enumerate(site_leads):
        if number == SUBMISSIONS // 3:
            broker.kill()
        if number == 2 * SUBMISSIONS // 3:
            broker.start()
        redis_state = "down" if SUBMISSIONS // 3 <= number < 2 * SUBMISSIONS // 3 else "up"
        client = client_for(lead)
        started = time.monotonic()
        response = client.post(
            reverse("engagements:request_create", kwargs={"site_pk": site.pk}),
            {"offer": offer.pk, "why_now": "Ready.", "help_wanted": "Coaching.", "who_is_involved": "The board."},
        )
        slowest_answer[redis_state] = max(slowest_answer[redis_state], time.monotonic() - started)
        statuses[response.status_code] += 1
    wait_for_publisher(timeout=60)
    counts = wait_for_deliveries(mail_server, timeout=90)

    saved = SupportRequest.objects.count()
    not_handed_over = sum("could not be queued" in record.getMessage() for record in caplog.records)
    print(
        f"\nchaos 1: submitted={SUBMISSIONS} saved={saved} answers={dict(statuses)} "
        f"hand-overs refused while Redis was down={not_handed_over} "
        f"slowest answer: Redis up {slowest_answer['up']:.3f}s, down {slowest_answer['down']:.3f}s; {counts.line()}"
    )
    assert statuses == Counter({302: SUBMISSIONS})
    assert saved == SUBMISSIONS
    assert not_handed_over > 0  # the outage was real: the web process could not reach Redis
    assert (second_programme_lead.notifications.count(), programme_lead.notifications.count()) == (SUBMISSIONS,) * 2
    notifications = 2 * SUBMISSIONS
    assert counts == DeliveryCounts(
        notifications=notifications, sent=notifications, delivered=notifications, duplicates=0, missing=0, unexpected=0
    )
