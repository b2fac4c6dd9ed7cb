"""Finding 2 of issue 33: one account per address, whatever its look. The database itself refuses a second account
whose address is another's once normalised, or only looks like it (accounts.User.email_skeleton), and signing in
finds the account by its normalised address."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts import addresses
from accounts.models import User


@pytest.mark.parametrize(
    "address",
    [
        "SAM.SAMPLE@example.test",  # capitals
        "sam.sample@exa\u200bmple.test",  # a zero-width space
        "sam.sample@exa\u00admple.test",  # a soft hyphen
        "sam.sample@ex\u0430mple.test",  # a Cyrillic "a"
        "sam.sample@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.test",  # full-width letters
    ],
)
def test_the_database_refuses_a_second_account_with_the_same_or_a_look_alike_address(db: None, address: str) -> None:
    User.objects.create_user("sam.sample@example.test", None, full_name="Sam Sample")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=address, full_name="Sam Again")

    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("sam@exa\u200dmple.test", addresses.INVISIBLE),  # a zero-width joiner
        ("sam@exa\u200emple.test", addresses.INVISIBLE),  # a left-to-right mark
        ("sam@exa\u2028mple.test", addresses.INVISIBLE),  # a line separator (Zl)
        ("sam@exa\u034fmple.test", addresses.INVISIBLE),  # a combining grapheme joiner, shown as nothing
        ("sam@exa\u0007mple.test", addresses.INVISIBLE),  # a control character
        ("sam@\u03b5xample.test", addresses.MIXED),  # a Greek letter among Latin ones
        ("sam@example.test", ""),
        ("sam@exámple.test", ""),  # an accent is a letter of its own, not a look-alike
    ],
)
def test_the_rule_refuses_hidden_characters_and_two_alphabets(address: str, refused: str) -> None:
    assert addresses.problem(addresses.normalised(address)) == refused


def test_signing_in_finds_the_account_by_its_normalised_address(db: None) -> None:
    sam = User.objects.create_user("sam.sample@example.test", None, full_name="Sam Sample")

    found = User.objects.get_by_natural_key("\uff33am.Sample@example.test")  # a full-width "S"

    assert found.pk == sam.pk
