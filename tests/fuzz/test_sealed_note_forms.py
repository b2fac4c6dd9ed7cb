"""Fuzzing the forms of browser-sealed private notes: setting up, a new passphrase, and a sealed note written or
changed. Their fields are filled in by the browser's script, never typed, so a valid value is one that script could
send (base64 of the right number of bytes, the notes key's id) and anything else must be refused with a message, as
a plain form post (without the script) is answered like any other page's form."""

from __future__ import annotations

import base64
import uuid

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.forms.notes import NotesPassphraseForm, NotesSetUpForm, SealedNoteForm
from engagements.models import Engagement
from engagements.notes import EngagementKey, NotesKeyring, PrivateNote
from tests.helpers.people import client_for
from tests.helpers.sealing import Browser, b64

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, Field, choice, form_data


def _bytes(least: int, most: int | None = None) -> Field:
    return Field(st.binary(min_size=least, max_size=most if most is not None else least).map(b64))


def _wrapping_fields(key_id: str) -> dict[str, Field]:
    return {
        "key_id": choice([key_id]),
        "iterations": Field(st.integers(min_value=600_000, max_value=10_000_000).map(str)),
        "salt": _bytes(16, 64),
        "wrapped_by_passphrase": _bytes(60),
    }


def _sealed(enabler: User) -> Browser:
    """The enabler's notes sealed in their browser, with no notes yet (the keyring as the browser sends it)."""
    browser = Browser(owner=enabler.pk, passphrase="a notes passphrase for fuzzing")
    fields = browser.set_up()
    NotesKeyring.objects.create(
        owner=enabler,
        key_id=browser.key_id,
        iterations=600_000,
        salt=browser.salt,
        wrapped_by_passphrase=base64.b64decode(str(fields["wrapped_by_passphrase"])),
        wrapped_by_recovery_key=base64.b64decode(str(fields["wrapped_by_recovery_key"])),
    )
    return browser


@fuzzes(NotesSetUpForm, "engagements:notes_setup", "enabler")
def test_notes_set_up_form_refuses_with_form_errors(engagement_a: Engagement, enabler: User) -> None:
    """Setting up: a keyring the browser could have made is stored; anything else is refused, storing nothing."""
    browser = Browser(owner=enabler.pk, passphrase="a notes passphrase for fuzzing")
    fields = {
        **_wrapping_fields(browser.key_id),
        "wrapped_by_recovery_key": _bytes(60),
        "moved": Field(st.just("[]"), st.sampled_from(["{", "[{}]", '[{"engagement": 1}]', "null", "[1]"])),
    }
    setup = FormUnderFuzz(
        client_for(enabler),
        reverse("engagements:notes_setup"),
        NotesSetUpForm,
        redirects_to=reverse("engagements:notes_passphrase"),
    )
    valid = browser.set_up()

    @FUZZ
    @given(form_data(fields))
    @example(valid)
    @example({**valid, "iterations": "599999"})
    def submit(data: dict) -> None:
        if setup.submit(data):
            NotesKeyring.objects.filter(owner=enabler).delete()  # so that the next example can set up again

    submit()

    setup.assert_accepted_and_refused()


@fuzzes(NotesPassphraseForm, "engagements:notes_passphrase", "enabler")
def test_notes_passphrase_form_refuses_with_form_errors(enabler: User) -> None:
    browser = _sealed(enabler)
    change = FormUnderFuzz(
        client_for(enabler),
        reverse("engagements:notes_passphrase"),
        NotesPassphraseForm,
        redirects_to=reverse("engagements:notes_passphrase"),
    )

    @FUZZ
    @given(form_data(_wrapping_fields(browser.key_id)))
    @example(browser.wrapping("a second passphrase"))
    @example({**browser.wrapping("a second passphrase"), "key_id": "0" * 32})
    def submit(data: dict) -> None:
        change.submit(data)

    submit()

    change.assert_accepted_and_refused()


def _note_fields(browser: Browser, engagement: Engagement, sessions: list[int]) -> dict[str, Field]:
    return {
        "key_id": choice([browser.key_id]),
        # A note's own id (a new note's, as the browser made it) and the version it was sealed for.
        "uid": Field(st.one_of(st.just(""), st.uuids(version=4).map(str), st.uuids().map(str), st.text(max_size=40))),
        "version": Field(st.one_of(st.integers(min_value=-1, max_value=3).map(str), st.text(max_size=12))),
        "rebind": Field(st.sampled_from(["", "1", "yes"])),
        # A sealed note is one value: a 12-byte nonce, then at least one byte sealed and its 16-byte tag.
        "sealed": _bytes(12 + 1 + 16, 400),
        "wrapped_key": Field(st.one_of(st.just(""), st.binary(min_size=60, max_size=60).map(b64))),
        "session": Field(st.sampled_from(["", *map(str, sessions)])),
    }


@fuzzes(SealedNoteForm, "engagements:private_note_create", "enabler")
def test_sealed_note_form_refuses_with_form_errors(engagement_a: Engagement, enabler: User) -> None:
    """A sealed note: what the browser could send is stored (the first with its data key); the rest refused."""
    browser = _sealed(enabler)
    url = reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk})
    create = FormUnderFuzz(
        client_for(enabler),
        reverse("engagements:private_note_create", kwargs={"pk": engagement_a.pk}),
        SealedNoteForm,
        redirects_to=url,
    )
    first = {"key_id": browser.key_id, "wrapped_key": browser.new_data_key(engagement_a.pk)}
    first.update(browser.seal_note(engagement_a.pk, "A first sealed note"))

    @FUZZ
    @given(form_data(_note_fields(browser, engagement_a, [])))
    @example(first)
    @example({**first, "sealed": b64(b"short")})
    @example({**first, "sealed": b64(bytes(12 + 16))})  # a nonce and a tag, and nothing sealed
    def submit(data: dict) -> None:
        if create.submit(data):
            PrivateNote.objects.filter(engagement=engagement_a).delete()
            EngagementKey.objects.filter(engagement=engagement_a).delete()

    submit()

    create.assert_accepted_and_refused()


@fuzzes(SealedNoteForm, "engagements:private_note_edit", "enabler")
def test_sealed_note_edit_form_refuses_with_form_errors(engagement_a: Engagement, enabler: User) -> None:
    """Changing a sealed note: its words sealed anew under the same key; a key or a session is refused."""
    browser = _sealed(enabler)
    wrapped = browser.new_data_key(engagement_a.pk)
    EngagementKey.objects.create(
        engagement=engagement_a, notes_key_id=browser.key_id, wrapped_key=base64.b64decode(wrapped)
    )
    uid = uuid.uuid4()
    sealed = browser.seal_note(engagement_a.pk, "Words to change", uid=uid, version=1)
    note = PrivateNote.objects.create(
        engagement=engagement_a,
        author=enabler,
        uid=uid,
        version=1,
        ciphertext=base64.b64decode(sealed["sealed"]),
    )
    edit = FormUnderFuzz(
        client_for(enabler),
        reverse("engagements:private_note_edit", kwargs={"pk": note.pk}),
        SealedNoteForm,
        redirects_to=reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk}),
    )
    changed = {"key_id": browser.key_id, **browser.seal_note(engagement_a.pk, "Changed words", uid=uid, version=2)}

    @FUZZ
    @given(form_data(_note_fields(browser, engagement_a, [])))
    @example(changed)
    @example({**changed, "wrapped_key": wrapped})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()
