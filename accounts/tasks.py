from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from notifications_python_client.errors import APIError

from . import notify
from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
SWEEP_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """Back-off for the mail server: OUTBOX_RETRY_BASE seconds after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(settings.OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0), 3600))


# Idempotent, so late acknowledgement is safe: a task lost with its worker runs again and sends at most once. A
# database that stops answering (a PostgreSQL restart) fails the task before anything is sent or after the send
# was recorded; either way it is tried again within seconds, not left for the sweeper a minute later.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=16,
    retry_jitter=False,
    max_retries=8,
)
def deliver_notification(notification_id: int) -> str:
    """E-mail one notification. Safe to run twice: the row is locked and claimed, so it is sent once. A failure is
    recorded on the row with the time of the next try; the outbox sweeper hands it over again then."""
    if notify.configured():
        return _deliver_through_notify(notification_id)
    with transaction.atomic():
        notification = _pending_and_locked(notification_id)
        if notification is None:
            return "skipped"
        if notification.channel == Notification.Channel.TEXT:  # left from a time Notify was configured
            notification.mark_failed_attempt("Text messages go through GOV.UK Notify, which is not set up", final=True)
            return "failed"
        try:
            _send(notification, _body(notification))
        except (smtplib.SMTPException, OSError) as error:
            final = notification.attempts + 1 >= MAX_ATTEMPTS
            notification.mark_failed_attempt(str(error), final=final, retry_in=retry_delay(notification.attempts + 1))
        else:
            notification.mark_sent()
            return "sent"
    logger.warning("Notification %s was not delivered (attempt %s)", notification_id, notification.attempts)
    return "failed" if final else "will retry"


def _pending_and_locked(notification_id: int) -> Notification | None:
    """The row, locked for this try, if it is still pending and no other try holds it. Inside a transaction."""
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=notification_id, status=Notification.Status.PENDING)
        .select_related("recipient")
        .first()
    )


def _body(notification: Notification) -> str:
    if notification.link:
        return f"{notification.body}\n\n{settings.SITE_URL}{notification.link}\n"
    return notification.body


def _deliver_through_notify(notification_id: int) -> str:
    """Through GOV.UK Notify, in three steps, so that no row lock is held while Notify is asked and no try can
    send a message twice: claim the row (its `sending_since`, committed), hand the message over, record what came
    of it. A try that finds the row claimed a moment ago leaves it; one that finds it claimed and never recorded
    (its worker or the database went) asks Notify for the reference first, and sends only if Notify has none."""
    now = timezone.now()
    paused_until = _notify_paused_until()
    if paused_until is not None:
        return _wait_for_notify(notification_id, paused_until)
    with transaction.atomic():
        notification = _pending_and_locked(notification_id)
        if notification is None:
            return "skipped"
        claim = timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
        if notification.sending_since is not None and notification.sending_since > now - claim:
            return "skipped"  # another try is handing it over now
        uncertain = notification.sending_since is not None
        notification.sending_since = now
        notification.next_attempt_at = now + claim  # the sweeper's turn, should this try be lost too
        notification.save(update_fields=["sending_since", "next_attempt_at"])
    try:
        provider_id = notify.already_sent(notification) if uncertain else None
        found = provider_id is not None
        if provider_id is None and notification.channel == Notification.Channel.TEXT:
            provider_id = notify.send_text(notification)
        elif provider_id is None:
            provider_id = notify.send_email(notification, _body(notification) + _no_attachment(notification))
    except APIError as error:
        return _notify_refused(notification_id, notify.refusal(error), claimed_at=now)
    with transaction.atomic():
        recorded = Notification.objects.select_for_update().get(pk=notification_id)
        if not _still_claimed(recorded, now):
            return "skipped"  # Notify's receipt came first (record_delivery_receipt), or another try holds it now
        recorded.mark_sent(provider_id)
    return "found at Notify" if found else "sent"


def _still_claimed(notification: Notification, claimed_at: datetime) -> bool:
    """Whether the row is still pending under this try's claim: not recorded meanwhile by Notify's receipt (which
    can come before Notify's answer), nor claimed again by another try."""
    return notification.status == Notification.Status.PENDING and notification.sending_since == claimed_at


def _notify_paused_until() -> datetime | None:
    """Until when sends leave Notify alone after a try that heard nothing. Only with a broker: inline (no REDIS_URL)
    there is no worker to keep free and no sweeper to hand a waiting row over later, so each send asks Notify."""
    if deliver_notification.app.conf.task_always_eager:
        return None
    return notify.unanswered_until()


def _wait_for_notify(notification_id: int, until: datetime) -> str:
    """Another try heard nothing from Notify a moment ago: this one does not ask it (and hold a worker for the
    timeout too), and is not counted as a try. The row is due when the pause ends, and handed over again then; the
    sweeper hands it over should that fail."""
    updated = Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
        next_attempt_at=until
    )
    if updated:
        enqueue_delivery(notification_id, countdown=max((until - timezone.now()).total_seconds(), 0))
    return "waiting for Notify" if updated else "skipped"


def _no_attachment(notification: Notification) -> str:
    """Notify sends files only as links to download, so a calendar invitation cannot go with the e-mail: it says
    where the session is in the person's calendar instead (their calendar feed has every one)."""
    if not notification.calendar:
        return ""
    return (
        "\n\nThis e-mail cannot carry a calendar invitation. Your calendar feed (Preferences, then Your sessions in "
        "your calendar) shows every session, kept up to date.\n"
    )


def _notify_refused(notification_id: int, refusal: notify.Refusal, *, claimed_at: datetime) -> str:
    if refusal.uncertain:
        notify.note_unanswered()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if not _still_claimed(notification, claimed_at):
            return "skipped"  # no answer in time, but Notify's receipt came (it has the message), or another try
        final = not refusal.retry or notification.attempts + 1 >= MAX_ATTEMPTS
        if refusal.uncertain:
            # Notify may have the message, so the next try asks it first; but this try is over, so its claim is
            # lapsed at once: the next try, after the back-off, is not taken for one still handing it over.
            notification.sending_since = claimed_at - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
        else:  # Notify answered: it has not got the message, so the next try just sends
            notification.sending_since = None
        notification.save(update_fields=["sending_since"])
        retry_in = retry_delay(notification.attempts + 1)
        if refusal.uncertain and notification.attempts == 0:  # a first hang is most often a moment's: try soon
            retry_in = timedelta(seconds=settings.NOTIFY_PAUSE_SECONDS)
        notification.mark_failed_attempt(refusal.message, final=final, retry_in=retry_in)
    logger.warning("Notification %s was not handed to Notify (attempt %s)", notification_id, notification.attempts)
    if final:
        return "failed"
    if not deliver_notification.app.conf.task_always_eager:
        enqueue_delivery(notification_id, countdown=retry_in.total_seconds())  # not a sweep later still
    return "will retry"


def message_id(notification: Notification) -> str:
    """The e-mail's Message-ID, made from the notification and the same on every try: a copy sent again after an
    uncertain outcome carries the same id as the first, so a mail system that drops a repeated Message-ID drops it
    (not every one does; docs/operations.md says what is and is not promised)."""
    domain = urlsplit(settings.SITE_URL).hostname or "alongside.invalid"
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


def _send(notification: Notification, body: str) -> None:
    """The e-mail, with its calendar invitation as a text/calendar alternative (how Outlook and Google Calendar
    recognise a meeting request or cancellation, and update the event in place), and as an .ics file."""
    headers = {"Message-ID": message_id(notification)}
    message = EmailMultiAlternatives(notification.subject, body, None, [notification.to_address], headers=headers)
    if not notification.calendar:
        message.send()
        return
    method = "CANCEL" if "METHOD:CANCEL" in notification.calendar else "REQUEST"
    message.attach_alternative(notification.calendar, f"text/calendar; method={method}")
    message.attach("invitation.ics", notification.calendar, "application/ics")
    message.send()


def enqueue_delivery(notification_id: int, *, countdown: float = 0) -> bool:
    """Hand one delivery to Celery now (to run `countdown` seconds from now). If the broker is away the row stays
    pending and the sweeper sends it later: the action that caused it has already succeeded and must not fail
    because of the queue."""
    try:
        deliver_notification.apply_async((notification_id,), retry=False, countdown=countdown or None)
    except Exception:  # the broker's own errors vary by transport; none may reach the user
        logger.warning("Notification %s could not be queued; it stays pending", notification_id, exc_info=True)
        return False
    return True


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_outbox() -> int:
    """On Celery beat: hand over again every pending notification that is due (never handed over because Redis
    was away, lost with a worker, or waiting to retry after the mail server failed). Each is pushed back by
    OUTBOX_SWEEP_AFTER first, so that one waiting in the queue is not handed over at every sweep."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Notification.objects.filter(pk__in=due).update(
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
        )
    handed_over = 0
    for pk in due:
        if not enqueue_delivery(pk):
            break  # the broker is away: the rest are due again at the next sweep
        handed_over += 1
    if due:
        logger.info("Outbox sweep: %s due, %s handed over", len(due), handed_over)
    return handed_over
