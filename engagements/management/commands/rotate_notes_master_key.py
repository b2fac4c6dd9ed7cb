"""Re-wrap every engagement's data key with the first master key in NOTES_MASTER_KEYS. Notes are not touched.

Rotation: put the new key first in NOTES_MASTER_KEYS and keep the old one after it; run this command; then remove
the old key. Run it again at any time: keys already wrapped by the current master key are left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from engagements import notes


class Command(BaseCommand):
    help = "Re-wrap the private notes' data keys with the current master key (the first in NOTES_MASTER_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rewrapped, unchanged, key_id = notes.rotate_master_key()
        except notes.NotesKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Re-wrapped {rewrapped} data key(s) with master key {key_id}; {unchanged} unchanged.")
