from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from core.errors import NotAllowed
from engagements.actions.requests import ProposedEnabler, choose_enabler, decline_proposals, propose_enablers
from engagements.models import Offer, Proposal, SupportRequest
from sites.models import Organisation, Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for


def _propose(request: SupportRequest, by: User, *enablers: User) -> list[Proposal]:
    return propose_enablers(
        request=request,
        proposals=[ProposedEnabler(e.enabler_profile, f"Meet {e}.", []) for e in enablers],
        by=by,
    )


@pytest.fixture
def support_request(site_a: Site, offer: Offer, site_lead: User) -> SupportRequest:
    return ask_for_support(site_a, offer, site_lead)


def test_programme_lead_proposes_two_enablers_from_the_match_page_and_the_site_lead_is_told(
    support_request: SupportRequest,
    programme_lead: User,
    enabler: User,
    other_enabler: User,
    site_lead: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    mail.outbox = []
    e1, e2 = enabler.enabler_profile.pk, other_enabler.enabler_profile.pk
    data = {
        "enablers": [e1, e2],
        f"introduction_{e1}": "A coach who knows councils.",
        f"introduction_{e2}": "A former COO.",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(programme_lead).post(
            reverse("engagements:request_match", kwargs={"pk": support_request.pk}), data
        )

    support_request.refresh_from_db()
    assert response.status_code == 302
    assert support_request.state == SupportRequest.State.PROPOSED
    assert sorted(p.enabler.email for p in support_request.proposals.all()) == sorted(
        [enabler.email, other_enabler.email]
    )
    assert [message.to for message in mail.outbox] == [[site_lead.email]]


def test_match_page_refuses_an_enabler_without_an_introduction(
    support_request: SupportRequest, programme_lead: User, enabler: User
) -> None:
    pk = enabler.enabler_profile.pk

    response = client_for(programme_lead).post(
        reverse("engagements:request_match", kwargs={"pk": support_request.pk}), {"enablers": [pk]}
    )

    assert f"Write a short introduction to {enabler}" in response.content.decode()
    assert not Proposal.objects.exists()


def test_proposing_more_than_three_or_none_is_refused(support_request: SupportRequest, programme_lead: User) -> None:
    with pytest.raises(NotAllowed, match="between one and three"):
        propose_enablers(request=support_request, proposals=[], by=programme_lead)

    assert support_request.state == SupportRequest.State.SUBMITTED


def test_proposing_an_enabler_with_a_conflict_is_refused(
    support_request: SupportRequest, programme_lead: User, enabler: User
) -> None:
    enabler.enabler_profile.worked_for.add(Organisation.objects.get(name="Ashvale Borough Council"))

    with pytest.raises(NotAllowed, match="conflict of interest"):
        _propose(support_request, programme_lead, enabler)

    assert not Proposal.objects.exists()


def test_proposing_an_enabler_with_no_capacity_is_refused(
    support_request: SupportRequest, programme_lead: User, enabler: User
) -> None:
    enabler.enabler_profile.capacity = 0
    enabler.enabler_profile.save()

    with pytest.raises(NotAllowed, match="no free capacity"):
        _propose(support_request, programme_lead, enabler)


def test_only_a_programme_lead_proposes(support_request: SupportRequest, site_lead: User, enabler: User) -> None:
    with pytest.raises(NotAllowed, match="Only a programme lead"):
        _propose(support_request, site_lead, enabler)


def test_site_lead_chooses_one_and_the_enabler_is_told(
    support_request: SupportRequest,
    programme_lead: User,
    enabler: User,
    other_enabler: User,
    site_lead: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    chosen, other = _propose(support_request, programme_lead, enabler, other_enabler)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        client_for(site_lead).post(
            reverse("engagements:request_choose", kwargs={"pk": support_request.pk}), {"proposal": chosen.pk}
        )

    chosen.refresh_from_db()
    other.refresh_from_db()
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.CHOSEN
    assert (chosen.outcome, other.outcome) == (Proposal.Outcome.CHOSEN, Proposal.Outcome.NOT_CHOSEN)
    assert [message.to for message in mail.outbox] == [[enabler.email]]


def test_choosing_an_enabler_who_was_not_proposed_is_refused(
    support_request: SupportRequest,
    programme_lead: User,
    enabler: User,
    other_enabler: User,
    site_lead: User,
    site_b: Site,
    offer: Offer,
    other_site_lead: User,
) -> None:
    _propose(support_request, programme_lead, enabler)
    elsewhere = _propose(ask_for_support(site_b, offer, other_site_lead), programme_lead, other_enabler)[0]

    response = client_for(site_lead).post(
        reverse("engagements:request_choose", kwargs={"pk": support_request.pk}),
        {"proposal": elsewhere.pk},
        follow=True,
    )

    support_request.refresh_from_db()
    assert "Choose one of the enablers proposed." in response.content.decode()
    assert support_request.state == SupportRequest.State.PROPOSED


@pytest.mark.parametrize("proposal", ["abc", "1.5", "1\x00", str(2**63), ""])
def test_choosing_with_a_value_that_is_no_proposal_is_refused_with_a_message(
    support_request: SupportRequest, programme_lead: User, enabler: User, site_lead: User, proposal: str
) -> None:
    """Found by fuzzing (tests/fuzz): text where the proposal's id belongs was a server error."""
    _propose(support_request, programme_lead, enabler)

    response = client_for(site_lead).post(
        reverse("engagements:request_choose", kwargs={"pk": support_request.pk}), {"proposal": proposal}, follow=True
    )

    support_request.refresh_from_db()
    assert response.status_code == 200
    assert "Choose one of the enablers proposed." in response.content.decode()
    assert support_request.state == SupportRequest.State.PROPOSED


def test_a_site_member_who_is_not_the_lead_cannot_choose(
    support_request: SupportRequest, programme_lead: User, enabler: User, site_member: User
) -> None:
    proposal = _propose(support_request, programme_lead, enabler)[0]

    with pytest.raises(NotAllowed, match="Only the site's lead"):
        choose_enabler(request=support_request, proposal=proposal, by=site_member)


def test_declining_all_with_a_reason_returns_the_request_to_the_queue(
    support_request: SupportRequest, programme_lead: User, enabler: User, site_lead: User
) -> None:
    proposal = _propose(support_request, programme_lead, enabler)[0]

    client_for(site_lead).post(
        reverse("engagements:request_decline", kwargs={"pk": support_request.pk}), {"reason": "We need social care."}
    )

    support_request.refresh_from_db()
    proposal.refresh_from_db()
    assert support_request.state == SupportRequest.State.DECLINED
    assert support_request.decline_reason == "We need social care."
    assert proposal.outcome == Proposal.Outcome.DECLINED
    assert list(SupportRequest.objects.in_queue()) == [support_request]


def test_declining_without_a_reason_is_refused(
    support_request: SupportRequest, programme_lead: User, enabler: User, site_lead: User
) -> None:
    _propose(support_request, programme_lead, enabler)

    response = client_for(site_lead).post(reverse("engagements:request_decline", kwargs={"pk": support_request.pk}), {})

    support_request.refresh_from_db()
    assert "Say why none of the proposed enablers is right" in response.content.decode()
    assert support_request.state == SupportRequest.State.PROPOSED


def test_a_declined_request_can_be_proposed_to_again(
    support_request: SupportRequest, programme_lead: User, enabler: User, other_enabler: User, site_lead: User
) -> None:
    _propose(support_request, programme_lead, enabler)
    decline_proposals(request=support_request, reason="Not the right fit.", by=site_lead)

    _propose(support_request, programme_lead, other_enabler)

    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.PROPOSED
    assert [p.enabler for p in support_request.current_proposals()] == [other_enabler]


def test_proposed_enabler_sees_their_own_proposal_but_not_the_others(
    support_request: SupportRequest, programme_lead: User, enabler: User, other_enabler: User
) -> None:
    _propose(support_request, programme_lead, enabler, other_enabler)

    response = client_for(enabler).get(reverse("engagements:request_detail", kwargs={"pk": support_request.pk}))

    assert [p.enabler for p in response.context["proposals"]] == [enabler]
    assert "Meet Orin Enabler" not in response.content.decode()
