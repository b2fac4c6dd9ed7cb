"""The close-out review: the site's lead records how each goal went; the two parties read it; nobody else knows it
exists; a gentle check-in at the follow-up date."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.closeout import record_close_out_review, send_close_out_check_ins
from engagements.actions.engagement import (
    close_engagement,
    confirm_agreement,
    revise_agreement,
    start_closing_engagement,
)
from engagements.models import CloseOutReview, Engagement
from engagements.models.closeout import goals_of
from tests.helpers.people import client_for

GOALS = "Build trust between the partners\n\nAgree a shared plan\n"
CANARY = "words-only-the-site-and-its-enabler-see"


def closing(engagement: Engagement, enabler: User, site_lead: User) -> Engagement:
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="On site",
        goals=GOALS,
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    start_closing_engagement(
        engagement=engagement, by=site_lead, follow_up_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    return Engagement.objects.get(pk=engagement.pk)


def post_review(client, engagement: Engagement, words: str = CANARY):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("engagements:close_out_review", kwargs={"pk": engagement.pk}),
        {"goal_0": "met", "goal_0_words": words, "goal_1": "not yet", "goal_1_words": "", "what_next": "Keep meeting"},
    )


def test_goals_are_the_agreement_lines_and_a_paragraph_is_one_goal() -> None:
    assert goals_of(GOALS) == ["Build trust between the partners", "Agree a shared plan"]
    assert goals_of("One long paragraph about trust.") == ["One long paragraph about trust."]


def test_site_lead_records_a_review_on_a_closing_engagement(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    engagement = closing(engagement_a, enabler, site_lead)

    response = post_review(client_for(site_lead), engagement)

    assert response.status_code == 302
    review = CloseOutReview.objects.get(engagement=engagement)
    assert [(g.goal, g.outcome, g.words) for g in review.goals.all()] == [
        ("Build trust between the partners", "met", CANARY),
        ("Agree a shared plan", "not yet", ""),
    ]
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.RECORDED_A_CLOSE_OUT_REVIEW)
    assert event.actor == site_lead and CANARY not in str(event.detail)
    page = client_for(site_lead).get(response["Location"]).content.decode()
    assert "Start a lesson from this review" in page
    assert reverse("lessons:lesson_create", kwargs={"pk": engagement.pk}) in page


def test_an_error_is_shown_when_a_goal_has_no_outcome(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    engagement = closing(engagement_a, enabler, site_lead)

    response = client_for(site_lead).post(
        reverse("engagements:close_out_review", kwargs={"pk": engagement.pk}), {"goal_0": "met", "what_next": ""}
    )

    assert response.status_code == 200
    assert "Choose how this goal went" in response.content.decode()
    assert not CloseOutReview.objects.exists()


@pytest.mark.parametrize("reader", ["enabler", "site_member"])
def test_parties_read_the_review(
    reader: str, engagement_a: Engagement, enabler: User, site_lead: User, site_member: User
) -> None:
    engagement = closing(engagement_a, enabler, site_lead)
    post_review(client_for(site_lead), engagement)

    response = client_for({"enabler": enabler, "site_member": site_member}[reader]).get(
        reverse("engagements:close_out_review", kwargs={"pk": engagement.pk})
    )

    page = response.content.decode()
    assert response.status_code == 200 and CANARY in page and "Keep meeting" in page
    assert '<form method="post"' not in page


@pytest.mark.parametrize("outsider", ["programme_lead", "administrator", "other_site_lead"])
def test_nobody_else_finds_the_review(
    outsider: str, engagement_a: Engagement, enabler: User, site_lead: User, request: pytest.FixtureRequest
) -> None:
    engagement = closing(engagement_a, enabler, site_lead)
    post_review(client_for(site_lead), engagement)
    person = request.getfixturevalue(outsider)

    response = client_for(person).get(reverse("engagements:close_out_review", kwargs={"pk": engagement.pk}))

    assert response.status_code == 404
    assert not CloseOutReview.objects.visible_to(person).exists()


def test_refused_before_closing_and_to_the_enabler(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    with pytest.raises(NotAllowed):
        record_close_out_review(engagement=engagement_a, by=site_lead, outcomes=[], what_next="Next")
    engagement = closing(engagement_a, enabler, site_lead)

    with pytest.raises(NotAllowed):
        record_close_out_review(engagement=engagement, by=enabler, outcomes=[], what_next="Next")

    assert not CloseOutReview.objects.exists()


def test_revising_replaces_the_review(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    engagement = closing(engagement_a, enabler, site_lead)
    post_review(client_for(site_lead), engagement)

    post_review(client_for(site_lead), engagement, words="Better words")

    review = CloseOutReview.objects.get(engagement=engagement)
    assert [g.words for g in review.goals.all()] == ["Better words", ""]
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.REVISED_A_CLOSE_OUT_REVIEW).count() == 1


def test_check_in_at_the_follow_up_date_to_the_parties_only_once(
    engagement_a: Engagement,
    enabler: User,
    site_lead: User,
    site_member: User,
    programme_lead: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    engagement = closing(engagement_a, enabler, site_lead)
    post_review(client_for(site_lead), engagement)
    close_engagement(engagement=engagement, by=site_lead)
    mail.outbox.clear()
    assert send_close_out_check_ins(today=timezone.localdate()) == 0

    with (
        time_machine.travel(engagement.follow_up_on + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = send_close_out_check_ins(today=timezone.localdate())
        again = send_close_out_check_ins(today=timezone.localdate())

    assert (sent, again) == (1, 0)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [enabler.email, site_lead.email]
    )
    for message in mail.outbox:
        assert CANARY not in message.body and "Keep meeting" not in message.body
        assert reverse("engagements:close_out_review", kwargs={"pk": engagement.pk}) in message.body
