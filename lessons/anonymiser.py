"""Replace everything in a lesson that could point at a place or a person with a typed, neutral placeholder.

A plain module: `anonymise(text, vocabulary)` knows nothing of Django; `registry_vocabulary()` gathers the names
Alongside knows (sites, organisations and their aliases, people, places). Matching is on words, so it ignores
case, possessives ("Islington's") and the punctuation between words ("L.B. Islington", "Waltham Forest & East
London"), and it never matches inside another word ("Burystead" is left alone).

Decision on names that are also ordinary words: a one-word name that is an everyday English word ("Bury",
"Reading") or a person's surname on its own ("Marsh", "Lead") is replaced only when written with a capital letter,
as a name is ("Bury", "BURY"), never in lower case ("to bury", "the team lead"). Every other name is replaced
whatever its case. A sentence that starts with such a word is therefore redacted too: a lesson loses a word rather
than risk naming a place or a person.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

PLACEHOLDER_EMAIL = "[an e-mail address]"
PLACEHOLDER_PHONE = "[a phone number]"
PLACEHOLDER_POSTCODE = "[a postcode]"
PLACEHOLDER_NHS_NUMBER = "[an NHS number]"
PLACEHOLDER_URL = "[a web address]"
PLACEHOLDER_PERSON = "[a senior leader]"
PLACEHOLDER_ENABLER = "[an enabler]"
PLACEHOLDER_PLACE = "[a place]"

# Everyday words that are also the names of places or people in the registry, or may become so.
COMMON_WORDS = frozenset(
    [
        "bury",
        "reading",
        "wells",
        "sale",
        "march",
        "deal",
        "hope",
        "street",
        "city",
        "marsh",
        "pike",
        "hale",
        "lane",
        "green",
        "wood",
        "hill",
        "brook",
        "bath",
        "poole",
        "fleet",
        "rugby",
        "ware",
        "whitby",
        "stone",
        "leek",
        "sandy",
        "bognor",
        "church",
        "park",
        "field",
        "bridge",
        "ford",
        "lake",
        "north",
        "south",
        "east",
        "west",
        "central",
        "kent",
        "wakefield",
        "young",
        "white",
        "black",
        "brown",
        "baker",
        "cook",
        "mason",
        "rose",
        "hunter",
        "bishop",
        "page",
        "long",
        "short",
    ]
)

_PATTERNS = [
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), PLACEHOLDER_EMAIL),
    (re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE), PLACEHOLDER_URL),
    (re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"), PLACEHOLDER_NHS_NUMBER),
    (re.compile(r"(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,9}\b"), PLACEHOLDER_PHONE),
    (
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
        PLACEHOLDER_POSTCODE,
    ),
]
_WORD = re.compile("(?:[A-Za-z]\\.){2,}|[^\\W_]+(?:['\u2019][sS])?|&")
# What may stand between two words of one name: spaces, hyphens, dots, commas.
_GAP = re.compile("[\\s\\-\u2013\u2014.,]{1,4}")
_PLACEHOLDER = re.compile(r"\[(?:an?|the) [^\]]{1,40}\]")


def normalise(word: str) -> str:
    word = word.replace("\u2019", "'").lower()
    if word == "&":
        return "and"
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace(".", "")


@dataclass
class Vocabulary:
    """Names and what replaces them: word sequences (normalised) mapped to placeholders."""

    terms: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: int = 1
    # One-word names matched only when written with a capital: surnames, and names that are everyday words.
    capital_only: set[str] = field(default_factory=set)

    def add(self, name: str, placeholder: str, *, capital_only: bool = False) -> None:
        words = tuple(normalise(word) for word in _WORD.findall(name))
        if not words or (len(words) == 1 and len(words[0]) < 3):
            return  # one or two letters are not a name worth redacting everywhere ("NW" stays in its alias)
        if len(words) == 1 and (capital_only or words[0] in COMMON_WORDS):
            self.capital_only.add(words[0])
        current = self.terms.get(words)
        # When two kinds share a name, the more specific placeholder of a site or organisation wins over a place.
        if current is None or current == PLACEHOLDER_PLACE:
            self.terms[words] = placeholder
        self.longest = max(self.longest, len(words))


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    placeholder: str


@dataclass
class Result:
    text: str
    replacements: list[Replacement]


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_matches(vocabulary: Vocabulary, text: str, taken: list[tuple[int, int]]) -> list[Replacement]:
    words = [m for m in _WORD.finditer(text) if not any(s <= m.start() < e for s, e in taken)]
    found: list[Replacement] = []
    index = 0
    while index < len(words):
        match = None
        for size in range(min(vocabulary.longest, len(words) - index), 0, -1):
            run = words[index : index + size]
            if any(not _GAP.fullmatch(text[a.end() : b.start()]) for a, b in itertools.pairwise(run)):
                continue
            key = tuple(normalise(word.group()) for word in run)
            placeholder = vocabulary.terms.get(key)
            if placeholder is None:
                continue
            if size == 1 and key[0] in vocabulary.capital_only and not _capitalised(run[0].group()):
                continue
            match = (size, placeholder)
            break
        if match is None:
            index += 1
            continue
        size, placeholder = match
        last = words[index + size - 1]
        possessive = last.group().replace("\u2019", "'").lower().endswith("'s")
        found.append(Replacement(words[index].start(), last.end(), placeholder + ("'s" if possessive else "")))
        index += size
    return found


def anonymise(text: str, vocabulary: Vocabulary) -> Result:
    """The text with every known name and every contact detail replaced, and where each replacement stands."""
    replacements: list[Replacement] = []
    taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    for pattern, placeholder in _PATTERNS:
        for match in pattern.finditer(text):
            if not any(s < match.end() and match.start() < e for s, e in taken):
                replacements.append(Replacement(match.start(), match.end(), placeholder))
                taken.append((match.start(), match.end()))
    replacements += _name_matches(vocabulary, text, taken)
    replacements.sort(key=lambda r: r.start)
    pieces, cursor, placed = [], 0, []
    for replacement in replacements:
        pieces.append(text[cursor : replacement.start])
        start = sum(len(piece) for piece in pieces)
        pieces.append(replacement.placeholder)
        placed.append(Replacement(start, start + len(replacement.placeholder), replacement.placeholder))
        cursor = replacement.end
    pieces.append(text[cursor:])
    return Result("".join(pieces), placed)


def is_empty_once_anonymised(text: str) -> bool:
    """Nothing of substance is left: only placeholders, spaces and punctuation."""
    return not re.search(r"[^\W_]", _PLACEHOLDER.sub("", text))


def vocabulary_of(
    *,
    sites: Iterable[tuple[str, str]] = (),
    organisations: Iterable[tuple[str, str, Iterable[str]]] = (),
    people: Iterable[tuple[str, bool]] = (),
    places: Iterable[str] = (),
) -> Vocabulary:
    """A vocabulary from plain data: (site name, placeholder), (organisation name, placeholder, aliases),
    (person's full name, is an enabler), place names."""
    vocabulary = Vocabulary()
    sites = list(sites)
    for place in [*places, *(name for name, _ in sites)]:
        vocabulary.add(place, PLACEHOLDER_PLACE)
        for part in re.split(r"\s+(?:and|&)\s+", place):  # "South Devon and Torbay" names two places too
            vocabulary.add(part, PLACEHOLDER_PLACE)
    for name, placeholder in sites:
        vocabulary.add(name, placeholder)
    for name, placeholder, aliases in organisations:
        vocabulary.add(name, placeholder)
        for alias in aliases:
            vocabulary.add(alias, placeholder)
    for full_name, is_enabler in people:
        placeholder = PLACEHOLDER_ENABLER if is_enabler else PLACEHOLDER_PERSON
        vocabulary.add(full_name, placeholder)
        parts = full_name.split()
        if len(parts) > 1:  # a surname in lower case is an ordinary word ("lead", "marsh"), not the person
            vocabulary.add(parts[-1], placeholder, capital_only=True)
    return vocabulary
