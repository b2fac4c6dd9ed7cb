"""The anonymiser over every kind of name and every spelling, on a small vocabulary made here."""

from __future__ import annotations

import pytest

from lessons.anonymiser import Vocabulary, anonymise, is_empty_once_anonymised, vocabulary_of


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return vocabulary_of(
        sites=[("Islington", "[a Pioneer site]"), ("South Devon and Torbay", "[a Pioneer site]")],
        organisations=[
            ("London Borough of Islington", "[a council]", ["LB Islington", "Islington Council"]),
            ("Whitfield Community Health NHS Trust", "[an NHS trust]", ["Whitfield Health"]),
        ],
        people=[("Tamsin Okoro", False), ("Morgan Ellery", True), ("Hugo Marsh", False)],
        places=["Bury", "Waltham Forest and East London and City"],
    )


def clean(text: str, vocabulary: Vocabulary) -> str:
    return anonymise(text, vocabulary).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Islington made progress.", "[a Pioneer site] made progress."),
        ("ISLINGTON made progress.", "[a Pioneer site] made progress."),
        ("islington made progress.", "[a Pioneer site] made progress."),
        ("Islington's board met.", "[a Pioneer site]'s board met."),
        ("Islington\u2019s board met.", "[a Pioneer site]'s board met."),
        ("LB Islington agreed.", "[a council] agreed."),
        ("L.B. Islington agreed.", "[a council] agreed."),
        ("The London Borough of Islington agreed.", "The [a council] agreed."),
        ("Islington Council's leader", "[a council]'s leader"),
        ("South Devon and Torbay pooled budgets.", "[a Pioneer site] pooled budgets."),
        ("South Devon & Torbay pooled budgets.", "[a Pioneer site] pooled budgets."),
        ("Torbay and Waltham Forest", "[a place] and [a place]"),
        ("Whitfield Health's nurses", "[an NHS trust]'s nurses"),
    ],
)
def test_sites_organisations_aliases_and_places_in_any_spelling(
    vocabulary: Vocabulary, text: str, expected: str
) -> None:
    assert clean(text, vocabulary) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tamsin Okoro chaired it.", "[a senior leader] chaired it."),
        ("Okoro chaired it.", "[a senior leader] chaired it."),
        ("OKORO'S view", "[a senior leader]'s view"),
        ("Morgan Ellery coached them.", "[an enabler] coached them."),
        ("Ellery coached them.", "[an enabler] coached them."),
    ],
)
def test_people_in_full_and_by_surname(vocabulary: Vocabulary, text: str, expected: str) -> None:
    assert clean(text, vocabulary) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leaders from Bury met.", "Leaders from [a place] met."),
        ("BURY leaders met.", "[a place] leaders met."),
        ("We chose to bury old rivalries.", "We chose to bury old rivalries."),
        ("The Burystead estate was new.", "The Burystead estate was new."),
        ("Hugo Marsh walked the marsh.", "[a senior leader] walked the marsh."),
        ("Marsh spoke first.", "[a senior leader] spoke first."),
    ],
)
def test_names_that_are_also_ordinary_words_or_inside_other_words(
    vocabulary: Vocabulary, text: str, expected: str
) -> None:
    assert clean(text, vocabulary) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jo.bloggs@nhs.example.org today.", "Write to [an e-mail address] today."),
        ("Call 020 7946 0018 or 07700 900123.", "Call [a phone number] or [a phone number]."),
        ("Ring +44 7700 900123.", "Ring [a phone number]."),
        ("Based at N1 1XA and at SW1A 2AA.", "Based at [a postcode] and at [a postcode]."),
        ("NHS number 943 476 5919 was quoted.", "NHS number [an NHS number] was quoted."),
        ("See https://example.org/plan and www.example.org.", "See [a web address] and [a web address]"),
    ],
)
def test_contact_details_and_identifiers(vocabulary: Vocabulary, text: str, expected: str) -> None:
    assert clean(text, vocabulary) == expected


def test_every_replacement_is_located_for_highlighting(vocabulary: Vocabulary) -> None:
    result = anonymise("Okoro met LB Islington.", vocabulary)

    assert [result.text[r.start : r.end] for r in result.replacements] == ["[a senior leader]", "[a council]"]


def test_placeholders_are_left_alone_when_the_text_is_anonymised_again(vocabulary: Vocabulary) -> None:
    once = clean("Islington and Okoro", vocabulary)

    assert clean(once, vocabulary) == once


def test_text_with_nothing_left_once_anonymised_is_recognised(vocabulary: Vocabulary) -> None:
    assert is_empty_once_anonymised(clean("Islington, Okoro.", vocabulary))
    assert not is_empty_once_anonymised(clean("Islington built trust.", vocabulary))
