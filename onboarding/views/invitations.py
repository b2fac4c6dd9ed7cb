"""(being written)"""

from __future__ import annotations

from django.http import Http404, HttpResponse


def invitation_list(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def invitation_resend(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def invitation_revoke(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def invitation_accept(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def site_people(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def membership_make_lead(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def membership_remove(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404
