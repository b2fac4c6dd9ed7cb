"""Sessions' pages: the session log, logging a session, shared notes and actions, the access log, calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from .. import access, notes
from ..actions.sessions import (
    add_action,
    log_session,
    record_access,
    toggle_action,
    turn_off_calendar_feed,
    turn_on_calendar_feed,
    write_shared_note,
)
from ..calendar import feed as calendar_text
from ..forms.sessions import ActionForm, SessionForm, SharedNoteForm
from ..models import AccessRecord, Action, CalendarFeed, Engagement, Session
from ..notes import NotesKeyError
from ..notes.sealed import is_sealed
from .common import _problem
from .planning import session_initial, to_log


def session_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The session log: dates, format, length. For the site's people and its enabler."""
    engagement = access.engagement_for(request.user, pk, related=("site", "offer", "enabler"))
    sessions = Session.objects.visible_to(request.user).filter(engagement=engagement).order_by("-held_on", "-pk")
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    record_access(engagement=engagement, user=request.user, kind=AccessRecord.Kind.SESSIONS)
    context = {"engagement": engagement, "page": page, "is_enabler": access.is_enabler_of(request.user, engagement)}
    return render(request, "engagements/session_list.html", context)


@sensitive_post_parameters("private_note")
@sensitive_variables("form")
def session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = access.engagement_for(request.user, pk, as_=access.As.ENABLER)  # sessions are logged by them
    owners = access.parties(engagement)
    planned = to_log(request.user, engagement, request.GET.get("planned"))  # "log this session" of a planned one
    initial = session_initial(planned) if planned else None
    in_browser = is_sealed(request.user)
    form = SessionForm(posted(request), engagement=engagement, owners=owners, initial=initial, sealed=in_browser)
    if request.method == "POST" and form.is_valid():
        try:
            log_session(engagement=engagement, by=request.user, planned=planned, **form.cleaned_data)
        except (NotAllowed, NotesKeyError) as error:
            form.add_error(None, _problem(error))
        else:
            messages.success(request, "The session is logged.")
            return redirect("engagements:engagement_detail", pk=pk)
    context = {
        "form": form,
        "engagement": engagement,
        "planned": planned,
        "sealed": in_browser,
        "notes_blocked": notes.notes_blocked(request.user),
    }
    return render(request, "engagements/session_create.html", context)


def shared_notes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Shared notes and actions: written by either side for both to see. Never the central team."""
    engagement = access.engagement_for(request.user, pk, related=("site", "offer", "enabler"))
    owners = access.parties(engagement)
    note_form = SharedNoteForm(posted(request) if "body" in request.POST else None)
    action_form = ActionForm(posted(request) if "description" in request.POST else None, owners=owners)
    if request.method == "POST" and note_form.is_bound and note_form.is_valid():
        write_shared_note(engagement=engagement, by=request.user, body=note_form.cleaned_data["body"])
        messages.success(request, "The shared note is saved.")
        return redirect("engagements:shared_notes", pk=pk)
    if request.method == "POST" and action_form.is_bound and action_form.is_valid():
        add_action(engagement=engagement, by=request.user, **action_form.cleaned_data)
        messages.success(request, "The action is added.")
        return redirect("engagements:shared_notes", pk=pk)
    record_access(engagement=engagement, user=request.user, kind=AccessRecord.Kind.SHARED)
    context = {
        "engagement": engagement,
        "notes": engagement.shared_notes.select_related("author")[:100],
        "actions": engagement.actions.select_related("owner"),
        "note_form": note_form,
        "action_form": action_form,
    }
    return render(request, "engagements/shared_notes.html", context)


@require_POST
def action_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.filter(engagement__in=Engagement.objects.working_with(request.user)), pk=pk
    )
    done = toggle_action(action=action, by=request.user)
    messages.success(request, "The action is done." if done else "The action is open again.")
    return redirect("engagements:shared_notes", pk=action.engagement_id)


def access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who looked at this engagement's records and when: for the site's lead and the enabler."""
    engagement = access.engagement_for(
        request.user, pk, as_=access.As.ONE_WHO_STEERS, related=("site", "offer", "enabler")
    )
    page = Paginator(engagement.access_records.select_related("user"), 100).get_page(request.GET.get("page"))
    return render(request, "engagements/access_log.html", {"engagement": engagement, "page": page})


def calendar_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "engagements/calendar_settings.html", {"feed": feed})


@require_POST
def calendar_turn_on(request: AuthenticatedHttpRequest) -> HttpResponse:
    turn_on_calendar_feed(user=request.user)
    messages.success(request, "Your calendar feed has a new address. Any earlier address has stopped working.")
    return redirect("engagements:calendar_settings")


@require_POST
def calendar_turn_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    turn_off_calendar_feed(user=request.user)
    messages.success(request, "Your calendar feed is turned off. Its address no longer works.")
    return redirect("engagements:calendar_settings")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design, guarded by the secret address: the person's sessions, with no note content."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    response = HttpResponse(calendar_text(feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
