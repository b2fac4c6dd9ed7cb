"""The fixed periods figures are released for (core/periods.py): financial quarters and years from April to March,
and the whole time since the programmes began."""

from __future__ import annotations

import datetime

from core import periods

TODAY = datetime.date(2026, 12, 7)


def test_a_financial_year_runs_from_april_to_march_and_is_its_four_quarters() -> None:
    year = periods.year_containing(datetime.date(2027, 2, 1))

    assert (year.key, year.start, year.end, year.label) == (
        "2026-27",
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
        "Financial year 2026/27",
    )
    assert [quarter.key for quarter in year.quarters()] == ["2026-q1", "2026-q2", "2026-q3", "2026-q4"]
    assert year.quarters()[3].label == "January to March 2027 (Q4 2026/27)"


def test_keys_name_only_periods_that_have_begun_and_not_before_the_programmes() -> None:
    assert periods.parse("2026-q3", TODAY) == periods.quarter_containing(TODAY)
    assert periods.parse("2026-q4", TODAY) is None  # not yet begun
    assert periods.parse("2012-q4", TODAY) is None  # before the programmes began
    assert periods.parse("2026-28", TODAY) is None  # not a financial year
    assert periods.parse("all", TODAY) == periods.since_began(TODAY)


def test_the_choices_are_every_year_and_begun_quarter_newest_first_then_the_whole_time() -> None:
    keys = [period.key for period in periods.choices(TODAY)]

    assert keys[:4] == ["2026-27", "2026-q3", "2026-q2", "2026-q1"]
    assert keys[-2:] == ["2013-q1", "all"]
    assert len(keys) == 14 + (13 * 4 + 3) + 1
    assert periods.since_began(TODAY).end == datetime.date(2026, 12, 31)
