"""Every date a person types has bounds that make sense for it, with a plain message (finding 7 of the independent
security test): a session held from a year ago (or the engagement's beginning) to today; due dates from a year ago
to three years ahead; a follow-up from today to three years ahead; the overview's fixed periods from 2013."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.periods import year_containing
from engagements.models import Action, Engagement, Session
from tests.helpers.engagements import activate
from tests.helpers.people import client_for

TODAY = timezone.localdate()


def _typed(name: str, day: datetime.date | tuple[str, str, str]) -> dict[str, str]:
    parts = (str(day.day), str(day.month), f"{day.year:04}") if isinstance(day, datetime.date) else day
    return dict(zip((f"{name}_day", f"{name}_month", f"{name}_year"), parts, strict=True))


def _session(engagement: Engagement, **dates: dict) -> str:
    data = {"length": "1", "format": "one-to-one", "place": "remote", **_typed("held_on", TODAY)}
    for extra in dates.values():
        data.update(extra)
    response = client_for(engagement.enabler).post(
        reverse("engagements:session_create", kwargs={"pk": engagement.pk}), data
    )
    return response.content.decode()


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        (datetime.date(1, 1, 1), "The date of the session must be"),
        (TODAY - datetime.timedelta(days=400), "The date of the session must be"),
        (TODAY + datetime.timedelta(days=1), "must be today or earlier"),
        (datetime.date(9999, 12, 31), "must be today or earlier"),
    ],
)
def test_a_session_held_out_of_bounds_is_refused(
    engagement_a: Engagement, held_on: datetime.date, message: str
) -> None:
    page = _session(engagement_a, held=_typed("held_on", held_on))

    assert message in page
    assert not Session.objects.exists()


def test_a_session_held_a_year_ago_or_today_is_logged(engagement_a: Engagement) -> None:
    _session(engagement_a, held=_typed("held_on", TODAY - datetime.timedelta(days=364)))
    _session(engagement_a, held=_typed("held_on", TODAY))

    assert Session.objects.count() == 2


@pytest.mark.parametrize(
    ("due_on", "message"),
    [
        (datetime.date(1, 1, 1), "The due date must be no more than a year ago"),
        (datetime.date(9999, 12, 31), "The due date must be within the next 3 years"),
    ],
)
def test_an_action_due_out_of_bounds_is_refused(
    engagement_a: Engagement, site_lead: User, due_on: datetime.date, message: str
) -> None:
    on_session = _session(
        engagement_a,
        action={"action_description": "Draft the charter", "action_owner": str(site_lead.pk)},
        due=_typed("action_due_on", due_on),
    )
    shared = client_for(site_lead).post(
        reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk}),
        {"description": "Draft the charter", "owner": site_lead.pk, **_typed("due_on", due_on)},
    )

    assert message in on_session
    assert message in shared.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("follow_up", "message"),
    [
        (datetime.date(9999, 12, 31), "The follow-up date must be within the next 3 years"),
        (datetime.date(1, 1, 1), "The follow-up date must be today or later."),
    ],
)
def test_a_follow_up_out_of_bounds_is_refused(
    engagement_a: Engagement, site_lead: User, follow_up: datetime.date, message: str
) -> None:
    engagement = activate(engagement_a, site_lead)

    response = client_for(site_lead).post(
        reverse("engagements:engagement_start_closing", kwargs={"pk": engagement.pk}), _typed("follow_up_on", follow_up)
    )

    engagement.refresh_from_db()
    assert message in response.content.decode()
    assert engagement.state == Engagement.State.ACTIVE


def test_an_overview_period_before_the_programmes_began_is_refused(programme_lead: User) -> None:
    old_link = client_for(programme_lead).get(reverse("engagements:overview"), _typed("start", datetime.date(1, 1, 1)))
    chosen = client_for(programme_lead).get(reverse("engagements:overview"), {"period": "2012-q4"})

    assert "the dates in the link you followed could not be used" in old_link.content.decode()
    assert "Choose a period from the list" in chosen.content.decode()
    assert chosen.context["overview"].period == old_link.context["overview"].period == year_containing(TODAY)
