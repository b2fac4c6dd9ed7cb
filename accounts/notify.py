"""GOV.UK Notify, the delivery channel NHS bodies and councils use for service e-mail: chosen when NOTIFY_API_KEY is
set, in place of SMTP, for every e-mail Alongside sends (they are all notifications, sent by accounts.tasks).

One Notify e-mail template carries every message, with two personalisation fields, `subject` and `body`
(docs/operations.md says how to make it). Each notification goes with a stable `reference` built from its row, so a
try after an uncertain outcome (Notify may have accepted the message, then the worker or the database went before it
was recorded) first asks Notify whether that reference is already there, and sends only if it is not.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

if TYPE_CHECKING:
    from .models import Notification

logger = logging.getLogger(__name__)

# What Notify says of a message that it will not deliver after all: sending again is right.
NOT_DELIVERED = {"permanent-failure", "temporary-failure", "technical-failure", "validation-failed"}


@dataclass(frozen=True)
class Refusal:
    """What a failed call to Notify means for the notification."""

    retry: bool  # 429, 5xx and no answer at all: try again with the back-off; 4xx: a permanent failure
    uncertain: bool  # no answer: Notify may have accepted the message
    message: str


def configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def reference(notification: Notification) -> str:
    """The notification's reference at Notify: the same on every try, and naming nothing but the row."""
    return f"alongside-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}"


def notification_id_of(reference_text: str) -> int | None:
    """The row a reference names, for a delivery receipt; None for a reference Alongside did not make."""
    parts = reference_text.split("-")
    if len(parts) != 3 or parts[0] != "alongside" or not parts[1].isdigit():
        return None
    return int(parts[1])


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
    )


def already_sent(notification: Notification) -> str | None:
    """Notify's id of this notification's message, when Notify already has one it has not given up on."""
    listed: dict[str, Any] = _client().get_all_notifications(reference=reference(notification)) or {}
    for message in listed.get("notifications", []):
        if message.get("reference") == reference(notification) and message.get("status") not in NOT_DELIVERED:
            return str(message.get("id", ""))
    return None


def send_email(notification: Notification, body: str) -> str:
    """Hands the e-mail to Notify. Returns Notify's id of the message; raises APIError."""
    answer = _client().send_email_notification(
        email_address=notification.to_address,
        template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
        personalisation={"subject": notification.subject, "body": body},
        reference=reference(notification),
    )
    return str(answer["id"])


def texts_available() -> bool:
    """Text messages go through Notify alone, with its text message template (`((body))`)."""
    return configured() and bool(settings.NOTIFY_SMS_TEMPLATE_ID)


def send_text(notification: Notification) -> str:
    """Hands the text message to Notify. Returns Notify's id of the message; raises APIError."""
    answer = _client().send_sms_notification(
        phone_number=notification.phone,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": notification.body},
        reference=reference(notification),
    )
    return str(answer["id"])


def refusal(error: APIError) -> Refusal:
    status = error.status_code
    retry = status == 429 or status >= 500
    # The client answers 503 for a request that got no answer at all (a timeout, a connection reset).
    uncertain = error.response is None
    return Refusal(retry=retry, uncertain=uncertain, message=f"GOV.UK Notify answered {status}: {error.message}"[:300])


# Shared by every worker through the cache (Redis in production): until when sends leave Notify alone.
UNANSWERED_KEY = "alongside:notify:unanswered-until"


def note_unanswered() -> None:
    """A try heard nothing from Notify within NOTIFY_TIMEOUT: the next sends wait NOTIFY_PAUSE_SECONDS instead of
    each holding a worker for the timeout too."""
    until = timezone.now() + timedelta(seconds=settings.NOTIFY_PAUSE_SECONDS)
    try:
        cache.set(UNANSWERED_KEY, until.timestamp(), timeout=settings.NOTIFY_PAUSE_SECONDS)
    except Exception:  # the cache's own errors vary by back end; without it, each send waits for its own timeout
        logger.warning("Could not note that GOV.UK Notify is not answering", exc_info=True)


def unanswered_until() -> datetime | None:
    """When sends may ask Notify again, if a recent try heard nothing from it; None to send now."""
    try:
        stamp = cache.get(UNANSWERED_KEY)
    except Exception:  # the cache is away (a Redis outage): send, as before
        return None
    if not isinstance(stamp, (int, float)):
        return None
    until = datetime.fromtimestamp(stamp, tz=timezone.get_current_timezone())
    return until if until > timezone.now() else None


def callback_token_matches(header: str) -> bool:
    """The delivery receipt's bearer token, compared in constant time."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
