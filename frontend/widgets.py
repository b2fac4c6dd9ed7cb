"""Form widgets and fields with the NHS.UK design system's markup and behaviour."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .dates import long_date


class DateInput(forms.MultiWidget):
    """Three boxes, day, month and year, as the NHS.UK date input shows them."""

    template_name = "nhsuk/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: datetime.date | None) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


# A bound is a date, or a function giving one when the form is checked ("today" moves), or none.
Bound = datetime.date | Callable[[], datetime.date] | None


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with the error messages the NHS.UK design system recommends, and the
    bounds that make sense for what it is (a session held: up to today; a due date: a few years ahead at most).

    `earliest` and `latest` are dates or functions of none; `too_early` and `too_late` are the messages, with
    `{date}` for the bound as pages write dates."""

    widget = DateInput

    def __init__(
        self,
        *,
        earliest: Bound = None,
        latest: Bound = None,
        too_early: str = "The date must be {date} or later",
        too_late: str = "The date must be {date} or earlier",
        **kwargs: Any,
    ) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.earliest, self.latest, self.too_early, self.too_late = earliest, latest, too_early, too_late

    @staticmethod
    def _bound(bound: Bound) -> datetime.date | None:
        return bound() if callable(bound) else bound

    def _check_bounds(self, value: datetime.date) -> None:
        earliest, latest = self._bound(self.earliest), self._bound(self.latest)
        if earliest is not None and value < earliest:
            raise ValidationError(self.too_early.format(date=long_date(earliest)), code="too_early")
        if latest is not None and value > latest:
            raise ValidationError(self.too_late.format(date=long_date(latest)), code="too_late")

    def clean(self, value: list[str] | None) -> datetime.date | None:
        parts = ["" if part is None else str(part).strip() for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {self.label.lower() if self.label else 'date'}", code="required")
            return None
        names = ["day", "month", "year"]
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"The date must include a {' and '.join(missing)}", code="incomplete")
        # Decimal digits of any script, which int() reads; not every digit (isdigit) is one: "²" is not.
        if not all(part.isdecimal() for part in parts):
            raise ValidationError("The date must be written in numbers, for example 27 3 2026", code="invalid")
        if len(parts[2]) != 4:
            raise ValidationError("The year must include 4 numbers", code="invalid_year")
        day, month = (part.lstrip("0") or "0" for part in parts[:2])
        # A day or month of more than 2 figures is no date, and a number of thousands of figures int() refuses.
        if len(day) > 2 or len(month) > 2:
            raise ValidationError("The date must be a real date", code="invalid_date")
        try:
            result = datetime.date(int(parts[2]), int(month), int(day))
        except ValueError as error:
            raise ValidationError("The date must be a real date", code="invalid_date") from error
        self._check_bounds(result)
        self.run_validators(result)
        return result

    def compress(self, data_list: list[Any]) -> None:  # pragma: no cover - clean() does the work
        raise NotImplementedError


class QuickSelect(forms.Select):
    """A select list that writes its options in Python, not through a template for each option: the same HTML as
    Django's own `Select` (tests/frontend/test_quick_select.py holds them together), for the busy filter forms
    (the library's themes), where rendering an option template per theme was half of the page's template time.
    Grouped choices are left to Django's own rendering."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',
            (
                (str(option["value"]), _attributes(option["attrs"]), option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attributes(widget["attrs"]), options)


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """As Django's widgets/attrs.html writes them: in order, True as a bare name, False left out."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )
