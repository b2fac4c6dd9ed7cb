"""Enablers' private notes, sealed: the only way in or out of a note's words.

A note is readable by its author alone. Its text is encrypted with its engagement's data key (`crypto`), which is
stored only wrapped by a master key from the environment; deleting the key destroys the notes (crypto-shredding).
Everything that reads a note's words (the author's list, the author's download, the subject-access export) calls
`read_notes`; everything that writes them calls `write_note` or `rewrite_note`; nothing outside this package
imports `crypto` (import-linter holds that, `make lint`).

An enabler who sets up browser-sealed notes (`sealed`) takes their notes out of this: their notes key is made and
unwrapped in their own browser, the server stores only what it wrapped, and `read_notes` and `write_note` refuse
their notes, because nothing on the server can open them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.errors import NotAllowed

from ..models.notes import NOTE_LIMIT, EngagementKey, NotesKeyring, PrivateNote
from . import crypto
from .crypto import NotesKeyError, current_master_key

if TYPE_CHECKING:
    from accounts.models import User
    from engagements.models import Engagement, Session

__all__ = [
    "NOTE_LIMIT",
    "SEALED_IN_BROWSER",
    "SEALED_NOT_HERE",
    "UNREADABLE",
    "EngagementKey",
    "NotesKeyError",
    "NotesKeyring",
    "PrivateNote",
    "notes_blocked",
    "read_note",
    "read_notes",
    "rebind_notes",
    "rewrite_note",
    "rotate_master_key",
    "shred",
    "write_note",
]

# What a reader sees in place of a note whose key is missing or was destroyed.
UNREADABLE = "(this note cannot be opened: its key is missing or was destroyed)"
# Why the server cannot open a note sealed in its author's browser (engagements.notes.sealed): it holds no key.
SEALED_IN_BROWSER = (
    "These notes are sealed in your browser with a key only you hold, so Alongside cannot open them here. "
    "Open them on your private notes page."
)


SEALED_NOT_HERE = (
    "Your private notes are sealed in your browser: write and change them on your private notes page, where your "
    "browser encrypts them before they are sent. Nothing has been saved here."
)


def notes_blocked(author: User | None = None) -> str:
    """Why private notes cannot be written on the server now (no master key is configured), or an empty string.
    An author whose notes are sealed in the browser needs no master key at all."""
    if author is not None and NotesKeyring.objects.filter(owner=author.pk).exists():
        return ""
    try:
        current_master_key()
    except NotesKeyError as error:
        return str(error)
    return ""


@sensitive_variables()  # every local: keys and words alike
def _data_key(engagement: Engagement, *, create: bool) -> bytes:
    """The engagement's data key, unwrapped in memory only. Made on first use when `create` is set."""
    if engagement.notes_destroyed_at is not None:
        raise NotesKeyError("These private notes were destroyed when their retention period ended.")
    key = EngagementKey.objects.filter(engagement=engagement).first()
    if key is not None and key.sealed_in_browser:
        raise NotesKeyError(SEALED_IN_BROWSER)
    if key is None:
        if not create:
            raise NotesKeyError("There are no private notes for this engagement.")
        master_key_id, wrapped = crypto.new_wrapped_data_key(engagement.pk)
        try:
            with transaction.atomic():
                key = EngagementKey.objects.create(
                    engagement=engagement, master_key_id=master_key_id, wrapped_key=wrapped
                )
        except IntegrityError:  # made at the same moment by another request: use that one
            key = EngagementKey.objects.get(engagement=engagement)
    return crypto.unwrap(engagement.pk, key.master_key_id, bytes(key.wrapped_key))


# Writing ---------------------------------------------------------------------------------------------------------


@sensitive_variables()  # every local: keys and words alike
def write_note(*, engagement: Engagement, author: User, text: str, session: Session | None = None) -> PrivateNote:
    """A new note by the engagement's enabler, encrypted before it is saved."""
    if author.pk != engagement.enabler_id:
        raise NotAllowed("Private notes are kept by the engagement's enabler.")
    text = PrivateNote.check_text(text)
    with transaction.atomic():
        # The author's row is locked, as setting up browser-sealed notes locks it: a note the server seals cannot
        # slip in beside notes that were just moved into the browser.
        get_user_model().objects.select_for_update().filter(pk=author.pk).first()
        if NotesKeyring.objects.filter(owner=author.pk).exists():
            raise NotAllowed(SEALED_NOT_HERE)
        data_key = _data_key(engagement, create=True)
        uid = uuid.uuid4()
        return PrivateNote.objects.create(
            engagement=engagement,
            session=session,
            author=author,
            uid=uid,
            version=1,
            ciphertext=crypto.encrypt_note(data_key, engagement.pk, text, note=uid, version=1),
        )


@sensitive_variables()  # every local: keys and words alike
def rewrite_note(*, note: PrivateNote, by: User, text: str) -> None:
    """New words for a note, by its author alone."""
    if note.author_id != by.pk:
        raise NotAllowed("A private note is changed by its author alone.")
    text = PrivateNote.check_text(text)
    with transaction.atomic():
        note = PrivateNote.objects.select_for_update().select_related("engagement").get(pk=note.pk)
        if NotesKeyring.objects.filter(owner=by.pk).exists():
            raise NotAllowed(SEALED_NOT_HERE)
        data_key = _data_key(note.engagement, create=False)
        note.version += 1  # an older note (version 0) is bound to itself from now on
        note.ciphertext = crypto.encrypt_note(data_key, note.engagement_id, text, note=note.uid, version=note.version)
        note.updated_at = timezone.now()
        note.save(update_fields=["ciphertext", "version", "updated_at"])


# Reading: one way, for the author's list, the author's download and the subject-access export alike -------------


@sensitive_variables()  # every local: keys and words alike
def read_note(note: PrivateNote) -> str:
    """One note's words. Raises NotesKeyError, with words a person can read, when it cannot be opened."""
    return read_notes([note])[0][1]


@sensitive_variables()  # every local: keys and words alike
def read_notes(notes: Iterable[PrivateNote], *, unreadable: str | None = None) -> list[tuple[PrivateNote, str]]:
    """Each note with its words, opening each engagement's data key once, not once a note (an engagement may have
    hundreds). Pass notes with their engagement selected, and only notes the reader wrote (`visible_to`). A note
    that cannot be opened raises NotesKeyError, or reads as `unreadable` when that is given (the exports)."""
    data_keys: dict[int, bytes | NotesKeyError] = {}
    texts = []
    for note in notes:
        if note.engagement_id not in data_keys:
            try:
                data_keys[note.engagement_id] = _data_key(note.engagement, create=False)
            except NotesKeyError as error:
                data_keys[note.engagement_id] = error
        data_key = data_keys[note.engagement_id]
        try:
            if isinstance(data_key, NotesKeyError):
                raise data_key
            sealed = bytes(note.ciphertext)
            texts.append(
                (note, crypto.decrypt_note(data_key, note.engagement_id, sealed, note=note.uid, version=note.version))
            )
        except NotesKeyError:
            if unreadable is None:
                raise
            texts.append((note, unreadable))
    return texts


@sensitive_variables()  # every local: keys and words alike
def rebind_notes() -> tuple[int, int]:
    """Bind every note the server seals that is still bound to its engagement alone (version 0) to itself as well
    (version 1), with the same words, one engagement at a time. Notes sealed in a browser are left for their
    author's browser, which binds each anew when it next opens it. Returns how many were bound anew and how many
    are left to browsers. Raises NotesKeyError when one cannot be opened (naming its engagement). Safe to run again."""
    older = PrivateNote.objects.filter(version=0, engagement__notes_destroyed_at__isnull=True)
    in_browsers = older.filter(engagement__notes_key__notes_key_id__gt="").count()
    rebound = 0
    for engagement_id in list(
        older.exclude(engagement__notes_key__notes_key_id__gt="")
        .order_by("engagement")
        .values_list("engagement", flat=True)
        .distinct()
    ):
        with transaction.atomic():
            rows = list(
                PrivateNote.objects.select_for_update()
                .filter(engagement=engagement_id, version=0)
                .select_related("engagement")
            )
            if not rows:
                continue  # bound anew in a run before, or by a write, since the list was made
            try:
                data_key = _data_key(rows[0].engagement, create=False)
                for note in rows:
                    text = crypto.decrypt_note(
                        data_key, engagement_id, bytes(note.ciphertext), note=note.uid, version=0
                    )
                    note.version = 1
                    note.ciphertext = crypto.encrypt_note(data_key, engagement_id, text, note=note.uid, version=1)
            except NotesKeyError as error:
                raise NotesKeyError(f"{error} (engagement {engagement_id})") from error
            PrivateNote.objects.bulk_update(rows, ["ciphertext", "version"], batch_size=500)
            rebound += len(rows)
    return rebound, in_browsers


# Crypto-shredding and key rotation -------------------------------------------------------------------------------


def shred(engagement_ids: list[int]) -> dict[int, int]:
    """Crypto-shredding: the engagements' data keys and ciphertexts go, in a handful of statements whatever their
    number. Returns how many notes each had. Call it inside the action's transaction (engagements.actions), which
    marks the engagements and records the audit events."""
    counted = dict(
        PrivateNote.objects.filter(engagement__in=engagement_ids)
        .order_by()
        .values_list("engagement")
        .annotate(count=Count("pk"))
    )
    PrivateNote.objects.filter(engagement__in=engagement_ids).delete()
    EngagementKey.objects.filter(engagement__in=engagement_ids).delete()
    return {pk: counted.get(pk, 0) for pk in engagement_ids}


def _rewrap(key: EngagementKey) -> bool:
    """Wrap the same data key with the current master key. Notes are not touched."""
    if key.sealed_in_browser:
        return False  # wrapped by its enabler's notes key: nothing the server holds can open it
    master_key_id, wrapped = crypto.rewrap(key.engagement_id, key.master_key_id, bytes(key.wrapped_key))
    if master_key_id == key.master_key_id:
        return False
    key.master_key_id, key.wrapped_key = master_key_id, wrapped
    key.save(update_fields=["master_key_id", "wrapped_key"])
    return True


def rotate_master_key() -> tuple[int, int, str]:
    """Re-wrap every data key not yet wrapped by the current master key (NOTES_MASTER_KEYS' first). Notes are
    not touched. Returns how many keys were re-wrapped, how many were left as they were, and the current key's id.
    Raises NotesKeyError when no master key is set or a data key cannot be unwrapped (naming its engagement)."""
    current = current_master_key()
    rewrapped = unchanged = 0
    # Keys sealed in a browser are wrapped by their enabler's notes key, which no master key opens: never touched.
    server_sealed = EngagementKey.objects.filter(notes_key_id="").exclude(master_key_id=current.key_id)
    for key_id in list(server_sealed.values_list("pk", flat=True)):
        with transaction.atomic():
            key = EngagementKey.objects.select_for_update().get(pk=key_id)
            try:
                changed = _rewrap(key)
            except NotesKeyError as error:
                raise NotesKeyError(f"{error} (engagement {key.engagement_id})") from error
        rewrapped += changed
        unchanged += not changed
    return rewrapped, unchanged, current.key_id
