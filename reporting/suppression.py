"""Complementary suppression: which further figures to hide so that no hidden small count can be worked out.

The overview publishes, for every fixed period (financial quarters, financial years, since the programmes began),
figures for all programmes, for each programme and each offer, and figures that are parts of others (engagements
still open and closed; responses rated 1 to 5). Each such family of figures is a lattice of cells tied by published
sums: a year is the sum of its quarters, the whole time the sum of the quarters so far, all programmes the sum of
the programmes, a programme the sum of its offers, a whole the sum of its parts. Anyone who can read the overview
can solve these sums for a hidden cell.

`protect` takes one family's cells and its sums and hides further cells ("secondary" suppression) until no cell
hidden for being small (a "primary" cell) and no unpublished part under five (sessions not held, say) could be pinned
to one value by anyone who reads every published figure, knowing that a cell read as "fewer than 5" is 0 to 4 and one
read as SECONDARY is 5 or more (everything under 5 is already hidden as small).

The test needs no solver. Hidden cells whose value lies strictly inside what a reader knows of them may move; those
on an end of it (a hidden 0, a "fewer than 5" that is 4, a secondary 5) are taken as known, which only makes the
test stricter. A cell is safe when the sums allow a small move of it together with cells that may move: then two
different values of it fit everything published. That is linear algebra (elimination in whole numbers modulo a large
prime): a cell strictly inside its range is pinned when the sums restricted to the movable cells determine it; a cell
on an end of its range is pinned unless its column in the sums is a combination of the movable cells' columns.

For each pinned cell it hides the smallest figure still shown (preferring one above 5, which may then move) in the
sum with the fewest unknowns that holds the pinned cell, and tests again. A hidden 0 may be pinned: that reveals only
that nothing happened. tests/reporting/test_subtraction.py checks the result with a linear programme solver (HiGHS)
against every figure the centre can read; docs/privacy.md explains the method.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

THRESHOLD = 5
INFINITY = float("inf")
MAX_ROUNDS = 10_000
# Elimination is done in whole numbers modulo this prime (2**61 - 1): exact and fast; it can differ from elimination
# over the rationals only if the prime divides a determinant of the sums, far beyond the size of these tables.
PRIME = 2**61 - 1


@dataclass
class Cell:
    """One figure of a lattice: its value, whether it is published at all, and why it is hidden if it is."""

    value: int
    primary: bool = False  # hidden by the rule of five (count or sites)
    published: bool = True
    secondary: bool = False  # hidden so that a primary cell cannot be worked out

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary or not self.published

    @property
    def unknown(self) -> bool:
        """Hidden from a reader, who reads a hidden 0 as any value in its range, as they cannot tell it apart."""
        return self.hidden

    @property
    def sensitive(self) -> bool:
        """A cell that must never be worked out: small or from few sites, or an unpublished part under five."""
        return self.value != 0 and (self.primary or (not self.published and self.value < THRESHOLD))

    def bounds(self) -> tuple[float, float]:
        """What a reader knows of a hidden cell's value, read from how it is shown."""
        if self.primary and self.published and self.value < THRESHOLD:
            return 0, THRESHOLD - 1
        if self.secondary and not self.primary:
            return THRESHOLD, INFINITY
        return 0, INFINITY


K = TypeVar("K", bound=Hashable)
Equation = list[tuple[K, int]]  # sum of coefficient * cell == 0


def protect(cells: dict[K, Cell], equations: Iterable[Equation[K]]) -> None:
    """Marks secondary cells in place until no sensitive cell can be worked out from the published ones."""
    equations = [equation for equation in equations if len(equation) > 1]
    holding: dict[K, list[int]] = {}
    for index, equation in enumerate(equations):
        for key, _ in equation:
            holding.setdefault(key, []).append(index)
    # A total (the whole of a sum: all programmes, a year, responses) is hidden only when no part of it will do.
    wholes: dict[K, int] = {}
    for equation in equations:
        positive = [key for key, coefficient in equation if coefficient > 0]
        if len(positive) == 1:
            wholes[positive[0]] = wholes.get(positive[0], 0) + 1
    order = {key: (wholes.get(key, 0), position) for position, key in enumerate(cells)}
    for _ in range(MAX_ROUNDS):
        pinned = sorted(pinned_cells(cells, equations), key=lambda key: order[key][1])
        if not pinned:
            return
        added = [partner for key in pinned if (partner := _partner(cells, equations, holding, key, order)) is not None]
        if not added:  # nothing shown is joined to them: nothing published can pin them either
            return
        for partner in added:
            cells[partner].secondary = True


def _partner(
    cells: dict[K, Cell],
    equations: list[Equation[K]],
    holding: dict[K, list[int]],
    pinned: K,
    order: dict[K, tuple[int, int]],
) -> K | None:
    """The figure to hide beside a pinned cell: in the nearest sums that still hold a shown figure (those holding the
    cell, else those holding the hidden cells they hold, and so on), in the one with the fewest unknowns, the smallest
    shown figure, preferring one above 5 (which may then move)."""
    seen_cells, seen_sums, frontier = {pinned}, set(), [pinned]
    while frontier:
        best: tuple[int, bool, int, int, int] | None = None
        chosen = None
        following = []
        for cell in frontier:
            for index in holding.get(cell, []):
                if index in seen_sums:
                    continue
                seen_sums.add(index)
                equation = equations[index]
                unknowns = sum(1 for key, _ in equation if cells[key].unknown)
                for key, _ in equation:
                    if not cells[key].hidden and cells[key].value:
                        rank = (
                            unknowns,
                            cells[key].value <= THRESHOLD,
                            *order[key][:1],
                            cells[key].value,
                            order[key][1],
                        )
                        if best is None or rank < best:
                            best, chosen = rank, key
                    elif cells[key].hidden and key not in seen_cells:
                        seen_cells.add(key)
                        following.append(key)
        if chosen is not None:
            return chosen
        frontier = following
    return None


def pinned_cells(cells: dict[K, Cell], equations: list[Equation[K]]) -> set[K]:
    """Sensitive cells that some reading of the published figures may pin to one value.

    A sound test without a solver: a cell is safe when the sums leave it free while every other hidden cell that sits
    on an end of its range (a hidden 0, a "fewer than 5" that is 4, a secondary 5) is taken as known and only cells
    strictly inside their ranges may move. Moving along such a free direction by a little keeps every cell in its
    range, so two different values of the cell fit everything published. The test can only find too many pinned."""
    inside = {key for key, cell in cells.items() if cell.unknown and _strictly_inside(cell)}
    reach = [equation for equation in equations if any(key in inside for key, _ in equation)]
    pinned = {key for key in _determined(reach, inside) if cells[key].sensitive}
    at_an_end = [key for key, cell in cells.items() if cell.sensitive and key not in inside]
    if at_an_end:
        # Free exactly when its column of the sums is a combination of the inside cells' columns.
        rows = {id(equation): number for number, equation in enumerate(equations)}
        columns: dict[K, dict[int, int]] = {}
        for equation in equations:
            for key, coefficient in equation:
                if key in inside or key in at_an_end:
                    column = columns.setdefault(key, {})
                    column[rows[id(equation)]] = (column.get(rows[id(equation)], 0) + coefficient) % PRIME
        basis: dict[int, dict[int, int]] = {}
        for key in sorted(inside, key=repr):
            residue = _reduce(columns.get(key, {}), basis)
            if residue:
                inverse = pow(residue[min(residue)], PRIME - 2, PRIME)
                basis[min(residue)] = {row: value * inverse % PRIME for row, value in residue.items()}
        pinned |= {key for key in at_an_end if _reduce(columns.get(key, {}), basis)}
    return pinned


def _reduce(vector: dict[int, int], basis: dict[int, dict[int, int]]) -> dict[int, int]:
    """What is left of a column after taking away its part in the span of the basis (each keyed by its pivot row,
    added in order, each free of the pivots before it)."""
    residue = {row: value for row, value in vector.items() if value}
    for pivot, column in basis.items():
        factor = residue.get(pivot)
        if factor:
            for row, value in column.items():
                residue[row] = (residue.get(row, 0) - factor * value) % PRIME
                if not residue[row]:
                    del residue[row]
    return residue


def _strictly_inside(cell: Cell) -> bool:
    low, high = cell.bounds()
    return low < cell.value < high


def _determined(equations: list[Equation[K]], unknown: set[K]) -> set[K]:
    """Unknown cells that take one value in every solution of the sums, the other cells being known: a reduced row
    echelon form, modulo PRIME, in which a pivot row holding its pivot alone fixes that cell."""
    pivots: dict[K, dict[K, int]] = {}
    for equation in equations:
        row: dict[K, int] = {}
        for key, coefficient in equation:
            if key in unknown:
                row[key] = (row.get(key, 0) + coefficient) % PRIME
        row = {key: value for key, value in row.items() if value}
        while row:
            common = next((key for key in row if key in pivots), None)
            if common is None:
                break
            factor = row[common]
            for key, value in pivots[common].items():
                row[key] = (row.get(key, 0) - factor * value) % PRIME
                if not row[key]:
                    del row[key]
        if not row:
            continue
        pivot = next(iter(row))
        scale = row[pivot]
        inverse = pow(scale, PRIME - 2, PRIME)
        row = {key: value * inverse % PRIME for key, value in row.items()}
        for other in pivots.values():  # keep every pivot row free of the new pivot column
            if pivot in other:
                factor = other[pivot]
                for key, value in row.items():
                    other[key] = (other.get(key, 0) - factor * value) % PRIME
                    if not other[key]:
                        del other[key]
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}
