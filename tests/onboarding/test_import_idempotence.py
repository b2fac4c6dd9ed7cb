"""An import is idempotent: the same file twice changes nothing the second time."""

from __future__ import annotations

from accounts.models import User
from engagements.models import EnablerProfile
from onboarding import imports
from onboarding.models import ImportJob
from sites.models import Programme, Site

from .imports import ORGANISATIONS, PEOPLE, SITES, csv_file, snapshot

FILES = {
    "organisations": ORGANISATIONS
    + "Northfield Community Health Partnership,Voluntary sector,Northfield CHP; NCHP\n"
    + "Ashvale Borough Council,Council,AB Council; Ashvale BC\n",
    "sites": SITES
    + "Eastmoor,Vanguard,2015/16,South West,2,1,yes,Northfield Community Health Partnership; AB Council\n"
    + "ashvale,integrated care pioneer,2013,LONDON,3,2,no,\n",
    "people": PEOPLE
    + "ana@example.org,Ana Example,Coach,Enabler,,NHS provider; Council and social care,3\n"
    + "bo@example.org,Bo Example,,site lead,Eastmoor,,\n"
    + "enabler@example.test,Emery Enabler,Mentor,enabler,,,4\n"
    + "lead.a@example.test,Avery Lead,,site member,Ashvale,,\n",
}


def test_the_same_import_twice_changes_nothing(
    site_a: Site, site_lead: User, enabler: User, programme_lead: User
) -> None:
    Programme.objects.create(kind=Programme.Kind.VANGUARD, year=2015)
    for kind, text in FILES.items():
        first = imports.import_file(kind=kind, filename=f"{kind}.csv", content=csv_file(text), by=programme_lead)
        assert first.state == ImportJob.State.IMPORTED, first.outcome
    before = snapshot()

    again = [
        imports.import_file(kind=kind, filename=f"{kind}.csv", content=csv_file(text), by=programme_lead)
        for kind, text in FILES.items()
    ]

    assert [row["outcome"] for job in again for row in job.outcome] == ["unchanged"] * 8
    assert snapshot() == {**before, "jobs imported": before["jobs imported"] + 3}


def test_the_first_import_creates_and_updates_what_the_file_says(
    site_a: Site, site_lead: User, enabler: User, programme_lead: User
) -> None:
    Programme.objects.create(kind=Programme.Kind.VANGUARD, year=2015)

    outcomes = {
        kind: imports.import_file(kind=kind, filename=f"{kind}.csv", content=csv_file(text), by=programme_lead)
        for kind, text in FILES.items()
    }

    assert [row["outcome"] for row in outcomes["organisations"].outcome] == ["created", "updated"]
    assert [row["outcome"] for row in outcomes["sites"].outcome] == ["created", "updated"]
    assert [row["outcome"] for row in outcomes["people"].outcome] == ["created", "created", "updated", "unchanged"]
    eastmoor = Site.objects.get(name="Eastmoor")
    assert str(eastmoor.programme) == "Vanguard 2015/16"
    assert (eastmoor.region, eastmoor.council_count, eastmoor.boundaries_overlap) == ("south-west", 2, True)
    assert sorted(eastmoor.partners.values_list("name", flat=True)) == [
        "Ashvale Borough Council",
        "Northfield Community Health Partnership",
    ]
    site_a.refresh_from_db()
    assert (site_a.name, site_a.council_count, site_a.commissioner_count) == ("ashvale", 3, 2)
    assert list(site_a.partners.values_list("name", flat=True)) == ["Ashvale Borough Council"]  # a blank keeps
    enabler.refresh_from_db()
    assert enabler.job_title == "Mentor"
    assert EnablerProfile.objects.get(user=enabler).capacity == 4
