"""Searching the library: PostgreSQL full-text search with ranking and highlighted matches; on SQLite (the
embedded default), a plain word match, so the library still works without PostgreSQL."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A common word matches a third of 200,000 lessons: ranking every match on each page view would cost a second.
# The library ranks the latest matches, one more than it counts (frontend.pagination.CappedPaginator), so a page
# still says "more than 1,000".
RANKED_AT_MOST = 1001
START, STOP = "\x02", "\x03"  # never typed by a person; turned into <mark> after escaping
CONFIG = "english"


def lesson_vector() -> CombinedExpression:
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector("body", weight="B", config=CONFIG)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search(lessons: QuerySet, query: str) -> QuerySet:
    """Matching lessons, best first, each with `title_marked` and `excerpt_marked` holding the matches."""
    if uses_postgres():
        search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
        latest_matches = (
            lessons.filter(search_vector=search_query).order_by("-published_at", "-pk").values("pk")[:RANKED_AT_MOST]
        )
        # Only the candidates' ids carry the filters: repeating them outside lets the planner read every published
        # lesson to test each against the candidates (150 ms for a common word instead of 15).
        return (
            lessons.model.objects.filter(pk__in=Subquery(latest_matches))
            .annotate(
                rank=SearchRank(F("search_vector"), search_query),
                title_marked=SearchHeadline(
                    "title", search_query, highlight_all=True, config=CONFIG, start_sel=START, stop_sel=STOP
                ),
                excerpt_marked=SearchHeadline(
                    "body",
                    search_query,
                    max_fragments=2,
                    max_words=30,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                ),
            )
            .order_by("-rank", "-published_at", "-pk")
        )
    words = [word for word in re.findall(r"[^\W_]+", query.lower()) if len(word) > 1][:10]
    if not words:
        return lessons.none()
    matching = lessons
    for word in words:
        matching = matching.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return matching.annotate(title_marked=F("title"), excerpt_marked=F("body"), rank=Value(0.0))


def marked(text: str, query: str) -> SafeString:
    """Escape the text, then show the matches as <mark>. Works for both search back ends."""
    if START not in text and query and not uses_postgres():
        words = [re.escape(word) for word in re.findall(r"[^\W_]+", query) if len(word) > 1]
        if words:
            text = re.sub(rf"(?i)\b({'|'.join(words)})", lambda m: f"{START}{m.group(1)}{STOP}", text)
    # Safe markup on purpose (ruff S308, bandit B308/B703): the text is escaped first; only <mark> tags are added after.
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308  # nosec B308, B703
