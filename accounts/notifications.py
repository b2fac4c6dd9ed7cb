"""Saving a notification and handing it to Celery once the transaction that caused it has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from .models import Notification, User

logger = logging.getLogger(__name__)


def notify(*, recipients: Iterable[User], kind: str, subject: str, body: str, link: str = "") -> list[Notification]:
    """Save one notification per recipient now; e-mail each after commit. Must be called inside the change's
    transaction, so that the change and its notifications are saved together or not at all."""
    notifications = [
        Notification.objects.create(recipient=user, kind=kind, subject=subject, body=body, link=link)
        for user in {user.pk: user for user in recipients if user.is_active}.values()
    ]
    for notification in notifications:
        transaction.on_commit(lambda pk=notification.pk: enqueue_delivery(pk))
    return notifications


def enqueue_delivery(notification_id: int) -> None:
    """Hand a delivery to Celery. If the broker is away the row stays pending and is sent later: the user's
    action has already succeeded and must not fail because of the queue."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:  # the broker's own errors vary by transport; none may reach the user
        logger.warning("Notification %s could not be queued; it stays pending", notification_id, exc_info=True)
