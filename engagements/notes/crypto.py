"""Envelope encryption of enablers' private notes, with the `cryptography` library's AES-GCM.

Each engagement has its own random 256-bit data key. The data key is stored only wrapped (encrypted) by a master
key that lives outside the database, in the environment (`NOTES_MASTER_KEYS`). A note is encrypted with its
engagement's data key. So:

- the database never holds a note's plaintext, nor a key that opens it;
- rotating the master key re-wraps the small data keys and never touches a note;
- deleting an engagement's data key makes all its notes unreadable for good (crypto-shredding), backups included,
  once the backups that still hold the wrapped key have expired.

No primitive here is home-made: AES-GCM with random 96-bit nonces, and the associated data binds each note to its
engagement, its own id and its version (`note_context`), so a ciphertext moved to another note, or put back from an
earlier version of the same note, does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

NONCE_BYTES = 12
KEY_BYTES = 32
# What a reader is told of a note whose stored words were not sealed for it as it stands.
NOT_THIS_NOTE = (
    "This note cannot be opened: what is stored for it was not sealed for this note as it stands. It may have been "
    "moved from another note, or put back from an earlier version. Nothing else was shown in its place."
)


class NotesKeyError(Exception):
    """Private notes cannot be read or written now. The message says why in plain words."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes


def generate_master_key() -> str:
    """A new master key, base64-encoded, for NOTES_MASTER_KEYS."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def master_keys() -> list[MasterKey]:
    """The configured master keys: the first wraps new data keys, the others can still unwrap."""
    keys = []
    for encoded in settings.NOTES_MASTER_KEYS:
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise NotesKeyError("A notes master key is not valid base64. Check NOTES_MASTER_KEYS.") from error
        if len(key) != KEY_BYTES:
            raise NotesKeyError("A notes master key must be 32 bytes (256 bits). Check NOTES_MASTER_KEYS.")
        keys.append(MasterKey(hashlib.sha256(key).hexdigest()[:16], key))
    return keys


def current_master_key() -> MasterKey:
    keys = master_keys()
    if not keys:
        raise NotesKeyError(
            "Private notes are switched off: no master key is set (NOTES_MASTER_KEYS). Nothing has been saved."
        )
    return keys[0]


def _master_key(key_id: str) -> MasterKey:
    for key in master_keys():
        if key.key_id == key_id:
            return key
    raise NotesKeyError("The master key that protects these notes is not configured, so they cannot be opened.")


@sensitive_variables("key", "plaintext")
def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


@sensitive_variables("key")
def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag as error:
        raise NotesKeyError("These notes cannot be opened with the configured keys.") from error


def new_wrapped_data_key(engagement_id: int) -> tuple[str, bytes]:
    """A fresh data key for an engagement, returned wrapped, with the id of the master key that wrapped it."""
    master = current_master_key()
    return master.key_id, _seal(master.key, AESGCM.generate_key(bit_length=256), _key_context(engagement_id))


def unwrap(engagement_id: int, key_id: str, wrapped: bytes) -> bytes:
    return _open(_master_key(key_id).key, bytes(wrapped), _key_context(engagement_id))


def rewrap(engagement_id: int, key_id: str, wrapped: bytes) -> tuple[str, bytes]:
    """The same data key, wrapped by the current master key."""
    data_key = unwrap(engagement_id, key_id, wrapped)
    master = current_master_key()
    return master.key_id, _seal(master.key, data_key, _key_context(engagement_id))


@sensitive_variables("data_key", "text")
def encrypt_note(data_key: bytes, engagement_id: int, text: str, *, note: uuid.UUID, version: int) -> bytes:
    """A note's words sealed for that note at that version (1 or more)."""
    if version < 1:
        raise ValueError("A note is sealed bound to itself, at version 1 or more.")
    return _seal(data_key, text.encode(), note_context(engagement_id, note, version))


@sensitive_variables("data_key")
def decrypt_note(data_key: bytes, engagement_id: int, sealed: bytes, *, note: uuid.UUID, version: int) -> str:
    """A note's words, when what is stored was sealed for this note at this version (version 0: bound to the
    engagement alone, as notes were sealed before). Raises NotesKeyError otherwise."""
    try:
        return _open(data_key, bytes(sealed), note_context(engagement_id, note, version)).decode()
    except NotesKeyError as error:
        raise NotesKeyError(NOT_THIS_NOTE) from error


def _key_context(engagement_id: int) -> bytes:
    return f"alongside:engagement-key:{engagement_id}".encode()


def note_context(engagement_id: int, note: uuid.UUID, version: int) -> bytes:
    """The associated data of a note: the same words as static/alongside/notes-crypto.js's. Version 0 is how notes
    were bound before (their engagement alone), still opened until they are written again."""
    if version == 0:
        return f"alongside:private-note:{engagement_id}".encode()
    return f"alongside:private-note:{engagement_id}:{note}:{version}".encode()
