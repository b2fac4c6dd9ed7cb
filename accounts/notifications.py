"""The outbox: a notification is a row saved in the same transaction as the change that causes it; Celery
delivers it from there.

Handing a row to Celery (publishing to Redis) happens after the transaction commits, on a background thread of
the web process, never on the path of the response: with Redis slow or down, every page still answers at once and
every submission succeeds. A row that could not be handed over stays pending, and the outbox sweeper
(`accounts.tasks.sweep_outbox`, on Celery beat) hands it over again once it is due. Delivery claims the row, so a
row handed over twice is still sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .models import Notification, User
from .tasks import deliver_notification, enqueue_delivery

logger = logging.getLogger(__name__)

# One thread is enough: it only talks to Redis, with short timeouts. Its queue lives as long as the process.
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alongside-outbox")


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    address: str = "",
    calendar: str = "",
) -> list[Notification]:
    """Save one notification per recipient now; hand each to Celery after commit. Must be called inside the
    change's transaction, so that the change and its notifications are saved together or not at all. `address`
    sends it to that address instead of the recipient's own (and keeps it out of their list in the app);
    `calendar` is an iCalendar invitation sent with the e-mail, for the person's own calendar."""
    due = timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)  # the sweeper's turn, if publishing fails
    notifications = [
        Notification.objects.create(
            recipient=user,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            address=address,
            calendar=calendar,
            next_attempt_at=due,
        )
        for user in {user.pk: user for user in recipients if user.is_active}.values()
    ]
    if notifications:
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: publish_soon(ids))
    return notifications


def notify_text(*, recipient: User, phone: str, kind: str, body: str) -> Notification:
    """A text message (GOV.UK Notify only), saved now and handed to Celery after commit, like an e-mail. Call it
    inside the change's transaction. It is not listed in the app: what it says is in an e-mail or on a page too."""
    notification = Notification.objects.create(
        recipient=recipient,
        channel=Notification.Channel.TEXT,
        phone=phone,
        kind=kind,
        subject=kind,
        body=body,
        next_attempt_at=timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER),
    )
    transaction.on_commit(lambda: publish_soon([notification.pk]))
    return notification


def notify_address(*, address: str, kind: str, subject: str, body: str, link: str = "") -> Notification:
    """Like `notify`, for someone who has no account yet (an invitation), or a message for a mailbox alone (a
    password reset link asked for signed out): the row has no recipient in the app and is e-mailed to `address`."""
    due = timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
    notification = Notification.objects.create(
        recipient=None, kind=kind, subject=subject, body=body, link=link, address=address, next_attempt_at=due
    )
    transaction.on_commit(lambda: publish_soon([notification.pk]))
    return notification


def notify_addresses(*, messages: list[tuple[str, str, str, str]], kind: str) -> list[Notification]:
    """`notify_address` for many at once (an import's invitations): (address, subject, body, link) each, saved in
    one statement and handed to Celery after commit."""
    due = timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=None, kind=kind, subject=subject, body=body, link=link, address=address, next_attempt_at=due
        )
        for address, subject, body, link in messages
    )
    ids = [notification.pk for notification in notifications]
    if ids:
        transaction.on_commit(lambda: publish_soon(ids))
    return notifications


def publish_soon(notification_ids: list[int]) -> None:
    """Hand rows to Celery without making the caller wait. Without a broker (no REDIS_URL: Celery runs tasks
    inline), there is nothing to wait for and the rows are delivered at once, as before."""
    if deliver_notification.app.conf.task_always_eager:
        for notification_id in notification_ids:
            enqueue_delivery(notification_id)
        return
    _publisher.submit(_publish_all, list(notification_ids))


def _publish_all(notification_ids: list[int]) -> None:
    for number, notification_id in enumerate(notification_ids):
        if not enqueue_delivery(notification_id):
            # The broker is away: the rest wait for the sweeper rather than each for a refusal, due at once, so
            # that the first sweep after the broker answers again (the worker runs one as it reconnects) sends them.
            _due_now(notification_ids[number:])
            return


def _due_now(notification_ids: list[int]) -> None:
    try:
        Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
    except DatabaseError:  # they keep the time they were given, a sweeper's turn later
        logger.warning("Notifications could not be marked due at once", exc_info=True)
    finally:
        connection.close()  # the publisher's own thread, outside any request: its connection is not kept


def wait_for_publisher(timeout: float = 10) -> None:
    """For tests and shutdown: wait until every hand-over asked for so far has been tried."""
    _publisher.submit(lambda: None).result(timeout=timeout)
