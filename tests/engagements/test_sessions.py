from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements.actions.sessions import add_action, log_session
from engagements.models import AccessRecord, Action, Engagement, Offer, Session
from engagements.notes import PrivateNote
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import client_for


def _form(**extra: object) -> dict:
    day = timezone.localdate() - datetime.timedelta(days=2)
    return {
        "held_on_day": day.day,
        "held_on_month": day.month,
        "held_on_year": day.year,
        "length": "1.5",
        "format": "one-to-one",
        "place": "remote",
        "participants": "Programme director",
        **extra,
    }


def test_enabler_logs_a_session_with_a_private_note_and_a_shared_action(
    engagement_a: Engagement, site_lead: User
) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse("engagements:session_create", kwargs={"pk": engagement_a.pk}),
        _form(private_note="Felt stuck today.", action_description="Draft the charter", action_owner=site_lead.pk),
    )

    session = Session.objects.get()
    assert response.status_code == 302
    assert (session.hours, session.days, session.format) == (Decimal("1.5"), None, "one-to-one")
    assert PrivateNote.objects.get().session == session
    assert Action.objects.get().owner == site_lead
    engagement_a.refresh_from_db()
    assert engagement_a.days_used == Decimal("0.2")  # 1.5 hours of a 7.5-hour day


def test_site_sees_the_session_and_action_but_never_the_note(engagement_a: Engagement, site_lead: User) -> None:
    log_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        held_on=timezone.localdate(),
        length=Decimal("1"),
        format="leadership-team",
        place="on-site",
        participants="Directors",
        private_note="Only mine",
        action_description="Share the plan",
        action_owner=site_lead,
    )
    client = client_for(site_lead)

    log = client.get(reverse("engagements:session_list", kwargs={"pk": engagement_a.pk})).content.decode()
    shared = client.get(reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk})).content.decode()

    assert "Leadership team" in log and "Only mine" not in log
    assert "Share the plan" in shared and "Only mine" not in shared


def test_programme_lead_sees_counts_and_days_only(engagement_a: Engagement, programme_lead: User) -> None:
    log_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        held_on=timezone.localdate(),
        length=Decimal("3"),
        format="design-workshop",
        place="on-site",
        participants="Clinicians",
        action_description="",
    )

    html = (
        client_for(programme_lead)
        .get(reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}))
        .content.decode()
    )

    assert "1 session logged, 0.4 days counted" in html
    assert "Design workshop" not in html and "Clinicians" not in html


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"held_on_year": str(timezone.localdate().year + 2)}, "The date of the session must be today or earlier"),
        ({"length": "0"}, "The length must be more than zero"),
        ({"format": ""}, "Choose the format of the session"),
        ({"action_description": "Do it", "action_owner": ""}, "Choose who owns the action"),
    ],
)
def test_a_bad_session_is_refused_with_a_clear_message(engagement_a: Engagement, extra: dict, message: str) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse("engagements:session_create", kwargs={"pk": engagement_a.pk}), _form(**extra)
    )

    assert message in response.content.decode()
    assert not Session.objects.exists()


def test_no_session_on_a_closed_engagement(engagement_a: Engagement, site_lead: User) -> None:
    Engagement.objects.filter(pk=engagement_a.pk).update(state=Engagement.State.CLOSED)

    response = client_for(engagement_a.enabler).post(
        reverse("engagements:session_create", kwargs={"pk": engagement_a.pk}), _form(private_note="Kept in the form")
    )

    assert "This engagement is closed" in response.content.decode()
    assert "Kept in the form" in response.content.decode()  # what was typed is not lost
    assert not Session.objects.exists()


def test_on_site_days_count_against_the_budget_and_going_over_is_refused(
    site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> None:
    engagement = start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)
    client = client_for(enabler)
    url = reverse("engagements:session_create", kwargs={"pk": engagement.pk})

    client.post(url, _form(length="4"))
    refused = client.post(url, _form(length="2"))

    engagement.refresh_from_db()
    assert engagement.days_used == Decimal("4")
    assert "That would use 6.0 of 5.0 days" in refused.content.decode()
    assert Session.objects.count() == 1


def test_reading_the_records_is_in_the_access_log_for_the_lead_and_enabler(
    engagement_a: Engagement, site_member: User, site_lead: User
) -> None:
    client_for(site_member).get(reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk}))

    log = client_for(site_lead).get(reverse("engagements:access_log", kwargs={"pk": engagement_a.pk}))

    assert AccessRecord.objects.filter(user=site_member, kind="shared").exists()
    assert "Ash Member" in log.content.decode()


def test_either_side_marks_an_action_done(engagement_a: Engagement, site_lead: User, site_member: User) -> None:
    action = add_action(
        engagement=engagement_a, by=site_lead, description="Book the room", owner=site_lead, due_on=None
    )

    client_for(site_member).post(reverse("engagements:action_toggle", kwargs={"pk": action.pk}))

    action.refresh_from_db()
    assert action.is_done


def test_an_action_owned_by_someone_outside_the_engagement_is_refused(
    engagement_a: Engagement, site_lead: User, other_site_lead: User
) -> None:
    response = client_for(site_lead).post(
        reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk}),
        {"description": "Do it", "owner": other_site_lead.pk},
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.exists()


def test_engagement_page_with_500_sessions_keeps_its_query_count(
    engagement_a: Engagement, django_assert_max_num_queries: object
) -> None:
    Session.objects.bulk_create(
        Session(
            engagement=engagement_a,
            held_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300),
            hours=Decimal("1"),
            format="one-to-one",
            place="remote",
            logged_by=engagement_a.enabler,
        )
        for n in range(500)
    )
    client = client_for(engagement_a.enabler)

    with django_assert_max_num_queries(25):
        detail = client.get(reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}))
    with django_assert_max_num_queries(15):
        log = client.get(reverse("engagements:session_list", kwargs={"pk": engagement_a.pk}))

    assert "500 sessions logged" in detail.content.decode()
    assert len(log.context["page"].object_list) == 50
