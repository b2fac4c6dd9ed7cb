"""Bulk import pages (being written)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from core.http import AuthenticatedHttpRequest


def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    raise Http404


def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    raise Http404


def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    raise Http404


def import_template(request: AuthenticatedHttpRequest, kind: str, extension: str) -> HttpResponse:
    raise Http404
