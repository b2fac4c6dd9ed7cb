"""An organisations file: `name, sector, aliases`, one partner organisation a row, keyed by its name in any case."""

from __future__ import annotations

from accounts.models import User
from sites import actions as site_actions
from sites.models import Organisation

from ..models import ImportJob
from .cleaning import (
    Planned,
    Refused,
    Tick,
    bounded_text,
    one_of,
    quoted,
    split_list,
    write_in_batches,
)
from .reading import Headers, Row

HEADERS = Headers(required=("name", "sector"), optional=("aliases",))
EXAMPLE = {
    "name": "Northfield Community Health Partnership",
    "sector": "Voluntary sector",
    "aliases": "Northfield CHP; NCHP",
}
TICK_EVERY = 500
CREATE_BATCH = 1000  # new rows saved a thousand at a time


def plan(rows: list[Row], tick: Tick) -> list[Planned]:
    """What each row would do, from two reads of the database whatever the number of rows."""
    existing = {organisation.name.casefold(): organisation for organisation in Organisation.objects.all()}
    alias_of = {
        alias.casefold(): organisation for organisation in existing.values() for alias in organisation.alias_list
    }
    lines: dict[str, int] = {}
    for row in rows:
        lines.setdefault(row["name"].casefold(), row.line)
    planned = []
    for done, row in enumerate(rows, start=1):
        item = Planned(line=row.line, label=row["name"] or "(no name)")
        try:
            _plan(item, row, existing, alias_of, lines)
        except Refused as refusal:
            item.refuse(str(refusal))
        planned.append(item)
        if done % TICK_EVERY == 0:
            tick(done)
    return planned


def _plan(
    item: Planned,
    row: Row,
    existing: dict[str, Organisation],
    alias_of: dict[str, Organisation],
    lines: dict[str, int],
) -> None:
    name = bounded_text(row["name"], "name", most=200)
    key = name.casefold()
    if lines[key] != row.line:
        raise Refused(f"duplicate name in the file (line {lines[key]} has it too)")
    current = existing.get(key)
    owner = alias_of.get(key)
    if owner is not None and owner is not current:
        raise Refused(f"{quoted(name)} is already another name of {owner.name} (one of its aliases)")
    sector = one_of(row["sector"], Organisation.Sector, "sector") if row["sector"] else None
    aliases = split_list(row["aliases"]) if row["aliases"] else None
    for alias in aliases or []:
        other = existing.get(alias.casefold())
        if other is not None and other is not current:
            raise Refused(f"the alias {quoted(alias)} is the name of another organisation, {other.name}")
        if lines.get(alias.casefold(), row.line) != row.line:
            raise Refused(
                f"the alias {quoted(alias)} is the name of the organisation on line {lines[alias.casefold()]}"
            )
    if current is None:
        if sector is None:
            raise Refused("the sector is blank")
        item.values = {"name": name, "sector": sector, "aliases": Organisation.aliases_from(aliases or [])}
        return
    item.existing = current
    item.values = {
        "name": name,
        "sector": sector or current.sector,
        "aliases": current.aliases if aliases is None else Organisation.aliases_from(aliases),
    }
    item.compare([field for field in ("name", "sector", "aliases") if getattr(current, field) != item.values[field]])


def write(planned: list[Planned], by: User | None, tick: Tick, job: ImportJob) -> None:
    """Each change through the sites' actions, with their audit events, in the caller's transaction: the changed
    organisations one by one, the new ones a thousand at a time."""
    write_in_batches(
        planned,
        tick,
        update=lambda item: site_actions.update_organisation(organisation=item.existing, by=by, **item.values),
        create_many=lambda rows: site_actions.create_organisations(by=by, rows=rows),
        tick_every=TICK_EVERY,
        batch=CREATE_BATCH,
    )
