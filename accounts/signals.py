"""What happens when a person signs in, whichever way they do (the log-in page, or a test's client.login)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .middleware import LAST_SEEN_AT, SIGNED_IN_AT

REAUTHENTICATED_AT = "alongside_reauthenticated_at"


@receiver(user_logged_in, dispatch_uid="alongside-session-clock")
def start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Django has just given the session a new key; the idle and absolute limits count from now, and so does the
    window in which a change to how one signs in needs no second password."""
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    for key in (SIGNED_IN_AT, LAST_SEEN_AT, REAUTHENTICATED_AT):
        request.session[key] = now
