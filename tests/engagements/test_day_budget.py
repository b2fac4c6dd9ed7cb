from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from core.errors import NotAllowed
from engagements.actions.engagement import agree_extra_days
from engagements.models import Engagement, Offer
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import client_for


@pytest.fixture
def on_site(site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> Engagement:
    return start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)


def test_days_are_counted_against_the_allowance_with_a_warning_at_80_percent(on_site: Engagement) -> None:
    on_site.use_days(Decimal("3.5"))
    assert not on_site.budget_warning

    on_site.use_days(Decimal("0.5"))

    assert (on_site.days_used, on_site.days_available, on_site.budget_share_used) == (Decimal("4"), Decimal("5"), 80)
    assert on_site.budget_warning


def test_the_site_and_enabler_see_the_warning(on_site: Engagement, site_member: User) -> None:
    on_site.use_days(Decimal("4.5"))

    html = client_for(site_member).get(reverse("engagements:engagement_detail", kwargs={"pk": on_site.pk})).content

    assert b"4.5 of 5.0 days" in html
    assert b"Most of the days are used" in html


def test_going_over_needs_the_sites_agreement(on_site: Engagement, site_lead: User) -> None:
    on_site.use_days(Decimal("5"))

    with pytest.raises(NotAllowed, match="The site's lead must agree extra days"):
        on_site.use_days(Decimal("1"))
    client_for(site_lead).post(
        reverse("engagements:engagement_extra_days", kwargs={"pk": on_site.pk}),
        {"days": "2", "reason": "A second design workshop."},
    )
    on_site.use_days(Decimal("1"))

    extension = on_site.budget_extensions.get()
    assert (extension.days, extension.agreed_by) == (Decimal("2"), site_lead)
    assert on_site.days_used == Decimal("6")


def test_only_the_site_lead_agrees_extra_days(on_site: Engagement, site_member: User) -> None:
    with pytest.raises(NotAllowed, match="Only the site's lead"):
        agree_extra_days(engagement=on_site, by=site_member, days=Decimal("1"), reason="x")

    assert not on_site.budget_extensions.exists()


def test_extra_days_form_explains_a_bad_number(on_site: Engagement, site_lead: User) -> None:
    response = client_for(site_lead).post(
        reverse("engagements:engagement_extra_days", kwargs={"pk": on_site.pk}), {"days": "lots", "reason": "x"}
    )

    assert "Enter a number of days, like 1.5" in response.content.decode()
    assert not on_site.budget_extensions.exists()
