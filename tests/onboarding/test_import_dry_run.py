"""A dry run lists every row as created, updated, unchanged or refused, with the reason for each refusal, and saves
nothing."""

from __future__ import annotations

from onboarding import imports
from sites.models import Organisation, Site

from .imports import ORGANISATIONS, SITES, by_line, csv_file, snapshot


def test_a_dry_run_lists_each_row_with_its_outcome_and_saves_nothing(site_a: Site) -> None:
    Organisation.objects.create(name="Kentish Care Trust", sector=Organisation.Sector.NHS_TRUST, aliases="KCT")
    text = (
        ORGANISATIONS
        + "Northfield Community Health Partnership,Voluntary sector,NCHP\n"  # new
        + "Kentish Care Trust,NHS trust,KCT\n"  # as it is
        + "ashvale borough council,council,AB Council; Ashvale BC\n"  # another alias
        + "Eastmoor Works,Charity,\n"  # no such sector
    )
    before = snapshot()

    outcome = imports.dry_run(kind="organisations", filename="organisations.csv", content=csv_file(text))

    assert by_line(outcome) == {
        2: ("created", ""),
        3: ("unchanged", ""),
        4: ("updated", "changes name and aliases"),
        5: (
            "refused",
            "unknown sector “Charity”: use NHS trust, CCG or ICB, Council, Independent sector, Voluntary sector or "
            "Other",
        ),
    }
    assert [row["label"] for row in outcome] == [
        "Northfield Community Health Partnership",
        "Kentish Care Trust",
        "ashvale borough council",
        "Eastmoor Works",
    ]
    assert snapshot() == before


def test_a_dry_run_of_500_sites_reads_the_database_a_fixed_number_of_times(
    site_a: Site, django_assert_max_num_queries: object
) -> None:
    text = SITES + "".join(
        f"Place {number},Integrated Care Pioneer,2013/14,London,2,1,no,Ashvale Borough Council\n"
        for number in range(500)
    )

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        outcome = imports.dry_run(kind="sites", filename="sites.csv", content=csv_file(text))

    assert {row["outcome"] for row in outcome} == {"created"}
    assert len(outcome) == 500


def test_a_dry_run_of_500_people_reads_the_database_a_fixed_number_of_times(
    site_a: Site, django_assert_max_num_queries: object
) -> None:
    text = "email,full_name,role,site\n" + "".join(
        f"person{number}@example.org,Person {number},site member,Ashvale\n" for number in range(500)
    )

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        outcome = imports.dry_run(kind="people", filename="people.csv", content=csv_file(text))

    assert {row["outcome"] for row in outcome} == {"created"}
