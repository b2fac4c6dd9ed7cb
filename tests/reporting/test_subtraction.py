"""No sum or difference of the figures the centre can read pins a hidden count: for the demo's data and for random
programmes, every figure of every period that may be chosen (every quarter, every financial year, the whole time)
is read as published, the sums that tie them are written down here from what the figures mean (a year is its four
quarters, the whole time every quarter so far, all programmes the programmes, a programme its offers, a whole its
parts), and a linear programme solver (HiGHS, through scipy) finds the least and greatest value every hidden cell can
take. None that is not 0 may have a single possible value (docs/privacy.md, "Figures that cannot be subtracted")."""

from __future__ import annotations

import datetime
import random
from collections.abc import Hashable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from core.periods import ALL, choices, financial_year, year_containing
from engagements.models import Offer
from lessons.models import Theme
from reporting.overview import FAMILIES, HIDDEN, SECONDARY, TOTAL, Figure, Group, Record, build, calendar, lattice

SHOWN, FEW, OTHERS, UNPUBLISHED = "shown", "fewer than 5", "secondary", "unpublished"
Key = tuple[str, str, Hashable]


def _periods(today: datetime.date) -> dict[str, list[str]]:
    """Every period and the quarters it is the sum of; quarters not yet begun are never published but exist."""
    years = [financial_year(year) for year in range(2013, year_containing(today).start.year + 1)]
    found: dict[str, list[str]] = {}
    for year in years:
        found[year.key] = [quarter.key for quarter in year.quarters()]
        found |= {quarter.key: [quarter.key] for quarter in year.quarters()}
    found[ALL] = [key for key, quarters in found.items() if len(quarters) == 1 and _begun(key, years, today)]
    return found


def _begun(key: str, years: list, today: datetime.date) -> bool:
    return any(quarter.key == key and quarter.start <= today for year in years for quarter in year.quarters())


def _relations(
    parts: tuple[str, ...], tree: list[tuple[Hashable, list[Hashable]]], groups: list[Hashable], today: datetime.date
) -> list[dict[Key, int]]:
    periods = _periods(today)
    relations: list[dict[Key, int]] = []
    for part in parts:
        for group in groups:
            for key, quarters in periods.items():
                if quarters != [key]:
                    relations.append({(part, key, group): 1} | {(part, quarter, group): -1 for quarter in quarters})
        for key in periods:
            for parent, children in tree:
                relations.append({(part, key, parent): 1} | {(part, key, child): -1 for child in children})
    if len(parts) > 1:
        for key in periods:
            for group in groups:
                relations.append({(parts[0], key, group): 1} | {(part, key, group): -1 for part in parts[1:]})
    return relations


def _pinned(figures: dict[Key, tuple[int, str]], relations: list[dict[Key, int]]) -> list[tuple[Key, float]]:
    """Cells read as "fewer than 5", or never published, that can take one value only (other than 0, or 5 and more
    for a part never published) given the published figures, the relations and what the way a cell is shown says of
    it: fewer than 5, 0 to 4 (or any, when the count is larger but from fewer than 5 sites); hidden so that others
    cannot be worked out, 5 or more."""
    cells = {key for relation in relations for key in relation} | set(figures)
    unknown = sorted((key for key in cells if figures.get(key, (0, UNPUBLISHED))[1] != SHOWN), key=repr)
    targets = [
        key
        for key in unknown
        if (figures.get(key, (0, UNPUBLISHED))[1] == FEW and figures[key][0] != 0)
        or (figures.get(key, (0, UNPUBLISHED))[1] == UNPUBLISHED and 0 < figures.get(key, (0, ""))[0] < 5)
    ]
    useful = [relation for relation in relations if any(figures.get(k, (0, UNPUBLISHED))[1] != SHOWN for k in relation)]
    return _solve(figures, useful, unknown, targets) if targets else []


def _solve(
    figures: dict[Key, tuple[int, str]], relations: list[dict[Key, int]], unknown: list[Key], targets: list[Key]
) -> list[tuple[Key, float]]:
    index = {key: position for position, key in enumerate(unknown)}
    rows, columns, values, rhs = [], [], [], []
    for row, relation in enumerate(relations):
        known = 0
        for key, coefficient in relation.items():
            if key in index:
                rows.append(row)
                columns.append(index[key])
                values.append(coefficient)
            else:
                known += coefficient * figures[key][0]
        rhs.append(-known)
    equalities = csr_matrix((values, (rows, columns)), shape=(len(relations), len(unknown)))

    def bounds(key: Key) -> tuple[float, float | None]:
        value, state = figures.get(key, (0, UNPUBLISHED))
        if state == FEW:
            return (0, 4) if value < 5 else (0, None)
        return (5, None) if state == OTHERS else (0, None)

    limits = [bounds(key) for key in unknown]
    truth = [figures.get(key, (0, ""))[0] for key in unknown]
    moved = set()
    generator = random.Random(len(unknown))  # noqa: S311 - directions to look in, not secrets
    for _ in range(8):  # a few solutions in random directions: a cell seen away from its value is not pinned
        direction = [generator.uniform(-1, 1) for _ in unknown]
        seen = linprog(direction, A_eq=equalities, b_eq=rhs, bounds=limits, method="highs")
        if seen.status == 0:
            moved |= {key for key, value, was in zip(unknown, seen.x, truth, strict=True) if abs(value - was) > 1e-6}
    found = []
    for key in targets:
        if key in moved and key in figures:
            continue
        goal = [0.0] * len(unknown)
        goal[index[key]] = 1.0
        low = linprog(goal, A_eq=equalities, b_eq=rhs, bounds=limits, method="highs")
        goal[index[key]] = -1.0
        high = linprog(goal, A_eq=equalities, b_eq=rhs, bounds=limits, method="highs")
        assert low.status == 0, f"the published figures contradict the relations around {key}: {low.message}"
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6 and round(low.fun) != 0:
            found.append((key, low.fun))
    return found


def _group_figures(group: Group) -> dict[str, Figure]:
    """Every count of a group by the part it is of its family (its ratings as rating_1 to rating_5)."""
    parts = {part: getattr(group, part, None) for family in FAMILIES.values() for part in family.parts}
    parts |= {f"rating_{rating}": figure for rating, figure in group.ratings.items()}
    return {part: figure for part, figure in parts.items() if isinstance(figure, Figure)}


def _state(shown: str) -> str:
    return {HIDDEN: FEW, SECONDARY: OTHERS}.get(shown, SHOWN)


@pytest.mark.django_db
def test_no_figure_of_the_demo_in_any_period_pins_a_hidden_count(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    import reporting.overview as overview

    computed = overview.lattices(today)
    monkeypatch.setattr(overview, "lattices", lambda day: computed)  # the same data read once for every period
    offers = list(Offer.objects.order_by("programme__year", "name"))
    programmes = list(dict.fromkeys(offer.programme_id for offer in offers))
    themes = list(Theme.objects.order_by("name"))

    read: dict[str, dict[Key, tuple[int, str]]] = {name: {} for name in FAMILIES}
    family_of = {part: name for name, family in FAMILIES.items() for part in family.parts}
    for period in choices(today):
        result = build(period=period, today=today)
        groups = [(TOTAL, result.total)] + [
            (("programme", pk), g) for pk, g in zip(programmes, result.by_programme, strict=True)
        ]
        groups += [(("offer", offer.pk), g) for offer, g in zip(offers, result.by_offer, strict=True)]
        for group_key, group in groups:
            for part, figure in _group_figures(group).items():
                read[family_of[part]][(part, period.key, group_key)] = (figure.value, _state(figure.shown))
        for theme, (_, figure) in zip(themes, result.lesson_themes, strict=True):
            read["themes"][("lessons", period.key, ("theme", theme.pk))] = (figure.value, _state(figure.shown))
        if period.key == ALL:  # engagements open now is the whole time's engagements still open
            in_use = result.capacity_in_use
            assert (in_use.value, _state(in_use.shown)) == read["engagements"][("open_engagements", ALL, TOTAL)]

    programme_groups = [TOTAL, *(("programme", pk) for pk in programmes)]
    by_offer = [(TOTAL, programme_groups[1:])] + [
        (("programme", pk), [("offer", offer.pk) for offer in offers if offer.programme_id == pk]) for pk in programmes
    ]
    hidden = sum(1 for figures in read.values() for value, state in figures.values() if state != SHOWN and value)
    pinned = []
    for name, family in FAMILIES.items():
        if name == "themes":
            relations = _relations(family.parts, [], [("theme", theme.pk) for theme in themes], today)
        elif family.by_offer:
            relations = _relations(family.parts, by_offer, programme_groups + [("offer", o.pk) for o in offers], today)
        else:
            relations = _relations(family.parts, by_offer[:1], programme_groups, today)
        pinned += _pinned(read[name], relations)

    assert hidden > 0, "the demo hides some figures, or this test tests nothing"
    assert pinned == []


def _random_records(seed: int) -> tuple[list[Record], list[tuple], list[tuple], datetime.date]:
    """A random programme: up to four programmes of up to three offers, up to twelve sites, and things counted on
    random days over its first two financial years."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    today = datetime.date(2014, 4, 1) + datetime.timedelta(days=rng.randrange(365))
    offers = {pk: rng.randrange(1, rng.randint(1, 4) + 1) for pk in range(1, rng.randint(2, 10))}
    sites = rng.randint(1, 12)
    records = []
    for _ in range(rng.randrange(0, 90)):
        offer = rng.choice(list(offers))
        day = datetime.date(2013, 4, 1) + datetime.timedelta(
            days=rng.randrange((today - datetime.date(2013, 4, 1)).days + 200)
        )
        rating = rng.choice([1, 2, 3, 4, 4, 5, 5, 5])
        planned = rng.randint(1, 4)
        held = rng.randint(0, planned)
        groups = (TOTAL, ("programme", offers[offer]), ("offer", offer))
        records.append(
            Record(
                day,
                groups,
                rng.randrange(sites),
                {"responses": 1, f"rating_{rating}": 1}
                | {"sessions_planned": planned, "sessions_held": held, "sessions_not_held": planned - held},
            )
        )
    programmes = sorted(set(offers.values()))
    tree = [(TOTAL, [("programme", pk) for pk in programmes])] + [
        (("programme", pk), [("offer", offer) for offer, of in offers.items() if of == pk]) for pk in programmes
    ]
    groups = [TOTAL, *(("programme", pk) for pk in programmes), *(("offer", offer) for offer in offers)]
    return records, tree, groups, today


@pytest.mark.parametrize("seed", range(24))
def test_no_figure_of_a_random_programme_pins_a_hidden_count(seed: int) -> None:
    records, tree, groups, today = _random_records(seed)
    when = calendar(today)

    for name, by_offer in (("responses", True), ("sessions", False)):
        family = FAMILIES[name]
        family_groups = groups if by_offer else [g for g in groups if g[0] != "offer"]
        family_tree = tree if by_offer else tree[:1]
        cells = lattice(family, records, family_tree, family_groups, when)
        read = {
            key: (
                cell.value,
                UNPUBLISHED if not cell.published else FEW if cell.primary else OTHERS if cell.secondary else SHOWN,
            )
            for key, cell in cells.items()
        }

        assert _pinned(read, _relations(family.parts, family_tree, family_groups, today)) == []
