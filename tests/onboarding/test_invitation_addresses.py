"""Finding 2 of issue 33: an invitation's address follows the one address rule of Alongside (accounts.addresses).
A known address with a zero-width space or a soft hyphen would reach the real person's inbox but make a second
account; a Cyrillic letter would make an account that looks the same on a site's people page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from core.errors import NotAllowed
from onboarding import actions
from onboarding.models import Invitation
from tests.helpers.people import client_for

LOOK_ALIKES = [
    ("enabler@exa\u200bmple.test", "hidden characters"),  # a zero-width space
    ("enabler@exa\u00admple.test", "hidden characters"),  # a soft hyphen
    ("enabler@ex\u0430mple.test", "different alphabets"),  # a Cyrillic "a"
    ("enabler@ex\u0251mple.test", "looks like the address of someone already in Alongside"),  # a Latin alpha
]


def _invite(by: User, email: str) -> str:
    response = client_for(by).post(
        reverse("onboarding:invitation_list"), {"email": email, "full_name": "Robin New", "role": "programme lead"}
    )
    return response.content.decode()


@pytest.mark.parametrize(("typed", "words"), LOOK_ALIKES)
def test_an_invitation_to_a_look_alike_of_someones_address_is_refused_with_a_clear_message(
    programme_lead: User, enabler: User, typed: str, words: str
) -> None:
    page = _invite(programme_lead, typed)

    assert words in page
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("typed", "words"), LOOK_ALIKES)
def test_the_invitation_action_itself_refuses_a_look_alike_address(
    programme_lead: User, enabler: User, typed: str, words: str
) -> None:
    with pytest.raises(NotAllowed, match=words):
        actions.invite(email=typed, full_name="Robin New", role="programme lead", by=programme_lead)

    assert not Invitation.objects.exists()


def test_an_invitation_to_an_address_in_full_width_letters_goes_to_the_one_account(
    programme_lead: User, enabler: User
) -> None:
    _invite(
        programme_lead, "Enabler@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.test"
    )  # "example" in full-width letters

    invitation = Invitation.objects.get()
    assert invitation.email == enabler.email == "enabler@example.test"


def test_accepting_an_invitation_sent_before_the_rule_to_a_look_alike_makes_no_second_account(
    programme_lead: User, enabler: User
) -> None:
    invitation = Invitation(email="enabler@exa\u200bmple.test", full_name="Emery Again", role="programme lead")
    token = actions._new_token(invitation)
    invitation.save()

    with pytest.raises(NotAllowed, match="hidden characters"):
        actions.accept_invitation(token=token, password="a-long-and-new-password-for-alongside")

    assert User.objects.filter(full_name="Emery Again").count() == 0
