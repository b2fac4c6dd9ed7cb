"""Sites' words on the overview: only from five or more different sites (and five or more responses) in the period,
anonymised against the registry, in an order that follows no site; the CSV keeps the same rule."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements.models import Engagement, Feedback, Offer
from reporting.overview import build, words
from sites.models import Organisation, Programme
from tests.conftest import client_for
from tests.engagements.test_overview import _world

TODAY = timezone.localdate()


def _period(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {
        "start_day": str(start.day),
        "start_month": str(start.month),
        "start_year": str(start.year),
        "end_day": str(end.day),
        "end_month": str(end.month),
        "end_year": str(end.year),
    }


def _feedback(engagement: Engagement, by: User, words: str, days_ago: int = 0) -> Feedback:
    feedback = Feedback.objects.create(
        engagement=engagement, moment="after-session", usefulness=5, what_helped=words, given_by=by
    )
    Feedback.objects.filter(pk=feedback.pk).update(given_at=timezone.now() - datetime.timedelta(days=days_ago))
    return feedback


def test_five_responses_of_one_site_in_a_narrow_period_show_no_words(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = _world(programme, offer, programme_lead, 6, feedback=[])
    lonely, lead = engagements[0]
    for number in range(5):
        _feedback(lonely, lead, f"Kim at {lonely.site.name} listened, week {number}", days_ago=0)
    for other, other_lead in engagements[1:]:
        _feedback(other, other_lead, "Older words from elsewhere", days_ago=40)
    week = _period(TODAY - datetime.timedelta(days=6), TODAY)
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview"), week).content.decode()
    export = client.get(reverse("engagements:overview_export"), week).content.decode()

    assert build(start=TODAY - datetime.timedelta(days=6), end=TODAY).total.responses.shown == "5"
    assert "What helped, in sites' words" not in page
    for text in (page, export):
        assert "listened" not in text
        assert lonely.site.name not in text


def test_words_from_five_sites_are_shown_anonymised_and_in_no_site_order(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = _world(programme, offer, programme_lead, 5, feedback=[])
    Organisation.objects.create(name="Riverside Borough Council", sector="council", aliases="RBC")
    for number, (engagement, lead) in enumerate(engagements):
        _feedback(engagement, lead, f"{'zyx'[number % 3]} {lead.full_name} and RBC at {engagement.site.name} helped")
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview")).content.decode()
    export = client.get(reverse("engagements:overview_export")).content.decode()
    comments = words(start=TODAY - datetime.timedelta(days=30), end=TODAY)

    assert len(comments) == 5
    assert comments == sorted(comments)
    for text in (page, export, "\n".join(comments)):
        for engagement, lead in engagements:
            assert engagement.site.name not in text
            assert lead.full_name.split()[-1] not in text
        assert "RBC" not in text
    assert "[a council]" in comments[0]
    assert "What helped, in sites' words" in page
    assert comments[0] in export
