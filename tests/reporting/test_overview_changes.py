"""The overview's count of changes of enabler, by programme and for all programmes, against hand-computed values:
hidden as "fewer than 5" under five or from fewer than five sites, never by site or enabler, never who asked."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.periods import year_containing
from engagements.actions.changes import end_pairing
from engagements.models import EnablerChange, Engagement, Offer
from reporting.overview import HIDDEN, build
from sites.models import Programme
from tests.helpers.overview import world
from tests.helpers.people import client_for

TODAY = timezone.localdate()
PERIOD = {"period": year_containing(TODAY), "today": TODAY}


def _end(engagement: Engagement, by: User, words: str = "") -> EnablerChange:
    Engagement.objects.filter(pk=engagement.pk).update(state=Engagement.State.ACTIVE)
    return end_pairing(engagement=engagement, by=by, words=words)


def test_changes_match_hand_computed_values(programme: Programme, offer: Offer, programme_lead: User) -> None:
    engagements = world(programme, offer, programme_lead, 12, feedback=[])
    for engagement, lead in engagements[:6]:
        _end(engagement, lead, words="secret words of a change")
    early = EnablerChange.objects.order_by("pk").first()
    Engagement.objects.filter(pk=early.engagement_id).update(closed_on=TODAY - datetime.timedelta(days=400))

    result = build(**PERIOD)

    # 6 pairings ended at 6 sites, one of them before the period: 5 changes from 5 sites.
    assert result.by_programme[0].changes.shown == "5"
    assert result.total.changes.shown == "5"
    assert all(group.changes is None for group in result.by_offer)  # by programme only
    # The ended pairings are closed, not open: of the 12 engagements agreed in the period, 6 are still open and 6
    # ended (one of them, its change moved to an earlier year, is counted as a change there).
    assert (result.total.open_engagements.shown, result.total.closed_engagements.shown) == ("6", "6")


def test_changes_from_fewer_than_five_sites_are_hidden(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 4, feedback=[])
    for engagement, lead in engagements:
        _end(engagement, lead)

    result = build(**PERIOD)

    assert result.by_programme[0].changes.shown == HIDDEN
    assert result.total.changes.shown == HIDDEN


def test_the_overview_page_shows_the_count_and_never_the_words_or_who_asked(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 5, feedback=[])
    for engagement, lead in engagements:
        _end(engagement, lead, words="secret words of a change")

    page = client_for(programme_lead).get(reverse("engagements:overview")).content.decode()

    assert "Changes of enabler asked for" in page
    assert "secret words of a change" not in page
    assert not any(lead.full_name in page for _, lead in engagements)


def test_a_pairing_after_a_change_is_waited_for_from_the_change(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    """The median wait is from the site's ask to the start; after a change, from the day the earlier pairing ended."""
    engagements = world(programme, offer, programme_lead, 5, feedback=[])
    for engagement, _lead in engagements:
        Engagement.objects.filter(pk=engagement.pk).update(closed_on=TODAY, state=Engagement.State.ENDED)
        Engagement.objects.filter(request=engagement.request, pk__gt=engagement.pk).delete()
    # Each request was asked 0..4 days ago and its first pairing started today; a second pairing, starting today
    # after the first ended today, waited 0 days.
    for engagement, _lead in engagements:
        Engagement.objects.create(
            request=engagement.request,
            site=engagement.site,
            offer=engagement.offer,
            enabler=engagement.enabler,
            previous=engagement,
            started_on=TODAY,
            state=Engagement.State.ACTIVE,
        )

    result = build(**PERIOD)

    # Waits: 0,1,2,3,4 (first pairings) and 0,0,0,0,0 (second): median 0, longest 4.
    assert (result.total.median_wait_days.shown, result.total.longest_wait_days.shown) == ("0", "4")
