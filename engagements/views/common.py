"""What the pages of several topics share: a refused change, a problem in words."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.errors import NotAllowed

from ..notes import NotesKeyError


def _refused(request: HttpRequest, error: NotAllowed, to: str, pk: int) -> HttpResponse:
    """A refused change: say why, change nothing, and go back to where the person was."""
    messages.error(request, error.text())
    return redirect(to, pk=pk)


def _problem(error: NotAllowed | NotesKeyError) -> str:
    return error.text() if isinstance(error, NotAllowed) else str(error)
