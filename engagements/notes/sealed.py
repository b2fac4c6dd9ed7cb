"""Private notes sealed in the enabler's own browser: the server stores what the browser encrypted, and nothing it
holds can open it.

The browser (static/alongside/notes-crypto.js) makes a random AES-GCM notes key, wraps it with a key derived from
the enabler's notes passphrase (PBKDF2-SHA256, `MIN_ITERATIONS` or more, a random salt) and, separately, with a
random recovery key it shows once. Each engagement's data key is random too, made in the browser and stored here
wrapped by the notes key. A note leaves the page as one value, `sealed` (base64 of its nonce, then its
ciphertext), with the id of the notes key, and comes back to it in the same form (`notes_payload`).

The formats are the server's own (`crypto`): a nonce followed by AES-GCM's output, with associated data that binds
a note to its engagement, its own id and its version, a data key to its engagement and a notes key to its owner, so
a ciphertext moved to another row, or put back from an earlier version of its note, does not open. The server
cannot check what a browser bound a ciphertext to, but it keeps the count: a note's next version is its version
plus one, or the write is refused, so a browser always seals for the version the row will hold. Deleting an
engagement's key still destroys its notes (crypto-shredding, `shred`), and the retention task does so without ever
seeing a key.

What the server checks is all it can: who sends, for which engagement, under which notes key, and that every size
is what AES-GCM makes. It cannot check that a ciphertext is a note, and does not need to: only its author reads it.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.errors import NotAllowed
from frontend.dates import long_date

from ..models.notes import (
    MIN_ITERATIONS,
    EngagementKey,
    NotesKeyring,
    PrivateNote,
)
from .crypto import NotesKeyError

if TYPE_CHECKING:
    from accounts.models import User
    from engagements.models import Engagement, Session

CHANGED_WHILE_SETTING_UP = (
    "Your private notes changed while you were setting up (a note was written or changed in another tab). Nothing "
    "has been changed: open this page again and set up once more."
)
STALE_NOTE = (
    "This note was changed in another tab since this page was opened. Nothing has been saved: open the page again "
    "to see it as it stands."
)
STALE_KEY = (
    "Your notes key has changed since this page was opened, in another tab. Nothing has been saved: open the page "
    "again and unlock your notes."
)


def b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode()


@dataclass(frozen=True)
class Wrapping:
    """How a notes key is wrapped by its passphrase: what the browser needs, with the passphrase, to unwrap it."""

    iterations: int
    salt: bytes
    wrapped_by_passphrase: bytes


@dataclass(frozen=True)
class Moved:
    """One engagement's notes, re-encrypted in the browser at set-up: its new data key, wrapped by the notes key,
    and each note sealed anew (its nonce, then its ciphertext, as stored) with the version it was sealed for."""

    engagement_id: int
    wrapped_key: bytes
    notes: dict[int, tuple[bytes, int]]


def keyring_of(user: User) -> NotesKeyring | None:
    return NotesKeyring.objects.filter(owner=user.pk).first()


def is_sealed(user: User) -> bool:
    return NotesKeyring.objects.filter(owner=user.pk).exists()


def keyring_payload(keyring: NotesKeyring) -> dict[str, Any]:
    """What the browser needs to unlock: the wrapped notes key and how it was wrapped. Nothing here opens
    anything without the passphrase or the recovery key."""
    return {
        "owner": keyring.owner_id,
        "key_id": keyring.key_id,
        "kdf": keyring.kdf,
        "iterations": keyring.iterations,
        "salt": b64(keyring.salt),
        "wrapped_by_passphrase": b64(keyring.wrapped_by_passphrase),
        "wrapped_by_recovery_key": b64(keyring.wrapped_by_recovery_key),
    }


def notes_payload(notes: list[PrivateNote], keys: dict[int, EngagementKey]) -> dict[str, Any]:
    """Ciphertexts and wrapped data keys, for the author's browser to open. `keys` by engagement id."""
    return {
        "keys": {str(engagement_id): b64(key.wrapped_key) for engagement_id, key in keys.items()},
        "notes": [
            {
                "id": note.pk,
                "uid": str(note.uid),
                "version": note.version,
                "engagement": note.engagement_id,
                "sealed": b64(note.ciphertext),
                "written": note.created_at.date().isoformat(),
                "session": note.session.held_on.isoformat() if note.session_id and note.session else "",
                "about": (
                    f"On the session of {long_date(note.session.held_on)}"
                    if note.session_id and note.session
                    else "On the engagement"
                )
                + f", written {long_date(note.created_at)}",
            }
            for note in notes
        ],
    }


@sensitive_variables()  # every local: the words of the notes being moved
def notes_to_move(owner: User) -> list[tuple[int, list[tuple[PrivateNote, str]]]]:
    """The author's notes still sealed by the server, opened for the author's browser to seal again at set-up:
    each engagement's id with its notes and their words. Raises NotesKeyError when one cannot be opened, since
    setting up would leave it behind."""
    from . import read_notes

    written = (
        PrivateNote.objects.filter(author=owner.pk, engagement__notes_destroyed_at__isnull=True)
        .select_related("engagement")
        .order_by("engagement_id", "created_at", "pk")
    )
    moving: dict[int, list[tuple[PrivateNote, str]]] = {}
    for note, text in read_notes(written):
        moving.setdefault(note.engagement_id, []).append((note, text))
    return list(moving.items())


def seal_in_browser(
    *, owner: User, key_id: str, wrapping: Wrapping, wrapped_by_recovery_key: bytes, moved: list[Moved]
) -> int:
    """Set up browser-sealed notes: store the wrapped notes key, and replace every note the server sealed with
    what the browser sealed again, and every server-wrapped data key of the author's engagements with one wrapped
    by the notes key. The server's keys for them are gone afterwards. Returns how many notes moved. Refuses,
    changing nothing, when the notes sent are not exactly the author's notes as they stand, each sealed for its
    next version."""
    _check_wrapping(wrapping)
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=owner.pk)  # one set-up at a time, and no note beside it
        if NotesKeyring.objects.filter(owner=owner.pk).exists():
            raise NotAllowed("Your private notes are already sealed in your browser.")
        standing: dict[int, set[tuple[int, int]]] = {}
        for note_id, engagement_id, version in (
            PrivateNote.objects.select_for_update()
            .filter(author=owner.pk, engagement__notes_destroyed_at__isnull=True)
            .values_list("pk", "engagement_id", "version")
        ):
            standing.setdefault(engagement_id, set()).add((note_id, version + 1))
        sent = {
            move.engagement_id: {(note_id, version) for note_id, (_sealed, version) in move.notes.items()}
            for move in moved
        }
        if sent != standing:
            raise NotAllowed(CHANGED_WHILE_SETTING_UP)
        NotesKeyring.objects.create(
            owner=owner,
            key_id=key_id,
            iterations=wrapping.iterations,
            salt=wrapping.salt,
            wrapped_by_passphrase=wrapping.wrapped_by_passphrase,
            wrapped_by_recovery_key=wrapped_by_recovery_key,
        )
        # The server's wrapped keys of the author's engagements go, those without notes too: from now on a data
        # key of theirs is made in their browser.
        EngagementKey.objects.filter(engagement__enabler=owner.pk, notes_key_id="").delete()
        EngagementKey.objects.bulk_create(
            [
                EngagementKey(engagement_id=move.engagement_id, notes_key_id=key_id, wrapped_key=move.wrapped_key)
                for move in moved
            ]
        )
        rows = [
            PrivateNote(pk=note_id, ciphertext=sealed, version=version)
            for move in moved
            for note_id, (sealed, version) in move.notes.items()
        ]
        PrivateNote.objects.bulk_update(rows, ["ciphertext", "version"], batch_size=500)
    return len(rows)


def change_passphrase(*, owner: User, key_id: str, wrapping: Wrapping) -> None:
    """The same notes key, wrapped by a new passphrase's key (with the old passphrase or the recovery key, in
    the browser, which alone can unwrap it). No note is touched."""
    _check_wrapping(wrapping)
    with transaction.atomic():
        keyring = NotesKeyring.objects.select_for_update().filter(owner=owner.pk).first()
        if keyring is None:
            raise NotAllowed("Set up your notes passphrase first.")
        if keyring.key_id != key_id:
            raise NotAllowed(STALE_KEY)
        keyring.iterations = wrapping.iterations
        keyring.salt = wrapping.salt
        keyring.wrapped_by_passphrase = wrapping.wrapped_by_passphrase
        keyring.passphrase_changed_at = timezone.now()
        keyring.save(update_fields=["iterations", "salt", "wrapped_by_passphrase", "passphrase_changed_at"])


def write_sealed(
    *,
    engagement: Engagement,
    author: User,
    key_id: str,
    uid: uuid.UUID,
    sealed: bytes,
    wrapped_key: bytes | None,
    session: Session | None = None,
) -> PrivateNote:
    """A new note, as the author's browser sealed it for the id it chose (`uid`) at version 1. The first note of
    an engagement brings its data key, wrapped by the notes key; a second one made at the same moment in another
    tab is refused."""
    if author.pk != engagement.enabler_id:
        raise NotAllowed("Private notes are kept by the engagement's enabler.")
    if engagement.notes_destroyed_at is not None:
        raise NotAllowed("These private notes were destroyed when their retention period ended.")
    if session is not None and session.engagement_id != engagement.pk:
        raise NotAllowed("That session is not one of this engagement's.")
    with transaction.atomic():
        _check_key(author, key_id)
        key = EngagementKey.objects.filter(engagement=engagement).first()
        if key is None:
            if wrapped_key is None:
                raise NotAllowed(STALE_KEY)
            try:
                with transaction.atomic():
                    EngagementKey.objects.create(engagement=engagement, notes_key_id=key_id, wrapped_key=wrapped_key)
            except IntegrityError as error:  # made in another tab a moment ago: this note is under another key
                raise NotAllowed(STALE_KEY) from error
        elif key.notes_key_id != key_id or wrapped_key is not None:
            raise NotAllowed(STALE_KEY)
        if PrivateNote.objects.filter(uid=uid).exists():
            raise NotAllowed(STALE_NOTE)  # the same note sent twice (a second click, or a second tab)
        return PrivateNote.objects.create(
            engagement=engagement, session=session, author=author, uid=uid, version=1, ciphertext=sealed
        )


def rewrite_sealed(
    *, note: PrivateNote, by: User, key_id: str, sealed: bytes, version: int, rebinding: bool = False
) -> None:
    """New words for a note, sealed by its author's browser under the engagement's same data key, for the note's
    next version (refused otherwise: another tab wrote it since). `rebinding`: the same words, bound anew to the
    note by the browser that opened an older note (version 0), which is not a change of the note's words."""
    if note.author_id != by.pk:
        raise NotAllowed("A private note is changed by its author alone.")
    with transaction.atomic():
        _check_key(by, key_id)
        note = PrivateNote.objects.select_for_update().get(pk=note.pk)
        key = EngagementKey.objects.filter(engagement=note.engagement_id).first()
        if key is None or key.notes_key_id != key_id:
            raise NotAllowed(STALE_KEY)
        if version != note.version + 1 or (rebinding and note.version != 0):
            raise NotAllowed(STALE_NOTE)
        note.ciphertext = sealed
        note.version = version
        changed = ["ciphertext", "version"]
        if not rebinding:
            note.updated_at = timezone.now()
            changed.append("updated_at")
        note.save(update_fields=changed)


def _check_key(author: User, key_id: str) -> None:
    keyring = NotesKeyring.objects.filter(owner=author.pk).first()
    if keyring is None:
        raise NotAllowed("Set up your notes passphrase first.")
    if keyring.key_id != key_id:
        raise NotAllowed(STALE_KEY)


def _check_wrapping(wrapping: Wrapping) -> None:
    if wrapping.iterations < MIN_ITERATIONS:
        raise NotAllowed(f"A notes passphrase is stretched with at least {MIN_ITERATIONS:,} iterations.")


__all__ = [
    "CHANGED_WHILE_SETTING_UP",
    "STALE_KEY",
    "STALE_NOTE",
    "Moved",
    "NotesKeyError",
    "Wrapping",
    "change_passphrase",
    "is_sealed",
    "keyring_of",
    "keyring_payload",
    "notes_payload",
    "notes_to_move",
    "rewrite_sealed",
    "seal_in_browser",
    "write_sealed",
]
