"""Alongside's pages, plus the baseline the benchmark compares every page with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as alongside

__all__ = ["handler500", "urlpatterns"]


def baseline(request: HttpRequest) -> HttpResponse:
    """The least a page behind log-in can do: every middleware (session, person, two-factor, security headers)
    and a few bytes of answer. What Django itself serves on this machine; each page's rate is compared with it."""
    return HttpResponse(f"Signed in as {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *alongside]
