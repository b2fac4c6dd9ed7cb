"""The quick select list writes the same HTML as Django's own Select, option by option, for what the filter forms
show: an empty choice, a chosen one, names to escape, extra attributes and a required list."""

from __future__ import annotations

import pytest
from django import forms

from frontend.widgets import QuickSelect

CHOICES = [("", "All themes"), ("trust", "Trust & <relationships>"), ("time", 'Allow "time"'), (3, "Three")]


@pytest.mark.parametrize("value", [None, "", "trust", "3", ["time"]])
@pytest.mark.parametrize(
    "attrs", [None, {"class": "nhsuk-select", "aria-describedby": "id_theme-hint"}, {"required": True, "x": False}]
)
def test_the_html_is_the_same_as_djangos_select(value: object, attrs: dict | None) -> None:
    ours = QuickSelect(choices=CHOICES).render("theme", value, attrs=attrs)
    djangos = forms.Select(choices=CHOICES).render("theme", value, attrs=attrs)

    assert str(ours) == str(djangos)


def test_grouped_choices_are_left_to_django() -> None:
    grouped = [("Programmes", [("a", "A"), ("b", "B")])]

    ours = QuickSelect(choices=grouped).render("p", "a")

    assert str(ours) == str(forms.Select(choices=grouped).render("p", "a")) and "<optgroup" in ours
