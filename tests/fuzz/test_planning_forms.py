"""Fuzzing the forms of planned sessions: planning one or a series, and moving one.

The enabler plans and moves; whatever is accepted is shown on the engagement page (the place and the link
escaped), and any other submission is refused with form errors, never a server error.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.actions.planning import plan_session
from engagements.forms.planning import MovePlannedSessionForm, PlannedSessionForm
from engagements.models import Engagement, PlannedSession, Session, SessionSeries
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import (
    FUZZ,
    LINKS,
    MARKUP,
    Field,
    choice,
    choices,
    date,
    days_from_today,
    form_data,
    meeting_links,
    number,
    text,
    time_of_day,
    typed,
)


def _where(site_lead: User, site_member: User, elsewhere: list[User]) -> dict[str, Field]:
    return {
        "starts_on": date(days_from_today(0, 700)),
        "start_time": time_of_day(),
        "place": choice(PlannedSession.Place.values),
        "address": text(300, required=False),
        "meeting_link": meeting_links(),
        "invitees": choices([site_lead.pk, site_member.pk], elsewhere=[person.pk for person in elsewhere]),
    }


def _forget_plans(engagement: Engagement) -> None:
    """Each plan, once its page has shown it escaped, is removed again, so the page stays the same size."""
    PlannedSession.objects.filter(engagement=engagement).delete()
    SessionSeries.objects.filter(engagement=engagement).delete()


@fuzzes(PlannedSessionForm, "engagements:planned_session_create", "enabler")
def test_planned_session_form_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User, site_member: User, other_site_lead: User, other_enabler: User
) -> None:
    """Planning once or as a rhythm until a date: only the site's own people may be invited, a link is https,
    a date is still to come and a series runs a year at most."""
    pk = engagement_a.pk
    fields = {
        **_where(site_lead, site_member, [other_site_lead, other_enabler, engagement_a.enabler]),
        "length": number(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("24"), places=1)),
        "format": choice(Session.Format.values),
        "repeat": choice(["once", *SessionSeries.Frequency.values]),
        "until": date(days_from_today(0, 400), required=False),
    }
    plan = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:planned_session_create", kwargs={"pk": pk}),
        PlannedSessionForm,
        redirects_to=reverse("engagements:engagement_detail", kwargs={"pk": pk}),
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    plausible = {
        **typed("starts_on", tomorrow),
        "start_time": "09:30",
        "length": "1.5",
        "format": "one-to-one",
        "place": "on-site",
        "address": MARKUP[0],
        "repeat": "once",
    }

    @FUZZ
    @given(form_data(fields))
    @example(plausible)
    @example({**plausible, "place": "online", "meeting_link": LINKS[2], "invitees": [str(site_member.pk)]})
    @example({**plausible, "repeat": "fortnightly", **typed("until", tomorrow + datetime.timedelta(days=60))})
    @example({**plausible, "invitees": [str(other_site_lead.pk)]})
    @example({**plausible, **typed("starts_on", datetime.date(9999, 12, 31))})
    def submit(data: dict) -> None:
        if plan.submit(data):
            _forget_plans(engagement_a)

    submit()

    plan.assert_accepted_and_refused()


@fuzzes(MovePlannedSessionForm, "engagements:planned_session_edit", "enabler")
def test_move_planned_session_form_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User, site_member: User, other_site_lead: User, other_enabler: User
) -> None:
    """Moving one planned session: the same checks of when and where, and of who is invited."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    planned = plan_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        starts_at=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=ZoneInfo("Europe/London")),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link=LINKS[0],
    )
    move = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:planned_session_edit", kwargs={"pk": planned.pk}),
        MovePlannedSessionForm,
        redirects_to=reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}),
    )
    plausible = {**typed("starts_on", tomorrow), "start_time": "11.00", "place": "online", "meeting_link": LINKS[3]}

    @FUZZ
    @given(form_data(_where(site_lead, site_member, [other_site_lead, other_enabler, engagement_a.enabler])))
    @example(plausible)
    @example({**plausible, "place": "on-site", "address": "", "invitees": [str(other_enabler.pk)]})
    @example({**plausible, **typed("starts_on", datetime.date(1, 1, 1))})
    def submit(data: dict) -> None:
        move.submit(data)

    submit()

    move.assert_accepted_and_refused()
