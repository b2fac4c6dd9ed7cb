"""Fuzzing the forms of shared words: a site's lead giving feedback answers whether the central team may read what
helped (yes leads to the check of the anonymised words), and changes the words from that check. The check page, which
shows the words with every replacement highlighted, is opened after each success and must still escape them."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import example, given

from accounts.models import User
from engagements.actions.closeout import give_feedback
from engagements.forms.closeout import FeedbackForm
from engagements.models import Engagement
from lessons.forms import SharedWordsForm
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, choice, form_data, text


@fuzzes(FeedbackForm, "engagements:feedback_create", "site_lead")
def test_a_leads_feedback_form_with_the_sharing_question_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User
) -> None:
    """Every answer to the question, none, or anything else; yes with no words to share is refused beside it."""
    fields = {
        "usefulness": choice([1, 2, 3, 4, 5]),
        "what_helped": text(2000, required=False),
        "could_be_better": text(2000, required=False),
        "share_what_helped": choice(["yes", "no"]),
    }
    feedback = FormUnderFuzz(
        client_for(site_lead),
        reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk}),
        FeedbackForm,
        shows=[reverse("engagements:feedback_list", kwargs={"pk": engagement_a.pk})],
    )

    @FUZZ
    @given(form_data(fields))
    @example({"usefulness": "5", "what_helped": "<script>alert(1)</script> Avery Lead", "share_what_helped": "yes"})
    @example({"usefulness": "5", "what_helped": "Listening", "share_what_helped": "maybe"})
    @example({"usefulness": "5", "share_what_helped": "yes"})
    @example({"usefulness": "4", "share_what_helped": "no"})
    def submit(data: dict) -> None:
        feedback.submit(data)

    submit()

    feedback.assert_accepted_and_refused()


@fuzzes(SharedWordsForm, "lessons:shared_words_edit", "site_lead")
def test_changing_shared_words_refuses_with_form_errors(engagement_a: Engagement, site_lead: User) -> None:
    given_feedback = give_feedback(
        engagement=engagement_a,
        by=site_lead,
        session=None,
        usefulness=5,
        what_helped="Listening first helped.",
        could_be_better="",
        share_what_helped=True,
    )
    check = reverse("lessons:shared_words_check", kwargs={"pk": given_feedback.pk})
    change = FormUnderFuzz(
        client_for(site_lead),
        reverse("lessons:shared_words_edit", kwargs={"pk": given_feedback.pk}),
        SharedWordsForm,
        redirects_to=check,
        shows=[reverse("engagements:feedback_list", kwargs={"pk": engagement_a.pk})],
    )

    @FUZZ
    @given(form_data({"what_helped": text(2000)}))
    @example({"what_helped": "<b>Emery</b> at Ashvale listened"})
    @example({"what_helped": "   "})
    def submit(data: dict) -> None:
        change.submit(data)

    submit()

    change.assert_accepted_and_refused()
