"""Figures that are the same for everyone and costly to count are kept in each web process for a short while:
the programme overview, the library's lessons per theme, and the sizes behind the lessons' context rule.

In the process on purpose, not in Redis: these never fail or slow down when Redis is away, and a worker that
restarts simply counts again. Each worker counts at most once per FIGURES_CACHE_SECONDS (0 turns this off, as the
tests do), so a figure can be that many seconds old (README, FIGURES_CACHE_SECONDS). No page says so yet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

_kept: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """The value kept under `key` if it is fresh enough, else `compute()`, kept for next time."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    found = _kept.get(key)
    if found is not None and found[0] > now:
        return found[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _kept[key] = (now + seconds, value)
    return value


def forget_all() -> None:
    """Drops everything this process keeps (tests that turn keeping on start from nothing)."""
    with _lock:
        _kept.clear()
