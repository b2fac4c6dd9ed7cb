"""`engagements.access.engagement_for`, the one gate from an engagement's id to the engagement: whom each rule lets
through (everyone else gets 404, never 403), in one query, with the person's role read for them alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from engagements import access
from engagements.actions.engagement import share_diagnostic
from engagements.models import Engagement

As = access.As
PEOPLE = (
    "site_lead",
    "site_member",
    "other_site_lead",
    "enabler",
    "other_enabler",
    "programme_lead",
    "administrator",
    "account_manager",
)
LET_THROUGH = {
    As.ONE_WHO_SEES: {"site_lead", "site_member", "enabler", "programme_lead", "administrator"},
    As.PARTY: {"site_lead", "site_member", "enabler"},
    As.DIAGNOSTIC_READER: {"site_lead", "site_member", "enabler"},
    As.ENABLER: {"enabler"},
    As.SITE_MEMBER: {"site_lead", "site_member"},
    As.ONE_WHO_STEERS: {"site_lead", "enabler"},
    As.SITE_LEAD: {"site_lead"},
}


def let_through(personas: dict, engagement: Engagement, as_: access.As) -> set[str]:
    through = set()
    for name in PEOPLE:
        try:
            access.engagement_for(personas[name], engagement.pk, as_=as_)
        except Http404:
            continue
        through.add(name)
    return through


@pytest.mark.parametrize("as_", list(As), ids=[rule.name for rule in As])
def test_each_rule_lets_through_exactly_its_people_and_answers_404_to_everyone_else(
    personas: dict, engagement_a: Engagement, as_: access.As
) -> None:
    through = let_through(personas, engagement_a, as_)

    assert through == LET_THROUGH[as_]


def test_the_account_manager_reads_the_diagnostic_while_the_site_lead_shares_it(
    personas: dict, engagement_a: Engagement
) -> None:
    share_diagnostic(engagement=engagement_a, person=personas["account_manager"], by=personas["site_lead"])

    through = let_through(personas, engagement_a, As.DIAGNOSTIC_READER)

    assert through == {"site_lead", "site_member", "enabler", "account_manager"}


def test_another_site_engagement_is_not_found_even_by_its_own_id(
    personas: dict, engagement_a: Engagement, engagement_b: Engagement
) -> None:
    with pytest.raises(Http404):
        access.engagement_for(personas["site_lead"], engagement_b.pk, as_=As.ONE_WHO_SEES)


def test_the_engagement_and_the_persons_role_come_in_one_query(
    personas: dict, engagement_a: Engagement, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        engagement = access.engagement_for(
            personas["site_lead"], engagement_a.pk, as_=As.SITE_LEAD, related=("site", "offer", "enabler")
        )
        steers = access.steers(personas["site_lead"], engagement)
        names = (engagement.site.name, engagement.offer.name, engagement.enabler.full_name)

    assert steers and all(names)


def test_the_role_read_for_one_person_is_never_taken_for_another_persons(
    personas: dict, engagement_a: Engagement
) -> None:
    engagement = access.engagement_for(personas["site_lead"], engagement_a.pk)

    answers = (
        access.is_site_lead_of(personas["site_member"], engagement),
        access.is_party(personas["other_site_lead"], engagement),
        access.is_site_lead_of(personas["site_lead"], engagement),
    )

    assert answers == (False, False, True)
