"""`manage.py apply_retention [--dry-run]`: the retention schedule now, or with --dry-run what it would do."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from retention import actions
from retention.schedule import KINDS


class Command(BaseCommand):
    help = "Applies the retention schedule now (as the nightly task does); with --dry-run, only says what is due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due and what would happen; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            preview = actions.preview()
            self.stdout.write("Dry run: nothing was changed.\n")
            self._table("due now", preview.due, preview.due_soon)
            self._notices("Notices that would be sent first", preview.notices)
            self.stdout.write(f"Engagements under a legal hold (skipped): {preview.held}\n")
            return
        run = actions.apply_schedule()
        self._table("destroyed", run.destroyed, run.due_soon)
        self._notices("Notices sent", run.notices)
        self.stdout.write(f"Engagements under a legal hold (skipped): {run.held}\n")

    def _table(self, heading: str, counts: dict[str, int], due_soon: dict[str, int]) -> None:
        width = max(len(kind.record) for kind in KINDS)
        self.stdout.write(f"{'Record':<{width}}  {'days':>5}  {heading:>11}  {'next 30 days':>12}  what happens")
        for kind in KINDS:
            outcome = kind.happens.split(":")[0].split(",")[0].split(" (")[0]
            self.stdout.write(
                f"{kind.record:<{width}}  {kind.days:>5}  {counts.get(kind.name, 0):>11,}  "
                f"{due_soon.get(kind.name, 0):>12,}  {outcome}"
            )

    def _notices(self, heading: str, notices: dict[str, int]) -> None:
        told = ", ".join(f"{count:,} about {what}" for what, count in notices.items())
        self.stdout.write(f"{heading}: {told}\n")
