"""Working days, for how long a request has waited. Weekends do not count; bank holidays are not known here."""

from __future__ import annotations

import datetime


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Whole working days from start to end, not counting the start day."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count
