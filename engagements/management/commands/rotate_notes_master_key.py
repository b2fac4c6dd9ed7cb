"""Re-wrap every engagement's data key with the first master key in NOTES_MASTER_KEYS. Notes are not touched.

Rotation: put the new key first in NOTES_MASTER_KEYS and keep the old one after it; run this command; then remove
the old key. Run it again at any time: keys already wrapped by the current master key are left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from engagements.crypto import NotesKeyError, current_master_key
from engagements.models import EngagementKey


class Command(BaseCommand):
    help = "Re-wrap the private notes' data keys with the current master key (the first in NOTES_MASTER_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            current = current_master_key()
        except NotesKeyError as error:
            raise CommandError(str(error)) from error
        rewrapped = unchanged = 0
        for key_id in (
            EngagementKey.objects.exclude(master_key_id=current.key_id).values_list("pk", flat=True).iterator()
        ):
            with transaction.atomic():
                key = EngagementKey.objects.select_for_update().get(pk=key_id)
                try:
                    changed = key.rewrap()
                except NotesKeyError as error:
                    raise CommandError(f"{error} (engagement {key.engagement_id})") from error
            rewrapped += changed
            unchanged += not changed
        self.stdout.write(
            f"Re-wrapped {rewrapped} data key(s) with master key {current.key_id}; {unchanged} unchanged."
        )
