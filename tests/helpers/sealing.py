"""What an enabler's browser does with their private notes (static/alongside/notes-crypto.js), done in Python for
tests that talk to the server as that browser would: the same AES-GCM, the same PBKDF2-SHA256, the same formats
and the same associated data. tests/engagements/test_sealed_notes.py checks that Node's run of the real script and
this agree, so a test built on this is a test of what the browser sends. `set_up_notes` and `post_sealed_note` are
the two steps most tests begin with, through the real pages."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement
from tests.helpers.people import client_for

ITERATIONS = 600_000


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal(key: bytes, plain: bytes, bound_to: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, bound_to.encode())


def unseal(key: bytes, sealed: bytes, bound_to: str) -> bytes:
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], bound_to.encode())


def passphrase_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, iterations, dklen=32)


def note_bound_to(engagement: int, uid: str, version: int) -> str:
    """What a note is bound to (engagements/notes/crypto.py's `note_context`): version 0 is an older note's."""
    return f"alongside:private-note:{engagement}" + (f":{uid}:{version}" if version else "")


@dataclass
class Browser:
    """One enabler's browser, with their notes key unlocked."""

    owner: int
    passphrase: str
    notes_key: bytes = field(default_factory=lambda: AESGCM.generate_key(bit_length=256))
    recovery: bytes = field(default_factory=lambda: os.urandom(32))
    key_id: str = field(default_factory=lambda: secrets.token_hex(16))
    salt: bytes = field(default_factory=lambda: os.urandom(16))
    data_keys: dict[int, bytes] = field(default_factory=dict)

    def wrapping(self, passphrase: str | None = None, iterations: int = ITERATIONS) -> dict[str, object]:
        salt = os.urandom(16) if passphrase else self.salt
        derived = passphrase_key(passphrase or self.passphrase, salt, iterations)
        return {
            "key_id": self.key_id,
            "iterations": iterations,
            "salt": b64(salt),
            "wrapped_by_passphrase": b64(seal(derived, self.notes_key, f"alongside:notes-key:{self.owner}")),
        }

    def set_up(self, moving: list[dict] | None = None, iterations: int = ITERATIONS) -> dict[str, object]:
        """The set-up form, with the notes the page carried (its JSON's `moving`) sealed again."""
        moved = []
        for engagement in moving or []:
            wrapped = self.new_data_key(engagement["engagement"])
            moved.append(
                {
                    "engagement": engagement["engagement"],
                    "wrapped_key": wrapped,
                    "notes": [
                        {
                            "id": note["id"],
                            **self.sealed_for(engagement["engagement"], note["text"], note["uid"], note["version"] + 1),
                            "version": note["version"] + 1,
                        }
                        for note in engagement["notes"]
                    ],
                }
            )
        return {
            **self.wrapping(iterations=iterations),
            "wrapped_by_recovery_key": b64(seal(self.recovery, self.notes_key, f"alongside:notes-key:{self.owner}")),
            "moved": json.dumps(moved),
        }

    def new_data_key(self, engagement: int) -> str:
        self.data_keys[engagement] = AESGCM.generate_key(bit_length=256)
        return b64(seal(self.notes_key, self.data_keys[engagement], f"alongside:engagement-key:{engagement}"))

    def sealed_for(self, engagement: int, text: str, uid: str, version: int) -> dict[str, str]:
        """A note's words sealed as the browser sends them: one value, its nonce then its ciphertext, in base64."""
        return {"sealed": b64(seal(self.data_keys[engagement], text.encode(), note_bound_to(engagement, uid, version)))}

    def seal_note(self, engagement: int, text: str, *, uid: object = None, version: int = 1) -> dict[str, str]:
        """The form's fields of a note sealed here: a new note (an id of its own, at version 1), or, given the
        note's id, its words for `version` (its next)."""
        if uid is None:
            new = str(uuid.uuid4())
            return {**self.sealed_for(engagement, text, new, 1), "uid": new, "version": "1"}
        return {**self.sealed_for(engagement, text, str(uid), version), "version": str(version)}

    def open_note(self, engagement: int, sealed: bytes, uid: object, version: int) -> str:
        bound_to = note_bound_to(engagement, str(uid), version)
        return unseal(self.data_keys[engagement], bytes(sealed), bound_to).decode()

    def open_data_key(self, engagement: int, wrapped: bytes) -> bytes:
        return unseal(self.notes_key, bytes(wrapped), f"alongside:engagement-key:{engagement}")


JSON = {"HTTP_ACCEPT": "application/json"}


def set_up_notes(enabler: User, browser: Browser | None = None) -> Browser:
    """The enabler sets up through the real page, as their browser would: the notes the page carried, sealed."""
    browser = browser or Browser(owner=enabler.pk, passphrase="a notes passphrase for tests")
    client = client_for(enabler)
    page = client.get(reverse("engagements:notes_setup"))
    answer = client.post(reverse("engagements:notes_setup"), browser.set_up(page.context["payload"]["moving"]), **JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["redirect"] == reverse("engagements:notes_passphrase")
    return browser


def post_sealed_note(client: object, engagement: Engagement, browser: Browser, text: str, **extra: object) -> object:
    """A new note on the engagement, sealed by the browser (with the engagement's key the first time), posted."""
    fields = {"key_id": browser.key_id, **extra}
    if engagement.pk not in browser.data_keys:
        fields["wrapped_key"] = browser.new_data_key(engagement.pk)
    fields.update(browser.seal_note(engagement.pk, text))
    return client.post(reverse("engagements:private_note_create", args=[engagement.pk]), fields, **JSON)
