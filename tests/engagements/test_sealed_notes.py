"""Private notes sealed in the enabler's browser (engagements.notes.sealed), from the server's side: what it stores,
what it refuses, and that nothing it holds opens a note. The browser's part is in tests/js (Node's test runner)
and tests/e2e/test_sealed_notes_journey.py (a real browser); `sealing.Browser` plays it here."""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import shutil
import subprocess
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import AuditEvent, Notification, User
from core.errors import NotAllowed
from engagements import notes
from engagements.actions.sessions import log_session
from engagements.forms.notes import NOT_FROM_THE_BROWSER
from engagements.models import Engagement, Session
from engagements.notes import NOTE_LIMIT, EngagementKey, NotesKeyError, NotesKeyring, PrivateNote, crypto
from engagements.notes.sealed import CHANGED_WHILE_SETTING_UP, STALE_KEY
from reporting import subject_access
from retention.actions import apply_schedule
from tests.helpers.people import PASSWORD, client_for
from tests.helpers.sealing import JSON, Browser, b64, passphrase_key, post_sealed_note, set_up_notes, unseal

ROOT = Path(__file__).resolve().parents[2]
QUERIES_OF_A_PAGE_OF_NOTES = 12


def _log_session(engagement: Engagement) -> Session:
    return log_session(
        engagement=engagement,
        by=engagement.enabler,
        held_on=datetime.date.today() - datetime.timedelta(days=1),
        length=Decimal("1"),
        format="one-to-one",
        place="remote",
        participants="",
    )


def test_setting_up_moves_the_existing_notes_into_the_browser_and_the_server_can_open_none(
    engagement_a: Engagement, enabler: User
) -> None:
    first = notes.write_note(engagement=engagement_a, author=enabler, text="An early worry about the board")
    second = notes.write_note(engagement=engagement_a, author=enabler, text="The chair listened today")
    server_key = EngagementKey.objects.get(engagement=engagement_a)
    page = client_for(enabler).get(reverse("engagements:notes_setup"))
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    moving = page.context["payload"]["moving"]
    assert moving == [
        {
            "engagement": engagement_a.pk,
            "notes": [
                {"id": first.pk, "uid": str(first.uid), "version": 1, "text": "An early worry about the board"},
                {"id": second.pk, "uid": str(second.uid), "version": 1, "text": "The chair listened today"},
            ],
        }
    ]

    browser = set_up_notes(enabler)

    keyring = NotesKeyring.objects.get(owner=enabler)
    assert keyring.key_id == browser.key_id and keyring.iterations == 600_000
    key = EngagementKey.objects.get(engagement=engagement_a)
    assert (key.master_key_id, key.notes_key_id) == ("", browser.key_id)
    assert bytes(key.wrapped_key) != bytes(server_key.wrapped_key)
    assert browser.open_data_key(engagement_a.pk, bytes(key.wrapped_key)) == browser.data_keys[engagement_a.pk]
    for note, words in ((first, "An early worry about the board"), (second, "The chair listened today")):
        stored = PrivateNote.objects.get(pk=note.pk)
        assert stored.version == 2  # written once by the server, sealed again by the browser
        assert browser.open_note(engagement_a.pk, bytes(stored.ciphertext), stored.uid, stored.version) == words
        with pytest.raises(NotesKeyError, match="sealed in your browser"):
            notes.read_note(stored)
    # Nothing the operator holds opens the new data key: not the master key, not the old wrapped key's unwrap.
    for master in crypto.master_keys():
        with pytest.raises(NotesKeyError):
            crypto.unwrap(engagement_a.pk, master.key_id, bytes(key.wrapped_key))
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.SEALED_PRIVATE_NOTES_IN_THE_BROWSER)
    assert (event.actor, event.detail) == (enabler, {"count": 2})
    assert Notification.objects.filter(recipient=enabler, subject="Your private notes are now sealed in your browser")


def test_the_passphrase_alone_opens_the_stored_notes_key_and_the_recovery_key_alone_opens_the_other(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    keyring = NotesKeyring.objects.get(owner=enabler)
    bound = f"alongside:notes-key:{enabler.pk}"

    derived = passphrase_key(browser.passphrase, bytes(keyring.salt), keyring.iterations)
    assert unseal(derived, bytes(keyring.wrapped_by_passphrase), bound) == browser.notes_key
    assert unseal(browser.recovery, bytes(keyring.wrapped_by_recovery_key), bound) == browser.notes_key
    with pytest.raises(InvalidTag):
        unseal(
            passphrase_key("another passphrase", bytes(keyring.salt), 600_000),
            bytes(keyring.wrapped_by_passphrase),
            bound,
        )
    for master in crypto.master_keys():
        with pytest.raises(InvalidTag):
            unseal(master.key, bytes(keyring.wrapped_by_passphrase), bound)


@pytest.mark.parametrize(
    "change",
    ["a note left out", "a note of another engagement added", "a note twice", "a note changed in another tab since"],
)
def test_setting_up_with_notes_that_are_not_the_authors_as_they_stand_changes_nothing(
    engagement_a: Engagement, engagement_b: Engagement, enabler: User, change: str
) -> None:
    kept = notes.write_note(engagement=engagement_a, author=enabler, text="Kept as it was")
    other = notes.write_note(engagement=engagement_b, author=engagement_b.enabler, text="Another author's")
    browser = Browser(owner=enabler.pk, passphrase="a notes passphrase for tests")
    moving = [
        {"engagement": engagement_a.pk, "notes": [{"id": kept.pk, "uid": str(kept.uid), "version": 1, "text": "x"}]}
    ]
    if change == "a note left out":
        moving[0]["notes"] = []
    elif change == "a note of another engagement added":
        moving.append(
            {
                "engagement": engagement_b.pk,
                "notes": [{"id": other.pk, "uid": str(other.uid), "version": 1, "text": "x"}],
            }
        )
    elif change == "a note changed in another tab since":
        notes.rewrite_note(note=kept, by=enabler, text="Kept as it was")
    fields = browser.set_up(moving)
    if change == "a note twice":
        moved = json.loads(fields["moved"])
        moved[0]["notes"].append(moved[0]["notes"][0])
        fields["moved"] = json.dumps(moved)

    answer = client_for(enabler).post(reverse("engagements:notes_setup"), fields, **JSON)

    assert answer.status_code == 400
    # A note twice is not something a browser makes; the others are notes that changed while setting up.
    expected = NOT_FROM_THE_BROWSER if change == "a note twice" else CHANGED_WHILE_SETTING_UP
    assert answer.json()["errors"] == [expected]
    assert not NotesKeyring.objects.exists()
    assert notes.read_note(PrivateNote.objects.get(pk=kept.pk)) == "Kept as it was"
    assert EngagementKey.objects.get(engagement=engagement_a).master_key_id != ""


def test_a_weak_stretch_or_bytes_no_browser_makes_are_refused_with_a_message(enabler: User) -> None:
    browser = Browser(owner=enabler.pk, passphrase="a notes passphrase for tests")
    client = client_for(enabler)
    url = reverse("engagements:notes_setup")
    weak = client.post(url, browser.set_up(iterations=100_000), **JSON)
    short_salt = client.post(url, {**browser.set_up(), "salt": b64(b"short")}, **JSON)
    not_base64 = client.post(url, {**browser.set_up(), "wrapped_by_recovery_key": "not base64!"}, **JSON)
    plain_form = client.post(url, {**browser.set_up(), "moved": "{not json"})
    nested = client.post(url, {**browser.set_up(), "moved": "[" * 100_000}, **JSON)

    for answer in (weak, short_salt, not_base64, nested):
        assert answer.status_code == 400
        assert "not what your browser makes" in answer.json()["errors"][0]
    assert plain_form.status_code == 200 and "not what your browser makes" in plain_form.content.decode()
    assert not NotesKeyring.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database holds the floor too
        NotesKeyring.objects.create(
            owner=enabler,
            key_id="0" * 32,
            iterations=1000,
            salt=b"s" * 16,
            wrapped_by_passphrase=b"",
            wrapped_by_recovery_key=b"",
        )


def test_setting_up_twice_is_refused_and_the_page_leads_to_the_passphrase(
    engagement_a: Engagement, enabler: User
) -> None:
    set_up_notes(enabler)
    again = Browser(owner=enabler.pk, passphrase="another passphrase entirely")
    client = client_for(enabler)

    page = client.get(reverse("engagements:notes_setup"))
    posted = client.post(reverse("engagements:notes_setup"), again.set_up(), **JSON)

    assert page.status_code == posted.status_code == 302
    assert page["Location"] == reverse("engagements:notes_passphrase")
    assert NotesKeyring.objects.get(owner=enabler).key_id != again.key_id


def test_writing_and_changing_a_sealed_note_stores_the_browsers_ciphertext_and_nothing_else(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    session = _log_session(engagement_a)

    first = post_sealed_note(client, engagement_a, browser, "Sealed words about the session", session=str(session.pk))
    second = post_sealed_note(client, engagement_a, browser, "A second sealed note")

    assert first.status_code == second.status_code == 200
    key = EngagementKey.objects.get(engagement=engagement_a)
    assert key.notes_key_id == browser.key_id and key.master_key_id == ""
    note = PrivateNote.objects.get(pk=first.json()["note"]["id"])
    assert note.session == session and note.author == enabler
    assert note.version == 1 and str(note.uid) == first.json()["note"]["uid"]
    assert browser.open_note(engagement_a.pk, bytes(note.ciphertext), note.uid, 1) == "Sealed words about the session"
    assert "Sealed words" not in first.content.decode()
    assert first.json()["note"]["about"].startswith("On the session of ")

    changed = client.post(
        reverse("engagements:private_note_edit", args=[note.pk]),
        {
            "key_id": browser.key_id,
            **browser.seal_note(engagement_a.pk, "Changed sealed words", uid=note.uid, version=2),
        },
        **JSON,
    )
    assert changed.status_code == 200
    note.refresh_from_db()
    assert note.version == 2 and changed.json()["note"]["version"] == 2
    assert browser.open_note(engagement_a.pk, bytes(note.ciphertext), note.uid, 2) == "Changed sealed words"

    page = client.get(reverse("engagements:private_note_list", args=[engagement_a.pk]))
    payload = page.context["payload"]
    assert [entry["id"] for entry in payload["notes"]] == [second.json()["note"]["id"], note.pk]
    assert payload["keys"] == {str(engagement_a.pk): b64(bytes(key.wrapped_key))}
    assert "Changed sealed words" not in page.content.decode()


def test_a_stale_key_a_second_data_key_or_another_engagements_session_is_refused(
    engagement_a: Engagement, engagement_b: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    assert post_sealed_note(client, engagement_a, browser, "The first, with its data key").status_code == 200
    url = reverse("engagements:private_note_create", args=[engagement_a.pk])
    other_session = _log_session(engagement_b)

    stale = client.post(url, {"key_id": "f" * 32, **browser.seal_note(engagement_a.pk, "x")}, **JSON)
    second_key = client.post(
        url,
        {
            "key_id": browser.key_id,
            "wrapped_key": browser.new_data_key(engagement_a.pk),
            **browser.seal_note(engagement_a.pk, "x"),
        },
        **JSON,
    )
    foreign_session = client.post(
        url,
        {"key_id": browser.key_id, "session": str(other_session.pk), **browser.seal_note(engagement_a.pk, "x")},
        **JSON,
    )
    not_theirs = client.post(
        reverse("engagements:private_note_create", args=[engagement_b.pk]),
        {"key_id": browser.key_id, **browser.seal_note(engagement_a.pk, "x")},
        **JSON,
    )

    assert stale.status_code == second_key.status_code == 400
    assert stale.json()["errors"] == second_key.json()["errors"] == [STALE_KEY]
    assert foreign_session.status_code == 400
    assert not_theirs.status_code == 404
    assert PrivateNote.objects.count() == 1


def test_a_sealed_note_travels_as_one_value_within_the_sizes_aes_gcm_makes(
    engagement_a: Engagement, enabler: User
) -> None:
    """`sealed` is the nonce, then the ciphertext with its tag: the longest note and the shortest are stored as
    sent; a byte more or less, the nonce and the ciphertext as two fields, or what is not base64 are refused with
    the same words, and store nothing."""
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    assert post_sealed_note(client, engagement_a, browser, "The first, with its data key").status_code == 200
    url = reverse("engagements:private_note_create", args=[engagement_a.pk])

    def post(sealed: bytes | str | None, **extra: str) -> object:
        fields = {"key_id": browser.key_id, **browser.seal_note(engagement_a.pk, "x"), **extra}
        if isinstance(sealed, bytes):
            fields["sealed"] = b64(sealed)
        elif sealed is None:
            del fields["sealed"]
        else:
            fields["sealed"] = sealed
        return client.post(url, fields, **JSON)

    longest = browser.seal_note(engagement_a.pk, "\N{GRINNING FACE}" * NOTE_LIMIT)["sealed"]
    shortest = browser.seal_note(engagement_a.pk, "x")["sealed"]
    two_fields = base64.b64decode(shortest)
    refused = {
        "a byte more than the longest": post(os.urandom(len(base64.b64decode(longest)) + 1)),
        "a nonce and a tag with nothing sealed": post(os.urandom(12 + 16)),
        "as two fields": post(None, nonce=b64(two_fields[:12]), ciphertext=b64(two_fields[12:])),
        "not base64": post("not base64!"),
        "empty": post(""),
    }
    stored = {"longest": post(longest), "shortest": post(shortest)}

    assert len(base64.b64decode(longest)) == 12 + NOTE_LIMIT * 4 + 16
    assert len(base64.b64decode(shortest)) == 12 + 1 + 16
    for why, answer in refused.items():
        assert answer.status_code == 400, why
        assert answer.json()["errors"] == [NOT_FROM_THE_BROWSER], why
    for why, answer in stored.items():
        assert answer.status_code == 200, why
    sent = {base64.b64decode(longest), base64.b64decode(shortest)}
    assert {bytes(note.ciphertext) for note in PrivateNote.objects.all()} >= sent
    assert PrivateNote.objects.count() == 3


def test_the_server_never_seals_a_note_for_an_author_whose_notes_are_in_their_browser(
    engagement_a: Engagement, enabler: User
) -> None:
    set_up_notes(enabler)
    client = client_for(enabler)

    with pytest.raises(NotAllowed, match="sealed in your browser"):
        notes.write_note(engagement=engagement_a, author=enabler, text="Through the server")
    plain = client.post(reverse("engagements:private_note_create", args=[engagement_a.pk]), {"text": "Plain words"})
    form = client.get(reverse("engagements:session_create", args=[engagement_a.pk]))

    assert plain.status_code == 200 and "not what your browser makes" in plain.content.decode()
    assert "private_note" not in form.context["form"].fields
    assert "write your note about it on" in form.content.decode()
    assert not PrivateNote.objects.exists()
    assert not EngagementKey.objects.exists()


def test_a_new_passphrase_wraps_the_same_key_and_touches_no_note(engagement_a: Engagement, enabler: User) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    post_sealed_note(client, engagement_a, browser, "Untouched by a passphrase")
    before = bytes(PrivateNote.objects.get().ciphertext)
    mail.outbox.clear()

    changed = client.post(reverse("engagements:notes_passphrase"), browser.wrapping("the second passphrase"), **JSON)
    stale = client.post(
        reverse("engagements:notes_passphrase"), {**browser.wrapping("a third"), "key_id": "e" * 32}, **JSON
    )

    assert changed.status_code == 200 and stale.status_code == 400
    keyring = NotesKeyring.objects.get(owner=enabler)
    derived = passphrase_key("the second passphrase", bytes(keyring.salt), keyring.iterations)
    assert (
        unseal(derived, bytes(keyring.wrapped_by_passphrase), f"alongside:notes-key:{enabler.pk}") == browser.notes_key
    )
    assert bytes(PrivateNote.objects.get().ciphertext) == before
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CHANGED_THE_NOTES_PASSPHRASE, actor=enabler).count() == 1
    assert Notification.objects.filter(recipient=enabler, subject="Your notes passphrase was changed").count() == 1


def test_rotating_the_master_key_leaves_keys_sealed_in_a_browser_alone(
    engagement_a: Engagement, engagement_b: Engagement, enabler: User, settings: object
) -> None:
    notes.write_note(engagement=engagement_b, author=engagement_b.enabler, text="Sealed by the server")
    browser = set_up_notes(enabler)
    post_sealed_note(client_for(enabler), engagement_a, browser, "Sealed in the browser")
    sealed_before = bytes(EngagementKey.objects.get(engagement=engagement_a).wrapped_key)
    settings.NOTES_MASTER_KEYS = [crypto.generate_master_key(), *settings.NOTES_MASTER_KEYS]

    rewrapped, unchanged, _ = notes.rotate_master_key()

    assert (rewrapped, unchanged) == (1, 0)
    assert bytes(EngagementKey.objects.get(engagement=engagement_a).wrapped_key) == sealed_before
    assert notes.read_note(PrivateNote.objects.get(engagement=engagement_b)) == "Sealed by the server"


def test_the_retention_task_destroys_sealed_notes_on_time_without_a_key(
    engagement_a: Engagement, enabler: User, settings: object
) -> None:
    browser = set_up_notes(enabler)
    post_sealed_note(client_for(enabler), engagement_a, browser, "To be destroyed")
    Engagement.objects.filter(pk=engagement_a.pk).update(
        state=Engagement.State.CLOSED,
        closed_on=timezone.localdate() - datetime.timedelta(days=settings.NOTES_RETENTION_DAYS + 1),
    )

    run = apply_schedule()

    assert run.destroyed["private_notes"] == 1
    assert not PrivateNote.objects.exists() and not EngagementKey.objects.exists()
    assert NotesKeyring.objects.filter(owner=enabler).exists()  # the enabler's key stays: other notes use it
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.DESTROYED_PRIVATE_NOTES)
    assert event.detail == {"count": 1}
    refused = post_sealed_note(client_for(enabler), Engagement.objects.get(pk=engagement_a.pk), browser, "After")
    assert refused.status_code == 400 and "destroyed" in refused.json()["errors"][0]
    assert not PrivateNote.objects.exists()


def test_the_subject_access_export_carries_sealed_notes_as_ciphertext_only(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    post_sealed_note(client_for(enabler), engagement_a, browser, "Words only the author opens")

    records = subject_access.collect(enabler, include_private_notes=True)
    zipped = subject_access.export_person(enabler, include_private_notes=True)

    (row,) = records["private_notes"]
    assert row["sealed_in_browser"] is True and row["text"] == ""
    note = PrivateNote.objects.get()
    opened = browser.open_note(engagement_a.pk, base64.b64decode(row["ciphertext"]), note.uid, note.version)
    assert opened == "Words only the author opens"
    assert b"Words only the author opens" not in zipped
    readme = zipfile.ZipFile(io.BytesIO(zipped)).read("README.txt").decode()
    assert "as ciphertext" in readme and "Download your notes" in readme


def test_the_download_page_carries_ciphertexts_and_keys_for_the_browser_to_open(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    post_sealed_note(client, engagement_a, browser, "Downloaded in the browser")

    page = client.get(reverse("engagements:private_notes_download"))

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    payload = page.context["payload"]
    (entry,) = payload["notes"]
    data_key = browser.open_data_key(engagement_a.pk, base64.b64decode(payload["keys"][str(engagement_a.pk)]))
    assert data_key == browser.data_keys[engagement_a.pk]
    assert payload["sites"] == {str(engagement_a.pk): engagement_a.site.name}
    assert entry["engagement"] == engagement_a.pk
    opened = browser.open_note(engagement_a.pk, base64.b64decode(entry["sealed"]), entry["uid"], entry["version"])
    assert opened == "Downloaded in the browser"
    assert "Downloaded in the browser" not in page.content.decode()


def test_a_page_of_sealed_notes_costs_the_same_queries_for_one_note_or_fifty(
    engagement_a: Engagement, enabler: User
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    url = reverse("engagements:private_note_list", args=[engagement_a.pk])
    post_sealed_note(client, engagement_a, browser, "One")
    client.get(url)

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(49):
        post_sealed_note(client, engagement_a, browser, f"Note {number}")
    with CaptureQueriesContext(connection) as fifty:
        client.get(url)

    assert len(fifty) == len(one) <= QUERIES_OF_A_PAGE_OF_NOTES


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_what_the_real_script_seals_is_what_the_server_expects(enabler: User) -> None:
    """Node runs static/alongside/notes-crypto.js itself: its keyring and note are opened here with the standard
    primitives and the passphrase, which shows the formats are the documented ones; the master key opens nothing."""
    script = """
      const notes = require(process.argv[1]);
      (async () => {
        const made = await notes.createKeyring(Number(process.argv[2]), 'a passphrase from node');
        const { dataKey, wrappedKey } = await notes.createDataKey(made.notesKey, 41);
        const uid = notes.newNoteId();
        const sealed = await notes.sealNote(dataKey, 41, 'Words sealed by the real script', { uid, version: 3 });
        console.log(JSON.stringify({ stored: made.stored, wrappedKey, sealed, uid }));
      })();
    """
    run = subprocess.run(
        ["node", "-e", script, str(ROOT / "static/alongside/notes-crypto.js"), str(enabler.pk)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    made = json.loads(run.stdout)
    stored = made["stored"]

    derived = passphrase_key("a passphrase from node", base64.b64decode(stored["salt"]), stored["iterations"])
    notes_key = unseal(derived, base64.b64decode(stored["wrapped_by_passphrase"]), f"alongside:notes-key:{enabler.pk}")
    data_key = unseal(notes_key, base64.b64decode(made["wrappedKey"]), "alongside:engagement-key:41")
    sealed = base64.b64decode(made["sealed"])  # one value, as the server stores it: the nonce, then the rest
    uid = made["uid"]
    assert uid == str(uuid.UUID(uid)) and uuid.UUID(uid).version == 4  # spelled as the server spells it
    assert unseal(data_key, sealed, f"alongside:private-note:41:{uid}:3") == b"Words sealed by the real script"
    assert crypto.note_context(41, uuid.UUID(uid), 3) == f"alongside:private-note:41:{uid}:3".encode()
    assert stored["iterations"] >= 600_000
    for master in crypto.master_keys():
        with pytest.raises(NotesKeyError):
            crypto.unwrap(41, master.key_id, base64.b64decode(made["wrappedKey"]))


def test_only_an_enabler_sets_up(site_lead: User, programme_lead: User, administrator: User) -> None:
    for person in (site_lead, programme_lead, administrator):
        assert client_for(person).get(reverse("engagements:notes_setup")).status_code == 404
        assert client_for(person).post(reverse("engagements:notes_setup"), {}).status_code == 404
    assert not NotesKeyring.objects.exists()


def test_a_note_sent_on_an_old_session_form_is_shown_back_with_a_message_and_not_saved(
    engagement_a: Engagement, enabler: User
) -> None:
    set_up_notes(enabler)
    day = datetime.date.today() - datetime.timedelta(days=1)

    answer = client_for(enabler).post(
        reverse("engagements:session_create", args=[engagement_a.pk]),
        {
            "held_on_day": day.day,
            "held_on_month": day.month,
            "held_on_year": day.year,
            "length": "1",
            "format": "one-to-one",
            "place": "remote",
            "private_note": "Typed before the notes were sealed",
        },
    )

    assert answer.status_code == 200
    assert "so this note cannot be saved from here" in answer.content.decode()
    assert "Typed before the notes were sealed" in answer.content.decode()  # shown back, not lost
    assert not Session.objects.exists() and not PrivateNote.objects.exists()


# Confirming it is you: setting up and changing the passphrase ask for a recent password ---------------------------


def _signed_in_an_hour_ago(person: User, time_machine: object) -> object:
    """A session whose password was entered at 09:00 and that was in use since (so not signed out as idle): now
    10:00, well past the few minutes in which a change needs no second password."""
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = client_for(person)
    for now in ("09:20", "09:40", "10:00"):
        time_machine.move_to(f"2026-11-26 {now}", tick=False)
        assert client.get(reverse("home")).status_code == 200
    return client


def test_setting_up_from_a_session_signed_in_an_hour_ago_asks_to_confirm_it_is_you(
    enabler: User, time_machine: object
) -> None:
    client = _signed_in_an_hour_ago(enabler, time_machine)

    asked = client.get(reverse("engagements:notes_setup"))
    confirmed = client.post(asked["Location"], {"password": PASSWORD})

    assert asked.status_code == 302
    assert asked["Location"] == (
        f"{reverse('accounts:reauthenticate')}?{urlencode({'next': reverse('engagements:notes_setup')})}"
    )
    assert confirmed["Location"] == reverse("engagements:notes_setup")
    assert client.get(reverse("engagements:notes_setup")).status_code == 200


def test_setting_up_sent_by_the_page_without_a_recent_password_is_refused_in_words_and_seals_nothing(
    engagement_a: Engagement, enabler: User, time_machine: object
) -> None:
    note = notes.write_note(engagement=engagement_a, author=enabler, text="Still the server's to open")
    browser = Browser(owner=enabler.pk, passphrase="a passphrase someone else chose")
    moving = [
        {
            "engagement": engagement_a.pk,
            "notes": [{"id": note.pk, "uid": str(note.uid), "version": 1, "text": "Still the server's to open"}],
        }
    ]
    client = _signed_in_an_hour_ago(enabler, time_machine)

    answer = client.post(reverse("engagements:notes_setup"), browser.set_up(moving), **JSON)
    plain = client.post(reverse("engagements:notes_setup"), browser.set_up(moving))

    assert answer.status_code == 403
    assert answer.json()["code"] == "reauthentication_required"
    assert answer.json()["errors"][0].startswith("For your security, confirm it is you first")
    assert answer.json()["confirm"].startswith(reverse("accounts:reauthenticate"))
    assert plain.status_code == 302 and plain["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not NotesKeyring.objects.exists()
    assert EngagementKey.objects.get(engagement=engagement_a).master_key_id
    assert notes.read_note(PrivateNote.objects.get(pk=note.pk)) == "Still the server's to open"


@pytest.mark.parametrize("unlocked_with", ["the current passphrase", "the recovery key"])
def test_a_new_passphrase_sent_without_a_recent_password_is_refused_and_the_old_one_still_unlocks(
    enabler: User, time_machine: object, unlocked_with: str
) -> None:
    # The browser unlocks with either; the server sees the same request, so both are covered by one refusal.
    time_machine.move_to("2026-11-26 08:50", tick=False)
    browser = set_up_notes(enabler)
    before = NotesKeyring.objects.get(owner=enabler)
    client = _signed_in_an_hour_ago(enabler, time_machine)
    mail.outbox.clear()

    page = client.get(reverse("engagements:notes_passphrase"))
    answer = client.post(reverse("engagements:notes_passphrase"), browser.wrapping("an intruder's passphrase"), **JSON)

    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:reauthenticate"))
    assert answer.status_code == 403 and answer.json()["code"] == "reauthentication_required"
    after = NotesKeyring.objects.get(owner=enabler)
    assert bytes(after.wrapped_by_passphrase) == bytes(before.wrapped_by_passphrase)
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.CHANGED_THE_NOTES_PASSPHRASE).exists()
    assert not mail.outbox


def test_a_changed_passphrase_is_told_to_the_enabler_by_email_without_a_word_of_their_notes(
    engagement_a: Engagement, enabler: User, django_capture_on_commit_callbacks: object
) -> None:
    browser = set_up_notes(enabler)
    client = client_for(enabler)
    post_sealed_note(client, engagement_a, browser, "A worry about the chair nobody else may read")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engagements:notes_passphrase"), browser.wrapping("the second passphrase"), **JSON)

    (sent,) = mail.outbox
    assert sent.to == [enabler.email] and sent.subject == "Your notes passphrase was changed"
    assert "passphrase that unlocks your private notes was changed" in sent.body
    assert "chair" not in sent.body and "worry" not in sent.body
