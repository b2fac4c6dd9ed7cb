"""What each person may do on the engagement's page (`engagement_page`), decided in the view and read by the template:
the site's lead, a member of the site, its enabler and the central team, through the engagement's states."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from engagements import access
from engagements.actions.engagement import (
    close_engagement,
    confirm_agreement,
    pause_engagement,
    revise_agreement,
    start_closing_engagement,
)
from engagements.actions.requests import (
    ProposedEnabler,
    choose_enabler,
    confirm_engagement,
    propose_enablers,
    submit_request,
)
from engagements.models import Engagement, Offer
from engagements.views.engagement import EngagementPage, engagement_page

# What a party may do on the page at any stage: read what the two sides share.
PARTY = {"see_shared_records"}
ENABLER_ALWAYS = {*PARTY, "log_planned_sessions", "read_private_notes", "read_feedback", "see_access_log", "steer"}
SITE_LEAD_ALWAYS = {*PARTY, "give_feedback", "see_access_log", "steer"}
SITE_MEMBER_ALWAYS = {*PARTY, "give_feedback"}
STEERING_AN_OPEN_ENGAGEMENT = {"plan_session", "change_planned_sessions"}
STEERING_A_PAUSE = {"resume", "start_closing", "end_pairing"}


def allowed(page: EngagementPage) -> set[str]:
    return {field.name for field in dataclasses.fields(page) if getattr(page, field.name)}


def page_for(user: User, engagement: Engagement) -> EngagementPage:
    """As the page gets it: the engagement through the one gate, with its agreement, then the decisions."""
    seen = access.engagement_for(
        user, engagement.pk, as_=access.As.ONE_WHO_SEES, related=("site", "offer", "enabler", "agreement")
    )
    return engagement_page(user, seen)


def engagement_on(offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> Engagement:
    """An engagement of the lead's site on the offer, through the real pull journey: asked, proposed, chosen and
    confirmed."""
    request = submit_request(
        site=site_lead.site_memberships.get().site,
        offer=offer,
        by=site_lead,
        why_now="Our board is ready.",
        help_wanted="Days on site.",
        who_is_involved="The board.",
        approaches_wanted=["coaching"],
        preferred_start=None,
    )
    (proposal,) = propose_enablers(
        request=request, proposals=[ProposedEnabler(enabler.enabler_profile, "A coach.", [])], by=programme_lead
    )
    choose_enabler(request=request, proposal=proposal, by=site_lead)
    return confirm_engagement(proposal=proposal, by=enabler)


def activate(engagement: Engagement, site_lead: User) -> Engagement:
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
    assert engagement.state == Engagement.State.ACTIVE
    return engagement


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "enabler",
            {*ENABLER_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, "log_session", "pause", "start_closing", "end_pairing"},
        ),
        ("site_lead", {*SITE_LEAD_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, "pause", "start_closing", "end_pairing"}),
        ("site_member", SITE_MEMBER_ALWAYS),
        ("programme_lead", set()),
        ("administrator", set()),
    ],
)
def test_in_an_active_engagement_each_person_may_do_what_their_role_allows(
    personas: dict, engagement_a: Engagement, persona: str, expected: set[str]
) -> None:
    engagement = activate(engagement_a, personas["site_lead"])

    page = page_for(personas[persona], engagement)

    assert allowed(page) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("enabler", {*ENABLER_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, "log_session", "change_agreement"}),
        (
            "site_lead",
            {*SITE_LEAD_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, "change_agreement", "confirm_agreement"},
        ),
        ("site_member", {*SITE_MEMBER_ALWAYS, "change_agreement"}),
        ("programme_lead", set()),
    ],
)
def test_while_the_agreement_waits_only_the_side_that_has_not_confirmed_may_confirm_it(
    personas: dict, engagement_a: Engagement, persona: str, expected: set[str]
) -> None:
    revise_agreement(
        engagement=engagement_a,
        by=personas["enabler"],
        cadence="Weekly",
        ways_of_working="On site",
        goals="Trust",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement_a, by=personas["enabler"])

    page = page_for(personas[persona], engagement_a)

    assert allowed(page) == expected


def test_before_anyone_confirms_the_enabler_and_the_site_lead_may_confirm_and_nobody_else(
    personas: dict, engagement_a: Engagement
) -> None:
    people = ("enabler", "site_lead", "site_member", "programme_lead")

    may_confirm = {name for name in people if page_for(personas[name], engagement_a).confirm_agreement}

    assert may_confirm == {"enabler", "site_lead"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("enabler", {*ENABLER_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, *STEERING_A_PAUSE, "log_session"}),
        ("site_lead", {*SITE_LEAD_ALWAYS, *STEERING_AN_OPEN_ENGAGEMENT, *STEERING_A_PAUSE}),
        ("site_member", SITE_MEMBER_ALWAYS),
        ("programme_lead", set()),
    ],
)
def test_a_paused_engagement_may_be_resumed_or_closed_or_ended_by_those_who_steer_it(
    personas: dict, engagement_a: Engagement, persona: str, expected: set[str]
) -> None:
    engagement = activate(engagement_a, personas["site_lead"])
    pause_engagement(engagement=engagement, by=personas["site_lead"])

    page = page_for(personas[persona], engagement)

    assert allowed(page) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "enabler",
            {*ENABLER_ALWAYS, "close", "read_close_out_review", "change_planned_sessions", "log_session"},
        ),
        ("site_lead", {*SITE_LEAD_ALWAYS, "close", "read_close_out_review", "change_planned_sessions"}),
        ("site_member", {*SITE_MEMBER_ALWAYS, "read_close_out_review"}),
        ("programme_lead", set()),
    ],
)
def test_a_closing_engagement_may_be_closed_and_no_more_sessions_planned(
    personas: dict, engagement_a: Engagement, persona: str, expected: set[str]
) -> None:
    engagement = activate(engagement_a, personas["site_lead"])
    start_closing_engagement(
        engagement=engagement, by=personas["enabler"], follow_up_on=timezone.localdate() + datetime.timedelta(days=30)
    )

    page = page_for(personas[persona], engagement)

    assert allowed(page) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("enabler", {*ENABLER_ALWAYS, "read_close_out_review", "change_planned_sessions"}),
        ("site_lead", {*SITE_LEAD_ALWAYS, "read_close_out_review", "change_planned_sessions"}),
        ("site_member", {*SITE_MEMBER_ALWAYS, "read_close_out_review"}),
        ("programme_lead", set()),
    ],
)
def test_a_closed_engagement_takes_no_more_sessions_and_no_more_moves(
    personas: dict, engagement_a: Engagement, persona: str, expected: set[str]
) -> None:
    engagement = activate(engagement_a, personas["site_lead"])
    start_closing_engagement(engagement=engagement, by=personas["enabler"], follow_up_on=timezone.localdate())
    close_engagement(engagement=engagement, by=personas["site_lead"])

    page = page_for(personas[persona], engagement)

    assert allowed(page) == expected


def test_only_the_site_lead_may_agree_extra_days_and_only_on_an_offer_with_an_allowance(
    personas: dict, engagement_a: Engagement, days_offer: Offer
) -> None:
    lead, enabler, central = personas["site_lead"], personas["enabler"], personas["programme_lead"]
    with_days = engagement_on(days_offer, lead, enabler, central)

    people = ("enabler", "site_lead", "site_member", "programme_lead")
    may_agree = {name for name in people if page_for(personas[name], with_days).agree_extra_days}
    without_days = page_for(lead, engagement_a).agree_extra_days

    assert (may_agree, without_days) == ({"site_lead"}, False)


def test_deciding_the_page_costs_no_query_once_the_engagement_came_through_the_gate(
    personas: dict, engagement_a: Engagement, django_assert_num_queries: Any
) -> None:
    people = [personas[name] for name in ("site_lead", "site_member", "enabler", "programme_lead")]
    seen = [
        (person, access.engagement_for(person, engagement_a.pk, as_=access.As.ONE_WHO_SEES, related=("agreement",)))
        for person in people
    ]

    with django_assert_num_queries(0):
        pages = [engagement_page(person, engagement) for person, engagement in seen]

    assert len(pages) == len(people)
