"""The overview's bar charts are drawn only when they have a bar: with every figure hidden, a chart would only repeat
the table beside it, in small grey words."""

from __future__ import annotations

from reporting.overview import Figure, Group
from reporting.templatetags.overview import any_drawn, bars, rating_bars


def test_a_chart_of_hidden_figures_only_is_not_drawn() -> None:
    group = Group("Accelerate 2014/15")
    group.requests = Figure(3, hidden=True)
    group.ratings = {rating: Figure(1, hidden=True) for rating in range(1, 6)}

    assert not any_drawn(bars([group], "requests"))
    assert not any_drawn(rating_bars(group))


def test_a_chart_with_one_figure_shown_is_drawn() -> None:
    shown, hidden = Group("Integrated Care Pioneer 2013/14"), Group("Vanguard 2015/16")
    shown.requests, hidden.requests = Figure(12), Figure(2, hidden=True)

    assert any_drawn(bars([shown, hidden], "requests"))
