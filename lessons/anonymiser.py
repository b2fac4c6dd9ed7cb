"""Replace everything in a lesson that could point at a place or a person with a typed, neutral placeholder.

A plain module: `anonymise(text, vocabulary)` knows nothing of Django; `registry_vocabulary()` gathers the names
Alongside knows (sites, organisations and their aliases, people, places). Matching is on words, so it ignores case,
accents ("Zoe" for "Zoë"), possessives with a straight or a curly apostrophe ("Islington's", "the Morgans' notes")
and the punctuation between words ("L.B. Islington", "Waltham Forest & East London", "Anne-Marie"), and it never
matches inside another word ("Burystead" is left alone; "Morgan-led" is two words, and "Morgan" goes).

Every person Alongside knows is replaced by their full name (with or without a title such as "Dr" and their middle
names), their surname alone, and each of their given names alone ("Morgan", "Anne-Marie", and "Anne" or "Marie" of
it), in the singular and the plural. When an enabler and someone else share a name, the placeholder says only
"[a person]".

Decision on names that are also ordinary words: the centre must never read a name, so a lesson may lose a word
rather than keep one. A one-word name that is an everyday English word ("Bury", "Reading", "Will", "Grace", "May",
"Rich": COMMON_WORDS and EVERYDAY_GIVEN_NAMES below) or a person's surname on its own ("Marsh", "Lead") is replaced
whenever it is written with a capital, as a name is ("Will", "WILL", at the start of a sentence too), never in lower
case ("we will", "the team lead"). So "Will the board agree?" or the month "May" loses that word while someone
called Will or May is known. A given name that is not an everyday word is replaced whatever its case ("morgan"),
and so is every longer name unless all its words are everyday ones ("Will Page"). A given name or surname of two
letters is replaced only as a name is written, "Jo" or "Li", never "jo", nor "ED" for the emergency department;
one that is also a two-letter English word ("He", "An", "So") only within the full name, or every sentence
starting "He" would lose its first word: the one place where the rule lets a name through, and a reader cannot
tell it from the word. A given name that is an everyday word but missing from the list blanks that word in lower
case too: the list can cost a word, never a name.

One pass over the text's words, with the vocabulary's names in a dictionary of word sequences (and of their first
words): the time grows with the length of the text, not with the number of names.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

PLACEHOLDER_EMAIL = "[an e-mail address]"
PLACEHOLDER_PHONE = "[a phone number]"
PLACEHOLDER_POSTCODE = "[a postcode]"
PLACEHOLDER_NHS_NUMBER = "[an NHS number]"
PLACEHOLDER_URL = "[a web address]"
PLACEHOLDER_PERSON = "[a senior leader]"
PLACEHOLDER_ENABLER = "[an enabler]"
PLACEHOLDER_SOMEONE = "[a person]"  # a name shared by an enabler and someone else
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

# Given names that are also everyday words (and words an account's name might hold, such as "Test User"): replaced
# only when written with a capital.
EVERYDAY_GIVEN_NAMES = frozenset(
    [
        "ace",
        "admin",
        "amber",
        "april",
        "archer",
        "art",
        "ash",
        "august",
        "autumn",
        "baker",
        "bear",
        "beau",
        "bill",
        "bishop",
        "bliss",
        "blossom",
        "bob",
        "bonnie",
        "brook",
        "buck",
        "bud",
        "carol",
        "carter",
        "cash",
        "chance",
        "charity",
        "chase",
        "cherry",
        "clay",
        "cliff",
        "colt",
        "coral",
        "crystal",
        "daisy",
        "dale",
        "dash",
        "dawn",
        "dean",
        "demo",
        "destiny",
        "dot",
        "drew",
        "duke",
        "dusty",
        "earl",
        "echo",
        "eve",
        "faith",
        "fern",
        "fisher",
        "ford",
        "forest",
        "fox",
        "frank",
        "gay",
        "gem",
        "gene",
        "ginger",
        "glen",
        "grace",
        "grant",
        "guy",
        "harmony",
        "hawk",
        "hazel",
        "heath",
        "heather",
        "holly",
        "honey",
        "hope",
        "hunter",
        "iris",
        "ivy",
        "jack",
        "jade",
        "jay",
        "jean",
        "jewel",
        "joy",
        "june",
        "justice",
        "ken",
        "king",
        "kit",
        "kitty",
        "lance",
        "lark",
        "lee",
        "liberty",
        "lily",
        "major",
        "mark",
        "marshal",
        "max",
        "may",
        "melody",
        "mercy",
        "miles",
        "misty",
        "noble",
        "norm",
        "olive",
        "page",
        "pat",
        "patience",
        "pearl",
        "peg",
        "penny",
        "pierce",
        "poppy",
        "porter",
        "prince",
        "rich",
        "river",
        "robin",
        "rock",
        "rocky",
        "rod",
        "rose",
        "rowan",
        "royal",
        "ruby",
        "rusty",
        "sage",
        "sandy",
        "scout",
        "shepherd",
        "skip",
        "sky",
        "sonny",
        "star",
        "sterling",
        "storm",
        "sue",
        "summer",
        "sunny",
        "support",
        "tanner",
        "team",
        "test",
        "user",
        "victor",
        "violet",
        "wade",
        "walker",
        "ward",
        "warren",
        "will",
        "willow",
        "winter",
        "wolf",
        "wren",
    ]
)
# Words before or inside a person's name that are not the name itself: titles, letters after it, particles.
_TITLES = frozenset(
    ["dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "lord", "lady", "rev", "revd", "cllr"]
)
_SUFFIXES = frozenset(["jr", "jnr", "sr", "snr", "ii", "iii", "obe", "mbe", "cbe", "phd"])
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "del",
        "della",
        "la",
        "le",
        "du",
        "dos",
        "das",
        "bin",
        "binti",
        "ibn",
        "ter",
        "ten",
    ]
)
_PARTICLE_PARTS = frozenset((particle,) for particle in _PARTICLES)
# Two-letter words a sentence may start with: a name of two letters that is one of them ("He", "An", "So") is
# replaced only within the person's full name, or every "He" would go.
_TWO_LETTER_WORDS = frozenset(
    [
        "ah",
        "am",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "ha",
        "he",
        "hi",
        "ho",
        "if",
        "in",
        "is",
        "it",
        "lo",
        "ma",
        "me",
        "my",
        "no",
        "of",
        "oh",
        "ok",
        "on",
        "or",
        "ox",
        "pa",
        "so",
        "to",
        "uh",
        "up",
        "us",
        "we",
        "ye",
        "yo",
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
# A word: initials ("L.B."), letters with what follows an apostrophe ("Morgan's", "O'Neill", "don't"), a plural's
# possessive apostrophe when a word follows ("the Morgans' notes"), or an ampersand.
_WORD = re.compile("(?:[A-Za-z]\\.){2,}|[^\\W_]+(?:['\u2019][^\\W_]+)*(?:(?<=[sS])['\u2019](?=\\s+[^\\W\\d_]))?|&")
# What may stand between two words of one name: spaces, hyphens, dots, commas.
_GAP = re.compile("[\\s\\-\u2013\u2014.,]{1,4}")
_PLACEHOLDER = re.compile(r"\[(?:an?|the) [^\]]{1,40}\]")
_APOSTROPHE = re.compile("['\u2019]")
_PEOPLE = frozenset([PLACEHOLDER_PERSON, PLACEHOLDER_ENABLER, PLACEHOLDER_SOMEONE])

# How a name must be written to be replaced: any case, with a capital ("Will", "WILL"), or as "Jo" (two letters).
ANY_CASE, CAPITALISED, TITLE_CASE = 0, 1, 2


def normalise(word: str) -> str:
    if word.isascii() and word.isalpha():
        return word.lower()  # most words: nothing else to do
    word = word.replace("\u2019", "'").lower()
    if word == "&":
        return "and"
    if word.endswith("'s"):
        word = word[:-2]
    elif word.endswith("'"):
        word = word[:-1]
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word.replace(".", "")


def _words(name: str) -> tuple[str, ...]:
    return tuple(normalise(word) for word in _WORD.findall(name))


@dataclass
class Vocabulary:
    """Names and what replaces them: word sequences (normalised) mapped to placeholders."""

    terms: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: int = 1
    # Names matched only when written with a capital (surnames, everyday words), or only as "Jo" (two letters); every
    # other name whatever its case.
    capital_only: set[tuple[str, ...]] = field(default_factory=set)
    title_only: set[tuple[str, ...]] = field(default_factory=set)
    # The first words of every name of more than one word: while a run of words is one of these, a longer name may
    # still follow, so the matcher reads on; otherwise it stops.
    prefixes: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, name: str, placeholder: str, *, capital_only: bool = False) -> None:
        words = _words(name)
        if not words or (len(words) == 1 and len(words[0]) < 3):
            return  # one or two letters are not a name worth redacting everywhere ("NW" stays in its alias)
        everyday = len(words) == 1 and words[0] in COMMON_WORDS
        self._add(words, placeholder, CAPITALISED if capital_only or everyday else ANY_CASE)

    def add_person(self, full_name: str, placeholder: str) -> None:
        """A person by their full name, with and without a title and middle names, their surname alone and each
        given name alone."""
        parts = [
            (part.lower(),) if part.isascii() and part.isalpha() else _words(part)  # most parts are plain words
            for part in full_name.replace(",", " ").split()
        ]
        parts = [words for words in parts if words]
        if not parts:
            return
        count = len(parts)
        self._add_name(_joined(parts), placeholder)
        while len(parts) > 1 and len(parts[0]) == 1 and parts[0][0] in _TITLES:
            parts = parts[1:]
        while len(parts) > 1 and len(parts[-1]) == 1 and parts[-1][0] in _SUFFIXES:
            parts = parts[:-1]
        if len(parts) < count:
            self._add_name(_joined(parts), placeholder)
        if len(parts) == 1:
            self._add_given_name(parts[0], placeholder)
            return
        # The surname starts at its first particle ("van der Merwe"), or is the last word.
        at = next((i for i in range(1, len(parts) - 1) if parts[i] in _PARTICLE_PARTS), len(parts) - 1)
        given, surname = parts[:at], _joined(parts[at:])
        if len(given) > 1:
            self._add_name(given[0] + surname, placeholder)  # without middle names
        if len(surname) > 1:  # "Smith-Jones", "van der Merwe": whatever the case, and each part with a capital
            self._add(surname, placeholder, CAPITALISED if _everyday(surname) else ANY_CASE)
        # A one-word surname in lower case is an ordinary word ("lead", "marsh"), not the person.
        for word in surname if at == len(parts) - 1 else surname[-1:]:
            if len(word) > 2:
                self._add((word,), placeholder, CAPITALISED)
                if not word.endswith("s"):
                    self._add((f"{word}s",), placeholder, CAPITALISED)  # "the Okoros"
            elif len(word) == 2 and word not in _TWO_LETTER_WORDS:
                self._add((word,), placeholder, TITLE_CASE)  # "Li", "Ng"
        for name in given:
            if name not in _PARTICLE_PARTS:
                self._add_given_name(name, placeholder)

    def _add_name(self, words: tuple[str, ...], placeholder: str) -> None:
        if len(words) > 1 or (words and len(words[0]) > 2):
            self._add(words, placeholder, CAPITALISED if len(words) == 1 or _everyday(words) else ANY_CASE)

    def _add_given_name(self, words: tuple[str, ...], placeholder: str) -> None:
        for variant in {words, *((word,) for word in words)}:  # "Anne-Marie", and "Anne" and "Marie"
            if len(variant) == 1 and len(variant[0]) < 3:
                if len(variant[0]) == 2 and variant[0] not in _TWO_LETTER_WORDS:
                    self._add(variant, placeholder, TITLE_CASE)  # "Jo", never "jo" or "ED"; an initial never
                continue
            plural = (*variant[:-1], f"{variant[-1]}s")  # "the two Morgans", "the Morgans' notes"
            written = CAPITALISED if _everyday(variant) or _everyday(plural) else ANY_CASE
            self._add(variant, placeholder, written)
            if not variant[-1].endswith("s"):
                self._add(plural, placeholder, written)

    def _written(self, words: tuple[str, ...]) -> int:
        if words in self.title_only:
            return TITLE_CASE
        return CAPITALISED if words in self.capital_only else ANY_CASE

    def _add(self, words: tuple[str, ...], placeholder: str, written: int) -> None:
        current = self.terms.get(words)
        if current is None:  # most names: new
            self.terms[words] = placeholder
            if written == CAPITALISED:
                self.capital_only.add(words)
            elif written == TITLE_CASE:
                self.title_only.add(words)
            if len(words) > 1:
                self.prefixes.update(words[:size] for size in range(1, len(words)))
                self.longest = max(self.longest, len(words))
            return
        # When two kinds share a name, the more specific placeholder of a site or organisation wins over a place;
        # when two people of different kinds share one, it says only "a person".
        if current == PLACEHOLDER_PLACE:
            self.terms[words] = placeholder
        elif current != placeholder and current in _PEOPLE and placeholder in _PEOPLE:
            self.terms[words] = PLACEHOLDER_SOMEONE
        # When two names share words, the way of writing them that replaces more wins.
        if written < self._written(words):
            self.capital_only.discard(words)
            self.title_only.discard(words)
            if written == CAPITALISED:
                self.capital_only.add(words)


def _joined(parts: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(itertools.chain.from_iterable(parts))


def _everyday(words: tuple[str, ...]) -> bool:
    return all(word in COMMON_WORDS or word in EVERYDAY_GIVEN_NAMES for word in words)


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    placeholder: str


@dataclass
class Result:
    text: str
    replacements: list[Replacement]


def _written_as_a_name(vocabulary: Vocabulary, key: tuple[str, ...], first: str) -> bool:
    if key in vocabulary.capital_only:
        return first[:1].isupper()
    if key in vocabulary.title_only:
        letters = _APOSTROPHE.split(first, maxsplit=1)[0]
        return letters[:1].isupper() and letters[1:].islower()
    return True


def _outside(spans: list[tuple[int, int]], words: Iterable[re.Match[str]]) -> list[re.Match[str]]:
    """The words that do not start inside one of the spans (sorted, not overlapping), in one pass over both."""
    kept, index = [], 0
    for word in words:
        while index < len(spans) and spans[index][1] <= word.start():
            index += 1
        if index == len(spans) or word.start() < spans[index][0]:
            kept.append(word)
    return kept


def _name_matches(vocabulary: Vocabulary, text: str, taken: list[tuple[int, int]]) -> list[Replacement]:
    words = _outside(taken, _WORD.finditer(text))
    keys = [normalise(word.group()) for word in words]
    found: list[Replacement] = []
    index = 0
    while index < len(words):
        match: tuple[int, str] | None = None
        key: tuple[str, ...] = ()
        end = index
        while end < len(words) and end - index < vocabulary.longest:
            if end > index and not _GAP.fullmatch(text, words[end - 1].end(), words[end].start()):
                break
            key = (*key, keys[end])
            end += 1
            placeholder = vocabulary.terms.get(key)
            if placeholder is not None and _written_as_a_name(vocabulary, key, words[index].group()):
                match = (end, placeholder)  # the longest name wins: read on while one may follow
            if key not in vocabulary.prefixes:
                break
        if match is None:
            index += 1
            continue
        end, placeholder = match
        last = words[end - 1].group().replace("\u2019", "'").lower()
        possessive = last.endswith(("'s", "'"))
        found.append(
            Replacement(words[index].start(), words[end - 1].end(), placeholder + ("'s" if possessive else ""))
        )
        index = end
    return found


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether start..end overlaps one of the spans (sorted, not overlapping, so their ends are sorted too)."""
    before = bisect.bisect_left(spans, (end,))
    return before > 0 and spans[before - 1][1] > start


def anonymise(text: str, vocabulary: Vocabulary) -> Result:
    """The text with every known name and every contact detail replaced, and where each replacement stands."""
    replacements: list[Replacement] = []
    taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    for pattern, placeholder in _PATTERNS:
        for match in pattern.finditer(text):
            if not _overlaps(taken, match.start(), match.end()):
                replacements.append(Replacement(match.start(), match.end(), placeholder))
                bisect.insort(taken, (match.start(), match.end()))
    replacements += _name_matches(vocabulary, text, taken)
    replacements.sort(key=lambda r: r.start)
    pieces, cursor, length, placed = [], 0, 0, []
    for replacement in replacements:
        pieces += [text[cursor : replacement.start], replacement.placeholder]
        start = length + replacement.start - cursor
        placed.append(Replacement(start, start + len(replacement.placeholder), replacement.placeholder))
        length = start + len(replacement.placeholder)
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
        vocabulary.add_person(full_name, PLACEHOLDER_ENABLER if is_enabler else PLACEHOLDER_PERSON)
    return vocabulary
