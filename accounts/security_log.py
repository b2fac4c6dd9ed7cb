"""Security events as structured log lines on the "alongside.security" logger: log-ins, log-in failures, lockouts,
log-outs, administrators' changes and access denials.

Each line says what happened (`event`), to which account (`user_id`) and from where (`ip`), and nothing more. Never a
password, a token, a session key, a path (paths carry feed and reset tokens), a name or a note. An e-mail address
typed at the log-in page is written only as `email_hash`, a short keyed hash: repeated failures against one address
can be correlated without the log holding the address, which may be a mistyped one belonging to nobody here, or a
person's address that an attacker is trying.

django-axes logs its own version of these events; config/settings.py quiets it to warnings, which carry no
addresses (AXES_SENSITIVE_PARAMETERS masks them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import AuditEvent, User
from .network import client_ip

logger = logging.getLogger("alongside.security")

ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}
LOCKED_OUT_VERB = AuditEvent.Verb.LOCKED_OUT


def email_hash(email: str | None) -> str | None:
    """The first 12 hex digits of an HMAC-SHA256 of the address (trimmed, lower case), keyed with SECRET_KEY.

    The same address always gives the same hash, so failures can be counted and matched to the account they were
    against; without SECRET_KEY the hash cannot be reversed by trying likely addresses."""
    if not email:
        return None
    normalised = email.strip().lower()
    return salted_hmac("alongside.security_log.email", normalised, algorithm="sha256").hexdigest()[:12]


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="alongside-security-log-logged-in")
def log_login_succeeded(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """A person signed in (the password was right; two-factor, where needed, comes next)."""
    logger.info(
        "Log-in succeeded",
        extra={
            "event": "login.succeeded",
            "user_id": user.pk,
            "email_hash": email_hash(user.email),
            "ip": _ip(request),
        },
    )


@receiver(user_login_failed, dispatch_uid="alongside-security-log-login-failed")
def log_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong e-mail or password, at the log-in page or when asked for the password again. Only the hash of the
    address typed is written, never the password (Django has already masked it; it is not read here at all)."""
    user = getattr(request, "user", None)
    logger.warning(
        "Log-in failed",
        extra={
            "event": "login.failed",
            "email_hash": email_hash(credentials.get("username")),
            "ip": _ip(request),
            # Set when a signed-in person gets their password wrong on the "confirm it is you" page.
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        },
    )


@receiver(user_locked_out, dispatch_uid="alongside-security-log-locked-out")
def log_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """django-axes has refused an address and account pair after repeated failures (AXES_FAILURE_LIMIT).

    axes sends this signal when the lockout starts and again for each attempt while it lasts. Every one is logged,
    with axes's count of failures; the account's audit trail records one event per cool-off period, so an attacker
    hammering a locked account cannot flood it."""
    account = User.objects.filter(email__iexact=username.strip()).first() if username else None
    logger.warning(
        "Log-in locked out",
        extra={
            "event": "login.locked_out",
            "email_hash": email_hash(username),
            "ip": ip_address or _ip(request),
            "user_id": account.pk if account is not None else None,
            "failures": getattr(request, "axes_failures_since_start", None),
        },
    )
    if account is not None and not _recently_locked_out(account, request):
        AuditEvent.record(actor=None, verb=LOCKED_OUT_VERB, target=account)


def _recently_locked_out(account: User, request: HttpRequest | None) -> bool:
    window = get_cool_off(request) or timedelta(days=1)  # None: locked until an administrator resets it
    return AuditEvent.objects.filter(
        verb=LOCKED_OUT_VERB,
        target_type=ContentType.objects.get_for_model(account),
        target_id=account.pk,
        at__gte=timezone.now() - window,
    ).exists()


@receiver(user_logged_out, dispatch_uid="alongside-security-log-logged-out")
def log_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    logger.info(
        "Logged out",
        extra={"event": "logout", "user_id": user.pk if user is not None else None, "ip": _ip(request)},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="alongside-security-log-admin-action")
def log_admin_action(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """An administrator added, changed or deleted a record in the Django admin. Which record by type and id only:
    the entry's object_repr and change_message can hold a person's name or the text that was changed.

    Django writes a deletion of several records at once with bulk_create, which sends no post_save: those are in
    the admin's own history (LogEntry) but not in this log."""
    if not created:
        return
    content_type = ContentType.objects.get_for_id(instance.content_type_id) if instance.content_type_id else None
    logger.info(
        "Admin action",
        extra={
            "event": "admin.action",
            "action": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "content_type": f"{content_type.app_label}.{content_type.model}" if content_type else None,
            "object_id": str(instance.object_id) if instance.object_id is not None else None,  # text in LogEntry
            "user_id": instance.user_id,
        },
    )


class AccessDenialLogMiddleware:
    """Logs a refusal: any 403, and a 404 to a signed-in person, which is how Alongside answers a request for
    another site's records (CONVENTIONS: no access answers 404). Anonymous 404s are the internet's scanners and are
    left out.

    The line names the URL pattern (`view`), never the path: paths carry calendar feed tokens and password reset
    tokens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status not in (403, 404):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if status == 403 or signed_in:
            match = getattr(request, "resolver_match", None)
            logger.warning(
                "Access denied",
                extra={
                    "event": "access.denied",
                    "view": match.view_name if match is not None else None,
                    "status": status,
                    "method": request.method,
                    "user_id": getattr(user, "pk", None) if signed_in else None,
                    "ip": client_ip(request),
                },
            )
        return response
