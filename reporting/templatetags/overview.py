"""Shaping the overview's figures for its tables and charts."""

from __future__ import annotations

from django import template

from reporting.overview import Figure, Group, Overview

register = template.Library()
CHART_WIDTH = 180
ROW_HEIGHT = 22


@register.filter
def all_groups(overview: Overview) -> list[Group]:
    return [overview.total, *overview.by_programme]


@register.filter
def figure_rows(groups: list[Group]) -> list[tuple[str, list]]:
    """One row per figure, one column per group: each cell is (the group's label, its figure), so a phone's layout
    can show the label beside the figure."""
    names = [name for name, _ in groups[0].figures()] if groups else []
    return [(name, [(group.label, dict(group.figures())[name]) for group in groups]) for name in names]


def _bars(items: list[tuple[str, Figure]]) -> list[dict[str, object]]:
    values = [float(figure.value) for _, figure in items if not figure.hidden and figure.value]
    top = max(values) if values else 1.0
    return [
        {
            "label": label,
            "shown": figure.shown,
            "width": None if figure.hidden else int(float(figure.value or 0) * CHART_WIDTH / top),
            "bar_y": index * ROW_HEIGHT + 3,
            "text_y": index * ROW_HEIGHT + 15,
        }
        for index, (label, figure) in enumerate(items)
    ]


@register.filter
def chart_height(bars: list[dict]) -> int:
    return (len(bars) + 1) * ROW_HEIGHT


@register.filter
def bars(groups: list[Group], attribute: str) -> list[dict]:
    return _bars([(group.label, getattr(group, attribute)) for group in groups])


@register.filter
def rating_bars(group: Group) -> list[dict]:
    return _bars([(f"{rating} out of 5", figure) for rating, figure in sorted(group.ratings.items())])
