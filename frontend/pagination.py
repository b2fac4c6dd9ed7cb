"""Pages of a long list that never count more rows than a person could page through."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. Past a thousand lessons, "more than 1,000" is all a reader needs, and counting
    every one of 200,000 matching rows on each page view would cost more than showing the twenty on it."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a subquery that stops at cap + 1 rows; values("pk") leaves ranking and highlighting out.
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # a QuerySet, never a list, here
        return rows.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


class EstimatedCountPaginator(Paginator):
    """For the Django admin's change lists of the largest tables (a million sessions): above ESTIMATE_FROM rows
    the count is PostgreSQL's planner estimate, which costs nothing, instead of COUNT(*), which reads every row.
    Below it, and on SQLite, the exact count. The admin shows it as the number of results, so above that size
    it is approximate (within a few per cent after ANALYZE)."""

    estimate_from = 10_000

    @cached_property
    def count(self) -> int:
        if connection.vendor == "postgresql":
            rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # the admin's QuerySet
            sql, params = rows.order_by().query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
                estimate = int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
            if estimate >= self.estimate_from:
                return estimate
        return super().count
