"""The overview's choice of period: one of the fixed periods of core/periods.py, never two arbitrary dates."""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.utils.dateparse import parse_date

from core import periods
from core.periods import Period
from frontend.dates import long_date

OLD_LINK_FIELDS = ("start", "end")


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label="Period",
        help_text="Financial quarters and years run from April to March.",
        error_messages={"invalid_choice": "Choose a period from the list", "required": "Choose a period"},
    )

    def __init__(self, data: dict | None = None, *, today: datetime.date) -> None:
        self.today = today
        self.default = periods.year_containing(today)
        super().__init__(data, initial={"period": self.default.key})
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (period.key, period.label) for period in periods.choices(today)
        ]

    def chosen(self) -> Period:
        """The period chosen, or this financial year when none (or none that can be chosen) was."""
        if self.is_bound and self.is_valid():
            return periods.parse(self.cleaned_data["period"], self.today) or self.default
        return self.default


def from_old_link(query: dict, today: datetime.date) -> tuple[Period, str] | None:
    """An address from before the overview had fixed periods (?start=...&end=..., as dates or their day, month and
    year): the quarter that holds its end date (its start date when it has no end), with a sentence saying so. None
    when the address is not such a link; this financial year when its dates cannot be read or are out of range."""
    typed = {name: _date(query, name) for name in OLD_LINK_FIELDS}
    asked = [name for name in OLD_LINK_FIELDS if name in query or f"{name}_year" in query]
    if not asked or "period" in query:
        return None
    day = typed["end"] or typed["start"]
    usable = day is not None and periods.PROGRAMMES_BEGAN <= day <= today
    period = periods.parse(periods.quarter_containing(day).key, today) if day and usable else None
    if period is None:
        period = periods.year_containing(today)
        return period, (
            "Figures are now shown for fixed periods only, and the dates in the link you followed could not be used. "
            f"This is {period.label.lower()}."
        )
    which = "end" if typed["end"] else "start"
    return period, (
        f"Figures are now shown for fixed periods only. The link you followed asked for a period with its {which} on "
        f"{long_date(day)}: this is the quarter that holds that day, {period.label}."
    )


def _date(query: dict, name: str) -> datetime.date | None:
    try:
        if name in query:
            return parse_date(str(query[name]))
        if f"{name}_year" in query:
            return datetime.date(int(query[f"{name}_year"]), int(query[f"{name}_month"]), int(query[f"{name}_day"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return None
