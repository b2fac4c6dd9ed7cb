"""Import a file of organisations, sites or people, as an operator: `manage.py import_csv KIND FILE [--dry-run]`.

Every row is checked first and printed with its outcome (created, updated, unchanged or refused, and why). If any
row is refused, nothing is saved and the command exits with status 1; otherwise it imports the whole file in one
transaction (unless --dry-run) and exits with status 0. The same file twice changes nothing the second time.
New people are invited once the import has committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding import imports
from onboarding.models import ImportJob


class Command(BaseCommand):
    help = "Import organisations, sites or people from a CSV file or an Excel workbook (.xlsx), all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(imports.KINDS), help="What the file holds.")
        parser.add_argument("file", help="The .csv (UTF-8) or .xlsx file, with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and save nothing.")

    def handle(self, *args: Any, kind: str, file: str, dry_run: bool, **options: Any) -> None:
        path = Path(file)
        content = self._read(path)
        try:
            outcome = imports.dry_run(kind=kind, filename=path.name, content=content)
        except imports.ImportProblem as problem:
            raise CommandError(f"{path}: {problem} Nothing was saved.") from None
        if dry_run or _refused(outcome):
            self._report(outcome, saved=False)
            return
        job = imports.import_file(kind=kind, filename=path.name, content=content, by=None)
        if job.state != ImportJob.State.IMPORTED:
            self._report(job.outcome, saved=False)
            raise CommandError(job.problem or "Nothing was saved.")
        self._report(job.outcome, saved=True)

    def _read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > settings.IMPORT_MAX_BYTES:
                raise CommandError(f"{path}: {imports.too_large(size)} Nothing was saved.")
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}. Nothing was saved.") from None

    def _report(self, outcome: list[dict[str, Any]], *, saved: bool) -> None:
        for row in outcome:
            line = f"line {row['line']}: {row['outcome']}: {row['label']}" + (
                f": {row['reason']}" if row["reason"] else ""
            )
            (self.stderr if row["outcome"] == "refused" else self.stdout).write(line)
        counts = {name: sum(row["outcome"] == name for row in outcome) for name in imports.OUTCOMES}
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        if counts["refused"]:
            raise CommandError(f"{summary}. {counts['refused']} row(s) refused, so nothing was saved.")
        self.stdout.write(f"{summary}. " + ("Imported." if saved else "Nothing was saved (a dry run)."))


def _refused(outcome: list[dict[str, Any]]) -> bool:
    return any(row["outcome"] == "refused" for row in outcome)
