"""The 25 Integrated Care Pioneers, from the public list in data/ (source: data/README.md), imported as sites."""

from __future__ import annotations

import csv
import io

from django.conf import settings

from accounts.models import User
from core.exports import csv_text
from onboarding import imports
from onboarding.models import ImportJob
from sites.models import Programme, Site

PIONEERS = settings.BASE_DIR / "data" / "integrated-care-pioneers.csv"
# Each Pioneer's NHS England region.
REGIONS = {
    "Barnsley": "North East and Yorkshire",
    "Cheshire": "North West",
    "Cornwall and Isles of Scilly": "South West",
    "Greenwich": "London",
    "Islington": "London",
    "Kent": "South East",
    "Leeds": "North East and Yorkshire",
    "North West London": "London",
    "North Staffordshire": "Midlands",
    "South Devon and Torbay": "South West",
    "Southend": "East of England",
    "South Tyneside": "North East and Yorkshire",
    "Waltham Forest and East London and City": "London",
    "Worcestershire": "Midlands",
    "Airedale, Wharfedale and Craven": "North East and Yorkshire",
    "Fylde Coast": "North West",
    "Camden": "London",
    "Greater Manchester": "North West",
    "Nottingham City": "Midlands",
    "Nottinghamshire": "Midlands",
    "Sheffield": "North East and Yorkshire",
    "South Somerset": "South West",
    "Vale of York": "North East and Yorkshire",
    "Wakefield": "North East and Yorkshire",
    "West Norfolk": "East of England",
}


def _sites_file() -> bytes:
    """The public list (name, wave, announced) as a sites file: wave 1 is 2013/14, wave 2 (January 2015) 2014/15."""
    pioneers = list(csv.DictReader(io.StringIO(PIONEERS.read_text(encoding="utf-8"))))
    rows = [["name", "programme", "programme_year", "region", "councils", "ccgs", "boundaries_overlap", "partners"]]
    for pioneer in pioneers:
        year = {"1": "2013/14", "2": "2014/15"}[pioneer["wave"]]
        rows.append([pioneer["name"], "Integrated Care Pioneer", year, REGIONS[pioneer["name"]], 1, 1, "no", ""])
    return csv_text(rows).encode()


def test_the_25_pioneers_import_as_sites(programme_lead: User) -> None:
    wave_1 = Programme.objects.create(kind=Programme.Kind.PIONEER, year=2013)
    wave_2 = Programme.objects.create(kind=Programme.Kind.PIONEER, year=2014)

    job = imports.import_file(kind="sites", filename=PIONEERS.name, content=_sites_file(), by=programme_lead)

    assert job.state == ImportJob.State.IMPORTED, [row for row in job.outcome if row["outcome"] == "refused"]
    assert job.counts() == {"created": 25, "updated": 0, "unchanged": 0, "refused": 0}
    assert set(Site.objects.values_list("name", flat=True)) == set(REGIONS)
    assert Site.objects.filter(programme=wave_1).count() == 14
    assert Site.objects.filter(programme=wave_2).count() == 11
    assert Site.objects.get(name="Airedale, Wharfedale and Craven").programme == wave_2
    assert Site.objects.get(name="Cornwall and Isles of Scilly").get_region_display() == "South West"
