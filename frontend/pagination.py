"""Pages of a long list that never count more rows than a person could page through."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. Past a thousand lessons, "more than 1,000" is all a reader needs, and counting
    every one of 200,000 matching rows on each page view would cost more than showing the twenty on it."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a subquery that stops at cap + 1 rows; values("pk") leaves ranking and highlighting out.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
