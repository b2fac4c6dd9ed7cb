"""The fixed periods that figures and sites' shared words are released for: financial quarters and financial years
(April to March, as the NHS plans), and the whole time since the programmes began.

Figures are only ever read for one of these periods, never between two arbitrary dates: two overlapping periods of
any start and end could be subtracted from each other to find what happened at one site on one day. A period's key
("2026-q3", "2026-27", "all") is what a link carries.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

# The first of the programmes (the Integrated Care Pioneers) began in the 2013/14 financial year.
PROGRAMMES_BEGAN = datetime.date(2013, 4, 1)

QUARTER = "quarter"
YEAR = "year"
ALL = "all"

_MONTHS = ["April to June", "July to September", "October to December", "January to March"]
_QUARTER_KEY = re.compile(r"^(\d{4})-q([1-4])$")
_YEAR_KEY = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A fixed period: its first and last day (both included), its kind, the key a link carries and its name."""

    kind: str
    start: datetime.date
    end: datetime.date
    key: str
    label: str

    def is_closed(self, today: datetime.date) -> bool:
        """Whether the period is over: its last day is before today."""
        return self.end < today

    def quarters(self) -> list[Period]:
        """The financial quarters that make up this period, oldest first."""
        found = []
        quarter = quarter_containing(self.start)
        while quarter.start <= self.end:
            found.append(quarter)
            quarter = quarter_containing(quarter.end + datetime.timedelta(days=1))
        return found


def _financial_year_of(day: datetime.date) -> int:
    """The calendar year in which the financial year holding `day` began."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(first_year: int) -> Period:
    """The financial year that begins on 1 April of `first_year`."""
    start = datetime.date(first_year, 4, 1)
    end = datetime.date(first_year + 1, 3, 31)
    short = f"{first_year}/{str(first_year + 1)[-2:]}"
    return Period(YEAR, start, end, f"{first_year}-{str(first_year + 1)[-2:]}", f"Financial year {short}")


def financial_quarter(first_year: int, number: int) -> Period:
    """Quarter `number` (1 to 4) of the financial year that begins on 1 April of `first_year`."""
    month = 4 + 3 * (number - 1)
    year = first_year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    start = datetime.date(year, month, 1)
    following = datetime.date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    end = following - datetime.timedelta(days=1)
    short = f"{first_year}/{str(first_year + 1)[-2:]}"
    return Period(QUARTER, start, end, f"{first_year}-q{number}", f"{_MONTHS[number - 1]} {year} (Q{number} {short})")


@functools.lru_cache(maxsize=8192)
def quarter_containing(day: datetime.date) -> Period:
    """The financial quarter a day falls in (kept for the few thousand days the figures count on: the overview asks
    for one for every request, engagement and response since the programmes began)."""
    first_year = _financial_year_of(day)
    number = ((day.month - 4) % 12) // 3 + 1
    return financial_quarter(first_year, number)


def year_containing(day: datetime.date) -> Period:
    return financial_year(_financial_year_of(day))


def since_began(today: datetime.date) -> Period:
    """From the day the first programme began to the end of the current quarter."""
    return Period(ALL, PROGRAMMES_BEGAN, quarter_containing(today).end, ALL, "Since the programmes began")


def parse(key: str, today: datetime.date) -> Period | None:
    """The period a link's key names, or None when it names none that has begun by today."""
    period: Period | None = None
    if key == ALL:
        period = since_began(today)
    elif match := _QUARTER_KEY.match(key):
        period = financial_quarter(int(match[1]), int(match[2]))
    elif (match := _YEAR_KEY.match(key)) and int(match[2]) == (int(match[1]) + 1) % 100:
        period = financial_year(int(match[1]))
    if period is None or period.start > today or period.end < PROGRAMMES_BEGAN:
        return None
    return period


def choices(today: datetime.date) -> list[Period]:
    """Every period that may be chosen, newest first: each financial year followed by its quarters that have begun,
    then the whole time since the programmes began."""
    found: list[Period] = []
    for first_year in range(_financial_year_of(today), _financial_year_of(PROGRAMMES_BEGAN) - 1, -1):
        year = financial_year(first_year)
        found.append(year)
        found.extend(reversed([q for q in year.quarters() if q.start <= today]))
    found.append(since_began(today))
    return found
