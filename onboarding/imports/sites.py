"""A sites file: `name, programme, programme_year, region, councils, ccgs, boundaries_overlap, partners`, one site a
row, keyed by its name in any case. Partners are organisations already in Alongside, by name or alias."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from sites import actions as site_actions
from sites.models import Organisation, Programme, Region, Site

from ..models import ImportJob
from .cleaning import (
    Planned,
    Refused,
    Tick,
    bounded_text,
    one_of,
    programme_year,
    quoted,
    split_list,
    whole_number,
    write_in_batches,
    yes_or_no,
)
from .reading import Headers, Row

HEADERS = Headers(
    required=("name", "programme", "programme_year", "region"),
    optional=("councils", "ccgs", "boundaries_overlap", "partners"),
)
EXAMPLE = {
    "name": "Northfield Integrated Care Partnership",
    "programme": "Vanguard",
    "programme_year": "2015/16",
    "region": "South West",
    "councils": "2",
    "ccgs": "1",
    "boundaries_overlap": "no",
    "partners": "Northfield Community Health Partnership",
}
# The file's words for what an update changes.
FIELD_WORDS = {
    "name": "name",
    "programme": "programme",
    "region": "region",
    "council_count": "councils",
    "commissioner_count": "CCGs",
    "boundaries_overlap": "boundaries_overlap",
}
MOST_COUNCILS = 100
TICK_EVERY = 200
CREATE_BATCH = 1000  # new rows saved a thousand at a time


class Registry:
    """What the database holds that a sites file refers to, read once: programmes, sites, their partners, and the
    organisations by name and alias."""

    def __init__(self) -> None:
        self.programmes = {(programme.kind, programme.year): programme for programme in Programme.objects.all()}
        self.sites = {site.name.casefold(): site for site in Site.objects.all()}
        self.partners: dict[int, set[int]] = {}
        for site_id, organisation_id in Site.partners.through.objects.values_list("site_id", "organisation_id"):
            self.partners.setdefault(site_id, set()).add(organisation_id)
        self.by_name: dict[str, Organisation] = {}
        self.by_alias: dict[str, dict[int, Organisation]] = {}
        for organisation in Organisation.objects.all():
            self.by_name[organisation.name.casefold()] = organisation
            for alias in organisation.alias_list:
                self.by_alias.setdefault(alias.casefold(), {})[organisation.pk] = organisation

    def programme(self, kind_text: str, year_text: str) -> Programme:
        kind = one_of(kind_text, Programme.Kind, "programme")
        year = programme_year(year_text)
        found = self.programmes.get((kind, year))
        if found is None:
            years = sorted(str(programme) for (each, _), programme in self.programmes.items() if each == kind)
            known = f"the years Alongside has are {', '.join(years)}" if years else "Alongside has no year of it yet"
            raise Refused(f"there is no programme year {Programme(kind=kind, year=year)}: {known}")
        return found

    def organisation(self, name: str) -> Organisation:
        found = self.by_name.get(name.casefold())
        if found is not None:
            return found
        matches = self.by_alias.get(name.casefold(), {})
        if len(matches) > 1:
            names = ", ".join(sorted(organisation.name for organisation in matches.values()))
            raise Refused(f"the partner {quoted(name)} is another name of more than one organisation ({names})")
        if not matches:
            raise Refused(
                f"the partner {quoted(name)} is not an organisation in Alongside: import it in an organisations "
                "file first"
            )
        return next(iter(matches.values()))


def plan(rows: list[Row], tick: Tick) -> list[Planned]:
    """What each row would do, from five reads of the database whatever the number of rows."""
    registry = Registry()
    lines: dict[str, int] = {}
    for row in rows:
        lines.setdefault(row["name"].casefold(), row.line)
    planned = []
    for done, row in enumerate(rows, start=1):
        item = Planned(line=row.line, label=row["name"] or "(no name)")
        try:
            _plan(item, row, registry, lines)
        except Refused as refusal:
            item.refuse(str(refusal))
        planned.append(item)
        if done % TICK_EVERY == 0:
            tick(done)
    return planned


def _plan(item: Planned, row: Row, registry: Registry, lines: dict[str, int]) -> None:
    name = bounded_text(row["name"], "name", most=200)
    if lines[name.casefold()] != row.line:
        raise Refused(f"duplicate name in the file (line {lines[name.casefold()]} has it too)")
    current = registry.sites.get(name.casefold())
    values: dict[str, Any] = {"name": name}
    if row["programme"] or row["programme_year"] or current is None:
        if not row["programme"] or not row["programme_year"]:
            raise Refused("give both the programme and the programme year")
        values["programme"] = registry.programme(row["programme"], row["programme_year"])
    if row["region"]:
        values["region"] = one_of(row["region"], Region, "region")
    elif current is None:
        raise Refused("the region is blank")
    if row["councils"]:
        values["council_count"] = whole_number(row["councils"], "councils", most=MOST_COUNCILS)
    if row["ccgs"]:
        values["commissioner_count"] = whole_number(row["ccgs"], "ccgs", most=MOST_COUNCILS)
    if row["boundaries_overlap"]:
        values["boundaries_overlap"] = yes_or_no(row["boundaries_overlap"], "boundaries_overlap")
    partners = [registry.organisation(partner) for partner in split_list(row["partners"])]
    item.values = values
    if partners:
        item.values["partners"] = partners
    if current is None:
        return
    item.existing = current
    changed = [
        words for field, words in FIELD_WORDS.items() if field in values and getattr(current, field) != values[field]
    ]
    if partners and {organisation.pk for organisation in partners} != registry.partners.get(current.pk, set()):
        changed.append("partners")
    item.compare(changed)


def write(planned: list[Planned], by: User | None, tick: Tick, job: ImportJob) -> None:
    """Each change through the sites' actions, with their audit events, in the caller's transaction: the changed
    sites one by one, the new ones a thousand at a time."""
    write_in_batches(
        planned,
        tick,
        update=lambda item: site_actions.update_site(site=item.existing, by=by, **item.values),
        create_many=lambda rows: site_actions.create_sites(by=by, rows=rows),
        tick_every=TICK_EVERY,
        batch=CREATE_BATCH,
    )
