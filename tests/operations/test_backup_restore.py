"""A backup restores, and a private note in it is readable again with the master key, and only with it.

This is docs/operations.md's procedure, run for real: pg_dump in custom format, pg_restore into a new database,
then the note read back from the restored tables with the master key that production keeps apart from backups.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import User
from engagements.actions.sessions import log_session
from engagements.models import Engagement
from engagements.notes import crypto

CANARY = "Restored from last night's backup: the board is ready to talk about trust."


def _libpq_environment(database: str) -> dict[str, str]:
    settings = connection.settings_dict
    environment = {**os.environ, "PGHOST": settings["HOST"] or "127.0.0.1", "PGDATABASE": database}
    environment["PGPORT"] = str(settings["PORT"] or 5432)
    environment["PGUSER"] = settings["USER"] or "postgres"
    if settings["PASSWORD"]:
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return environment


def _read_note_from(database: str) -> tuple[int, str, bytes, bytes, uuid.UUID, int]:
    environment = _libpq_environment(database)
    with psycopg.connect(
        host=environment["PGHOST"], port=environment["PGPORT"], user=environment["PGUSER"], dbname=database
    ) as restored:
        engagement_id, key_id, wrapped = restored.execute(
            "SELECT engagement_id, master_key_id, wrapped_key FROM engagements_engagementkey"
        ).fetchone()
        sealed, uid, version = restored.execute(
            "SELECT ciphertext, uid, version FROM engagements_privatenote WHERE engagement_id = %s", [engagement_id]
        ).fetchone()
    return engagement_id, key_id, bytes(wrapped), bytes(sealed), uid, version


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_and_its_private_notes_open_with_the_master_key_only(
    engagement_a: Engagement, enabler: User, site_lead: User, tmp_path: Path, settings: object
) -> None:
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("Backups are PostgreSQL's pg_dump and pg_restore: run with DATABASE_URL on PostgreSQL")
    log_session(
        engagement=engagement_a,
        by=enabler,
        held_on=datetime.date(2026, 11, 2),
        length=Decimal("1"),
        format="one-to-one",
        place="remote",
        participants="Programme director",
        private_note=CANARY,
        action_description="",
        action_owner=None,
        action_due_on=None,
    )
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored_{os.getpid()}"
    dump = tmp_path / "alongside.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}"], env=_libpq_environment(source), check=True)
    subprocess.run(["dropdb", "--if-exists", restored], env=_libpq_environment(source), check=True)
    subprocess.run(["createdb", restored], env=_libpq_environment(source), check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            env=_libpq_environment(restored),
            check=True,
        )
        engagement_id, key_id, wrapped, sealed, uid, version = _read_note_from(restored)

        data_key = crypto.unwrap(engagement_id, key_id, wrapped)
        read_back = crypto.decrypt_note(data_key, engagement_id, sealed, note=uid, version=version)
        settings.NOTES_MASTER_KEYS = [crypto.generate_master_key()]  # a backup found without the key kept apart
        with pytest.raises(crypto.NotesKeyError):
            crypto.unwrap(engagement_id, key_id, wrapped)
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=_libpq_environment(source), check=False)

    assert engagement_id == engagement_a.pk
    assert read_back == CANARY
    assert CANARY.encode() not in dump.read_bytes()  # the dump itself holds only ciphertext
