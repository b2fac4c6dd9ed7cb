"""Finding 2 of issue 33, for a first sign-in through an organisation's provider (accounts.oidc): the address the
provider vouches for follows the one address rule of Alongside. Full-width letters find the one account; hidden
characters or another alphabet make no second account, even with an invitation sent to that address before the
rule."""

from __future__ import annotations

import pytest

from accounts import oidc
from accounts.models import User
from onboarding import actions as onboarding_actions
from onboarding.models import Invitation

PROVIDER = oidc.Provider(
    slug="test-nhsmail",
    name="Test NHSmail",
    discovery_url="https://login.nhs.test/.well-known/openid-configuration",
    client_id="alongside",
    client_secret="not-a-secret",
    domains=("nhs.test",),
    mfa=False,
)


def _claims(email: str) -> dict[str, object]:
    return {"iss": "https://login.nhs.test", "sub": "subject-1", "email": email, "email_verified": True}


@pytest.fixture
def sam(db: None) -> User:
    return User.objects.create_user("sam.sample@nhs.test", None, full_name="Sam Sample")


def test_an_address_in_full_width_letters_finds_the_one_account(sam: User) -> None:
    found = oidc.account_for(PROVIDER, _claims("\uff53\uff41\uff4d.Sample@nhs.test"))  # "sam" in full-width letters

    assert found.pk == sam.pk
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "address",
    [
        "sam\u200b.sample@nhs.test",  # a zero-width space
        "sam\u00ad.sample@nhs.test",  # a soft hyphen
        "s\u0430m.sample@nhs.test",  # a Cyrillic "a"
    ],
)
def test_a_look_alike_address_is_refused_and_makes_no_second_account(sam: User, address: str) -> None:
    waiting = Invitation(email=address, full_name="Sam Again", role="enabler")  # sent before the rule
    onboarding_actions._new_token(waiting)
    waiting.save()

    with pytest.raises(oidc.Refused) as refused:
        oidc.account_for(PROVIDER, _claims(address))

    assert refused.value.reason == "address_refused"
    assert "hidden characters, or letters that look like others" in refused.value.message
    assert list(User.objects.values_list("full_name", flat=True)) == ["Sam Sample"]
