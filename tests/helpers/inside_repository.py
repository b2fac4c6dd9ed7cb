"""Nothing the tests run opens a path outside the repository.

An audit hook (PEP 578) sees every file this Python process opens (`open`, `os.open`, the import system's
`open_code`), every directory it lists and every SQLite database it connects to, and keeps those outside the
repository that are not Python's own, the system's or the temporary directory's. tests/conftest.py installs it when
pytest loads it and fails the test during which such a path was opened, naming it.

What it cannot see: processes the tests start (web servers, Celery workers, Chromium) and anything opened before
tests/conftest.py is imported (pytest's start and Django's settings, which open nothing outside).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Where Python, the system and the tests' own scratch space legitimately live: the interpreter and its standard
# library (sys.base_prefix: pyenv's or /usr), the system's files (time zones, certificates, locales, /proc for
# process facts, /dev/null and /dev/urandom), and the temporary directory (pytest's tmp_path, tempfile).
SYSTEM = ("/usr", "/etc", "/proc", "/dev", "/sys", "/lib", "/lib64", "/bin", "/sbin")

# The events that open or list a path, and the position of the path among each one's arguments.
EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0, "sqlite3.connect": 0}


def _within(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


class OutsideReads:
    """Paths opened outside the repository and the places allowed, kept in the order they were opened."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = str(root)
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        temporary = os.path.realpath(tempfile.gettempdir())
        # The folder the repository sits in: what lies beside the repository (a shared folder, another checkout) is
        # exactly what must not be read, even when that folder is itself inside the temporary directory or the
        # system's (a clone in /tmp/ci/main). Not when the repository sits directly in the temporary directory or
        # at the root, where "beside" would be every scratch file.
        parent = os.path.realpath(root.parent)
        self.beside = "" if parent in (temporary, os.sep) else parent
        self.first = (self.root, *sorted(os.path.realpath(prefix) for prefix in prefixes))
        if self.beside and _within(temporary, (self.beside,)):
            self.first = (*self.first, temporary)
        self.allowed = (*self.first, *SYSTEM, temporary)
        self.found: list[str] = []
        self.during_collection: list[str] = []
        self.from_workers: list[str] = []  # what pytest-xdist's workers opened after their last test
        self._told = 0
        self._checked: dict[str, bool] = {}
        self._busy = threading.local()

    def outside(self, path: str) -> bool:
        """Whether `path` (as the process would resolve it now, symbolic links followed) is outside every allowed
        place."""
        absolute = os.path.abspath(path)
        known = self._checked.get(absolute)
        if known is None:
            real = os.path.realpath(absolute)
            if _within(real, self.first):
                known = False
            elif self.beside and _within(real, (self.beside,)):
                known = True
            else:
                known = not _within(real, self.allowed)
            self._checked[absolute] = known
        return known

    def audit(self, event: str, args: tuple[object, ...]) -> None:
        position = EVENTS.get(event)
        if position is None or getattr(self._busy, "now", False) or len(args) <= position:
            return
        path = args[position]
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str) or not path:
            return  # a file descriptor (os.scandir(fd), open(fd)), or listing the current directory
        if event == "sqlite3.connect" and (path == ":memory:" or "mode=memory" in path):
            return
        self._busy.now = True
        try:
            if self.outside(path):
                self.found.append(f"{os.path.abspath(path)} ({event})")
        finally:
            self._busy.now = False

    def since_last_told(self) -> list[str]:
        """The paths opened outside since this was last asked, each once."""
        found, self._told = self.found[self._told :], len(self.found)
        return list(dict.fromkeys(found))


OUTSIDE = OutsideReads()


def install() -> OutsideReads:
    """Start listening (once per process: an audit hook cannot be taken away)."""
    if not getattr(sys, "_alongside_outside_reads", False):
        sys.addaudithook(OUTSIDE.audit)
        sys._alongside_outside_reads = True  # type: ignore[attr-defined]
    return OUTSIDE
