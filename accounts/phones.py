"""UK mobile numbers for text reminders: read as people type them, kept in one form, confirmed with a code."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

CODE_MINUTES = 10
CODE_TRIES = 5
RESEND_AFTER_SECONDS = 60
NOT_A_MOBILE = "Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982"


def uk_mobile(typed: str) -> str | None:
    """The number in international form (+447700900982), or None when it is not a UK mobile number. Spaces,
    hyphens, dots, brackets and a (0) after +44 are forgiven."""
    digits = re.sub(r"[\s().-]", "", typed or "")
    digits = digits.replace("+44(0)", "+44").replace("+440", "+44")
    if digits.startswith("+44"):
        national = "0" + digits[3:]
    elif digits.startswith("0044"):
        national = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        national = "0" + digits[2:]
    else:
        national = digits
    if not re.fullmatch(r"07[1-57-9][0-9]{8}", national):  # 070 (personal) and 076 (pagers) are not mobiles
        return None
    return "+44" + national[1:]


def shown(number: str) -> str:
    """+447700900982 as people read it: 07700 900 982."""
    national = "0" + number[3:] if number.startswith("+44") else number
    return f"{national[:5]} {national[5:8]} {national[8:]}"


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def digest(code: str, number: str) -> str:
    """A code's digest, bound to the number it was sent to."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(code: str, number: str, stored: str) -> bool:
    return bool(stored) and hmac.compare_digest(digest(re.sub(r"\s", "", code), number), stored)
