"""Fuzzing the close-out review: for each goal an outcome and words, and what the site will do next, submitted by
the site's lead of a closing engagement. Recording again replaces the review, so the form stays open."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given

from accounts.models import User
from engagements.actions.engagement import confirm_agreement, revise_agreement, start_closing_engagement
from engagements.forms.closeout import REVIEW_WORDS_LIMIT, CloseOutReviewForm
from engagements.models import Engagement, GoalReview
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, choice, form_data, text

OUTCOMES = GoalReview.Outcome.values


@fuzzes(CloseOutReviewForm, "engagements:close_out_review", "site_lead")
def test_close_out_review_form_refuses_with_form_errors(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    """Two goals in the agreement; any outcome offered is accepted, anything else is a form error."""
    revise_agreement(
        engagement=engagement_a,
        by=enabler,
        cadence="Weekly",
        ways_of_working="On site",
        goals="Trust\nA plan",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement_a, by=enabler)
    confirm_agreement(engagement=engagement_a, by=site_lead)
    start_closing_engagement(
        engagement=engagement_a, by=site_lead, follow_up_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    url = reverse("engagements:close_out_review", kwargs={"pk": engagement_a.pk})

    review = FormUnderFuzz(client_for(site_lead), url, CloseOutReviewForm, redirects_to=url, shows=[url])

    @FUZZ
    @given(
        form_data(
            {
                "goal_0": choice(OUTCOMES),
                "goal_0_words": text(REVIEW_WORDS_LIMIT, required=False),
                "goal_1": choice(OUTCOMES),
                "goal_1_words": text(REVIEW_WORDS_LIMIT, required=False),
                "what_next": text(REVIEW_WORDS_LIMIT),
            }
        )
    )
    @example({"goal_0": "met", "goal_1": "not yet", "what_next": "Keep going"})
    @example({"goal_0": "met", "what_next": ""})
    def submit(data: dict) -> None:
        review.submit(data)

    submit()

    review.assert_accepted_and_refused()
