"""What the forms of several topics share: a text box's limit, today and the years ahead, a due date."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone

from frontend.widgets import DateField

TEXT_LIMIT = 5000


def _text(label: str, help_text: str = "", required_message: str = "", **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message or f"Enter {label.lower()}",
            "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer",
        },
        **kwargs,
    )


def _today() -> datetime.date:
    return timezone.localdate()


def _years_from_today(years: int) -> Callable[[], datetime.date]:
    return lambda: timezone.localdate() + datetime.timedelta(days=round(365.25 * years))


# Due dates and follow-ups: no further ahead than a programme plans.
YEARS_AHEAD = 3


def _due_date(label: str) -> DateField:
    return DateField(
        label=label,
        required=False,
        earliest=_years_from_today(-1),
        latest=_years_from_today(YEARS_AHEAD),
        too_early="The due date must be no more than a year ago, on {date} or later",
        too_late=f"The due date must be within the next {YEARS_AHEAD} years, on {{date}} or earlier",
    )
