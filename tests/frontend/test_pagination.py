"""Paginators for long lists: a count that stops at a cap, and the admin's estimate for the largest tables."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from frontend.pagination import CappedPaginator, EstimatedCountPaginator
from sites.models import Organisation


def _organisations(count: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(name=f"Council {number:03d}", sector=Organisation.Sector.COUNCIL) for number in range(count)
    )


class SmallCap(CappedPaginator):
    cap = 30


def test_the_count_stops_one_past_the_cap_and_says_so(db: None) -> None:
    _organisations(45)

    many = SmallCap(Organisation.objects.order_by("name"), 10)
    few = SmallCap(Organisation.objects.filter(name__lt="Council 012").order_by("name"), 10)

    assert (many.count, many.is_capped, many.num_pages) == (31, True, 4)
    assert (few.count, few.is_capped) == (12, False)


def test_pages_of_a_capped_list_say_more_than(db: None) -> None:
    _organisations(45)
    request = RequestFactory().get("/", {"page": "2"})
    page = SmallCap(Organisation.objects.order_by("name"), 10).get_page(2)

    html = render_to_string("_pagination.html", {"page": page, "request": request})

    assert "Page 3 of more than 3" in html and "Page 1 of more than 3" in html


def test_below_the_threshold_the_admin_count_is_exact(db: None) -> None:
    _organisations(12)

    paginator = EstimatedCountPaginator(Organisation.objects.order_by("name"), 5)

    assert paginator.count == 12


def test_above_the_threshold_the_admin_count_is_the_planners_estimate_not_a_count(db: None) -> None:
    _organisations(400)
    paginator = EstimatedCountPaginator(Organisation.objects.order_by("name"), 100)
    paginator.estimate_from = 100
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Organisation._meta.db_table}")

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    if connection.vendor == "postgresql":
        assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
        assert 300 <= count <= 500  # an estimate from the statistics, close to the 400 rows
    else:
        assert count == 400  # SQLite has no planner estimate to ask: an exact count
