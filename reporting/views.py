"""The programme overview: figures for planning, by programme and by offer, never by site or by enabler.

Its URL names are `engagements:overview` and `engagements:overview_export`, as before it moved here (its templates
and tests are reporting's: templates/reporting/, tests/reporting/): config/urls.py
serves these pages under the engagements namespace."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import sees_every_site_required
from core import memo
from core.exports import CsvWriter
from core.http import AuthenticatedHttpRequest

from . import overview as figures
from .forms import PeriodForm, from_old_link
from .templatetags.overview import all_groups


def _overview(
    request: AuthenticatedHttpRequest,
) -> tuple[PeriodForm, figures.Overview, list[figures.WordsBatch], str]:
    """The period chosen (an old link's dates answer with the quarter that holds them, and say so), its figures
    (kept under the period's key, core/memo.py) and sites' words released for it (read afresh, never kept)."""
    today = timezone.localdate()
    old_link = from_old_link(request.GET, today)
    data = {"period": old_link[0].key} if old_link else request.GET or None
    form = PeriodForm(data, today=today)
    period = form.chosen()
    overview = memo.remembered(("overview", period.key), lambda: figures.build(period=period, today=today))
    comments = figures.words(period=period, today=today)
    return form, overview, comments, old_link[1] if old_link else ""


@sees_every_site_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Programme-level figures for planning: by programme and by offer, never by site or by enabler."""
    form, result, comments, notice = _overview(request)
    tables = memo.fragment(("overview tables", result.period.key), lambda: _tables(result))
    context = {"form": form, "overview": result, "comments": comments, "tables": tables, "notice": notice}
    return render(request, "reporting/overview.html", context)


def _tables(result: figures.Overview) -> dict[str, str]:
    """The two large tables of figures (counts only, the same for everyone who may see the overview), rendered once
    for the period and kept with the figures (core/memo.py); sites' words are never in them."""
    table = "reporting/_overview_table.html"
    return {
        "programmes": render_to_string(table, {"groups": all_groups(result), "caption": "Every figure, by programme"}),
        "offers": render_to_string(table, {"groups": result.by_offer, "caption": "Every figure, by offer"}),
    }


@sees_every_site_required
def overview_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _, result, comments, _ = _overview(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="alongside-overview-{result.period.key}.csv"'
    CsvWriter(response).writerows(figures.csv_rows(result, comments))
    return response
