from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Notification, User
from core.errors import NotAllowed
from engagements.actions.requests import submit_request, withdraw_request
from engagements.models import Offer, SupportRequest
from sites.models import Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for

FORM = {
    "why_now": "Our new board has agreed a shared purpose.",
    "help_wanted": "Coaching for the programme director.",
    "who_is_involved": "The partnership board.",
    "approaches_wanted": ["coaching"],
}


def _form(offer: Offer, **extra: object) -> dict:
    return {**FORM, "offer": offer.pk, **extra}


def test_site_lead_asks_for_support_and_the_central_team_is_told(
    site_lead: User, site_a: Site, offer: Offer, programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(site_lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}), _form(offer))

    support_request = SupportRequest.objects.get()
    assert response["Location"] == reverse("engagements:request_detail", kwargs={"pk": support_request.pk})
    assert (support_request.site, support_request.offer, support_request.state) == (site_a, offer, "submitted")
    assert [message.to for message in mail.outbox] == [[programme_lead.email]]
    assert Notification.objects.get(recipient=programme_lead).status == Notification.Status.SENT
    assert AuditEvent.objects.filter(verb="submitted", target_id=support_request.pk).exists()


def test_request_email_carries_no_words_of_the_site(
    site_lead: User, site_a: Site, offer: Offer, programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_support(site_a, offer, site_lead)

    assert "board is ready to work on trust" not in mail.outbox[0].body
    assert "Coaching for the programme director" not in mail.outbox[0].body


def test_a_second_open_request_for_the_same_offer_is_refused_and_changes_nothing(
    site_lead: User, site_member: User, site_a: Site, offer: Offer
) -> None:
    first = ask_for_support(site_a, offer, site_lead)

    response = client_for(site_member).post(
        reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}), _form(offer, why_now="Typed again")
    )

    assert response.status_code == 200
    assert "Your site already has an open request for this offer." in response.content.decode()
    assert "Typed again" in response.content.decode()  # what was typed is kept
    assert list(SupportRequest.objects.all()) == [first]


def test_double_clicked_submit_creates_one_request(site_lead: User, site_a: Site, offer: Offer) -> None:
    client = client_for(site_lead)
    url = reverse("engagements:request_create", kwargs={"site_pk": site_a.pk})

    first = client.post(url, _form(offer))
    second = client.post(url, _form(offer))

    assert SupportRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_empty_request_says_what_is_missing(site_lead: User, site_a: Site, offer: Offer) -> None:
    response = client_for(site_lead).post(reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}), {})

    html = response.content.decode()
    for message in ("Choose the support you are asking for", "Say why now is the right time", "Say who is involved"):
        assert message in html
    assert not SupportRequest.objects.exists()


def test_start_date_in_the_past_is_refused(site_lead: User, site_a: Site, offer: Offer) -> None:
    data = _form(offer, preferred_start_day="1", preferred_start_month="1", preferred_start_year="2001")

    response = client_for(site_lead).post(reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}), data)

    assert "The start date must be today or in the future" in response.content.decode()


def test_only_a_member_of_the_site_can_ask(programme_lead: User, site_a: Site, offer: Offer) -> None:
    with pytest.raises(NotAllowed, match="Only a member of the site"):
        ask_for_support(site_a, offer, programme_lead)

    assert not SupportRequest.objects.exists()


def test_site_withdraws_a_request_before_acceptance(
    site_member: User, site_lead: User, site_a: Site, offer: Offer
) -> None:
    support_request = ask_for_support(site_a, offer, site_lead)

    response = client_for(site_member).post(reverse("engagements:request_withdraw", kwargs={"pk": support_request.pk}))

    support_request.refresh_from_db()
    assert response.status_code == 302
    assert support_request.state == SupportRequest.State.WITHDRAWN
    assert AuditEvent.objects.filter(verb="withdrew", target_id=support_request.pk, actor=site_member).exists()


def test_withdrawing_an_accepted_request_is_refused_with_a_message(site_lead: User, engagement_a: object) -> None:
    client = client_for(site_lead)

    response = client.post(reverse("engagements:request_withdraw", kwargs={"pk": engagement_a.request_id}), follow=True)

    assert "already been accepted" in response.content.decode()
    engagement_a.request.refresh_from_db()
    assert engagement_a.request.state == SupportRequest.State.ACCEPTED


def test_after_withdrawal_the_site_can_ask_again(site_lead: User, site_a: Site, offer: Offer) -> None:
    withdraw_request(request=ask_for_support(site_a, offer, site_lead), by=site_lead)

    again = ask_for_support(site_a, offer, site_lead)

    assert again.state == SupportRequest.State.SUBMITTED


def test_offer_of_another_programme_is_not_open_to_the_site(site_lead: User, site_a: Site, offer: Offer) -> None:
    from sites.models import Programme

    vanguard = Programme.objects.create(kind=Programme.Kind.VANGUARD, year=2015)
    other_offer = Offer.objects.create(programme=vanguard, name="Vanguard", provider="x", cadence="flexible")

    with pytest.raises(NotAllowed, match="not open to your site"):
        submit_request(
            site=site_a,
            offer=other_offer,
            by=site_lead,
            why_now="x",
            help_wanted="x",
            who_is_involved="x",
            approaches_wanted=[],
            preferred_start=None,
        )
