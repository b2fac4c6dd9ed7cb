"""Private notes sealed in the enabler's browser, in a real browser, with every request it sends recorded.

The enabler has one note the server sealed. By keyboard alone, they set up a notes passphrase (errors first), keep
the recovery key, and their old note moves into the browser's keeping. They unlock (a wrong passphrase first),
write a note with a canary (an empty one first), change it, change the passphrase, and download their notes. Not one
request the browser sent holds the canary, plain, URL-encoded or in base64; no column of the database holds it; the
server's master key opens nothing. After signing out and in, the new passphrase opens the notes; the recovery key
sets another. The notes lock after 30 minutes idle (keeping an unsaved draft, sealed, for after unlocking) and when
the enabler signs out in another tab. Without JavaScript, the page says why the notes cannot open. Setting up an hour
after the password was entered asks to confirm it is you first, and the page keeps its recovery key meanwhile.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse

from accounts.models import AccountSession, AuditEvent
from accounts.sessions import SessionStore
from accounts.signals import REAUTHENTICATED_AT
from engagements import notes
from engagements.models import Engagement
from engagements.notes import EngagementKey, NotesKeyError, NotesKeyring, PrivateNote, crypto
from tests.helpers.sealing import Browser, seal
from tests.helpers.sweeps import tables_holding

CANARY = "Kestrel-canary-9W4Z"
OLD = "Heron-canary-2M8P: the board's chair spoke over the director twice"
FIRST = "Passphrase one, for the kestrel notes"
SECOND = "Passphrase two, changed on a Tuesday"
THIRD = "Passphrase three, set with the recovery key"


def variants(secret: str) -> list[bytes]:
    """The secret as a request might carry it: plain, URL-encoded both ways, and in base64 at each of the three
    alignments a longer text could put it at (the middle of each, which does not depend on what surrounds it)."""
    found = [secret.encode(), quote(secret).encode(), quote_plus(secret).encode()]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret.encode())
        found.append(encoded[4 : len(encoded) - 4])
    return found


def carries(body: bytes, secret: str) -> bool:
    return any(variant in body for variant in variants(secret))


def plaintext_anywhere(secret: str) -> list[str]:
    return tables_holding(lambda raw: carries(raw, secret))


def recording(person: object) -> list[tuple[str, bytes]]:
    sent: list[tuple[str, bytes]] = []
    person.page.context.on("request", lambda request: sent.append((request.url, request.post_data_buffer or b"")))
    return sent


def unlock(person: object, passphrase: str, label: str) -> None:
    person.fill("#unlock-passphrase", passphrase)
    person.click("[data-notes-unlock] button[type=submit]")
    person.page.locator("[data-notes-unlocked]").wait_for(state="visible", timeout=20_000)
    person.look(label)


def wrong_passphrase(person: object, label: str) -> None:
    person.fill("#unlock-passphrase", "not the passphrase at all")
    person.click("[data-notes-unlock] button[type=submit]")
    person.page.locator("[data-notes-errors]").wait_for(state="visible", timeout=20_000)
    assert "That passphrase does not unlock your notes" in person.text()
    person.look(label)


def shows_error(person: object, words: str, label: str) -> None:
    person.page.locator("[data-notes-errors]").wait_for(state="visible")
    assert words in person.page.locator("[data-notes-errors]").inner_text()
    person.look(label)


def saved(person: object, label: str) -> None:
    person.page.locator("[data-notes-saved]").wait_for(state="visible", timeout=20_000)
    person.look(label)


@pytest.mark.django_db(transaction=True)
def test_notes_sealed_in_the_browser_never_leave_it_in_the_clear(
    people: object, engagement_a: Engagement, enabler: object
) -> None:
    old_note = notes.write_note(engagement=engagement_a, author=enabler, text=OLD)
    server_key = EngagementKey.objects.get(engagement=engagement_a)
    person = people(enabler, "enabler", keyboard_only=True)
    sent = recording(person)
    list_path = reverse("engagements:private_note_list", args=[engagement_a.pk])

    # Setting up, with errors first. The old note moves.
    person.go(list_path, "private notes, sealed by the server")
    with person.page.expect_navigation():
        person.click("a:has-text('Seal your notes in your browser')")
    person.look("set up a notes passphrase")
    assert "If you lose both your passphrase and your recovery key" in person.text()
    assert "not your sign-in password" in person.text()
    person.fill("#new-passphrase", "too short")
    person.click("[data-notes-choose] button[type=submit]")
    shows_error(person, "at least 12 characters", "set up: passphrase too short")
    person.fill("#new-passphrase", FIRST)
    person.fill("#confirm-passphrase", FIRST + "!")
    person.click("[data-notes-choose] button[type=submit]")
    shows_error(person, "not the same", "set up: passphrases differ")
    person.fill("#confirm-passphrase", FIRST)
    person.click("[data-notes-choose] button[type=submit]")
    person.page.locator("[data-notes-keep]").wait_for(state="visible", timeout=20_000)
    recovery_key = person.page.locator("[data-notes-recovery-key]").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-7]{4}-){12}[A-Z2-7]{4}", recovery_key)
    person.look("set up: the recovery key")
    person.click("[data-notes-keep] button[type=submit]")
    shows_error(person, "Tick to say you have kept your recovery key", "set up: recovery key not kept")
    person.click("#kept-recovery-key")
    with person.page.expect_navigation(timeout=20_000):
        person.click("[data-notes-keep] button[type=submit]")
    person.look("notes passphrase, just set up")
    assert "Your private notes are now sealed in your browser. 1 existing note was sealed again." in person.text()

    keyring = NotesKeyring.objects.get(owner=enabler)
    assert keyring.iterations >= 600_000
    key = EngagementKey.objects.get(engagement=engagement_a)
    assert key.master_key_id == "" and key.notes_key_id == keyring.key_id
    assert bytes(key.wrapped_key) != bytes(server_key.wrapped_key)
    moved = PrivateNote.objects.get(pk=old_note.pk)
    assert bytes(moved.ciphertext) != bytes(old_note.ciphertext)
    assert moved.version == 2  # sealed again by the browser, bound to the note's next version
    with pytest.raises(NotesKeyError):
        notes.read_note(moved)
    for master in crypto.master_keys():  # the operator's master key opens neither the data key nor the note
        with pytest.raises(NotesKeyError):
            crypto.unwrap(engagement_a.pk, master.key_id, bytes(key.wrapped_key))
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.SEALED_PRIVATE_NOTES_IN_THE_BROWSER).count() == 1

    # Unlocking (a wrong passphrase first); writing (an empty note first) and changing a note.
    person.go(list_path, "private notes, locked")
    wrong_passphrase(person, "private notes: a wrong passphrase")
    unlock(person, FIRST, "private notes, unlocked")
    assert OLD in person.text()
    person.click("[data-notes-write] button[type=submit]")
    shows_error(person, "Write the note before saving it", "private notes: an empty note")
    person.fill("#note-text", f"The director asked for more challenge. {CANARY}")
    person.click("[data-notes-write] button[type=submit]")
    saved(person, "private notes: a note saved")
    written = PrivateNote.objects.filter(author=enabler).exclude(pk=old_note.pk).get()
    person.click(f"#note-{written.pk} button:has-text('Change')")
    person.fill(f"#edit-{written.pk}", "   ")  # typed over the words: only spaces left
    person.click(f"#note-{written.pk} form button[type=submit]")
    shows_error(person, "Write the note before saving it", "private notes: a change left empty")
    person.fill(f"#edit-{written.pk}", f"The director asked for more challenge, and got it. {CANARY}")
    person.click(f"#note-{written.pk} form button[type=submit]")
    saved(person, "private notes: a note changed")
    assert "and got it" in person.text()
    written.refresh_from_db()
    assert written.version == 2

    # Changing the passphrase (a wrong one first); the download, made in the browser.
    person.go(reverse("engagements:notes_passphrase"), "notes passphrase")
    person.fill("#current-passphrase", "not the passphrase at all")
    person.fill("#new-passphrase", SECOND)
    person.fill("#confirm-passphrase", SECOND)
    person.click("[data-notes-change] button[type=submit]")
    shows_error(person, "That passphrase does not unlock your notes", "notes passphrase: a wrong one")
    person.fill("#current-passphrase", FIRST)
    with person.page.expect_navigation(timeout=20_000):
        person.click("[data-notes-change] button[type=submit]")
    person.look("notes passphrase, changed")
    assert "Your notes passphrase is changed." in person.text()

    person.go(reverse("engagements:private_notes_download"), "download your notes")
    with person.page.expect_download(timeout=20_000) as downloading:
        person.fill("#unlock-passphrase", SECOND)
        person.click("[data-notes-unlock] button[type=submit]")
    rows = list(csv.reader(io.StringIO(Path(downloading.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["site", "session date", "written", "note"]
    assert sorted(row[3] for row in rows[1:]) == sorted(
        [OLD, f"The director asked for more challenge, and got it. {CANARY}"]
    )
    saved(person, "download your notes: downloaded")

    # What the browser sent, and what the database holds.
    assert sent, "no request was recorded"
    for url, body in sent:
        for secret in (CANARY, OLD):
            assert not carries(url.encode(), secret), f"{url} carried a note's words"
            assert not carries(body, secret), f"a request to {url} carried a note's words"
    assert plaintext_anywhere(CANARY) == []
    assert plaintext_anywhere(OLD) == []
    # Each note went up as one value, `sealed` (its nonce, then its ciphertext), and is stored exactly as sent.
    changes = [body for url, body in sent if url.endswith(reverse("engagements:private_note_edit", args=[written.pk]))]
    assert b'name="sealed"' in changes[-1] and b'name="nonce"' not in changes[-1]
    assert base64.b64encode(bytes(written.ciphertext)) in changes[-1]
    setting_up = [body for url, body in sent if url.endswith(reverse("engagements:notes_setup")) and body]
    assert b'"sealed":"' + base64.b64encode(bytes(moved.ciphertext)) + b'"' in setting_up[-1]

    # Signing out and in: the new passphrase opens the notes, the first no longer does.
    with person.page.expect_navigation():
        person.click("header button:has-text('Log out')")
    again = people(enabler, "enabler, signed in again")
    again.go(list_path, "private notes, locked again")
    again.fill("#unlock-passphrase", FIRST)
    again.click("[data-notes-unlock] button[type=submit]")
    shows_error(again, "That passphrase does not unlock your notes", "private notes: the old passphrase")
    unlock(again, SECOND, "private notes, unlocked after signing in again")
    assert "and got it" in again.text()

    # The recovery key sets a new passphrase.
    again.go(reverse("engagements:notes_passphrase"), "notes passphrase, to recover")
    again.click("#with-recovery")
    again.fill("#recovery-key", recovery_key.lower().replace("-", " "))
    again.fill("#new-passphrase", THIRD)
    again.fill("#confirm-passphrase", THIRD)
    with again.page.expect_navigation(timeout=20_000):
        again.click("[data-notes-change] button[type=submit]")
    assert "Your notes passphrase is changed." in again.text()
    again.go(list_path, "private notes, after recovering")
    unlock(again, THIRD, "private notes, unlocked with the passphrase the recovery key set")
    assert OLD in again.text()


@pytest.mark.django_db(transaction=True)
def test_sealed_notes_lock_after_30_idle_minutes_and_on_signing_out_elsewhere(
    people: object, browser: object, engagement_a: Engagement, enabler: object
) -> None:
    person = people(enabler, "enabler")
    person.go(reverse("engagements:notes_setup"), "set up, with no notes yet")
    person.fill("#new-passphrase", FIRST)
    person.fill("#confirm-passphrase", FIRST)
    person.click("[data-notes-choose] button[type=submit]")
    person.page.locator("[data-notes-keep]").wait_for(state="visible", timeout=20_000)
    person.click("#kept-recovery-key")
    with person.page.expect_navigation(timeout=20_000):
        person.click("[data-notes-keep] button[type=submit]")
    assert "Your private notes are now sealed in your browser." in person.text()

    list_path = reverse("engagements:private_note_list", args=[engagement_a.pk])
    person.page.clock.install()
    person.go(list_path, "private notes, locked, first use")
    unlock(person, FIRST, "private notes, unlocked, none yet")
    assert "You have no private notes on this engagement." in person.text()
    person.fill("#note-text", "A draft not yet saved")
    person.page.clock.fast_forward("31:00")
    person.page.locator("[data-notes-locked]").wait_for(state="visible")
    assert "locked after 30 minutes without use" in person.text()
    assert "A draft not yet saved" not in person.page.content()
    person.look("private notes, locked after 30 minutes")
    unlock(person, FIRST, "private notes, unlocked again with the draft back")
    assert person.page.input_value("#note-text") == "A draft not yet saved"

    other_tab = person.page.context.new_page()
    other_tab.goto(person.base + reverse("home"))
    with other_tab.expect_navigation():
        other_tab.locator("header button:has-text('Log out')").click()
    person.page.locator("[data-notes-locked]").wait_for(state="visible")
    assert "You signed out, so your notes are locked." in person.text()
    person.look("private notes, locked by signing out in another tab")

    # Signed in again in the other tab, the draft kept through it all is saved from this page.
    other_tab.goto(person.base + reverse("accounts:login"))
    other_tab.fill("#id_username", enabler.email)
    other_tab.fill("#id_password", "a-long-test-password-for-personas")
    with other_tab.expect_navigation():
        other_tab.locator("main button[type=submit]").first.click()
    unlock(person, FIRST, "private notes, unlocked after signing in again elsewhere")
    assert person.page.input_value("#note-text") == "A draft not yet saved"
    person.click("[data-notes-write] button[type=submit]")
    saved(person, "private notes: the kept draft saved")
    assert PrivateNote.objects.filter(author=enabler).count() == 1

    # Without JavaScript the page says why, and nothing is lost.
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(person.base + reverse("accounts:login"))
        page.fill("#id_username", enabler.email)
        page.fill("#id_password", "a-long-test-password-for-personas")
        with page.expect_navigation():
            page.locator("main button[type=submit]").first.click()
        page.goto(person.base + list_path)
        text = page.locator("main").inner_text()
        assert "Your private notes need JavaScript" in text
        assert "Nothing is lost" in text
        assert page.locator("[data-notes-app]").is_hidden()
    finally:
        context.close()
    # axe needs JavaScript to run, so the same page is checked with the notes' script kept from loading instead.
    blocked = people(enabler, "enabler whose browser gets no notes script")
    blocked.page.route("**/alongside/notes.js", lambda route: route.abort())
    blocked.go(list_path, "private notes, sealed, without their script")
    assert "Your private notes need JavaScript" in blocked.text()


def _password_entered_an_hour_ago(user: object) -> None:
    """The person's sessions recorded their password as entered an hour ago, as after an hour at the computer."""
    for row in AccountSession.objects.filter(user=user):
        store = SessionStore(session_key=row.session_key)
        store[REAUTHENTICATED_AT] = float(store[REAUTHENTICATED_AT]) - 3600
        store.save()


@pytest.mark.django_db(transaction=True)
def test_setting_up_after_the_password_went_stale_asks_to_confirm_it_is_you_and_keeps_the_page(
    people: object, engagement_a: Engagement, enabler: object
) -> None:
    person = people(enabler, "enabler")
    person.go(reverse("engagements:notes_setup"), "set up, just signed in")
    person.fill("#new-passphrase", FIRST)
    person.fill("#confirm-passphrase", FIRST)
    person.click("[data-notes-choose] button[type=submit]")
    person.page.locator("[data-notes-keep]").wait_for(state="visible", timeout=20_000)
    recovery_key = person.page.locator("[data-notes-recovery-key]").inner_text().strip()
    person.click("#kept-recovery-key")

    # An hour on: the set-up is refused, in words, with a way to confirm that keeps this page as it is.
    _password_entered_an_hour_ago(enabler)
    person.click("[data-notes-keep] button[type=submit]")
    shows_error(person, "For your security, confirm it is you first", "set up: confirm it is you first")
    assert not NotesKeyring.objects.exists()
    link = person.page.locator("[data-notes-errors] a:has-text('Confirm it is you')")
    assert link.get_attribute("target") == "_blank"
    confirm = person.page.context.new_page()
    confirm.goto(person.base + link.get_attribute("href"))
    confirm.fill("#id_password", "a-long-test-password-for-personas")
    with confirm.expect_navigation():
        confirm.locator("main form[method=post] button[type=submit]").click()
    confirm.close()
    assert person.page.locator("[data-notes-recovery-key]").inner_text().strip() == recovery_key

    with person.page.expect_navigation(timeout=20_000):
        person.click("[data-notes-keep] button[type=submit]")
    assert "Your private notes are now sealed in your browser." in person.text()
    assert NotesKeyring.objects.filter(owner=enabler).exists()

    # The passphrase page itself, opened an hour on, asks first.
    _password_entered_an_hour_ago(enabler)
    person.go(reverse("engagements:notes_passphrase"), "notes passphrase, an hour on")
    assert "Confirm it is you" in person.text()
    assert person.page.url.startswith(person.base + reverse("accounts:reauthenticate"))


@pytest.mark.django_db(transaction=True)
def test_an_older_sealed_note_opens_and_its_browser_binds_it_to_itself(
    people: object, engagement_a: Engagement, enabler: object
) -> None:
    # Sealed in the browser before notes were bound to themselves: version 0, bound to its engagement alone.
    sealing = Browser(owner=enabler.pk, passphrase=FIRST)
    fields = sealing.set_up()
    NotesKeyring.objects.create(
        owner=enabler,
        key_id=sealing.key_id,
        iterations=600_000,
        salt=sealing.salt,
        wrapped_by_passphrase=base64.b64decode(str(fields["wrapped_by_passphrase"])),
        wrapped_by_recovery_key=base64.b64decode(str(fields["wrapped_by_recovery_key"])),
    )
    wrapped = sealing.new_data_key(engagement_a.pk)
    EngagementKey.objects.create(
        engagement=engagement_a, notes_key_id=sealing.key_id, wrapped_key=base64.b64decode(wrapped)
    )
    older = seal(sealing.data_keys[engagement_a.pk], OLD.encode(), f"alongside:private-note:{engagement_a.pk}")
    note = PrivateNote.objects.create(engagement=engagement_a, author=enabler, version=0, ciphertext=older)
    person = people(enabler, "enabler")

    person.go(reverse("engagements:private_note_list", args=[engagement_a.pk]), "private notes, one older note")
    unlock(person, FIRST, "private notes, the older note opened")

    assert OLD in person.text()
    for _ in range(100):  # bound anew in the background, once the notes are open
        note.refresh_from_db()
        if note.version == 1:
            break
        person.page.wait_for_timeout(100)
    assert note.version == 1 and bytes(note.ciphertext) != older
    assert sealing.open_note(engagement_a.pk, bytes(note.ciphertext), note.uid, 1) == OLD
