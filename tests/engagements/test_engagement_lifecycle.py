from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.models import Engagement
from tests.helpers.engagements import activate
from tests.helpers.people import client_for


def test_both_confirmations_make_the_engagement_active(engagement_a: Engagement, site_lead: User) -> None:
    engagement = activate(engagement_a, site_lead)

    assert engagement.state == Engagement.State.ACTIVE
    assert engagement.started_on == timezone.localdate()
    assert engagement.agreement.site_confirmed_by == site_lead


def test_an_edit_withdraws_earlier_confirmations(engagement_a: Engagement, site_lead: User) -> None:
    agreement = engagement_a.agreement
    revise_agreement(
        engagement=engagement_a, by=site_lead, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement_a, by=engagement_a.enabler)

    client_for(site_lead).post(
        reverse("engagements:agreement_edit", kwargs={"pk": engagement_a.pk}),
        {"cadence": "Fortnightly", "ways_of_working": "A", "goals": "B", "confidentiality": "C"},
    )

    agreement.refresh_from_db()
    assert agreement.cadence == "Fortnightly"
    assert agreement.enabler_confirmed_at is None
    engagement_a.refresh_from_db()
    assert engagement_a.state == Engagement.State.AGREEMENT


def test_an_unfinished_agreement_cannot_be_confirmed(engagement_a: Engagement) -> None:
    with pytest.raises(NotAllowed, match="Fill in the cadence, the ways of working and the goals"):
        confirm_agreement(engagement=engagement_a, by=engagement_a.enabler)


def test_a_site_member_who_is_not_the_lead_cannot_confirm_for_the_site(
    engagement_a: Engagement, site_member: User
) -> None:
    revise_agreement(
        engagement=engagement_a, by=site_member, cadence="W", ways_of_working="A", goals="B", confidentiality="C"
    )

    with pytest.raises(NotAllowed, match="confirmed by the site's lead and by the enabler"):
        confirm_agreement(engagement=engagement_a, by=site_member)


def test_agreement_confirmed_emails_both_parties(
    engagement_a: Engagement, site_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    from django.core import mail

    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        activate(engagement_a, site_lead)

    assert sorted(message.to[0] for message in mail.outbox) == sorted([site_lead.email, engagement_a.enabler.email])
    assert all("Trust." not in message.body for message in mail.outbox)  # the goals stay in the app


def test_pause_resume_closing_and_close_in_order_each_with_an_audit_event(
    engagement_a: Engagement, site_lead: User
) -> None:
    engagement = activate(engagement_a, site_lead)
    enabler = engagement.enabler
    client = client_for(enabler)

    client.post(reverse("engagements:engagement_pause", kwargs={"pk": engagement.pk}))
    engagement.refresh_from_db()
    assert engagement.state == Engagement.State.PAUSED
    client.post(reverse("engagements:engagement_resume", kwargs={"pk": engagement.pk}))
    engagement.refresh_from_db()
    assert engagement.state == Engagement.State.ACTIVE
    follow_up = timezone.localdate() + datetime.timedelta(days=30)
    client.post(
        reverse("engagements:engagement_start_closing", kwargs={"pk": engagement.pk}),
        {"follow_up_on_day": follow_up.day, "follow_up_on_month": follow_up.month, "follow_up_on_year": follow_up.year},
    )
    engagement.refresh_from_db()
    assert (engagement.state, engagement.follow_up_on) == (Engagement.State.CLOSING, follow_up)
    client.post(reverse("engagements:engagement_close", kwargs={"pk": engagement.pk}))
    engagement.refresh_from_db()

    assert engagement.state == Engagement.State.CLOSED
    assert engagement.closed_on == timezone.localdate()
    verbs = list(AuditEvent.objects.filter(target_id=engagement.pk, actor=enabler).values_list("verb", flat=True))
    assert {"paused", "resumed", "started closing", "closed"} <= set(verbs)


@pytest.mark.parametrize("change", ["pause", "resume", "close"])
def test_a_change_out_of_order_is_refused_and_changes_nothing(engagement_a: Engagement, change: str) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse(f"engagements:engagement_{change}", kwargs={"pk": engagement_a.pk}), follow=True
    )

    engagement_a.refresh_from_db()
    assert engagement_a.state == Engagement.State.AGREEMENT
    assert "so it cannot move to" in response.content.decode()


def test_a_follow_up_date_in_the_past_is_refused(engagement_a: Engagement, site_lead: User) -> None:
    engagement = activate(engagement_a, site_lead)

    response = client_for(site_lead).post(
        reverse("engagements:engagement_start_closing", kwargs={"pk": engagement.pk}),
        {"follow_up_on_day": "1", "follow_up_on_month": "1", "follow_up_on_year": "2020"},
    )

    engagement.refresh_from_db()
    assert "The follow-up date must be today or later." in response.content.decode()
    assert engagement.state == Engagement.State.ACTIVE


def test_a_site_member_cannot_close_the_engagement(
    engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    engagement = activate(engagement_a, site_lead)

    client_for(site_member).post(reverse("engagements:engagement_pause", kwargs={"pk": engagement.pk}))

    engagement.refresh_from_db()
    assert engagement.state == Engagement.State.ACTIVE


def test_programme_lead_sees_state_dates_and_days_but_never_the_agreement(
    engagement_a: Engagement, site_lead: User, programme_lead: User
) -> None:
    activate(engagement_a, site_lead)

    html = (
        client_for(programme_lead)
        .get(reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}))
        .content.decode()
    )

    assert "Active" in html and "Days used" in html
    assert "Trust." not in html and "One-to-one." not in html


def test_a_confirmed_agreement_is_not_offered_for_editing(engagement_a: Engagement, site_lead: User) -> None:
    activate(engagement_a, site_lead)

    response = client_for(site_lead).get(reverse("engagements:agreement_edit", kwargs={"pk": engagement_a.pk}))

    assert response["Location"] == reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk})
