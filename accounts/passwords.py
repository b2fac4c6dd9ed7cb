"""Password rules after NCSC guidance: long is good, predictable is refused, nothing expires.

Django's own validators cover the minimum length, the 20,000 most common passwords and all-digit passwords; these
two add what they do not: an upper bound that only stops abuse (hashing megabytes), and words anyone would guess
for this service.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import User

# Words an attacker tries first against a health and care leadership service.
PREDICTABLE_WORDS = (
    "alongside",
    "password",
    "passw0rd",
    "letmein",
    "welcome",
    "qwerty",
    "nhs",
    "nhsengland",
    "pioneer",
    "vanguard",
    "accelerate",
    "enabler",
    "leadership",
    "integratedcare",
)


# Letters people swap for look-alikes, undone before comparing ("P4ssw0rd" is "password").
LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})


class MaximumLengthValidator:
    """Passphrases are welcome; a password of many kilobytes only costs the server time to hash."""

    def __init__(self, max_length: int = 256) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: User | None = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Use at most {self.max_length} characters.", code="password_too_long", params={"max": self.max_length}
            )

    def get_help_text(self) -> str:
        return f"Use at most {self.max_length} characters."


class PredictablePasswordValidator:
    """Refuses a password that is one guessable word with a few digits or symbols around it ("Alongside2026!")."""

    def validate(self, password: str, user: User | None = None) -> None:
        core = re.sub(r"[^a-z]", "", password.lower().translate(LEET))
        for word in PREDICTABLE_WORDS:
            normalised = word.translate(LEET)
            if core == normalised or (normalised in core and len(core) - len(normalised) < 4):
                raise ValidationError(
                    "This password would be easy to guess. Try three or more random words together.",
                    code="password_predictable",
                )

    def get_help_text(self) -> str:
        return "Do not build it from the name of this service or the NHS; three random words together work well."
