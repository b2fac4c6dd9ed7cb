"""The programme overview: figures for planning, by programme and by offer, never by site or by enabler.

Its URL names are `engagements:overview` and `engagements:overview_export`, as before it moved here: config/urls.py
serves these pages under the engagements namespace."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from accounts.access import sees_every_site_required
from core import memo
from core.exports import CsvWriter
from core.http import AuthenticatedHttpRequest
from engagements.forms import PeriodForm

from . import overview as figures
from .templatetags.overview import all_groups


def _overview(request: AuthenticatedHttpRequest) -> tuple[PeriodForm, figures.Overview, list[str]]:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    overview = memo.remembered(("overview", start, end), lambda: figures.build(start=start, end=end))
    comments = memo.remembered_here(("overview-words", start, end), lambda: figures.words(start=start, end=end))
    return form, overview, comments


@sees_every_site_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Programme-level figures for planning: by programme and by offer, never by site or by enabler."""
    form, result, comments = _overview(request)
    tables = memo.fragment(("overview tables", result.start, result.end), lambda: _tables(result))
    context = {"form": form, "overview": result, "comments": comments, "tables": tables}
    return render(request, "engagements/overview.html", context)


def _tables(result: figures.Overview) -> dict[str, str]:
    """The two large tables of figures (counts only, the same for everyone who may see the overview), rendered once
    for the period and kept with the figures (core/memo.py); sites' words are never in them."""
    table = "engagements/_overview_table.html"
    return {
        "programmes": render_to_string(table, {"groups": all_groups(result), "caption": "Every figure, by programme"}),
        "offers": render_to_string(table, {"groups": result.by_offer, "caption": "Every figure, by offer"}),
    }


@sees_every_site_required
def overview_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _, result, comments = _overview(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="alongside-overview-{result.start}-{result.end}.csv"'
    CsvWriter(response).writerows(figures.csv_rows(result, comments))
    return response
