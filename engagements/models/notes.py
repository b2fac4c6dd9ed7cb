"""Notes: an enabler's private notes, the engagement keys that seal them, and notes keyrings.

Their words are read and written only through engagements.notes."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.access import visible
from core.errors import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The engagement and the session are named ("engagements.Engagement"), not imported: this module imports no other
# module of engagements.models.
NOTE_LIMIT = 20_000


# Sizes of what a browser sends (engagements.notes.sealed), each one value as stored: AES-GCM's 96-bit nonce, then
# its output with the 128-bit tag last. A wrapped key holds a 256-bit key; a sealed note's words are at least one
# byte and at most NOTE_LIMIT characters of UTF-8 (4 bytes a character at most).
NONCE_BYTES = 12
TAG_BYTES = 16
WRAPPED_KEY_BYTES = NONCE_BYTES + 32 + TAG_BYTES
SEALED_NOTE_MIN_BYTES = NONCE_BYTES + 1 + TAG_BYTES
SEALED_NOTE_MAX_BYTES = NONCE_BYTES + NOTE_LIMIT * 4 + TAG_BYTES
# PBKDF2-SHA256 below this many iterations is refused (OWASP's figure for 2023 onwards); the count is stored with
# each wrapped key, so it can be raised later without anyone losing their notes.
MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000


class NotesKeyring(models.Model):
    """An enabler's notes key, made in their own browser and stored only wrapped: once by a key derived from their
    notes passphrase, once by their recovery key. The server never holds either, nor the notes key in the clear,
    so it cannot open any note sealed under it. Its presence means the enabler's notes are sealed in the browser."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_keyring")
    key_id = models.CharField(max_length=32, help_text="A random id the browser gave the notes key.")
    kdf = models.CharField(max_length=32, default="PBKDF2-SHA256")
    iterations = models.PositiveIntegerField()
    salt = models.BinaryField()
    wrapped_by_passphrase = models.BinaryField()
    wrapped_by_recovery_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    passphrase_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "engagements"
        constraints = [
            models.CheckConstraint(condition=models.Q(iterations__gte=MIN_ITERATIONS), name="notes_kdf_strong_enough")
        ]

    def __str__(self) -> str:
        return f"Notes keyring of person {self.owner_id}"  # never a key


class EngagementKey(models.Model):
    """An engagement's data key, stored only wrapped: by a master key from the environment (`master_key_id`), or,
    once its enabler sealed their notes in the browser, by that enabler's notes key (`notes_key_id`), which the
    server never holds. Deleting it destroys the notes."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="notes_key")
    master_key_id = models.CharField(max_length=16, blank=True)
    notes_key_id = models.CharField(max_length=32, blank=True)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "engagements"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(master_key_id="") & ~models.Q(notes_key_id=""))
                | (~models.Q(master_key_id="") & models.Q(notes_key_id="")),
                name="engagement_key_wrapped_once",
            )
        ]

    def __str__(self) -> str:
        return f"Notes key of engagement {self.engagement_id}"

    @property
    def sealed_in_browser(self) -> bool:
        return bool(self.notes_key_id)


class PrivateNoteQuerySet(models.QuerySet["PrivateNote"]):
    def visible_to(self, user: User | AnonymousUser) -> PrivateNoteQuerySet:
        """Its author, and nobody else, in any role: not the central team, not an administrator."""
        return visible(self, user, lambda rows: rows.filter(author=user.pk), centre_sees_all=False)


class PrivateNote(models.Model):
    """An enabler's own reflection on a session or on the engagement. Stored encrypted; readable by its author
    alone. Its text never appears in the admin, exports (but the author's own), search, feeds, e-mails or logs."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="private_notes")
    session = models.ForeignKey(
        "engagements.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="private_notes")
    ciphertext = models.BinaryField()
    # What a note's sealing is bound to, besides its engagement (the associated data, `crypto.note_context`): its
    # own id and how many times its words were sealed. Words moved from another note, or put back from an earlier
    # sealing of the same note, do not open. The id is random, not the row's number, because a browser seals a new
    # note before the database has numbered it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(
        default=1, help_text="How many times its words were sealed; 0: sealed bound to its engagement alone (older)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrivateNoteQuerySet.as_manager()

    class Meta:
        app_label = "engagements"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "engagement", "-created_at"])]

    def __str__(self) -> str:
        return f"Private note {self.pk}"  # never the text

    @property
    def bound_only_to_its_engagement(self) -> bool:
        """Sealed before notes were bound to themselves: it still opens, and is bound anew on its next write (or
        by `manage.py rebind_private_notes`, for notes the server seals)."""
        return self.version == 0

    @staticmethod
    @sensitive_variables("text")
    def check_text(text: str) -> str:
        """The guard on a note's words: something written, and not too long."""
        text = text.strip()
        if not text:
            raise NotAllowed("Write the note before saving it.")
        if len(text) > NOTE_LIMIT:
            raise NotAllowed(f"A note must be {NOTE_LIMIT:,} characters or fewer; this one is {len(text):,}.")
        return text
