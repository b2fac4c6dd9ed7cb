"""A world for the overview's figures: sites, each with its lead, an engagement started today with 2 days used, and
feedback ratings spread over them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from engagements.models import EnablerProfile, Engagement, Feedback, Offer, SupportRequest
from sites.models import Programme, Site, SiteMembership
from tests.helpers.engagements import ask_for_support, start_engagement

TODAY = timezone.localdate()


def world(programme: Programme, offer: Offer, programme_lead: User, sites: int, *, feedback: list[int]) -> list:
    """`sites` sites, each with an engagement and 2 days used; feedback ratings spread over the engagements."""
    enabler = User.objects.create_user("pool@example.test", "x", full_name="Pat Pool")
    EnablerProfile.objects.create(user=enabler, capacity=50)
    engagements = []
    for number in range(sites):
        site = Site.objects.create(name=f"Place {number}", programme=programme, region="london")
        lead = User.objects.create_user(f"lead{number}@example.test", "x", full_name=f"Lee Place{number}")
        SiteMembership.objects.create(user=lead, site=site, role="lead")
        request = ask_for_support(site, offer, lead)
        SupportRequest.objects.filter(pk=request.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=number)
        )
        engagement = start_engagement(request, enabler, lead, programme_lead)
        Engagement.objects.filter(pk=engagement.pk).update(started_on=TODAY, days_used=Decimal("2"))
        engagements.append((engagement, lead))
    for index, rating in enumerate(feedback):
        engagement, lead = engagements[index % len(engagements)]
        Feedback.objects.create(
            engagement=engagement,
            moment="after-session",
            usefulness=rating,
            what_helped=f"Helped {index}",
            given_by=lead,
        )
    return engagements
