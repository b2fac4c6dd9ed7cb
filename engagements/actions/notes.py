"""Private notes' actions: writing, sealing in the browser, destroying (their words go through engagements.notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts import notices
from accounts.models import AuditEvent, User
from accounts.notifications import notify

from .. import notes
from ..models import Engagement, Session
from ..notes import sealed as notes_sealed

if TYPE_CHECKING:
    import uuid

    from ..notes import PrivateNote
    from ..notes.sealed import Moved, Wrapping

Verb = AuditEvent.Verb


@sensitive_variables("text")
def write_private_note(*, engagement: Engagement, by: User, text: str) -> PrivateNote:
    return notes.write_note(engagement=engagement, author=by, text=text)


@sensitive_variables("text")
def rewrite_private_note(*, note: PrivateNote, by: User, text: str) -> None:
    notes.rewrite_note(note=note, by=by, text=text)


def seal_private_notes(
    *, owner: User, key_id: str, wrapping: Wrapping, wrapped_by_recovery_key: bytes, moved: list[Moved]
) -> int:
    """The enabler sets up browser-sealed notes (engagements.notes.sealed): their notes move into the browser's
    keeping, recorded with how many, and they are told, as for any change to how their account is protected."""
    with transaction.atomic():
        count = notes_sealed.seal_in_browser(
            owner=owner, key_id=key_id, wrapping=wrapping, wrapped_by_recovery_key=wrapped_by_recovery_key, moved=moved
        )
        AuditEvent.record(actor=owner, verb=Verb.SEALED_PRIVATE_NOTES_IN_THE_BROWSER, target=owner, count=count)
        notices.tell(
            owner,
            subject="Your private notes are now sealed in your browser",
            happened="A notes passphrase was set up: your private notes are now encrypted in your browser",
        )
    return count


def change_notes_passphrase(*, owner: User, key_id: str, wrapping: Wrapping) -> None:
    with transaction.atomic():
        notes_sealed.change_passphrase(owner=owner, key_id=key_id, wrapping=wrapping)
        AuditEvent.record(actor=owner, verb=Verb.CHANGED_THE_NOTES_PASSPHRASE, target=owner)
        notices.tell(
            owner,
            subject="Your notes passphrase was changed",
            happened="The passphrase that unlocks your private notes was changed",
        )


def write_sealed_note(
    *,
    engagement: Engagement,
    by: User,
    key_id: str,
    uid: uuid.UUID,
    sealed: bytes,
    wrapped_key: bytes | None,
    session: Session | None = None,
) -> PrivateNote:
    return notes_sealed.write_sealed(
        engagement=engagement,
        author=by,
        key_id=key_id,
        uid=uid,
        sealed=sealed,
        wrapped_key=wrapped_key,
        session=session,
    )


def rewrite_sealed_note(
    *, note: PrivateNote, by: User, key_id: str, sealed: bytes, version: int, rebinding: bool = False
) -> None:
    notes_sealed.rewrite_sealed(note=note, by=by, key_id=key_id, sealed=sealed, version=version, rebinding=rebinding)


@transaction.atomic
def warn_before_destroying_notes(*, engagement: Engagement) -> bool:
    """Tell the enabler, once, that their notes on an engagement will soon be destroyed."""
    engagement = Engagement.objects.select_for_update().select_related("site", "enabler").get(pk=engagement.pk)
    if engagement.retention_notice_sent_at is not None:
        return False
    notify(
        recipients=[engagement.enabler],
        kind="notes-retention",
        subject=f"Your private notes on {engagement.site} will be destroyed in 30 days",
        body="Private notes are kept for a set time after an engagement closes. If you want a copy, "
        "download your notes before then.",
        link=reverse("engagements:private_notes_download"),
    )
    engagement.retention_notice_sent_at = timezone.now()
    engagement.save(update_fields=["retention_notice_sent_at"])
    return True


def destroy_private_notes(*, engagements: list[Engagement], by: User | None) -> dict[int, int]:
    """Crypto-shredding for several engagements in one transaction and a handful of statements, whatever their
    number (the retention task passes 500 at a time): their data keys and ciphertexts go, each is marked, and each
    gets its audit event (with how many notes it had, never what they said). Returns how many notes each had."""
    ids = [engagement.pk for engagement in engagements]
    with transaction.atomic():
        counted = notes.shred(ids)
        now = timezone.now()
        Engagement.objects.filter(pk__in=ids).update(notes_destroyed_at=now)
        AuditEvent.record_many(
            actor=by,
            verb=Verb.DESTROYED_PRIVATE_NOTES,
            targets=engagements,
            detail_of=lambda engagement: {"count": counted[engagement.pk]},
            at=now,
        )
    for engagement in engagements:
        engagement.notes_destroyed_at = now
    return counted
