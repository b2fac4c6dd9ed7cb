"""Shared words: a site's lead says whether the central team may read what helped, checks the anonymised words with
every replacement highlighted, and approves those exact words; any change asks again, and they can stop sharing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.closeout import give_feedback
from engagements.models import Engagement, Feedback
from lessons import actions
from lessons.models import anonymised_feedback
from retention.actions import apply_schedule
from tests.helpers.people import client_for

WORDS = "Avery Lead at Ashvale listened first. The board saw what it already agreed on."


def _feedback(engagement: Engagement, by: User, *, share: bool = True, words: str = WORDS) -> Feedback:
    return give_feedback(
        engagement=engagement,
        by=by,
        session=None,
        usefulness=5,
        what_helped=words,
        could_be_better="More time with the board.",
        share_what_helped=share,
    )


def _approve(feedback: Feedback, by: User) -> Feedback:
    words = anonymised_feedback(feedback.what_helped).text
    return actions.approve_shared_words(feedback=feedback, by=by, seen=Feedback.digest(words))


def test_feedback_is_not_shared_unless_the_lead_says_yes(engagement_a: Engagement, site_lead: User) -> None:
    feedback = give_feedback(
        engagement=engagement_a, by=site_lead, session=None, usefulness=4, what_helped=WORDS, could_be_better=""
    )

    assert feedback.share_what_helped is False
    assert feedback.shared_words == "" and not feedback.shared_words_approved


def test_the_lead_must_answer_the_question_and_no_answer_is_chosen_for_them(
    engagement_a: Engagement, site_lead: User
) -> None:
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})
    client = client_for(site_lead)

    form_page = client.get(url).content.decode()
    response = client.post(url, {"usefulness": "5", "what_helped": WORDS})

    assert 'name="share_what_helped"' in form_page
    assert "checked" not in form_page.split('name="share_what_helped"', 1)[1].split("</fieldset>", 1)[0]
    assert response.status_code == 200
    assert "Select yes if the central team can read what helped, with names taken out" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_member_who_is_not_a_lead_is_not_asked_and_cannot_share(engagement_a: Engagement, site_member: User) -> None:
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})

    page = client_for(site_member).get(url).content.decode()

    assert 'name="share_what_helped"' not in page
    with pytest.raises(NotAllowed):
        _feedback(engagement_a, site_member)


def test_yes_with_no_words_is_refused_beside_the_question(engagement_a: Engagement, site_lead: User) -> None:
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})

    response = client_for(site_lead).post(url, {"usefulness": "5", "share_what_helped": "yes"})

    assert "Write what helped, or select no: there are no words to share" in response.content.decode()
    assert not Feedback.objects.exists()


def test_yes_leads_to_the_check_with_every_replacement_highlighted(engagement_a: Engagement, site_lead: User) -> None:
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})
    client = client_for(site_lead)

    response = client.post(url, {"usefulness": "5", "what_helped": WORDS, "share_what_helped": "yes"})
    feedback = Feedback.objects.get()
    check = client.get(response["Location"]).content.decode()

    assert response["Location"] == reverse("lessons:shared_words_check", kwargs={"pk": feedback.pk})
    assert feedback.share_what_helped and not feedback.shared_words_approved
    assert '<mark class="alongside-placeholder">[a senior leader]</mark>' in check
    assert '<mark class="alongside-placeholder">[a Pioneer site]</mark>' in check
    assert "Avery" not in check.split("<h1>", 1)[1] and "Ashvale" not in check.split("<h1>", 1)[1]
    assert "Approve these exact words" in check


def test_approving_keeps_the_exact_anonymised_words_when_and_from_what(
    engagement_a: Engagement, site_lead: User
) -> None:
    feedback = _feedback(engagement_a, site_lead)
    expected = anonymised_feedback(WORDS).text

    feedback = _approve(feedback, site_lead)

    feedback.refresh_from_db()
    assert feedback.shared_words == expected
    assert feedback.shared_words_approved_at is not None
    assert feedback.shared_words_source == Feedback.digest(WORDS)
    assert feedback.shared_words_approved
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.APPROVED_SHARED_WORDS)
    assert (event.actor, event.detail) == (site_lead, {"feedback": feedback.pk})


def test_approving_through_the_page_needs_the_words_that_were_read(engagement_a: Engagement, site_lead: User) -> None:
    feedback = _feedback(engagement_a, site_lead)
    client = client_for(site_lead)
    approve = reverse("lessons:shared_words_approve", kwargs={"pk": feedback.pk})

    stale = client.post(approve, {"words": Feedback.digest("Some other words")}, follow=True).content.decode()
    feedback.refresh_from_db()
    assert not feedback.shared_words_approved
    assert "The words have changed since you read them" in stale

    client.post(approve, {"words": Feedback.digest(anonymised_feedback(WORDS).text)})
    feedback.refresh_from_db()
    assert feedback.shared_words_approved


def test_changing_the_words_asks_for_approval_again(engagement_a: Engagement, site_lead: User) -> None:
    feedback = _approve(_feedback(engagement_a, site_lead), site_lead)
    edit = reverse("lessons:shared_words_edit", kwargs={"pk": feedback.pk})

    response = client_for(site_lead).post(edit, {"what_helped": "Listening first helped."})

    feedback.refresh_from_db()
    assert response["Location"] == reverse("lessons:shared_words_check", kwargs={"pk": feedback.pk})
    assert feedback.what_helped == "Listening first helped."
    assert (feedback.shared_words, feedback.shared_words_approved_at, feedback.shared_words_source) == ("", None, "")
    assert not feedback.shared_words_approved
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CHANGED_FEEDBACK_WORDS).count() == 1


def test_words_changed_after_approval_by_any_other_route_are_not_approved(
    engagement_a: Engagement, site_lead: User
) -> None:
    feedback = _approve(_feedback(engagement_a, site_lead), site_lead)

    Feedback.objects.filter(pk=feedback.pk).update(what_helped="Different words")

    feedback.refresh_from_db()
    assert not feedback.shared_words_approved


def test_the_author_can_stop_sharing_after_approving(engagement_a: Engagement, site_lead: User) -> None:
    feedback = _approve(_feedback(engagement_a, site_lead), site_lead)
    withdraw = reverse("lessons:shared_words_withdraw", kwargs={"pk": feedback.pk})
    client = client_for(site_lead)

    confirmation = client.get(withdraw).content.decode()
    feedback.refresh_from_db()
    assert "Stop sharing these words?" in confirmation and feedback.shared_words_approved  # nothing changed yet
    response = client.post(withdraw)

    feedback.refresh_from_db()
    assert response["Location"] == reverse("engagements:feedback_list", kwargs={"pk": engagement_a.pk})
    assert feedback.share_what_helped is False and feedback.shared_words == ""
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.WITHDREW_SHARED_WORDS).count() == 1
    assert (
        client_for(site_lead).get(reverse("lessons:shared_words_check", kwargs={"pk": feedback.pk})).status_code == 404
    )


def test_a_lead_who_is_no_longer_a_lead_cannot_approve(engagement_a: Engagement, site_lead: User) -> None:
    feedback = _feedback(engagement_a, site_lead)
    site_lead.site_memberships.update(role="member")

    with pytest.raises(NotAllowed):
        _approve(feedback, site_lead)


def test_words_with_nothing_left_once_anonymised_cannot_be_approved(engagement_a: Engagement, site_lead: User) -> None:
    feedback = _feedback(engagement_a, site_lead, words="Avery Lead, Ashvale.")

    with pytest.raises(NotAllowed, match="Nothing is left"):
        _approve(feedback, site_lead)


def test_the_retention_schedule_clears_shared_words_with_the_feedbacks_words(
    engagement_a: Engagement, site_lead: User, time_machine: object
) -> None:
    feedback = _approve(_feedback(engagement_a, site_lead), site_lead)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=731), tick=False)  # type: ignore[attr-defined]

    apply_schedule()

    feedback.refresh_from_db()
    assert feedback.words_removed_at is not None and feedback.what_helped == ""
    assert (feedback.share_what_helped, feedback.shared_words, feedback.shared_words_approved_at) == (False, "", None)
    assert not Feedback.objects.shared_with_centre().exists()
