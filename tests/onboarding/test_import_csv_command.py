"""`manage.py import_csv KIND FILE [--dry-run]`: each row's outcome printed; exit 1 with the refusals and nothing
saved when any row is refused or the file cannot be read, 0 otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onboarding.models import ImportJob
from sites.models import Organisation, Site

from .imports import ORGANISATIONS, PEOPLE, snapshot


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_csv_exits_0_and_imports_a_good_file(tmp_path: Path, db: None) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text(ORGANISATIONS + "Eastmoor Trust,NHS trust,EMT\nWestmoor Trust,nhs trust,\n")

    out, err = _run("organisations", str(path))

    assert out.splitlines() == [
        "line 2: created: Eastmoor Trust",
        "line 3: created: Westmoor Trust",
        "2 created, 0 updated, 0 unchanged, 0 refused. Imported.",
    ]
    assert err == ""
    assert Organisation.objects.get(name="Eastmoor Trust").alias_list == ["EMT"]
    assert ImportJob.objects.get().state == ImportJob.State.IMPORTED


def test_import_csv_exits_1_with_the_refusals_and_saves_nothing(tmp_path: Path, site_a: Site) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE + "ana@example.org,Ana Example,,enabler,,,\nbob@,Bob Example,,enabler,,,\n")
    before = snapshot()
    err = io.StringIO()

    with pytest.raises(
        CommandError, match=r"1 created, 0 updated, 0 unchanged, 1 refused\. 1 row\(s\) refused"
    ) as exit:
        call_command("import_csv", "people", str(path), stdout=io.StringIO(), stderr=err)

    assert exit.value.returncode == 1
    assert err.getvalue() == "line 3: refused: bob@: not an e-mail address\n"
    assert snapshot() == before
    assert not ImportJob.objects.exists()


def test_import_csv_dry_run_exits_0_and_saves_nothing(tmp_path: Path, db: None) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text(ORGANISATIONS + "Eastmoor Trust,NHS trust,\n")

    out, _ = _run("organisations", str(path), "--dry-run")

    assert out.splitlines()[-1] == "1 created, 0 updated, 0 unchanged, 0 refused. Nothing was saved (a dry run)."
    assert not Organisation.objects.exists()
    assert not ImportJob.objects.exists()


def test_import_csv_exits_1_for_a_file_it_cannot_read(tmp_path: Path, db: None) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes((ORGANISATIONS + "Société Générale Care,Other,\n").encode("latin-1"))

    with pytest.raises(CommandError, match="The file is not in UTF-8") as exit:
        _run("organisations", str(path))

    assert exit.value.returncode == 1
    assert "Nothing was saved." in str(exit.value)


def test_import_csv_exits_1_for_a_file_that_is_not_there(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="cannot be read: No such file or directory"):
        _run("sites", str(tmp_path / "missing.csv"))


def test_import_csv_exits_1_for_an_unknown_kind(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'offers'"):
        _run("offers", str(tmp_path / "offers.csv"))
