"""Shaping the overview's figures for its tables and charts."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from reporting.overview import Figure, Group, Overview

register = template.Library()
CHART_WIDTH = 180
ROW_HEIGHT = 22


@register.filter
def all_groups(overview: Overview) -> list[Group]:
    return [overview.total, *overview.by_programme]


def _all_rows(groups: list[Group]) -> list[tuple[str, list[tuple[str, Figure]]]]:
    names = [name for name, _ in groups[0].figures()] if groups else []
    return [(name, [(group.label, dict(group.figures())[name]) for group in groups]) for name in names]


@register.filter
def figure_rows(groups: list[Group]) -> list[tuple[str, list]]:
    """One row per figure with anything shown, one column per group: each cell is (the group's label, its figure),
    so a phone's layout can show the label beside the figure."""
    return [(name, cells) for name, cells in _all_rows(groups) if any(not figure.hidden for _, figure in cells)]


@register.filter
def hidden_rows(groups: list[Group]) -> list[str]:
    """The names of the figures hidden for every group, folded away under one line."""
    return [name for name, cells in _all_rows(groups) if all(figure.hidden for _, figure in cells)]


@dataclass(frozen=True)
class Headline:
    name: str
    shown: str
    explained: str
    why_hidden: str = ""


def _headline(name: str, figure: Figure, explained: str, unit: str = "") -> Headline:
    """A figure shown large, or a short word where it is hidden, with why in the sentence under it."""
    if figure.hidden and figure.secondary:
        why = "Hidden so that figures under 5 cannot be worked out from it."
        return Headline(name, "Not shown", explained, why)
    if figure.hidden:
        return Headline(name, "Fewer than 5", explained)
    return Headline(name, f"{figure.shown}{unit}" if figure.value is not None else "None", explained)


@register.filter
def headlines(overview: Overview) -> list[Headline]:
    """A few figures for all programmes first, each with one plain sentence saying what it counts."""
    total = overview.total
    wait = total.median_wait_days
    wait_explained = "From request to agreement: half of the engagements agreed in this period waited fewer days."
    if wait.hidden:
        wait = Figure(None, hidden=True, secondary=True)
        wait_explained = "Shown only where the number of engagements agreed is shown."
    return [
        _headline("Requests received", total.requests, "Requests for support that sites sent in this period."),
        _headline(
            "Engagements agreed", total.engagements, "Sites and enablers who agreed in this period to work together."
        ),
        Headline("Median wait to agreement", "Not shown", wait_explained)
        if wait.hidden
        else _headline("Median wait to agreement", wait, wait_explained, " days"),
        _headline(
            "Planned sessions held",
            total.sessions_held or Figure(None, hidden=True),
            "Sessions planned for this period that took place and were logged.",
        ),
        _headline("Feedback responses", total.responses, "Times someone at a site said how useful the support was."),
    ]


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
def any_drawn(bars: list[dict]) -> bool:
    """Whether a chart has a bar to draw: with every figure hidden it would only repeat the table beside it."""
    return any(bar["width"] is not None for bar in bars)


@register.filter
def chart_height(bars: list[dict]) -> int:
    return (len(bars) + 1) * ROW_HEIGHT


@register.filter
def bars(groups: list[Group], attribute: str) -> list[dict]:
    return _bars([(group.label, getattr(group, attribute)) for group in groups])


@register.filter
def rating_bars(group: Group) -> list[dict]:
    return _bars([(f"{rating} out of 5", figure) for rating, figure in sorted(group.ratings.items())])
