"""Private notes' pages: an enabler's own notes, sealed by the server or in the enabler's browser.

Notes sealed in the enabler's browser (engagements.notes.sealed) have pages of their own: setting up, the notes of
an engagement, changing the passphrase, and the author's download.

Each page hands the browser ciphertexts and wrapped keys in a JSON script element, and static/alongside/notes.js
does the rest. A form here is sent by that script, with `Accept: application/json`: it is answered in JSON, so
the page and the key unlocked in it stay as they are. Sent as a plain form (by a test, or a browser without the
script), the same form is answered as any other page's form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accounts.access import gate
from accounts.views import reauthentication_required
from core.errors import NotAllowed
from core.exports import CsvWriter
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from .. import access, notes
from ..actions.notes import (
    change_notes_passphrase,
    rewrite_private_note,
    rewrite_sealed_note,
    seal_private_notes,
    write_private_note,
    write_sealed_note,
)
from ..forms.notes import NotesPassphraseForm, NotesSetUpForm, PrivateNoteForm, SealedNoteForm
from ..models import Engagement, Session
from ..models.notes import MIN_ITERATIONS, NOTE_LIMIT
from ..notes import EngagementKey, NotesKeyError, NotesKeyring, PrivateNote
from ..notes.sealed import keyring_of, keyring_payload, notes_payload, notes_to_move
from .common import _problem

NOTES_PER_PAGE = 50


@sensitive_variables("written", "texts", "page")
def private_note_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The enabler's own notes on one engagement, decrypted for them alone."""
    engagement = access.engagement_for(request.user, pk, as_=access.As.ENABLER)  # private notes are theirs
    if keyring := keyring_of(request.user):
        return sealed_note_list(request, engagement, keyring)
    written = (
        PrivateNote.objects.visible_to(request.user)
        .filter(engagement=engagement)
        .select_related("session", "engagement")
    )
    page = Paginator(written, NOTES_PER_PAGE).get_page(request.GET.get("page"))  # decrypt one page, not hundreds
    problem = ""
    try:
        texts = notes.read_notes(page.object_list)
    except NotesKeyError as error:
        texts, problem = [], str(error)
    context = {
        "engagement": engagement,
        "notes": texts,
        "page": page,
        "problem": problem or notes.notes_blocked(),
        "may_seal": access.keeps_private_notes(request.user),
    }
    return render(request, "engagements/private_note_list.html", context)


@sensitive_post_parameters("text")
@sensitive_variables("form")
def private_note_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = access.engagement_for(request.user, pk, as_=access.As.ENABLER)  # private notes are theirs
    if keyring := keyring_of(request.user):
        return sealed_note_create(request, engagement, keyring)
    form = PrivateNoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            write_private_note(engagement=engagement, by=request.user, text=form.cleaned_data["text"])
        except (NotAllowed, NotesKeyError) as error:
            form.add_error("text", _problem(error))
        else:
            messages.success(request, "Your private note is saved.")
            return redirect("engagements:private_note_list", pk=pk)
    context = {
        "form": form,
        "engagement": engagement,
        "notes_blocked": notes.notes_blocked(),
        "heading": "Write a private note",
    }
    return render(request, "engagements/private_note_form.html", context)  # shared with private_note_edit


@sensitive_post_parameters("text")
@sensitive_variables("form", "text")
def private_note_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(PrivateNote.objects.visible_to(request.user).select_related("engagement"), pk=pk)
    if keyring := keyring_of(request.user):
        return sealed_note_edit(request, note, keyring)
    try:
        text = notes.read_note(note)
    except NotesKeyError as error:
        messages.error(request, str(error))
        return redirect("engagements:private_note_list", pk=note.engagement_id)
    form = PrivateNoteForm(posted(request), initial={"text": text})
    if request.method == "POST" and form.is_valid():
        try:
            rewrite_private_note(note=note, by=request.user, text=form.cleaned_data["text"])
        except (NotAllowed, NotesKeyError) as error:
            form.add_error("text", _problem(error))
        else:
            messages.success(request, "Your private note is saved.")
            return redirect("engagements:private_note_list", pk=note.engagement_id)
    # Writing a note and changing one are the same form with their own heading, so the two views share one template
    # (private_note_form.html) rather than keep two copies that would drift apart.
    context = {"form": form, "note": note, "heading": "Change your private note"}
    return render(request, "engagements/private_note_form.html", context)


@sensitive_variables("writer", "note", "text", "written")
def private_notes_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every private note the person wrote, as CSV, for them alone: the one export that holds notes. Made in the
    author's browser when their notes are sealed there."""
    if keyring := keyring_of(request.user):
        return sealed_notes_download(request, keyring)
    written = PrivateNote.objects.visible_to(request.user).select_related("engagement__site", "session")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-private-notes.csv"'
    response["Cache-Control"] = "no-store"
    writer = CsvWriter(response)
    writer.writerow(["site", "session date", "written", "note"])
    for note, text in notes.read_notes(written, unreadable=notes.UNREADABLE):
        session_date = note.session.held_on.isoformat() if note.session else ""
        writer.writerow([note.engagement.site.name, session_date, note.created_at.date().isoformat(), text])
    return response


def _confirmed_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """accounts' re-authentication step (as for a change of e-mail address), typed as these views are."""
    return cast(Callable[..., HttpResponse], reauthentication_required(view))


def _wants_json(request: AuthenticatedHttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _saved(request: AuthenticatedHttpRequest, to: str, message: str, **answer: Any) -> HttpResponse:
    messages.success(request, message)
    if _wants_json(request):
        return JsonResponse({"redirect": to, **answer})
    return redirect(to)


def _refused(request: AuthenticatedHttpRequest, form: Any) -> JsonResponse:
    problems = [str(error) for errors in form.errors.values() for error in errors]
    return JsonResponse({"errors": problems}, status=400)


@never_cache
@gate(access.keeps_private_notes)
@_confirmed_first  # sealing every note under a passphrase: confirmed, as a change to how one signs in
@sensitive_variables("moving", "payload", "form")
def notes_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Setting up a notes passphrase, once, by a person who recently confirmed it is them (the page and its answer
    alike). The page carries the author's notes the server still seals, opened for their browser to seal again;
    the answer carries them back sealed."""
    if keyring_of(request.user) is not None:
        return redirect("engagements:notes_passphrase")
    form = NotesSetUpForm(posted(request), request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                count = seal_private_notes(owner=request.user, **form.cleaned_data)
            except NotAllowed as error:
                form.add_error(None, error.text())
            else:
                moved = f" {count} existing {'note was' if count == 1 else 'notes were'} sealed again." if count else ""
                return _saved(
                    request,
                    reverse("engagements:notes_passphrase"),
                    f"Your private notes are now sealed in your browser.{moved}",
                )
        if _wants_json(request):
            return _refused(request, form)
    problem = ""
    try:
        moving = notes_to_move(request.user)
    except NotesKeyError as error:
        moving, problem = [], str(error)
    payload = {
        "owner": request.user.pk,
        "min_iterations": MIN_ITERATIONS,
        "moving": [
            {
                "engagement": engagement_id,
                "notes": [
                    {"id": note.pk, "uid": str(note.uid), "version": note.version, "text": text}
                    for note, text in written
                ],
            }
            for engagement_id, written in moving
        ],
    }
    count = sum(len(written) for _engagement, written in moving)
    return render(
        request, "engagements/notes_setup.html", {"form": form, "payload": payload, "problem": problem, "count": count}
    )


@never_cache
@gate(access.keeps_private_notes)
@_confirmed_first
def notes_passphrase(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Changing the notes passphrase, with the current one or with the recovery key, by a person who recently
    confirmed it is them: the browser wraps the same notes key again; no note is touched."""
    keyring = keyring_of(request.user)
    if keyring is None:
        return redirect("engagements:notes_setup")
    form = NotesPassphraseForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                change_notes_passphrase(owner=request.user, **form.cleaned_data)
            except NotAllowed as error:
                form.add_error(None, error.text())
            else:
                return _saved(request, reverse("engagements:notes_passphrase"), "Your notes passphrase is changed.")
        if _wants_json(request):
            return _refused(request, form)
    context = {"form": form, "keyring": keyring, "payload": {"keyring": keyring_payload(keyring)}}
    return render(request, "engagements/notes_passphrase.html", context)


def _sessions(request: AuthenticatedHttpRequest, engagement: Engagement) -> dict[str, Session]:
    held = Session.objects.visible_to(request.user).filter(engagement=engagement).order_by("-held_on", "-pk")
    return {str(session.pk): session for session in held}


def _note_entry(note: PrivateNote) -> dict[str, Any]:
    entry = notes_payload([note], {})["notes"][0]
    return {**entry, "edit": reverse("engagements:private_note_edit", args=[note.pk])}


@never_cache
def sealed_note_list(
    request: AuthenticatedHttpRequest,
    engagement: Engagement,
    keyring: NotesKeyring,
    form: SealedNoteForm | None = None,
) -> HttpResponse:
    """An engagement's notes, for an author whose notes are sealed in their browser: ciphertexts, opened there."""
    written = PrivateNote.objects.visible_to(request.user).filter(engagement=engagement).select_related("session")
    page = Paginator(written, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    key = EngagementKey.objects.filter(engagement=engagement).first()
    sessions = _sessions(request, engagement)
    payload = {
        "keyring": keyring_payload(keyring),
        "engagement": engagement.pk,
        "limit": NOTE_LIMIT,
        **notes_payload(list(page.object_list), {engagement.pk: key} if key else {}),
    }
    payload["notes"] = [
        {**entry, "edit": reverse("engagements:private_note_edit", args=[entry["id"]])} for entry in payload["notes"]
    ]
    context = {
        "engagement": engagement,
        "page": page,
        "payload": payload,
        "form": form or SealedNoteForm(),
        "sessions": list(sessions.values()),
        "destroyed": engagement.notes_destroyed_at is not None,
    }
    return render(request, "engagements/private_note_sealed.html", context, status=200)


def sealed_note_create(
    request: AuthenticatedHttpRequest, engagement: Engagement, keyring: NotesKeyring
) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("engagements:private_note_list", args=[engagement.pk]) + "#write")
    form = SealedNoteForm(request.POST, sessions=_sessions(request, engagement))
    return _answer_note(
        request,
        form,
        engagement,
        keyring,
        lambda sent: write_sealed_note(engagement=engagement, by=request.user, **sent),
    )


def sealed_note_edit(request: AuthenticatedHttpRequest, note: PrivateNote, keyring: NotesKeyring) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("engagements:private_note_list", args=[note.engagement_id]) + f"#note-{note.pk}")

    def rewrite(sent: dict[str, Any]) -> PrivateNote:
        rewrite_sealed_note(note=note, by=request.user, **sent)
        note.refresh_from_db()
        return note

    return _answer_note(request, SealedNoteForm(request.POST, changing=True), note.engagement, keyring, rewrite)


def _answer_note(
    request: AuthenticatedHttpRequest,
    form: SealedNoteForm,
    engagement: Engagement,
    keyring: NotesKeyring,
    save: Callable[[dict[str, Any]], PrivateNote],
) -> HttpResponse:
    """A sealed note saved: in JSON for the page's script (the note as the page lists it), or as any form's
    answer. Refused: the reasons in JSON, or the notes page with the form's errors."""
    if form.is_valid():
        try:
            note = save(form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            if _wants_json(request):
                return JsonResponse({"note": _note_entry(note)})
            messages.success(request, "Your private note is saved.")
            return redirect("engagements:private_note_list", pk=engagement.pk)
    if _wants_json(request):
        return _refused(request, form)
    return sealed_note_list(request, engagement, keyring, form)


@never_cache
def sealed_notes_download(request: AuthenticatedHttpRequest, keyring: NotesKeyring) -> HttpResponse:
    """Every note the author wrote, as ciphertexts with their wrapped keys: their browser opens them and makes
    the CSV file, so the words never travel in the clear."""
    written = list(
        PrivateNote.objects.visible_to(request.user)
        .select_related("engagement__site", "session")
        .order_by("engagement_id", "created_at", "pk")
    )
    engagement_ids = {note.engagement_id for note in written}
    keys = {key.engagement_id: key for key in EngagementKey.objects.filter(engagement__in=engagement_ids)}
    payload = {
        "keyring": keyring_payload(keyring),
        **notes_payload(written, keys),
        "sites": {str(note.engagement_id): note.engagement.site.name for note in written},
    }
    return render(request, "engagements/private_notes_download.html", {"payload": payload, "count": len(written)})
