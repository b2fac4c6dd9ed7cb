"""What the pages of several topics share: a refused change, a problem in words, the engagement for its enabler."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest

from ..models import Engagement
from ..notes import NotesKeyError


def _refused(request: HttpRequest, error: NotAllowed, to: str, pk: int) -> HttpResponse:
    """A refused change: say why, change nothing, and go back to where the person was."""
    messages.error(request, error.text())
    return redirect(to, pk=pk)


def _problem(error: NotAllowed | NotesKeyError) -> str:
    return error.text() if isinstance(error, NotAllowed) else str(error)


def _enabler_engagement(request: AuthenticatedHttpRequest, pk: int) -> Engagement:
    """The engagement, for its own enabler only: private notes and logging sessions are theirs."""
    return get_object_or_404(Engagement.objects.filter(enabler=request.user).select_related("site", "offer"), pk=pk)
