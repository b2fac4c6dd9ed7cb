"""The overview's counts of goals from close-out reviews, by programme and for all programmes, against hand-computed
values, hidden as "fewer than 5" under five or from fewer than five sites, and never a review's words."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.periods import year_containing
from engagements.actions.closeout import record_close_out_review
from engagements.models import CloseOutReview, Engagement, Offer
from reporting.overview import HIDDEN, SECONDARY, build
from sites.models import Programme
from tests.helpers.overview import world
from tests.helpers.people import client_for

TODAY = timezone.localdate()
PERIOD = {"period": year_containing(TODAY), "today": TODAY}


def _review(engagement: Engagement, lead: User, outcomes: list[str]) -> CloseOutReview:
    Engagement.objects.filter(pk=engagement.pk).update(state=Engagement.State.CLOSING, follow_up_on=TODAY)
    return record_close_out_review(
        engagement=engagement,
        by=lead,
        outcomes=[(f"Goal {index}", outcome, f"secret words {index}") for index, outcome in enumerate(outcomes)],
        what_next="secret plans",
    )


def _goals(group: object) -> tuple[str, str, str, str]:
    return tuple(
        getattr(group, name).shown for name in ("goals_reviewed", "goals_met", "goals_partly_met", "goals_not_yet")
    )  # type: ignore[return-value]


def test_goal_counts_match_hand_computed_values(programme: Programme, offer: Offer, programme_lead: User) -> None:
    engagements = world(programme, offer, programme_lead, 6, feedback=[])
    for engagement, lead in engagements:
        _review(engagement, lead, ["met", "met", "partly met", "not yet", "no longer relevant"])
    early = _world_one_more(programme, offer, programme_lead)
    CloseOutReview.objects.filter(pk=early.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=400))

    result = build(**PERIOD)

    # 6 sites x (2 met, 1 partly, 1 not yet, 1 no longer relevant) = 30 goals; the early review is not counted.
    assert _goals(result.by_programme[0]) == ("30", "12", "6", "6")
    assert _goals(result.total) == ("30", "12", "6", "6")
    assert all(group.goals_met is None for group in result.by_offer)  # by programme only


def _world_one_more(programme: Programme, offer: Offer, programme_lead: User) -> CloseOutReview:
    """One more site's review, with five goals met, to be moved before the period."""
    from engagements.models import EnablerProfile
    from sites.models import Site, SiteMembership
    from tests.helpers.engagements import ask_for_support, start_engagement

    enabler = User.objects.create_user("early@example.test", "x", full_name="Early Enabler")
    EnablerProfile.objects.create(user=enabler, capacity=5)
    site = Site.objects.create(name="Early place", programme=programme, region="london")
    lead = User.objects.create_user("early.lead@example.test", "x", full_name="Early Lead")
    SiteMembership.objects.create(user=lead, site=site, role="lead")
    engagement = start_engagement(ask_for_support(site, offer, lead), enabler, lead, programme_lead)
    return _review(engagement, lead, ["met"] * 5)


def test_a_hidden_outcome_hides_another_so_it_cannot_be_subtracted(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 6, feedback=[])
    for index, (engagement, lead) in enumerate(engagements):
        # every site: 1 met, 1 partly met; five sites 1 not yet; one site 1 no longer relevant (hidden).
        outcomes = ["met", "partly met"] + (["not yet"] if index < 5 else ["no longer relevant"])
        _review(engagement, lead, outcomes)

    result = build(**PERIOD)

    # 18 goals: 6 met, 6 partly, 5 not yet, 1 no longer relevant (never shown, so it could be worked out): one more
    # hides, one above 5 (a hidden 5 would be known to be exactly 5, the least a hidden figure of its kind can be).
    assert _goals(result.total) == ("18", SECONDARY, "6", "5")


def test_goals_from_fewer_than_5_sites_show_fewer_than_5_and_no_words(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 4, feedback=[])
    for engagement, lead in engagements:
        _review(engagement, lead, ["met", "met", "partly met", "not yet"])

    result = build(**PERIOD)
    page = client_for(programme_lead).get(reverse("engagements:overview"))

    # 16 goals, 8 met: but from 4 sites, so every count is hidden.
    assert _goals(result.total) == (HIDDEN, HIDDEN, HIDDEN, HIDDEN)
    html = page.content.decode()
    assert page.status_code == 200 and "Goals met" in html
    assert "secret words" not in html and "secret plans" not in html
