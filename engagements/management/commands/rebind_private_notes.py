"""Bind every private note the server seals to itself (its own id and version), as well as to its engagement.

Notes sealed before this binding still open, and each is bound anew when it is next written; this command does it
for all of them at once, with the same words. Notes sealed in an enabler's browser cannot be opened here: their
author's browser binds each anew when it next opens their notes. Safe to run again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from engagements import notes


class Command(BaseCommand):
    help = "Bind every private note the server seals to its own id and version, not its engagement alone."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rebound, in_browsers = notes.rebind_notes()
        except notes.NotesKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Bound {rebound} private note(s) to themselves; {in_browsers} older note(s) sealed in browsers are bound "
            "anew when their authors next open them."
        )
