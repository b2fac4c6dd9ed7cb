"""Password rules after NCSC guidance: long enough, not common or guessable, not too long to hash, never expiring."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User


@pytest.mark.parametrize(
    "password",
    [
        "short",  # under 12 characters
        "password1234",  # in the common-password list
        "Alongside2026!",  # the service's name with decoration
        "NHSEngland123!",
        "P4ssw0rd!2026",
        "123456789012345",  # digits only
        "x" * 257,  # longer than anyone types: only costs the server time
    ],
)
def test_weak_or_abusive_passwords_are_refused(password: str, db: None) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "kettle orchard violin sunrise", "tide-lantern-marble-42", "ü" * 20 + "ß"],
)
def test_long_passphrases_are_accepted(password: str, db: None) -> None:
    validate_password(password)


def test_a_password_like_the_persons_own_email_is_refused(db: None) -> None:
    user = User(email="kestrel.moorland@example.test", full_name="Kestrel Moorland")

    with pytest.raises(ValidationError):
        validate_password("kestrel.moorland", user)
