"""Answer a subject access request: write everything Alongside holds about one person to a zip file.

The file is written with permissions 0o600 (readable by its owner only) and appears under its final name only once
complete, so a half-written export is never left for someone else to pick up. Each export is recorded in the audit
trail against the person's account.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from reporting import subject_access


class Command(BaseCommand):
    help = "Export everything Alongside holds about one person, as a zip of JSON and CSV files with a README."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's e-mail address (any case).")
        parser.add_argument(
            "--output",
            help="The zip file to write, or a folder to write it in. "
            "Default: subject-access-<account number>-<date>.zip in the current directory.",
        )
        parser.add_argument(
            "--include-own-private-notes",
            action="store_true",
            help="Add the private notes the person wrote themselves, decrypted, for an enabler asking for their "
            "own notes who cannot sign in to download them. Nobody but the author may read them: hand the file to "
            "the author without opening it.",
        )

    @sensitive_variables()
    def handle(
        self, *args: Any, email: str, output: str | None, include_own_private_notes: bool, **options: Any
    ) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email.strip()!r}; nothing was exported.")
        records = subject_access.collect(user, include_private_notes=include_own_private_notes)
        path = Path(output or ".").resolve()
        if path.is_dir():
            path = path / subject_access.filename_for(user)
        _write_privately(path, subject_access.build_zip(user, records))
        subject_access.record_export(person=user, by=None, via="command", private_notes=include_own_private_notes)
        self.stdout.write(str(path))
        for name, count in subject_access.counts(records).items():
            self.stdout.write(f"  {name}: {count}")


def _write_privately(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target (mkstemp makes it 0o600), then move it into place."""
    if not path.parent.is_dir():
        raise CommandError(f"The folder {str(path.parent)!r} does not exist; nothing was exported.")
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".subject-access-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
