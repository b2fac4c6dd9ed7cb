"""Private notes' forms: a note the server seals, and what the browser sends when it seals notes itself."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from typing import Any, cast

from django import forms

from ..models import Session
from ..models.notes import (
    MAX_ITERATIONS,
    MIN_ITERATIONS,
    SEALED_NOTE_MAX_BYTES,
    SEALED_NOTE_MIN_BYTES,
    WRAPPED_KEY_BYTES,
)
from ..notes import NOTE_LIMIT
from ..notes.sealed import Moved, Wrapping


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label="Private note",
        help_text="Only you can ever read this note.",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Write the note before saving it",
            "max_length": f"A note must be {NOTE_LIMIT:,} characters or fewer",
        },
    )


# What these forms carry is made by the enabler's browser, never typed: keys wrapped, notes encrypted. Every field
# is checked in `clean`, and a problem is one message for the whole form, since a person sees no field of it.

# The most that setting up carries: every note an enabler wrote, sealed again (a note is at most 80 kB sealed).
MOVED_AT_MOST = 200 * 1024 * 1024


NOT_FROM_THE_BROWSER = (
    "What was sent is not what your browser makes when it seals a note. Nothing has been saved: open the page "
    "again and try once more."
)


def _sealed_bytes(value: object, *, least: int, most: int) -> bytes | None:
    """A base64 text decoded, when it is base64 and its length is within bounds; None otherwise."""
    if not isinstance(value, str) or not value or len(value) > (most + 2) // 3 * 4:
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if least <= len(decoded) <= most else None


def _key_id(value: object) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}", value) else None


class _Sent(forms.Field):
    """A value exactly as the browser's script sent it, for the form's `clean` to check as a whole."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> str:
        return value if isinstance(value, str) else ""


class _Sealed:
    """What the forms the browser's script fills in share. Their fields are hidden, all optional to Django, and
    `clean` turns them into what the action takes, or one error for the whole form."""

    def _refuse(self, why: str = NOT_FROM_THE_BROWSER) -> None:
        cast(forms.Form, self).add_error(None, why)

    def _wrapping(self, data: dict[str, Any]) -> Wrapping | None:
        digits = data.get("iterations") or ""
        iterations = int(digits) if re.fullmatch(r"[0-9]{1,9}", digits) else None
        salt = _sealed_bytes(data.get("salt"), least=16, most=64)
        wrapped = _sealed_bytes(data.get("wrapped_by_passphrase"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        if iterations is None or not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS or salt is None or not wrapped:
            return None
        return Wrapping(iterations=iterations, salt=salt, wrapped_by_passphrase=wrapped)


class NotesPassphraseForm(_Sealed, forms.Form):
    """A new notes passphrase: the notes key wrapped again, in the browser, by the key the passphrase makes."""

    key_id = _Sent()
    iterations = _Sent()
    salt = _Sent()
    wrapped_by_passphrase = _Sent()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        wrapping, key_id = self._wrapping(data), _key_id(data.get("key_id"))
        if self.errors or wrapping is None or key_id is None:
            self._refuse()
            return data
        return {"key_id": key_id, "wrapping": wrapping}


class NotesSetUpForm(NotesPassphraseForm):
    """Setting up: the notes key wrapped twice, and the author's existing notes sealed again (a JSON list)."""

    wrapped_by_recovery_key = _Sent()
    moved = _Sent()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        passphrase = super().clean()
        if "wrapping" not in passphrase:
            return passphrase
        recovery = _sealed_bytes(data.get("wrapped_by_recovery_key"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        text = self._moved_text(data)
        moved = self._moved(text) if text is not None else None
        if recovery is None or moved is None:
            self._refuse()
            return data
        return {**passphrase, "wrapped_by_recovery_key": recovery, "moved": moved}

    def _moved_text(self, data: dict[str, Any]) -> str | None:
        """The browser sends the notes it sealed again as a file, which is not held to Django's limit on a form's
        size (DATA_UPLOAD_MAX_MEMORY_SIZE): an enabler may have hundreds of notes. A test may send it as a field."""
        upload = self.files.get("moved") if self.files else None
        if upload is None:
            return data.get("moved") or "[]"
        if (upload.size or 0) > MOVED_AT_MOST:
            return None
        try:
            return upload.read().decode()
        except UnicodeDecodeError:
            return None

    @staticmethod
    def _moved(text: str) -> list[Moved] | None:
        try:
            listed = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: lists nested thousands deep
            return None
        if not isinstance(listed, list):
            return None
        moved = []
        for entry in listed:
            if not isinstance(entry, dict) or not isinstance(entry.get("notes"), list):
                return None
            engagement_id = entry.get("engagement")
            wrapped = _sealed_bytes(entry.get("wrapped_key"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
            if type(engagement_id) is not int or wrapped is None:
                return None
            notes: dict[int, tuple[bytes, int]] = {}
            for note in entry["notes"]:
                sealed = _sealed_note(note) if isinstance(note, dict) else None
                if sealed is None or type(note.get("id")) is not int or note["id"] in notes:
                    return None
                version = note.get("version")
                if type(version) is not int or not 1 <= version <= MAX_VERSION:
                    return None
                notes[note["id"]] = (sealed, version)
            moved.append(Moved(engagement_id=engagement_id, wrapped_key=wrapped, notes=notes))
        if len({move.engagement_id for move in moved}) != len(moved):
            return None
        return moved


# A note's version goes up by one at each write: no note is written two thousand million times.
MAX_VERSION = 2_000_000_000


UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _note_uid(value: object) -> uuid.UUID | None:
    """A new note's id as the browser made it and bound it: a random UUID, in the one spelling both sides bind."""
    return uuid.UUID(value) if isinstance(value, str) and UID.fullmatch(value) else None


def _version(value: object) -> int | None:
    digits = value if isinstance(value, str) else ""
    version = int(digits) if re.fullmatch(r"[1-9][0-9]{0,9}", digits) else None
    return version if version is not None and version <= MAX_VERSION else None


def _sealed_note(data: dict[str, Any]) -> bytes | None:
    """A note as the browser sealed it and as it is stored, one value (`sealed`): its nonce, then its ciphertext."""
    return _sealed_bytes(data.get("sealed"), least=SEALED_NOTE_MIN_BYTES, most=SEALED_NOTE_MAX_BYTES)


class SealedNoteForm(_Sealed, forms.Form):
    """A note as the browser sealed it (`sealed`: its nonce, then its ciphertext), the notes key's id, and (for an
    engagement's first note) its new data key, wrapped. Optionally, the session it is about. What it was sealed
    for: a new note's id (`uid`, made by the browser) at version 1, or a changed note's next version (`rebind`: the
    same words of an older note, bound anew to the note)."""

    key_id = _Sent()
    uid = _Sent()
    version = _Sent()
    rebind = _Sent()
    sealed = _Sent()
    wrapped_key = _Sent()
    session = _Sent()

    def __init__(
        self, *args: Any, sessions: dict[str, Session] | None = None, changing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = sessions or {}
        self.changing = changing  # a changed note keeps its engagement's key and its session: neither is sent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        key_id, sealed = _key_id(data.get("key_id")), _sealed_note(data)
        wrapped = None
        if data.get("wrapped_key"):
            wrapped = _sealed_bytes(data["wrapped_key"], least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        session = self.sessions.get(data.get("session") or "")
        uid, version = _note_uid(data.get("uid")), _version(data.get("version"))
        if (
            self.errors
            or key_id is None
            or sealed is None
            or version is None
            or (data.get("wrapped_key") and (wrapped is None or self.changing))
            or (data.get("session") and (session is None or self.changing))
            or (self.changing and (data.get("uid") or data.get("rebind") not in ("", "1")))
            or (not self.changing and (uid is None or version != 1 or data.get("rebind")))
        ):
            self._refuse()
            return data
        if self.changing:
            return {"key_id": key_id, "sealed": sealed, "version": version, "rebinding": data.get("rebind") == "1"}
        return {"key_id": key_id, "uid": uid, "sealed": sealed, "wrapped_key": wrapped, "session": session}
