"""Views that belong to running the service rather than to any domain app."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: the database did not answer", exc_info=True)
        return False


def _redis_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        logger.warning("Health check: Redis did not answer")
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness, for a load balancer's or an orchestrator's probe: the web answers and its database answers (503
    when it does not). Redis is left out on purpose: every page works while it is away (notifications wait in the
    outbox), so a probe must not take the web out of service for it. `status` names each part."""
    healthy = _database_ok()
    checks = {"database": "ok" if healthy else "down"}
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def status(request: HttpRequest) -> JsonResponse:
    """For monitoring: each part by name. "degraded" (200) when Redis is away and the web still serves every page;
    "down" (503) when the database is, and nothing can be served."""
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _redis_ok() else "down"
    if checks["database"] == "down":
        overall = "down"
    else:
        overall = "ok" if all(state == "ok" for state in checks.values()) else "degraded"
    return JsonResponse({"status": overall, "checks": checks}, status=503 if overall == "down" else 200)


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement that public-sector services publish: public, linked from every footer."""
    return render(request, "accessibility.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing security token: say so plainly."""
    return render(request, "403_csrf.html", status=403)


# Errors that mean the database is not answering (stopped, restarting, unreachable), not a fault in a page.
DATABASE_AWAY = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's last resort when a page fails. While the database is away the person is told so, with 503 and a
    Retry-After, rather than "a problem with the service": nothing they saved is lost, and it will come back. Both
    pages are plain templates that need neither the database nor a request context."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_AWAY):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
