"""The repository stands on its own: nothing the tests run opens a path outside it (tests/helpers/inside_repository.py,
installed by tests/conftest.py, fails the test during which one was opened)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from tests.helpers.inside_repository import OUTSIDE, ROOT, OutsideReads


def test_the_repository_is_the_one_holding_the_tests() -> None:
    assert (ROOT / "tests" / "conftest.py").is_file()
    assert (ROOT / "manage.py").is_file()


def test_nothing_outside_the_repository_is_opened_while_the_tests_are_collected() -> None:
    assert OUTSIDE.during_collection == []


def test_a_file_beside_the_repository_is_caught_even_when_it_is_not_there() -> None:
    beside = ROOT.parent / f"alongside-never-there-{uuid.uuid4().hex}.txt"

    with pytest.raises(FileNotFoundError):
        open(beside)  # noqa: SIM115 - the open itself is what is caught
    found = OUTSIDE.since_last_told()

    assert found == [f"{beside} (open)"]


def test_a_path_climbing_out_of_the_repository_is_outside(tmp_path: Path) -> None:
    reads = OutsideReads(root=ROOT)

    reads.audit("open", (str(ROOT / ".." / "shared" / "whatever.csv"), "r", 0))
    reads.audit("os.listdir", (str(ROOT.parent),))
    reads.audit("sqlite3.connect", (str(ROOT.parent / "elsewhere.sqlite3"),))

    assert reads.since_last_told() == [
        f"{ROOT.parent / 'shared' / 'whatever.csv'} (open)",
        f"{ROOT.parent} (os.listdir)",
        f"{ROOT.parent / 'elsewhere.sqlite3'} (sqlite3.connect)",
    ]


def test_the_repository_python_the_system_and_the_temporary_directory_are_inside(tmp_path: Path) -> None:
    reads = OutsideReads(root=ROOT)

    for path in (ROOT / "data" / "x.csv", Path(sys.base_prefix) / "lib", Path("/usr/share/zoneinfo/UTC"), tmp_path):
        reads.audit("open", (str(path), "r", 0))
    reads.audit("open", (3, "r", 0))
    reads.audit("sqlite3.connect", ("file:memorydb_default?mode=memory&cache=shared",))

    assert reads.since_last_told() == []


def test_a_symbolic_link_in_the_repository_pointing_out_of_it_is_outside(tmp_path: Path) -> None:
    root = tmp_path / "repository"
    root.mkdir()
    (root / "data").symlink_to(ROOT.parent)
    reads = OutsideReads(root=root)
    reads.allowed = (str(root),)

    reads.audit("open", (str(root / "data" / "elsewhere.csv"), "r", 0))

    assert reads.since_last_told() == [f"{root / 'data' / 'elsewhere.csv'} (open)"]
