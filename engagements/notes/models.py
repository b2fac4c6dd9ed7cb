"""An enabler's private notes and the engagement keys that seal them. Registered with Django by
engagements.models, which imports this module; read and written only through engagements.notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.access import visible
from core.errors import NotAllowed

from . import crypto

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The engagement and the session are named, not imported: engagements.models imports this module to register its
# models with Django, and nothing here may import that module back.
NOTE_LIMIT = 20_000


class EngagementKey(models.Model):
    """An engagement's data key, stored only wrapped by a master key. Deleting it destroys the notes."""

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="notes_key")
    master_key_id = models.CharField(max_length=16)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "engagements"

    def __str__(self) -> str:
        return f"Notes key of engagement {self.engagement_id}"

    def rewrap(self) -> bool:
        """Wrap the same data key with the current master key. Notes are not touched."""
        master_key_id, wrapped = crypto.rewrap(self.engagement_id, self.master_key_id, bytes(self.wrapped_key))
        if master_key_id == self.master_key_id:
            return False
        self.master_key_id, self.wrapped_key = master_key_id, wrapped
        self.save(update_fields=["master_key_id", "wrapped_key"])
        return True


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
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrivateNoteQuerySet.as_manager()

    class Meta:
        app_label = "engagements"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "engagement", "-created_at"])]

    def __str__(self) -> str:
        return f"Private note {self.pk}"  # never the text

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
