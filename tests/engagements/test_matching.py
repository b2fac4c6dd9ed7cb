"""The rank is explained and tested on a small fixed pool of enablers."""

from __future__ import annotations

import pytest

from accounts.models import User
from engagements.matching import rank_enablers
from engagements.models import EnablerProfile, Offer
from sites.models import Organisation, Site
from tests.helpers.engagements import ask_for_support, start_engagement


def _enabler(email: str, name: str, **profile: object) -> EnablerProfile:
    user = User.objects.create_user(email, "x", full_name=name)
    return EnablerProfile.objects.create(user=user, **profile)


@pytest.fixture
def pool(site_a: Site) -> dict[str, EnablerProfile]:
    """Site A is in London with a council partner. Four enablers, one with a conflict and one full."""
    return {
        "best": _enabler(
            "best@example.test",
            "Bea Best",
            years_in_health=10,
            years_in_social_care=10,
            sectors=["social-care"],
            approaches=["coaching"],
            regions=["london"],
            capacity=2,
        ),
        "good": _enabler(
            "good@example.test",
            "Gil Good",
            years_in_health=25,
            sectors=["nhs-provider"],
            approaches=["coaching"],
            regions=["midlands"],
            capacity=1,
        ),
        "conflicted": _enabler(
            "conflict@example.test",
            "Cat Conflict",
            years_in_health=30,
            sectors=["social-care"],
            approaches=["coaching"],
            regions=["london"],
            capacity=3,
        ),
        "full": _enabler("full@example.test", "Fay Full", years_in_health=30, regions=["london"], capacity=0),
    }


def test_enablers_are_ranked_by_fit_with_the_reasons_shown(
    pool: dict, site_a: Site, offer: Offer, site_lead: User
) -> None:
    pool["conflicted"].worked_for.add(Organisation.objects.get(name="Ashvale Borough Council"))
    request = ask_for_support(site_a, offer, site_lead)  # asks for coaching

    matches, exclusions = rank_enablers(request)

    # best: sector 2 + experience 4 (20 years) + approach 2 + region 2 + capacity 2 = 12
    # good: no sector fit + experience 5 (25 years) + approach 2 + capacity 1 = 8
    assert [(m.profile.user.full_name, m.score) for m in matches] == [("Bea Best", 12), ("Gil Good", 8)]
    assert matches[0].reasons == [
        "Sector fit: Council and social care",
        "Senior experience: 10 years in health, 10 in social care",
        "Approaches asked for: Coaching",
        "Works in London",
        "Free capacity: 2 of 2",
    ]
    assert {e.profile.user.full_name: e.reason for e in exclusions} == {
        "Cat Conflict": "Conflict of interest: has worked for Ashvale Borough Council",
        "Fay Full": "No free capacity: 0 of 0",
    }


def test_an_enabler_at_capacity_drops_out_of_the_rank(
    pool: dict, site_a: Site, site_b: Site, offer: Offer, site_lead: User, other_site_lead: User, programme_lead: User
) -> None:
    start_engagement(
        ask_for_support(site_b, offer, other_site_lead), pool["good"].user, other_site_lead, programme_lead
    )

    matches, exclusions = rank_enablers(ask_for_support(site_a, offer, site_lead))

    assert "Gil Good" not in [m.profile.user.full_name for m in matches]
    assert "No free capacity: 1 of 1" in [e.reason for e in exclusions]
