"""UK mobile numbers for text reminders: read as people type them, kept in one form, confirmed with a code."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from frontend.dates import long_date

CODE_MINUTES = 10
CODE_TRIES = 5
RESEND_AFTER_SECONDS = 60  # at most one code a minute to a person, whatever the number
CODES_AN_HOUR = 5  # at most this many codes in an hour to a person, and to a number, whoever asks
CODE_KIND = "mobile number code"  # the kind of the text (accounts.Notification) that carries a code
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


def _clock(moment: datetime) -> str:
    """A time as the NHS.UK style guide writes it, in Europe/London: "9am", "2:05pm"."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def too_soon(*, to_person: Sequence[datetime], to_number: Sequence[datetime], now: datetime) -> str:
    """Why no code may be texted now, or an empty string. `to_person` and `to_number` are when codes were texted
    in the last hour to the person asking (whatever the number) and to the number (whoever asked), kept as rows
    (accounts.Notification), so the limits hold whatever happens to a cache. The message says when to try again."""
    last = max(to_person, default=None)
    if last is not None and now - last < timedelta(seconds=RESEND_AFTER_SECONDS):
        return "A code was texted to you less than a minute ago. Wait a minute, then ask again."
    for sent, whom in ((to_person, "you"), (to_number, "that number")):
        if len(sent) >= CODES_AN_HOUR:
            free = sorted(sent)[-CODES_AN_HOUR] + timedelta(hours=1)
            day = "" if long_date(free) == long_date(now) else f" on {long_date(free)}"
            return (
                f"We have texted {CODES_AN_HOUR} codes to {whom} in the last hour, the most we send. "
                f"You can ask for a new code after {_clock(free)}{day}."
            )
    return ""
