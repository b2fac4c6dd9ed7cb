"""The quick date filter writes exactly what Django's `|date` writes with Alongside's format."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from frontend.templatetags.nhsuk import day

DATES = [
    datetime.date(2026, 11, 26),
    datetime.date(2026, 1, 1),
    datetime.date(1999, 12, 31),
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time): both filters say 1 April.
    datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("value", DATES)
def test_day_matches_django_date_filter(value: datetime.date) -> None:
    with timezone.override("Europe/London"):
        expected = Template("{{ value|date }}").render(Context({"value": value}))

        assert day(value) == expected


def test_day_of_nothing_is_empty_so_default_still_applies() -> None:
    rendered = Template('{% load nhsuk %}{{ value|day|default:"Not yet" }}').render(Context({"value": None}))

    assert rendered == "Not yet"
    assert day(datetime.date(2026, 4, 1)) == "1 April 2026"
