"""Each reason a row is refused, in the words the dry run shows it."""

from __future__ import annotations

import pytest

from accounts.models import User
from onboarding import imports
from sites.models import Organisation, Programme, Site

from .imports import ORGANISATIONS, PEOPLE, SITES, by_line, csv_file


def _refusal(kind: str, text: str, line: int = 2) -> str:
    outcome = by_line(imports.dry_run(kind=kind, filename=f"{kind}.csv", content=csv_file(text)))
    assert outcome[line][0] == "refused", outcome
    return outcome[line][1]


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ("Eastmoor,Charity,\n", 2, "unknown sector “Charity”"),
        (",Council,\n", 2, "the name is blank"),
        ("Eastmoor,,\n", 2, "the sector is blank"),
        ("AB Council,Council,\n", 2, "“AB Council” is already another name of Ashvale Borough Council"),
        ("Eastmoor,Council,Ashvale Borough Council\n", 2, "the alias “Ashvale Borough Council” is the name of"),
        ("Eastmoor,Council,\nEASTMOOR,Council,\n", 3, "duplicate name in the file (line 2 has it too)"),
        (
            "Eastmoor,Council,Westmoor\nWestmoor,Council,\n",
            2,
            "the alias “Westmoor” is the name of the organisation on",
        ),
        ("x" * 201 + ",Council,\n", 2, "the name is longer than 200 characters"),
    ],
)
def test_an_organisation_row_is_refused_with_its_reason(site_a: Site, rows: str, line: int, reason: str) -> None:
    assert _refusal("organisations", ORGANISATIONS + rows, line).startswith(reason)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "Eastmoor,Pioneers,2013,London,,,,",
            "unknown programme “Pioneers”: use Integrated Care Pioneer, Accelerate or",
        ),
        ("Eastmoor,Vanguard,2015/16,London,,,,", "there is no programme year Vanguard 2015/16: Alongside has no year"),
        ("Eastmoor,Pioneer,2019,London,,,,", "there is no programme year Integrated Care Pioneer 2019/20: the years"),
        ("Eastmoor,Pioneer,2013/15,London,,,,", "the programme year “2013/15” is not a year like 2015/16"),
        ("Eastmoor,Pioneer,,London,,,,", "give both the programme and the programme year"),
        ("Eastmoor,Pioneer,2013,Wessex,,,,", "unknown region “Wessex”: use North East and Yorkshire"),
        ("Eastmoor,Pioneer,2013,,,,,", "the region is blank"),
        ("Eastmoor,Pioneer,2013,London,two,,,", "councils must be a whole number from 0 to 100, not “two”"),
        ("Eastmoor,Pioneer,2013,London,1,-1,,", "ccgs must be a whole number from 0 to 100, not “-1”"),
        ("Eastmoor,Pioneer,2013,London,1,1,maybe,", "boundaries_overlap must be yes or no, not “maybe”"),
        ("Eastmoor,Pioneer,2013,London,1,1,no,Nowhere Trust", "the partner “Nowhere Trust” is not an organisation"),
        ("Ashvale,Pioneer,2013,London,,,,\nashvale,Pioneer,2013,London,,,,", "duplicate name in the file (line 2"),
    ],
)
def test_a_site_row_is_refused_with_its_reason(site_a: Site, row: str, reason: str) -> None:
    line = row.count("\n") + 2

    assert _refusal("sites", SITES + row + "\n", line).startswith(reason)


def test_a_partner_that_is_another_name_of_two_organisations_is_refused(site_a: Site) -> None:
    Organisation.objects.create(name="Ashvale Bridge Council", sector=Organisation.Sector.COUNCIL, aliases="AB Council")

    reason = _refusal("sites", SITES + "Eastmoor,Pioneer,2013,London,1,1,no,AB Council\n")

    assert reason == (
        "the partner “AB Council” is another name of more than one organisation (Ashvale Borough Council, "
        "Ashvale Bridge Council)"
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("bob@,Bob,,enabler,,,", "not an e-mail address"),
        ("bob@example.org,Bob,,gardener,,,", "unknown role “gardener”: use Enabler, Programme lead, Site lead or Site"),
        ("bob@example.org,Bob,,,,,", "the role is blank"),
        ("bob@example.org,Bob,,site lead,,,", "a site lead belongs to a site: name it in the site column"),
        ("bob@example.org,Bob,,enabler,Ashvale,,", "an enabler belongs to no site"),
        ("bob@example.org,Bob,,site member,Nowhere,,", "the site “Nowhere” does not exist"),
        ("bob@example.org,Bob,,programme lead,,NHS provider,", "only an enabler has sectors and capacity"),
        ("bob@example.org,Bob,,site member,Ashvale,,3", "only an enabler has sectors and capacity"),
        ("bob@example.org,Bob,,enabler,,Gardening,", "unknown sector “Gardening”: use NHS provider"),
        ("bob@example.org,Bob,,enabler,,,21", "capacity must be a whole number from 0 to 20, not “21”"),
        ("bob@example.org,Bob,,enabler,,,1.5", "capacity must be a whole number from 0 to 20, not “1.5”"),
        ("bob@example.org,,,enabler,,,", "the full name is blank"),
        ("bob@example.org,Bob,,enabler,,,\nBOB@example.org,Bob,,Enabler,,,", "duplicate: line 2 has the same person"),
    ],
)
def test_a_person_row_is_refused_with_its_reason(site_a: Site, row: str, reason: str) -> None:
    line = row.count("\n") + 2

    assert _refusal("people", PEOPLE + row + "\n", line).startswith(reason)


def test_the_same_person_may_be_in_two_roles(site_a: Site, programme: Programme, programme_lead: User) -> None:
    text = PEOPLE + "bob@example.org,Bob,,enabler,,,\nbob@example.org,Bob,,site member,Ashvale,,\n"

    outcome = imports.dry_run(kind="people", filename="people.csv", content=csv_file(text))

    assert [row["outcome"] for row in outcome] == ["created", "created"]
