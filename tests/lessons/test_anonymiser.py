"""The anonymiser over every kind of name and every spelling, on a small vocabulary made here."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import User
from lessons.anonymiser import Vocabulary, anonymise, is_empty_once_anonymised, vocabulary_of
from lessons.models import registry_vocabulary


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


# People by given name alone (issue 34): a site's words reached the central team with "Morgan" intact.
PEOPLE = [
    ("Morgan Ellery", True),
    ("Morgan Ashdown", False),  # a given name shared by an enabler and a senior leader
    ("Tamsin Okoro", False),
    ("Hugo Marsh", False),
    ("Anne-Marie Smith-Jones", False),
    ("Will Page", True),  # a given name and a surname that are everyday words
    ("Grace Abernethy", False),
    ("Jo Treharne", True),  # a two-letter given name
    ("Dr Zo\u00eb Quennell", False),  # a title, and a letter with an accent
    ("Saoirse van der Merwe", True),  # a surname with particles
]
# Written with a capital, these are names; in lower case they are everyday words and stay.
EVERYDAY = {"Will", "Page", "Grace", "Marsh"}
NAMES = sorted(
    {"Zoe", "Anne", "Marie", "Smith", "Jones", "Dr Zo\u00eb Quennell", "Zo\u00eb Quennell", "van der Merwe"}
    | {name for name, _ in PEOPLE}
    | {word for name, _ in PEOPLE for word in name.split() if word not in {"Dr", "van", "der"}}
)
S, E, P = "[a senior leader]", "[an enabler]", "[a person]"
CORPUS = [
    # at the start of a sentence, alone, and the issue's own words
    (
        "Morgan listened first and helped the board see what it already agreed on.",
        f"{P} listened first and helped the board see what it already agreed on.",
    ),
    ("Tamsin chaired the first meeting.", f"{S} chaired the first meeting."),
    ("Saoirse coached the board.", f"{E} coached the board."),
    ("Jo asked the hard question.", f"{E} asked the hard question."),
    ("Hugo? He agreed in the end.", f"{S}? He agreed in the end."),
    ("Grace set the agenda.", f"{S} set the agenda."),
    ("Will spoke last, and briefly.", f"{E} spoke last, and briefly."),
    ("Page wrote it up for everyone.", f"{E} wrote it up for everyone."),
    ("Treharne coached them twice.", f"{E} coached them twice."),
    ("Ellery and Ashdown disagreed openly.", f"{E} and {S} disagreed openly."),
    # at the end, after "and", several in one sentence
    ("The board trusted Morgan.", f"The board trusted {P}."),
    ("We asked Will.", f"We asked {E}."),
    ("Tamsin and Morgan met weekly.", f"{S} and {P} met weekly."),
    ("It was Hugo and Tamsin who spoke.", f"It was {S} and {S} who spoke."),
    ("Thanks to Grace and Will.", f"Thanks to {S} and {E}."),
    ("Hugo, Tamsin, Morgan and Jo all came.", f"{S}, {S}, {P} and {E} all came."),
    ("Morgan & Tamsin wrote the plan.", f"{P} & {S} wrote the plan."),
    ("Morgan Ellery and Morgan Ashdown disagreed.", f"{E} and {S} disagreed."),
    ("Saoirse, Zo\u00eb and Anne-Marie sat together.", f"{E}, {S} and {S} sat together."),
    # possessives, straight and curly, singular and plural
    ("Morgan's questions opened it up.", f"{P}'s questions opened it up."),
    ("Morgan\u2019s questions opened it up.", f"{P}'s questions opened it up."),
    ("Both Morgans' notes agreed.", f"Both {P}'s notes agreed."),
    ("Both Morgans\u2019 notes agreed.", f"Both {P}'s notes agreed."),
    ("Jo's notes helped.", f"{E}'s notes helped."),
    ("Anne-Marie\u2019s team stayed late.", f"{S}'s team stayed late."),
    ("Ms Smith-Jones's team stayed late.", f"Ms {S}'s team stayed late."),
    ("Okoro's and Abernethy's teams merged.", f"{S}'s and {S}'s teams merged."),
    ("Saoirse\u2019s and Zo\u00eb\u2019s notes matched.", f"{E}'s and {S}'s notes matched."),
    ("Will Page's plan worked.", f"{E}'s plan worked."),
    ("Jo Treharne's summary was clear.", f"{E}'s summary was clear."),
    ("Merwe's approach was calm.", f"{E}'s approach was calm."),
    # lower case and upper case
    ("morgan kept time.", f"{P} kept time."),
    ("tamsin, hugo and morgan met.", f"{S}, {S} and {P} met."),
    ("anne-marie chaired.", f"{S} chaired."),
    ("saoirse and zoe agreed.", f"{E} and {S} agreed."),
    ("MORGAN KEPT TIME.", f"{P} KEPT TIME."),
    ("TAMSIN'S NOTE WAS SHORT.", f"{S}'s NOTE WAS SHORT."),
    ("WILL led it.", f"{E} led it."),
    ("GRACE AND HUGO AGREED.", f"{S} AND {S} AGREED."),
    # hyphenated forms
    ("The Morgan-led session went well.", f"The {P}-led session went well."),
    ("Anne-Marie chaired.", f"{S} chaired."),
    ("Anne Marie chaired.", f"{S} chaired."),
    ("Smith-Jones chaired.", f"{S} chaired."),
    ("Anne-Marie Smith-Jones chaired.", f"{S} chaired."),
    ("Abernethy-style listening helped.", f"{S}-style listening helped."),
    ("The Tamsin-and-Hugo sessions ran on.", f"The {S}-and-{S} sessions ran on."),
    # titles, particles, accents
    ("Dr Quennell spoke for the trust.", f"Dr {S} spoke for the trust."),
    ("Dr Zo\u00eb Quennell spoke for the trust.", f"{S} spoke for the trust."),
    ("Zoe Quennell spoke for the trust.", f"{S} spoke for the trust."),
    ("van der Merwe coached the board.", f"{E} coached the board."),
    # next to punctuation
    ("(Tamsin) agreed.", f"({S}) agreed."),
    ('"Tamsin," she said, "wait."', f'"{S}," she said, "wait."'),
    ("Ask Tamsin: she knows.", f"Ask {S}: she knows."),
    ("Tamsin/Hugo to follow up.", f"{S}/{S} to follow up."),
    ("Thanks \u2014 Tamsin.", f"Thanks \u2014 {S}."),
    ("Tamsin\u2026Hugo\u2026Morgan.", f"{S}\u2026{S}\u2026{P}."),
    ("Thanks, Grace!", f"Thanks, {S}!"),
    ("*Morgan* said so.", f"*{P}* said so."),
    ("\u2018Morgan\u2019 was the word.", f"\u2018{P}\u2019 was the word."),
    ("Morgan\nTamsin", f"{P}\n{S}"),
    ("The Okoros came.", f"The {S} came."),
]


@pytest.fixture(scope="module")
def people() -> Vocabulary:
    return vocabulary_of(people=PEOPLE)


def _survivors(text: str) -> list[str]:
    """Known names still readable in the text, as whole words or plurals: in any case, or with their capital for the
    names that are everyday words."""
    found = []
    for name in NAMES:
        everyday = name in EVERYDAY
        pattern = rf"\b{name[0]}(?i:{re.escape(name[1:])})s?\b" if everyday else rf"(?i)\b{re.escape(name)}s?\b"
        if re.search(pattern, text):
            found.append(name)
    return found


def test_the_corpus_has_fifty_sentences_that_name_people() -> None:
    assert len(CORPUS) >= 50
    assert all(_survivors(text) for text, _ in CORPUS)


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_no_known_name_survives_in_any_form(people: Vocabulary, text: str, expected: str) -> None:
    assert _survivors(clean(text, people)) == []


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_the_words_around_a_name_survive(people: Vocabulary, text: str, expected: str) -> None:
    assert clean(text, people) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We will hope for grace, and may page the team lead in march.",
        "A rich seam of ideas; by the grace of the marsh, the will held.",
    ],
)
def test_a_given_name_that_is_an_everyday_word_stays_in_lower_case(people: Vocabulary, text: str) -> None:
    assert clean(text, people) == text


def test_two_letter_names_are_replaced_only_as_written_for_a_person(people: Vocabulary) -> None:
    assert clean("Jo said the ED and et al. agree, jo.", people) == f"{E} said the ED and et al. agree, jo."


def test_a_two_letter_surname_is_replaced_unless_it_is_an_english_word() -> None:
    vocabulary = vocabulary_of(people=[("Wei Li", False), ("Min He", True)])

    assert clean("Li agreed. He agreed. Min He agreed.", vocabulary) == f"{S} agreed. He agreed. {E} agreed."


def test_a_given_name_shared_by_an_enabler_and_a_senior_leader_says_only_a_person(people: Vocabulary) -> None:
    assert clean("Morgan agreed.", people) == f"{P} agreed."
    assert clean("Ellery agreed; Ashdown did not.", people) == f"{E} agreed; {S} did not."


def test_given_names_are_located_for_highlighting(people: Vocabulary) -> None:
    result = anonymise("Morgan's and Anne-Marie\u2019s notes, and Jo's.", people)

    assert [result.text[r.start : r.end] for r in result.replacements] == [f"{P}'s", f"{S}'s", f"{E}'s"]
    assert result.text == f"{P}'s and {S}'s notes, and {E}'s."


def test_a_long_text_is_anonymised_in_one_pass(people: Vocabulary) -> None:
    text = " ".join(sentence for sentence, _ in CORPUS) * 40

    result = anonymise(text, people)

    assert _survivors(result.text) == []
    assert result.text == " ".join(expected for _, expected in CORPUS) * 40


@pytest.mark.django_db
def test_the_registry_knows_each_person_by_their_given_name_alone(enabler: User, site_lead: User) -> None:
    text = "Emery listened first and helped the board see what it already agreed on; avery's team agreed."

    result = anonymise(text, registry_vocabulary())

    assert result.text == (
        "[an enabler] listened first and helped the board see what it already agreed on; "
        "[a senior leader]'s team agreed."
    )


@pytest.mark.django_db
def test_an_anonymised_account_lends_the_registry_no_words(enabler: User) -> None:
    User.objects.create_user("gone@example.test", "x", full_name="A former enabler", anonymised_at=timezone.now())
    text = "The former chair and a new enabler met."

    assert anonymise(text, registry_vocabulary()).text == text
