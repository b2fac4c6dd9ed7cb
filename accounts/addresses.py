"""E-mail addresses as people type them: normalised before any comparison, and refused when they hold characters
that hide (a zero-width space) or imitate others (a Cyrillic "a" among Latin letters), which would let a look-alike
copy of someone's address pass for theirs."""

from __future__ import annotations

import unicodedata

INVISIBLE = "Your email address must not contain spaces or hidden characters. Type it again."
MIXED = (
    "Your email address mixes letters from different alphabets, such as a Cyrillic or Greek letter among Latin "
    "ones. Type it again using one alphabet."
)
# Categories of characters that show as nothing, as a space, or as something else: format (zero-width, direction
# marks), control, private use, unassigned, and separators.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cn", "Cs", "Zs", "Zl", "Zp"})


def normalised(address: str) -> str:
    """Unicode NFKC (full-width and other compatibility forms become plain letters), trimmed, in lower case."""
    return unicodedata.normalize("NFKC", address).strip().lower()


def _script(character: str) -> str | None:
    """The alphabet of a letter, from its Unicode name ("LATIN SMALL LETTER A", "CYRILLIC SMALL LETTER A")."""
    if not character.isalpha():
        return None
    return unicodedata.name(character, "UNKNOWN").split(" ")[0]


def problem(address: str) -> str:
    """Why the address is refused, or an empty string."""
    if any(unicodedata.category(character) in HIDDEN_CATEGORIES for character in address):
        return INVISIBLE
    if len({script for script in map(_script, address) if script is not None}) > 1:
        return MIXED
    return ""


def same(first: str, second: str) -> bool:
    """Whether two addresses are the same once normalised and case-folded."""
    return normalised(first).casefold() == normalised(second).casefold()
