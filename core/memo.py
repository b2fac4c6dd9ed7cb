"""Figures that are the same for everyone and costly to count are kept for a short while: the programme overview's
figures, the library's lessons per theme, the sizes behind the lessons' context rule, the pool's capacity.

They are kept in Django's cache framework (`remembered`): in Redis when REDIS_URL is set, so every web process on
every server counts a figure once and shows the same number; in each process's local memory otherwise. A figure is
counted again at most once per FIGURES_CACHE_SECONDS (0 turns keeping off, as the tests do), so it can be that many
seconds old (README, FIGURES_CACHE_SECONDS).

The same cache keeps rendered fragments that are the same for everyone allowed to see them (`fragment`).

Redis away never slows a page or fails it: a cache that errors is left alone for REDIS_RETRY_SECONDS by this process
(it counts the figure itself meanwhile), so only the first request after an outage waits for the short socket
timeout. Only counts go to the shared cache. Sites' own words, which the overview shows only when five or more sites
gave them, are never put there: `remembered_here` keeps them in the web process's memory alone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
logger = logging.getLogger(__name__)

PREFIX = "figures:1:"  # raise the number when what is kept changes shape, so old values are never read back
FRAGMENTS = "fragments:1:"
REDIS_RETRY_SECONDS = 30.0

_kept: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()
_cache_failed_at = [float("-inf")]
_MISSING = object()


def cache_key(key: Hashable, prefix: str = PREFIX) -> str:
    """The shared cache's key for a memo key: the same in every process (Python's hash() is not)."""
    return prefix + hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def _cache_usable() -> bool:
    return time.monotonic() - _cache_failed_at[0] > REDIS_RETRY_SECONDS


def _cache_failed(error: Exception) -> None:
    _cache_failed_at[0] = time.monotonic()
    logger.warning("The shared cache is not answering (%s): figures are counted here for a while", type(error).__name__)


def remembered(key: Hashable, compute: Callable[[], T], *, prefix: str = PREFIX) -> T:
    """The value kept under `key` in the shared cache if it is fresh enough, else `compute()`, kept for next time."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    if not _cache_usable():
        return remembered_here((prefix, key), compute)
    name = cache_key(key, prefix)
    try:
        found = cache.get(name, _MISSING)
    except Exception as error:
        _cache_failed(error)
        return remembered_here((prefix, key), compute)
    if found is not _MISSING:
        return found
    value = compute()
    try:
        cache.set(name, value, timeout=seconds)
    except Exception as error:
        _cache_failed(error)
    return value


def fragment(key: Hashable, render: Callable[[], T]) -> T:
    """A rendered piece of a page that is the same for everyone allowed to see it (the library's lesson cards),
    kept in the shared cache like a figure. Its key must name everything it shows (each lesson's id and version,
    read afresh on every request), so a lesson withdrawn or changed is simply never asked for again under the old
    key, on every server at once. `forget_fragments` drops them all as well, so that none is even kept."""
    return remembered(key, render, prefix=FRAGMENTS)


def forget_fragments() -> None:
    """Drops every kept fragment, here and in the shared cache (a lesson left the library)."""
    with _lock:
        for key in [key for key in _kept if isinstance(key, tuple) and key[:1] == (FRAGMENTS,)]:
            del _kept[key]
    try:
        _drop_shared(FRAGMENTS)
    except Exception as error:  # unreachable under the old keys anyway
        _cache_failed(error)


def _drop_shared(prefix: str) -> None:
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):  # Redis, which the broker may share: only ours go
        client = backend.get_client(None, write=True)
        names = list(client.scan_iter(match=cache.make_key(prefix + "*")))
        if names:
            client.delete(*names)
        return
    kept = getattr(cache, "_cache", {})  # this process's local memory
    for name in [name for name in list(kept) if name.startswith(cache.make_key(prefix))]:
        cache.delete(name.split(":", 2)[2])


def remembered_here(key: Hashable, compute: Callable[[], T]) -> T:
    """As `remembered`, in this process's memory alone: for what must never leave the web process."""
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


def forget(key: Hashable) -> None:
    """Drops one figure everywhere it is kept (a change that must show at once, on every server)."""
    with _lock:
        _kept.pop(key, None)
    try:
        cache.delete(cache_key(key))
    except Exception as error:
        _cache_failed(error)


def forget_all() -> None:
    """Drops everything kept, here and in the shared cache (tests that turn keeping on start from nothing)."""
    with _lock:
        _kept.clear()
    _cache_failed_at[0] = float("-inf")
    _drop_shared(PREFIX)
    _drop_shared(FRAGMENTS)
