"""E-mail addresses as people type them: the one rule for every way an address enters Alongside (an invitation, a
people import, a change of address, a first sign-in through an organisation's provider, the admin's new account).

An address is normalised before any comparison (Unicode NFKC, so full-width and other compatibility forms become
plain letters; trimmed; lower case), and refused when it holds characters that hide (a zero-width space, a soft
hyphen, a direction mark: the domain's encoding drops them, so a soft hyphen inside "example.org" still reaches
example.org's inbox) or imitate
others (a Cyrillic "a" among Latin letters), which would let a look-alike copy of someone's address pass for theirs.

Its skeleton (`skeleton`) is how it looks: hidden characters dropped, case folded, and the Cyrillic, Greek and other
letters that look like Latin ones replaced by them. Each account's skeleton is kept with it and is unique in the
database (accounts.User.email_skeleton), so there is one account per address, and none that looks like another's.
The accounts an address is, or looks like, are found by `User.objects.holder`, `with_address` and
`address_refusal`, which apply this rule.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

INVISIBLE = "An email address must not contain spaces or hidden characters. Type it again."
MIXED = (
    "This email address mixes letters from different alphabets, such as a Cyrillic or Greek letter among Latin "
    "ones. Type it again using one alphabet."
)
# Said to whoever is adding a person (an invitation, an import, the admin), who may know already who has an account.
# A person changing their own address is never told this: their answer stays the same (accounts.actions).
LOOKS_TAKEN = (
    "This looks like the address of someone already in Alongside, but is not quite the same. Check it, or use "
    "their address exactly as it is."
)

# Categories of characters that show as nothing, as a space, or as something else: format (zero-width, direction
# marks, soft hyphen), control, private use, unassigned, surrogates, separators, and combining marks left over once
# NFKC has joined those that belong to a letter ("e" and an acute accent become "é").
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Characters that Unicode says to show as nothing but that sit in a visible category (Hangul fillers, the
# Mongolian soft hyphen, the Braille blank).
HIDDEN_OTHERS = frozenset("\u115f\u1160\u1806\u2800\u3164\uffa0")

# Letters that look like a Latin letter, in lower case (addresses are compared in lower case): a small part of
# Unicode's confusables (UTS #39), for the alphabets an address could be faked with and be read as Latin.
LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a",  # cyrillic small letter a
        "\u0441": "c",  # cyrillic small letter es
        "\u0501": "d",  # cyrillic small letter komi de
        "\u0435": "e",  # cyrillic small letter ie
        "\u04bb": "h",  # cyrillic small letter shha
        "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
        "\u0458": "j",  # cyrillic small letter je
        "\u04cf": "l",  # cyrillic small letter palochka
        "\u043e": "o",  # cyrillic small letter o
        "\u0440": "p",  # cyrillic small letter er
        "\u051b": "q",  # cyrillic small letter qa
        "\u0455": "s",  # cyrillic small letter dze
        "\u051d": "w",  # cyrillic small letter we
        "\u0445": "x",  # cyrillic small letter ha
        "\u0443": "y",  # cyrillic small letter u
        "\u04af": "y",  # cyrillic small letter straight u
        # Greek
        "\u03b1": "a",  # greek small letter alpha
        "\u03f2": "c",  # greek lunate sigma symbol
        "\u03b9": "i",  # greek small letter iota
        "\u03f3": "j",  # greek letter yot
        "\u03ba": "k",  # greek small letter kappa
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c5": "u",  # greek small letter upsilon
        "\u03bd": "v",  # greek small letter nu
        "\u03c7": "x",  # greek small letter chi
        "\u03b3": "y",  # greek small letter gamma
        # Armenian
        "\u0570": "h",  # armenian small letter ho
        "\u0578": "n",  # armenian small letter vo
        "\u0585": "o",  # armenian small letter oh
        "\u057d": "u",  # armenian small letter seh
        "\u0581": "g",  # armenian small letter co
        # Latin letters that pass for others
        "\u0251": "a",  # latin small letter alpha
        "\u0261": "g",  # latin small letter script g
        "\u0131": "i",  # latin small letter dotless i
        "\u0269": "i",  # latin small letter iota
        "\u026a": "i",  # latin letter small capital i
        "\u0237": "j",  # latin small letter dotless j
        "\u029f": "l",  # latin letter small capital l
        "\u1d0f": "o",  # latin letter small capital o
        "\u1d1c": "u",  # latin letter small capital u
        "\u1d20": "v",  # latin letter small capital v
        "\u1d21": "w",  # latin letter small capital w
        "\u1d22": "z",  # latin letter small capital z
    }
)


def normalised(address: str) -> str:
    """Unicode NFKC (full-width and other compatibility forms become plain letters), trimmed, in lower case."""
    return unicodedata.normalize("NFKC", address).strip().lower()


def _hidden(character: str) -> bool:
    return unicodedata.category(character) in HIDDEN_CATEGORIES or character in HIDDEN_OTHERS


def _script(character: str) -> str | None:
    """The alphabet of a letter, from its Unicode name ("LATIN SMALL LETTER A", "CYRILLIC SMALL LETTER A")."""
    if not character.isalpha():
        return None
    return unicodedata.name(character, "UNKNOWN").split(" ")[0]


def problem(address: str) -> str:
    """Why the address is refused whoever holds what: hidden characters, or letters of two alphabets (the part
    before the @ is plain Latin in any address Alongside accepts, so in practice a domain in another alphabet).
    An empty string when neither."""
    if any(_hidden(character) for character in address):
        return INVISIBLE
    if len({script for script in map(_script, address) if script is not None}) > 1:
        return MIXED
    return ""


def skeleton(address: str) -> str:
    """How the address looks: hidden characters dropped, NFKC, case folded, look-alike letters made Latin. Two
    addresses with one skeleton are the same address to anyone reading them."""
    visible = "".join(character for character in unicodedata.normalize("NFKC", address) if not _hidden(character))
    return unicodedata.normalize("NFKC", visible).strip().casefold().translate(LOOK_ALIKES)


def same(first: str, second: str) -> bool:
    """Whether two addresses are the same once normalised and case-folded."""
    return normalised(first).casefold() == normalised(second).casefold()


# The same refusals as one line of an import's report ("line 4: ...").
IN_A_LIST = {
    INVISIBLE: "the e-mail address has spaces or hidden characters",
    MIXED: "the e-mail address mixes letters from different alphabets (a Cyrillic or Greek letter among Latin ones)",
    LOOKS_TAKEN: "the e-mail address looks like the address of someone already in Alongside, but is not the same",
}


def refusal(address: str, *, holder: str | None) -> str:
    """Why an address typed for someone else (an invitation, an import, the admin) is refused: hidden characters,
    two alphabets, or the look of another account's address, `holder` being the address of the account with the
    same skeleton, if any. Empty when none."""
    address = normalised(address)
    return problem(address) or (LOOKS_TAKEN if holder is not None and not same(holder, address) else "")


def refusal_among(address: str, known: Mapping[str, str]) -> str:
    """`refusal` for many addresses at once (an import), against `known`: the skeleton of each account's address,
    to the address."""
    return refusal(address, holder=known.get(skeleton(address)))
