from __future__ import annotations

import base64
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import User
from core.errors import NotAllowed
from engagements import notes
from engagements.actions.notes import destroy_private_notes
from engagements.models import Engagement
from engagements.notes import NOTE_LIMIT, EngagementKey, PrivateNote, crypto
from tests.helpers.keys import TEST_MASTER_KEY
from tests.helpers.people import client_for


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_enabler_writes_and_reads_back_a_private_note(engagement_a: Engagement) -> None:
    client = client_for(engagement_a.enabler)

    client.post(reverse("engagements:private_note_create", kwargs={"pk": engagement_a.pk}), {"text": "Trust grows."})
    page = client.get(reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk}))

    assert "Trust grows." in page.content.decode()
    assert notes.read_note(PrivateNote.objects.get()) == "Trust grows."


def test_the_database_holds_only_ciphertext(engagement_a: Engagement) -> None:
    notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="A candid reflection")

    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM engagements_privatenote")
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT wrapped_key FROM engagements_engagementkey")
        (wrapped,) = cursor.fetchone()

    assert b"A candid reflection" not in bytes(stored)
    assert len(bytes(wrapped)) == 12 + 32 + 16  # nonce, the wrapped 256-bit key, the GCM tag


def test_an_empty_note_and_a_note_too_long_are_refused_and_nothing_is_saved(engagement_a: Engagement) -> None:
    client = client_for(engagement_a.enabler)
    url = reverse("engagements:private_note_create", kwargs={"pk": engagement_a.pk})

    empty = client.post(url, {"text": "   "})
    long = client.post(url, {"text": "x" * (NOTE_LIMIT + 1)})

    assert "Write the note before saving it" in empty.content.decode()
    assert f"A note must be {NOTE_LIMIT:,} characters or fewer" in long.content.decode()
    assert not PrivateNote.objects.exists()


def test_editing_someone_elses_note_is_404(engagement_a: Engagement, other_enabler: User, site_lead: User) -> None:
    note = notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="Mine")

    for person in (other_enabler, site_lead):
        response = client_for(person).post(
            reverse("engagements:private_note_edit", kwargs={"pk": note.pk}), {"text": "Theirs"}
        )
        assert response.status_code == 404
    assert notes.read_note(note) == "Mine"


def test_the_author_changes_their_note(engagement_a: Engagement) -> None:
    note = notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="First thoughts")

    client_for(engagement_a.enabler).post(
        reverse("engagements:private_note_edit", kwargs={"pk": note.pk}), {"text": "Second thoughts"}
    )

    note.refresh_from_db()
    assert notes.read_note(note) == "Second thoughts"


def test_only_the_enabler_of_the_engagement_writes_private_notes(engagement_a: Engagement, site_lead: User) -> None:
    with pytest.raises(NotAllowed, match="kept by the engagement's enabler"):
        notes.write_note(engagement=engagement_a, author=site_lead, text="Not theirs")


def test_without_a_master_key_notes_cannot_be_written_and_the_page_says_why(
    engagement_a: Engagement, settings: object
) -> None:
    settings.NOTES_MASTER_KEYS = []
    client = client_for(engagement_a.enabler)
    url = reverse("engagements:private_note_create", kwargs={"pk": engagement_a.pk})

    page = client.get(url)
    refused = client.post(url, {"text": "Anything"})

    assert "no master key is set" in page.content.decode()
    assert "no master key is set" in refused.content.decode()
    assert not PrivateNote.objects.exists()


def test_a_wrong_master_key_gives_a_clear_message_not_a_crash(engagement_a: Engagement, settings: object) -> None:
    notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="Kept safe")
    settings.NOTES_MASTER_KEYS = [_new_key()]

    response = client_for(engagement_a.enabler).get(
        reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk})
    )

    assert response.status_code == 200
    assert "is not configured, so they cannot be opened" in response.content.decode()
    assert "Kept safe" not in response.content.decode()


def test_a_master_key_that_is_not_a_key_is_explained(settings: object) -> None:
    settings.NOTES_MASTER_KEYS = ["not base64!"]

    with pytest.raises(crypto.NotesKeyError, match="not valid base64"):
        crypto.current_master_key()


def test_rotation_rewraps_the_data_keys_without_touching_the_notes(engagement_a: Engagement, settings: object) -> None:
    note = notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="Survives rotation")
    ciphertext_before = bytes(note.ciphertext)
    new_key = _new_key()
    settings.NOTES_MASTER_KEYS = [new_key, TEST_MASTER_KEY]

    call_command("rotate_notes_master_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.NOTES_MASTER_KEYS = [new_key]  # the old key can now be thrown away

    note.refresh_from_db()
    assert EngagementKey.objects.get().master_key_id == crypto.current_master_key().key_id
    assert bytes(note.ciphertext) == ciphertext_before
    assert notes.read_note(note) == "Survives rotation"


def test_crypto_shredding_makes_the_notes_unreadable(engagement_a: Engagement) -> None:
    note = notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="Gone for good")
    ciphertext = bytes(note.ciphertext)

    destroyed = destroy_private_notes(engagements=[engagement_a], by=None)[engagement_a.pk]

    assert destroyed == 1
    assert not EngagementKey.objects.exists()
    with pytest.raises(crypto.NotesKeyError):
        # even a copy of the ciphertext (a backup) cannot be opened without the data key
        crypto.decrypt_note(os.urandom(32), engagement_a.pk, ciphertext, note=note.uid, version=note.version)


def test_a_ciphertext_moved_to_another_engagement_does_not_open(
    engagement_a: Engagement, engagement_b: Engagement
) -> None:
    note = notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text="Bound to A")
    notes.write_note(engagement=engagement_b, author=engagement_b.enabler, text="Bound to B")
    wrapped_b = EngagementKey.objects.get(engagement=engagement_b)
    key_b = crypto.unwrap(engagement_b.pk, wrapped_b.master_key_id, bytes(wrapped_b.wrapped_key))

    with pytest.raises(crypto.NotesKeyError):
        crypto.decrypt_note(key_b, engagement_b.pk, note.ciphertext, note=note.uid, version=note.version)


def test_a_long_list_of_notes_comes_fifty_a_page_newest_first(engagement_a: Engagement) -> None:
    for number in range(51):
        notes.write_note(engagement=engagement_a, author=engagement_a.enabler, text=f"Reflection number {number}")
    client = client_for(engagement_a.enabler)
    url = reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk})

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert first.count('class="nhsuk-card"') == 50 and "Reflection number 50" in first
    assert "Page 2 of 2" in first
    assert second.count('class="nhsuk-card"') == 1 and "Reflection number 0<" in second
