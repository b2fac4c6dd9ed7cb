"""The moves two people can make at the same moment, made at the same moment on PostgreSQL: each action locks the
row it changes, so one of two conflicting moves wins and the other is refused with a reason, and two moves that
do not conflict both land. (SQLite serialises writers, so the race cannot happen there.)"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.engagement import (
    close_engagement,
    confirm_agreement,
    revise_agreement,
    start_closing_engagement,
)
from engagements.actions.requests import (
    ProposedEnabler,
    choose_enabler,
    confirm_engagement,
    propose_enablers,
    withdraw_request,
)
from engagements.models import Engagement, Offer, SupportRequest
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from sites.models import Site
from tests.helpers.engagements import ask_for_support

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*moves: Callable[[], object]) -> list[str]:
    """Run the moves in threads released together; each outcome is "done" or "refused"."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; run with DATABASE_URL to test the race")
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []

    def run(move: Callable[[], object]) -> None:
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            move()
            outcomes.append("done")
        except NotAllowed:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(move,)) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_a_site_withdrawing_while_its_chosen_enabler_confirms_ends_one_way_only(
    site_a: Site, offer: Offer, site_member: User, site_lead: User, programme_lead: User, enabler: User
) -> None:
    request = ask_for_support(site_a, offer, site_lead)
    proposal = propose_enablers(
        request=request, proposals=[ProposedEnabler(enabler.enabler_profile, "Hello.", [])], by=programme_lead
    )[0]
    choose_enabler(request=request, proposal=proposal, by=site_lead)

    outcomes = _at_once(
        lambda: withdraw_request(request=request, by=site_member),
        lambda: confirm_engagement(proposal=proposal, by=enabler),
    )

    request.refresh_from_db()
    engaged = Engagement.objects.filter(request=request).exists()
    assert outcomes == ["done", "refused"]
    assert (request.state, engaged) in {
        (SupportRequest.State.WITHDRAWN, False),
        (SupportRequest.State.ACCEPTED, True),
    }


def test_both_parties_withdrawing_consent_at_once_both_count(engagement_a: Engagement, site_lead: User) -> None:
    enabler = engagement_a.enabler
    theme = Theme.objects.get_or_create(name="Trust and relationships")[0]
    lesson = lesson_actions.draft_lesson(
        engagement=engagement_a,
        by=enabler,
        title="Trust first",
        body="Trust came first.",
        audience="sites",
        themes=[theme],
    )
    lesson_actions.approve_lesson(lesson=lesson, by=enabler, version=1)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)

    outcomes = _at_once(
        lambda: lesson_actions.withdraw_consent(lesson=lesson, by=enabler),
        lambda: lesson_actions.withdraw_consent(lesson=lesson, by=site_lead),
    )

    lesson.refresh_from_db()
    assert outcomes == ["done", "done"]
    assert (lesson.site_approved_version, lesson.enabler_approved_version) == (None, None)
    assert lesson.state == Lesson.State.WITHDRAWN
    assert (
        AuditEvent.objects.filter(verb=AuditEvent.Verb.WITHDREW_CONSENT_TO_A_LESSON, target_id=lesson.pk).count() == 2
    )


def test_two_closes_at_once_close_the_engagement_once(engagement_a: Engagement, site_lead: User) -> None:
    enabler = engagement_a.enabler
    revise_agreement(
        engagement=engagement_a, by=enabler, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement_a, by=enabler)
    confirm_agreement(engagement=engagement_a, by=site_lead)
    start_closing_engagement(engagement=engagement_a, by=enabler, follow_up_on=timezone.localdate())

    outcomes = _at_once(
        lambda: close_engagement(engagement=engagement_a, by=enabler),
        lambda: close_engagement(engagement=engagement_a, by=site_lead),
    )

    engagement_a.refresh_from_db()
    assert outcomes == ["done", "refused"]
    assert engagement_a.state == Engagement.State.CLOSED
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CLOSED, target_id=engagement_a.pk).count() == 1


def test_an_invitation_accepted_in_two_tabs_at_once_makes_one_account(programme_lead: User) -> None:
    from accounts.models import Notification
    from onboarding import actions as onboarding_actions

    invitation = onboarding_actions.invite(
        email="twice@example.test", full_name="Tab Twice", role="enabler", by=programme_lead
    )
    token = Notification.objects.get(address="twice@example.test").link.rstrip("/").rsplit("/", 1)[-1]

    def accept() -> None:
        onboarding_actions.accept_invitation(token=token, password="moss lantern quietly ferry")

    outcomes = _at_once(accept, accept)

    assert outcomes == ["done", "refused"]
    assert User.objects.filter(email="twice@example.test").count() == 1
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.ACCEPTED_AN_INVITATION, target_id=invitation.pk).count() == 1


def test_the_site_lead_and_the_enabler_ending_a_pairing_at_once_end_it_once(
    engagement_a: Engagement, site_lead: User
) -> None:
    from engagements.actions.changes import end_pairing
    from engagements.models import EnablerChange

    enabler = engagement_a.enabler
    revise_agreement(
        engagement=engagement_a,
        by=enabler,
        cadence="Weekly",
        ways_of_working="Online",
        goals="Trust",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement_a, by=enabler)
    confirm_agreement(engagement=engagement_a, by=site_lead)

    outcomes = _at_once(
        lambda: end_pairing(engagement=engagement_a, by=site_lead, words="From the site"),
        lambda: end_pairing(engagement=engagement_a, by=enabler, words="From the enabler"),
    )

    assert outcomes == ["done", "refused"]
    assert EnablerChange.objects.filter(engagement=engagement_a).count() == 1
    assert SupportRequest.objects.get(pk=engagement_a.request_id).state == SupportRequest.State.CHANGE
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CAME_BACK_FOR_A_CHANGE).count() == 1


def test_the_site_choosing_while_an_enabler_plans_a_chemistry_conversation_ends_one_way(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User, other_enabler: User
) -> None:
    import datetime

    from engagements.actions.changes import ask_for_chemistry, plan_chemistry
    from engagements.models import ChemistryConversation

    request = ask_for_support(site_a, offer, site_lead)
    first, second = propose_enablers(
        request=request,
        proposals=[
            ProposedEnabler(enabler.enabler_profile, "Hello.", []),
            ProposedEnabler(other_enabler.enabler_profile, "Hello too.", []),
        ],
        by=programme_lead,
    )
    _, talk = ask_for_chemistry(request=request, proposals=[first, second], by=site_lead)
    when = timezone.now() + datetime.timedelta(days=3)

    outcomes = _at_once(
        lambda: choose_enabler(request=request, proposal=first, by=site_lead),
        lambda: plan_chemistry(
            conversation=talk,
            by=other_enabler,
            starts_at=when,
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/race",
        ),
    )

    talk.refresh_from_db()
    # Whichever came first, the conversation with the enabler not chosen ends cancelled.
    assert "done" in outcomes
    assert talk.state == ChemistryConversation.State.CANCELLED
