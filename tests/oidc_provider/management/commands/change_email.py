"""A person's e-mail address changes at the provider (as when an organisation renames someone's mailbox)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Change a test person's e-mail address at the provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("email")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        if User.objects.filter(username=username).update(email=email) != 1:
            raise CommandError(f"No test person {username!r} at the provider")
