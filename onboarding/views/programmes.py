"""(being written)"""

from __future__ import annotations

from django.http import Http404, HttpResponse


def start(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def programme_list(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def programme_create(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def offer_create(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def offer_edit(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404


def offer_retire(request, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    raise Http404
