"""Finding 2 of issue 33: an imported person's address follows the one address rule of Alongside
(accounts.addresses): normalised, and refused with hidden characters, two alphabets, or the look of someone's
address, in the words the dry run shows."""

from __future__ import annotations

import pytest

from accounts.models import User
from onboarding import imports

from .imports import PEOPLE, by_line, csv_file


def _outcome(email: str, role: str = "programme lead", name: str = "Robin New") -> tuple[str, str]:
    text = PEOPLE + f"{email},{name},,{role},,,\n"
    return by_line(imports.dry_run(kind="people", filename="people.csv", content=csv_file(text)))[2]


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("enabler@exa\u200bmple.test", "the e-mail address has spaces or hidden characters"),  # zero-width space
        ("enabler@exa\u00admple.test", "the e-mail address has spaces or hidden characters"),  # soft hyphen
        ("enabler@ex\u0430mple.test", "the e-mail address mixes letters from different alphabets"),  # Cyrillic "a"
        ("enabler@ex\u0251mple.test", "the e-mail address looks like the address of someone already in Alongside"),
    ],
)
def test_an_imported_look_alike_of_someones_address_is_refused(enabler: User, email: str, reason: str) -> None:
    outcome, said = _outcome(email)

    assert outcome == "refused"
    assert said.startswith(reason)


def test_an_imported_address_in_full_width_letters_is_the_one_account(enabler: User) -> None:
    outcome, said = _outcome("ENABLER@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.test", "enabler", "Emery Enabler")

    assert outcome == "unchanged", said
