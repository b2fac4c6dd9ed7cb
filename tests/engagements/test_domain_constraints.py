"""Every invariant of the domain is the database's own rule: each is tried here with the ORM, past the forms and
the actions, and the database refuses. (The engagement-from-a-request rules are tried in test_engagement_confirm.)"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from core.errors import NotAllowed
from engagements.actions.engagement import agree_extra_days
from engagements.models import Engagement, Offer, SupportRequest
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement


def test_one_open_request_per_site_and_offer(site_a: Site, offer: Offer, site_lead: User) -> None:
    first = ask_for_support(site_a, offer, site_lead)

    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequest.objects.create(
            site=site_a, offer=offer, created_by=site_lead, why_now="Again.", help_wanted="Again."
        )
    SupportRequest.objects.filter(pk=first.pk).update(state=SupportRequest.State.WITHDRAWN)
    SupportRequest.objects.create(site=site_a, offer=offer, created_by=site_lead, why_now="Now.", help_wanted="Now.")

    assert SupportRequest.objects.filter(site=site_a, offer=offer).count() == 2  # a closed one and one open


def test_at_most_one_enabler_per_engagement_and_never_none(engagement_a: Engagement) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.filter(pk=engagement_a.pk).update(enabler=None)

    assert [field.name for field in Engagement._meta.fields if field.name == "enabler"] == ["enabler"]
    assert not Engagement._meta.get_field("enabler").many_to_many


@pytest.fixture
def on_site(site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> Engagement:
    return start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)


def test_the_day_budget_is_not_exceeded_without_the_sites_agreement(on_site: Engagement, site_lead: User) -> None:
    assert on_site.day_allowance == Decimal("5")

    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.filter(pk=on_site.pk).update(days_used=Decimal("5.5"))
    agree_extra_days(engagement=on_site, by=site_lead, days=Decimal("1"), reason="The board asked for one more day.")
    Engagement.objects.filter(pk=on_site.pk).update(days_used=Decimal("6"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.filter(pk=on_site.pk).update(days_used=Decimal("6.5"))

    on_site.refresh_from_db()
    assert (on_site.days_used, on_site.days_available) == (Decimal("6"), Decimal("6"))


def test_extra_days_cannot_be_made_negative_to_shrink_a_budget(on_site: Engagement) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.filter(pk=on_site.pk).update(days_extra=Decimal("-1"))


def test_using_days_beyond_the_budget_is_refused_with_a_message(on_site: Engagement, enabler: User) -> None:
    on_site.use_days(Decimal("4"))
    stale = Engagement.objects.get(pk=on_site.pk)
    Engagement.objects.filter(pk=on_site.pk).update(days_used=Decimal("4.5"))  # another session, logged meanwhile
    stale.days_used = Decimal("0")  # what a stale copy believes

    with pytest.raises(NotAllowed, match="must agree extra days"):
        stale.use_days(Decimal("1"))

    on_site.refresh_from_db()
    assert on_site.days_used == Decimal("4.5")
