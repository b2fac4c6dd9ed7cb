"""Engagements built with the real actions, as the people in them would: a site asks, the central team proposes, the
site chooses and the enabler confirms; an agreement both sides confirm; a planned session; feedback whose words the
site's lead shares."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from accounts.models import User
from engagements.actions.closeout import give_feedback
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.planning import plan_session
from engagements.actions.requests import (
    ProposedEnabler,
    choose_enabler,
    confirm_engagement,
    propose_enablers,
    submit_request,
)
from engagements.models import Engagement, Feedback, Offer, PlannedSession, SupportRequest
from lessons.actions import approve_shared_words
from lessons.models import anonymised_feedback
from sites.models import Site

LONDON = ZoneInfo("Europe/London")


def ask_for_support(site: Site, offer: Offer, by: User) -> SupportRequest:
    return submit_request(
        site=site,
        offer=offer,
        by=by,
        why_now="Our board is ready to work on trust.",
        help_wanted="Coaching for the programme director.",
        who_is_involved="The partnership board.",
        approaches_wanted=["coaching"],
        preferred_start=None,
    )


def propose(request: SupportRequest, programme_lead: User, *enablers: User) -> None:
    propose_enablers(
        request=request,
        proposals=[ProposedEnabler(enabler.enabler_profile, "An experienced coach.", []) for enabler in enablers],
        by=programme_lead,
    )


def start_engagement(request: SupportRequest, enabler: User, site_lead: User, programme_lead: User) -> Engagement:
    """The whole pull journey with the real actions: proposed, chosen by the site, confirmed by the enabler."""
    proposal = propose_enablers(
        request=request,
        proposals=[ProposedEnabler(enabler.enabler_profile, "An experienced coach.", [])],
        by=programme_lead,
    )[0]
    choose_enabler(request=request, proposal=proposal, by=site_lead)
    return confirm_engagement(proposal=proposal, by=enabler)


def activate(engagement: Engagement, site_lead: User) -> Engagement:
    """The enabler writes the agreement, then the enabler and the site's lead confirm it: the engagement is active."""
    revise_agreement(
        engagement=engagement,
        by=engagement.enabler,
        cadence="Weekly",
        ways_of_working="One-to-one.",
        goals="Trust.",
        confidentiality="Private.",
    )
    confirm_agreement(engagement=engagement, by=engagement.enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    engagement.refresh_from_db()
    return engagement


def active_engagement(site: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> Engagement:
    """A new engagement through the whole journey, its agreement confirmed by both sides: active."""
    engagement = start_engagement(ask_for_support(site, offer, site_lead), enabler, site_lead, programme_lead)
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="On site",
        goals="Trust",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    return Engagement.objects.get(pk=engagement.pk)


# A session planned on 1 June 2026 for the afternoon of 3 June; its reminders go early on the day before.
PLANNED_ON = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)
STARTS = datetime.datetime(2026, 6, 3, 14, 30, tzinfo=LONDON)
DAY_BEFORE = datetime.datetime(2026, 6, 2, 7, 5, tzinfo=LONDON)
PRIVATE = "Worried the chair will not back the plan"


def plan(
    engagement: Engagement, invitees: list[User], starts_at: datetime.datetime = STARTS, **place: str
) -> PlannedSession:
    """The enabler plans a session on PLANNED_ON (on site at Ashvale Town Hall unless `place` says otherwise)."""
    with time_machine.travel(PLANNED_ON, tick=False):
        return plan_session(
            engagement=engagement,
            by=engagement.enabler,
            starts_at=starts_at,
            length=Decimal("1.5"),
            format="one-to-one",
            place=place.get("place", "on-site"),
            address=place.get("address", "Room 4, Ashvale Town Hall"),
            meeting_link=place.get("meeting_link", ""),
            invitees=invitees,
        )


# When shared words are approved unless a test says otherwise: in July to September 2026, a quarter long closed.
IN_QUARTER = datetime.datetime(2026, 8, 14, 10, 0, tzinfo=LONDON)


def shared_feedback(
    engagement: Engagement,
    by: User,
    words: str,
    *,
    approve: bool = True,
    at: datetime.datetime | None = None,
) -> Feedback:
    """Feedback from a site's lead who said yes to sharing what helped (`words`); unless told not to, the lead
    approves the words as anonymised, as read, and the approval is dated `at` (IN_QUARTER unless told)."""
    feedback = give_feedback(
        engagement=engagement,
        by=by,
        session=None,
        usefulness=5,
        what_helped=words,
        could_be_better="",
        share_what_helped=True,
    )
    if approve:
        seen = Feedback.digest(anonymised_feedback(words).text)
        feedback = approve_shared_words(feedback=feedback, by=by, seen=seen)
        Feedback.objects.filter(pk=feedback.pk).update(shared_words_approved_at=at or IN_QUARTER)
    return feedback
