"""Saving only what changed: the edit pages and imports record which fields a change touched, and an edit that
changed nothing writes nothing (so the same file imported twice records nothing the second time)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model


def save_changed(record: Model, values: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """Sets each of `names` given in `values` that differs from the record's, saves those alone, and returns them."""
    changed = [name for name in names if name in values and getattr(record, name) != values[name]]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.save(update_fields=changed)
    return changed


def set_links(links: Any, records: Iterable[Model]) -> bool:
    """A many-to-many relation (`site.partners`) set to exactly these records; False if it held them already."""
    wanted = {record.pk for record in records}
    if wanted == set(links.values_list("pk", flat=True)):
        return False
    links.set(list(wanted))
    return True
