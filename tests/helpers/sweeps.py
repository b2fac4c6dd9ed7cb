"""The privacy sweeps' look at everything kept: every table of the database and every key of the cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

# Their DEBUG lines quote template contexts and SQL parameters; settings.LOGGING keeps them above DEBUG always.
QUIET_FOR_PRIVACY = ("django.template", "django.db.backends", "authlib")


def tables_holding(found_in: Callable[[bytes], bool]) -> list[str]:
    """Every table with a value, in any column of any row, in which `found_in` finds what it looks for: the
    privacy sweeps' look at the whole database, bytes and text alike, with raw SQL below the ORM."""
    tables = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    if found_in(raw):
                        tables.append(table)
    return tables


def cache_holding(found_in: Callable[[bytes], bool]) -> list[str]:
    """Every key of the cache (Redis when REDIS_URL is set, else this process's local memory) whose stored value
    holds what `found_in` looks for, read as bytes (values are pickled, and a pickled text keeps its bytes)."""
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    if hasattr(backend, "get_client"):
        client = backend.get_client(None, write=False)
        values = {key.decode(): _redis_value(client, key) for key in client.scan_iter(match="*")}
    else:
        values = {str(key): bytes(value) for key, value in getattr(cache, "_cache", {}).items()}
    return sorted(key for key, raw in values.items() if found_in(raw))


def _redis_value(client: Any, key: bytes) -> bytes:
    """A key's whole value as bytes, whatever its type (the cache's strings, the broker's lists and hashes)."""
    kind = client.type(key).decode()
    if kind == "string":
        return client.get(key) or b""
    if kind == "list":
        return b"\n".join(client.lrange(key, 0, -1))
    if kind == "hash":
        return b"\n".join(part for pair in client.hgetall(key).items() for part in pair)
    if kind == "set":
        return b"\n".join(client.smembers(key))
    if kind == "zset":
        return b"\n".join(client.zrange(key, 0, -1))
    return b""
