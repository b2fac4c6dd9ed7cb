"""Subject access: everything Alongside holds about one person, as a zip of JSON and CSV files with a README.

An administrator answers a subject access request with `manage.py export_personal_data` or the User admin's action,
so whoever reads the zip first is an administrator. It therefore never holds a credential (password hash,
two-factor secret, recovery-code digests, the calendar feed's secret address), nor any private note: a note is
readable by its author alone, in any role, through any path. The one exception is asked for by name
(`include_private_notes`, the command's `--include-own-private-notes`), for an author who cannot sign in to
download their notes; even then only the notes the person wrote themselves, never another author's.

Which records count as the person's is decided in `records`.
"""

from __future__ import annotations

import datetime
import io
import json
import textwrap
import zipfile
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import AuditEvent, User
from core.exports import csv_text

from .records import KINDS, PRIVATE_NOTES, Row, Scope


@sensitive_variables()
def collect(user: User, *, include_private_notes: bool = False) -> dict[str, Any]:
    """Every kind of record about the person, by file name stem, in the order the README lists them."""
    scope = Scope.of(user, include_private_notes=include_private_notes)
    kinds = [*KINDS, PRIVATE_NOTES] if include_private_notes else KINDS
    return {kind.name: kind.rows(scope) for kind in kinds}


def counts(records: dict[str, Any]) -> dict[str, int]:
    """How many records of each kind (a single record counts one, an absent one none)."""
    return {name: len(value) if isinstance(value, list) else int(value is not None) for name, value in records.items()}


def record_export(*, person: User, by: User | None, via: str, **detail: Any) -> None:
    """The export is an audit event against the person's account: who exported it, and how (never what)."""
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.EXPORTED_PERSONAL_DATA, target=person, via=via, **detail)


def filename_for(user: User, on: datetime.date | None = None) -> str:
    return f"subject-access-{user.pk}-{(on or timezone.localdate()).isoformat()}.zip"


@sensitive_variables()
def export_person(user: User, *, include_private_notes: bool = False) -> bytes:
    """The zip of everything Alongside holds about the person, built in memory."""
    return build_zip(user, collect(user, include_private_notes=include_private_notes))


@sensitive_variables()
def build_zip(user: User, records: dict[str, Any]) -> bytes:
    kinds = {kind.name: kind for kind in [*KINDS, PRIVATE_NOTES]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(user, records))
        for name, value in records.items():
            archive.writestr(f"{name}.json", json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
            if kinds[name].tabular:
                archive.writestr(f"{name}.csv", _csv(value))
    return buffer.getvalue()


def _csv(rows: list[Row]) -> str:
    columns = list(rows[0]) if rows else []
    table = [columns, *([_cell(row[column]) for column in columns] for row in rows)]
    return "\ufeff" + csv_text(table)  # the byte order mark tells spreadsheet programs the file is UTF-8


def _cell(value: Any) -> str:
    """A CSV cell's value: nested values are written as JSON. The writer (core.exports) puts an apostrophe before
    text a spreadsheet would run as a formula; the JSON keeps the exact value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, datetime.date | datetime.datetime | Decimal):
        return str(DjangoJSONEncoder().default(value))
    return str(value)


def readme(user: User, records: dict[str, Any]) -> str:
    kinds = {kind.name: kind for kind in [*KINDS, PRIVATE_NOTES]}
    number = counts(records)
    lines = [
        "Everything Alongside holds about one person",
        "=" * 44,
        "",
        f"Account number {user.pk}, exported on {timezone.localtime():%d %B %Y at %H:%M} (Europe/London).",
        "",
        "Each kind of record is a JSON file (exact values; times in UTC, ISO 8601) and, for lists, a CSV file",
        "with the same rows for a spreadsheet. In a CSV file, text that starts with = + - @ or a tab has an",
        "apostrophe put before it so that a spreadsheet program shows it rather than running it; the JSON has it",
        "as written.",
        "Other people are named as Alongside's pages show them.",
        "",
        "Files",
        "-----",
    ]
    for name in records:
        kind = kinds[name]
        files = f"{name}.json" + (f" and {name}.csv" if kind.tabular else "")
        lines += [
            f"{files} ({number[name]}):",
            textwrap.fill(kind.description, width=110, initial_indent="    ", subsequent_indent="    "),
        ]
    lines += [
        "",
        "What is deliberately not in this export",
        "---------------------------------------",
        "- Credentials. Alongside holds them but they are not exported, because anyone holding them could sign",
        "  in as the person or use their calendar address: the password (stored only as a salted hash), the",
        "  two-factor authenticator's secret key, the recovery codes (stored only as digests), the secret address",
        "  of the calendar feed, and session keys. The profile says whether two-factor and a calendar feed are",
        "  set up, and how many recovery codes are left. Nor the wrapped notes key of an enabler whose notes",
        "  are sealed in their browser: only their notes passphrase or recovery key opens it.",
    ]
    if "private_notes" in records:
        lines += [
            "- Any other author's private notes. private_notes.json holds only the notes this person wrote.",
            "- The words of notes sealed in the person's browser. Those notes are encrypted in the author's browser",
            "  with a key only they hold, so Alongside cannot open them for this export: they are here as ciphertext",
            "  (sealed_in_browser is true). The author can download them readable from their own browser: Your",
            "  private notes, then Download your notes, with their notes passphrase.",
        ]
    else:
        lines += [
            "- Private notes. An enabler's private notes can be read by their author alone, and this export is",
            "  prepared by an administrator, so it holds none (nor messages about them). An enabler can download",
            "  their own notes at any time: Your private notes, then Download your notes.",
        ]
    lines += [
        "- Records of the person's site that they neither made nor took part in (another member's request that",
        "  led to no engagement with them, for example): those are the site's, and its lead can ask for them.",
        "- The access log of an engagement, for a site member who is not the site's lead: only the site's lead",
        "  and the enabler may read who looked at an engagement's records. The person's own reads are included.",
        "- Published lessons they neither wrote nor approved: anyone using the library can read those.",
        "- Sign-ins recorded under an earlier e-mail address of the account: they are kept by the address typed.",
        "",
    ]
    return "\n".join(lines)
