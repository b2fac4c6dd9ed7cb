"""Which sign-ins through a provider count as multi-factor: the provider's configuration, or its token's `amr`
(RFC 8176) naming a factor beyond a password. Something else known (a PIN) is not one."""

from __future__ import annotations

import pytest

from accounts.oidc import Provider, used_more_than_a_password


def provider(*, mfa: bool) -> Provider:
    return Provider(
        slug="nhsmail",
        name="NHSmail",
        discovery_url="https://login.example.test/v2.0/.well-known/openid-configuration",
        client_id="alongside",
        client_secret="not-used-here",
        domains=("nhs.test",),
        mfa=mfa,
    )


@pytest.mark.parametrize(
    ("amr", "counts"),
    [
        (["pwd", "mfa"], True),
        (["pwd", "otp"], True),
        (["hwk", "pin"], True),
        (["fpt"], True),
        (["pwd"], False),
        (["pwd", "pin"], False),
        (["kba"], False),
        ("mfa", False),  # not a list, as the claim must be
        (None, False),
    ],
)
def test_the_amr_claim_counts_only_a_factor_beyond_a_password(amr: object, counts: bool) -> None:
    assert used_more_than_a_password(provider(mfa=False), {"amr": amr}) is counts


def test_a_provider_configured_as_multi_factor_counts_every_sign_in() -> None:
    assert used_more_than_a_password(provider(mfa=True), {"amr": ["pwd"]}) is True
