from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements import actions
from engagements.models import CalendarFeed, Engagement
from tests.conftest import client_for


def test_a_site_member_turns_on_a_feed_of_the_sites_sessions(engagement_a: Engagement, site_member: User) -> None:
    actions.log_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        held_on=timezone.localdate(),
        length=Decimal("2"),
        format="partnership-board",
        place="on-site",
        participants="The board",
    )
    client_for(site_member).post(reverse("engagements:calendar_turn_on"))

    feed = Client().get(reverse("engagements:calendar_feed", kwargs={"token": CalendarFeed.objects.get().token}))

    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Partnership board with Emery Enabler" in body
    assert f"DTSTART;VALUE=DATE:{timezone.localdate():%Y%m%d}" in body


def test_a_new_address_revokes_the_old_one_and_turning_off_revokes_all(site_member: User) -> None:
    client = client_for(site_member)
    client.post(reverse("engagements:calendar_turn_on"))
    old = CalendarFeed.objects.get().token
    client.post(reverse("engagements:calendar_turn_on"))
    new = CalendarFeed.objects.get().token

    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": old})).status_code == 404
    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": new})).status_code == 200
    client.post(reverse("engagements:calendar_turn_off"))
    assert Client().get(reverse("engagements:calendar_feed", kwargs={"token": new})).status_code == 404
