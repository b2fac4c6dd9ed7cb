"""Dates as Alongside writes them: "26 November 2026", as the NHS.UK style guide has them, in Europe/London."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# Alongside's one time zone (settings.TIME_ZONE): planned sessions, calendars, forms and figures all read times in it.
LONDON = ZoneInfo("Europe/London")

_MONTHS = (
    "January February March April May June July August September October November December".split()  # noqa: SIM905
)


def long_date(value: datetime.date | None) -> str:
    """ "26 November 2026" (a datetime on its day in Europe/London): what `|date` gives with Alongside's DATE_FORMAT,
    without Django's general formatter, whose cost shows in a table of fifty sessions (docs/benchmarks.md)."""
    if not isinstance(value, datetime.date):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
