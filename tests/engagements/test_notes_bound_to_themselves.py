"""A private note's sealing is bound to its own id and version as well as to its engagement (engagements.notes.crypto
and static/alongside/notes-crypto.js): someone holding the database who swaps two notes' stored words, or puts a
note's earlier words back, gets a note that does not open, with words that say why, never the wrong words. Notes
sealed before this (version 0) still open, and are bound anew on their next write or by `rebind_private_notes`."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from engagements import notes
from engagements.models import Engagement
from engagements.notes import EngagementKey, NotesKeyError, PrivateNote, crypto
from engagements.notes.sealed import STALE_NOTE
from tests.helpers.people import client_for
from tests.helpers.sealing import JSON, note_bound_to, post_sealed_note, seal, set_up_notes, unseal


def _data_key(engagement: Engagement) -> bytes:
    key = EngagementKey.objects.get(engagement=engagement)
    return crypto.unwrap(engagement.pk, key.master_key_id, bytes(key.wrapped_key))


def _older(note: PrivateNote, text: str, data_key: bytes) -> None:
    """The note as it was stored before notes were bound to themselves: bound to its engagement alone."""
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(data_key).encrypt(
        nonce, text.encode(), f"alongside:private-note:{note.engagement_id}".encode()
    )
    PrivateNote.objects.filter(pk=note.pk).update(ciphertext=sealed, version=0)


def test_two_notes_whose_stored_words_are_swapped_in_the_database_do_not_open(
    engagement_a: Engagement, enabler: User
) -> None:
    first = notes.write_note(engagement=engagement_a, author=enabler, text="Worried about the chair")
    second = notes.write_note(engagement=engagement_a, author=enabler, text="The board is ready")

    PrivateNote.objects.filter(pk=first.pk).update(ciphertext=bytes(second.ciphertext))
    PrivateNote.objects.filter(pk=second.pk).update(ciphertext=bytes(first.ciphertext))

    for note in (first, second):
        with pytest.raises(NotesKeyError, match="not sealed for this note as it stands"):
            notes.read_note(PrivateNote.objects.select_related("engagement").get(pk=note.pk))
    page = client_for(enabler).get(reverse("engagements:private_note_list", args=[engagement_a.pk])).content.decode()
    assert "not sealed for this note as it stands" in page
    assert "Worried about the chair" not in page and "The board is ready" not in page


def test_a_note_whose_earlier_words_are_put_back_in_the_database_does_not_open(
    engagement_a: Engagement, enabler: User
) -> None:
    note = notes.write_note(engagement=engagement_a, author=enabler, text="First thoughts")
    earlier = bytes(note.ciphertext)
    notes.rewrite_note(note=note, by=enabler, text="Second thoughts, after the board")

    PrivateNote.objects.filter(pk=note.pk).update(ciphertext=earlier)

    with pytest.raises(NotesKeyError, match="put back from an earlier version"):
        notes.read_note(PrivateNote.objects.select_related("engagement").get(pk=note.pk))
    assert PrivateNote.objects.get(pk=note.pk).version == 2


def test_an_older_note_still_opens_and_is_bound_to_itself_on_its_next_write(
    engagement_a: Engagement, enabler: User
) -> None:
    note = notes.write_note(engagement=engagement_a, author=enabler, text="placeholder")
    data_key = _data_key(engagement_a)
    _older(note, "Written before notes were bound to themselves", data_key)
    older = PrivateNote.objects.select_related("engagement").get(pk=note.pk)
    assert notes.read_note(older) == "Written before notes were bound to themselves"

    notes.rewrite_note(note=older, by=enabler, text="Written again")

    stored = PrivateNote.objects.select_related("engagement").get(pk=note.pk)
    assert stored.version == 1
    assert notes.read_note(stored) == "Written again"
    context = crypto.note_context(engagement_a.pk, stored.uid, 1)
    assert AESGCM(data_key).decrypt(stored.ciphertext[:12], stored.ciphertext[12:], context) == b"Written again"


def test_the_command_binds_every_older_note_the_server_seals_and_leaves_browser_sealed_ones_to_their_browser(
    engagement_a: Engagement, engagement_b: Engagement, enabler: User, other_enabler: User
) -> None:
    # The enabler's notes are sealed by the server; the other enabler's in their browser.
    first = notes.write_note(engagement=engagement_a, author=enabler, text="placeholder")
    second = notes.write_note(engagement=engagement_a, author=enabler, text="placeholder")
    data_key = _data_key(engagement_a)
    _older(first, "One older note", data_key)
    _older(second, "Another older note", data_key)
    browser = set_up_notes(other_enabler)
    post_sealed_note(client_for(other_enabler), engagement_b, browser, "placeholder")
    theirs = PrivateNote.objects.get(engagement=engagement_b)
    theirs_older = seal(
        browser.data_keys[engagement_b.pk], b"Sealed in a browser", f"alongside:private-note:{engagement_b.pk}"
    )
    PrivateNote.objects.filter(pk=theirs.pk).update(ciphertext=theirs_older, version=0)
    said = io.StringIO()

    call_command("rebind_private_notes", stdout=said)
    again = io.StringIO()
    call_command("rebind_private_notes", stdout=again)

    for note, words in ((first, "One older note"), (second, "Another older note")):
        stored = PrivateNote.objects.select_related("engagement").get(pk=note.pk)
        assert stored.version == 1 and notes.read_note(stored) == words
        with pytest.raises(NotesKeyError):
            crypto.decrypt_note(data_key, engagement_a.pk, bytes(stored.ciphertext), note=stored.uid, version=0)
    untouched = PrivateNote.objects.get(pk=theirs.pk)
    assert (untouched.version, bytes(untouched.ciphertext)) == (0, theirs_older)
    assert "Bound 2 private note(s)" in said.getvalue() and "1 older note(s) sealed in browsers" in said.getvalue()
    assert "Bound 0 private note(s)" in again.getvalue()


def test_a_browser_sealed_note_is_changed_only_for_its_next_version(engagement_a: Engagement, enabler: User) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    note = PrivateNote.objects.get(
        pk=post_sealed_note(client, engagement_a, browser, "First words").json()["note"]["id"]
    )
    url = reverse("engagements:private_note_edit", args=[note.pk])

    again = client.post(
        url, {"key_id": browser.key_id, **browser.seal_note(engagement_a.pk, "x", uid=note.uid)}, **JSON
    )
    skipped = client.post(
        url, {"key_id": browser.key_id, **browser.seal_note(engagement_a.pk, "x", uid=note.uid, version=3)}, **JSON
    )
    rebinding_a_newer_note = client.post(
        url,
        {"key_id": browser.key_id, "rebind": "1", **browser.seal_note(engagement_a.pk, "x", uid=note.uid, version=2)},
        **JSON,
    )

    assert again.json()["errors"] == skipped.json()["errors"] == rebinding_a_newer_note.json()["errors"] == [STALE_NOTE]
    stored = PrivateNote.objects.get(pk=note.pk)
    assert stored.version == 1
    assert browser.open_note(engagement_a.pk, bytes(stored.ciphertext), stored.uid, 1) == "First words"


def test_an_older_browser_sealed_note_is_bound_anew_by_its_browser_without_counting_as_a_change(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    note = PrivateNote.objects.get(
        pk=post_sealed_note(client, engagement_a, browser, "placeholder").json()["note"]["id"]
    )
    older = seal(browser.data_keys[engagement_a.pk], b"Sealed long ago", f"alongside:private-note:{engagement_a.pk}")
    PrivateNote.objects.filter(pk=note.pk).update(ciphertext=older, version=0)
    page = client.get(reverse("engagements:private_note_list", args=[engagement_a.pk]))
    (listed,) = page.context["payload"]["notes"]
    assert (listed["uid"], listed["version"]) == (str(note.uid), 0)
    assert browser.open_note(engagement_a.pk, older, listed["uid"], 0) == "Sealed long ago"

    rebound = client.post(
        listed["edit"],
        {
            "key_id": browser.key_id,
            "rebind": "1",
            **browser.seal_note(engagement_a.pk, "Sealed long ago", uid=note.uid),
        },
        **JSON,
    )

    assert rebound.status_code == 200 and rebound.json()["note"]["version"] == 1
    stored = PrivateNote.objects.get(pk=note.pk)
    assert stored.updated_at == note.updated_at  # the same words, bound anew: not a change of the note
    assert (
        unseal(
            browser.data_keys[engagement_a.pk],
            bytes(stored.ciphertext),
            note_bound_to(engagement_a.pk, str(note.uid), 1),
        )
        == b"Sealed long ago"
    )


def test_a_new_browser_sealed_note_keeps_the_id_its_browser_bound_and_the_same_id_twice_is_refused(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    fields = {"key_id": browser.key_id, "wrapped_key": browser.new_data_key(engagement_a.pk)}
    fields.update(browser.seal_note(engagement_a.pk, "Bound to the id the browser chose"))
    url = reverse("engagements:private_note_create", args=[engagement_a.pk])

    first = client.post(url, fields, **JSON)
    twice = client.post(url, {k: v for k, v in fields.items() if k != "wrapped_key"}, **JSON)
    upper = client.post(
        url,
        {**browser.seal_note(engagement_a.pk, "x"), "key_id": browser.key_id, "uid": str(uuid.uuid4()).upper()},
        **JSON,
    )

    assert first.status_code == 200 and first.json()["note"]["uid"] == fields["uid"]
    assert twice.json()["errors"] == [STALE_NOTE]
    assert upper.status_code == 400  # not the spelling both sides bind
    assert PrivateNote.objects.get().uid == uuid.UUID(fields["uid"])
