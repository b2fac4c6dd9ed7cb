from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.requests import ProposedEnabler, choose_enabler, confirm_engagement, propose_enablers
from engagements.models import Engagement, Offer, Proposal, SupportRequest
from sites.models import Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for


@pytest.fixture
def chosen(site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User) -> Proposal:
    request = ask_for_support(site_a, offer, site_lead)
    proposal = propose_enablers(
        request=request, proposals=[ProposedEnabler(enabler.enabler_profile, "Hello.", [])], by=programme_lead
    )[0]
    choose_enabler(request=request, proposal=proposal, by=site_lead)
    return proposal


def test_chosen_enabler_confirms_and_the_engagement_begins_with_an_agreement(chosen: Proposal, enabler: User) -> None:
    response = client_for(enabler).post(reverse("engagements:proposal_confirm", kwargs={"pk": chosen.pk}))

    engagement = Engagement.objects.get()
    assert response["Location"] == reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk})
    assert (engagement.site, engagement.enabler, engagement.state) == (chosen.request.site, enabler, "agreement")
    assert engagement.agreement.cadence == "Weekly"
    assert SupportRequest.objects.get().state == SupportRequest.State.ACCEPTED
    assert AuditEvent.objects.filter(verb="created", target_id=engagement.pk).exists()


def test_confirming_twice_creates_one_engagement(chosen: Proposal, enabler: User) -> None:
    client = client_for(enabler)

    client.post(reverse("engagements:proposal_confirm", kwargs={"pk": chosen.pk}))
    second = client.post(reverse("engagements:proposal_confirm", kwargs={"pk": chosen.pk}), follow=True)

    assert Engagement.objects.count() == 1
    assert "already been accepted" in second.content.decode()


def test_enabler_who_cannot_take_it_on_returns_the_request_to_the_queue(chosen: Proposal, enabler: User) -> None:
    client_for(enabler).post(reverse("engagements:proposal_cannot_take_on", kwargs={"pk": chosen.pk}))

    assert SupportRequest.objects.get().state == SupportRequest.State.DECLINED
    assert not Engagement.objects.exists()


def test_an_enabler_who_was_not_chosen_cannot_confirm(chosen: Proposal, other_enabler: User) -> None:
    with pytest.raises(NotAllowed, match="Only the enabler the site chose"):
        confirm_engagement(proposal=chosen, by=other_enabler)

    assert not Engagement.objects.exists()


def test_the_database_refuses_an_engagement_without_a_request(site_a: Site, offer: Offer, enabler: User) -> None:
    with pytest.raises(IntegrityError):
        Engagement.objects.create(site=site_a, offer=offer, enabler=enabler, request_id=None)


def test_the_database_refuses_a_second_engagement_from_one_request(engagement_a: Engagement) -> None:
    with pytest.raises(IntegrityError):
        Engagement.objects.create(
            request=engagement_a.request, site=engagement_a.site, offer=engagement_a.offer, enabler=engagement_a.enabler
        )


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_create_one_engagement(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; run with DATABASE_URL to test the race")
    request = ask_for_support(site_a, offer, site_lead)
    proposal = propose_enablers(
        request=request, proposals=[ProposedEnabler(enabler.enabler_profile, "Hello.", [])], by=programme_lead
    )[0]
    choose_enabler(request=request, proposal=proposal, by=site_lead)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm() -> None:
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            confirm_engagement(proposal=proposal, by=enabler)
            outcomes.append("created")
        except NotAllowed:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created", "refused"]
    assert Engagement.objects.filter(request=request).count() == 1


def test_the_database_refuses_an_engagement_from_a_request_that_is_not_accepted(
    site_a: Site, offer: Offer, site_lead: User, enabler: User
) -> None:
    waiting = ask_for_support(site_a, offer, site_lead)

    with pytest.raises(IntegrityError, match="accepted support request"):
        Engagement.objects.create(request=waiting, site=site_a, offer=offer, enabler=enabler)
