from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification

logger = logging.getLogger(__name__)
MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_notification(self, notification_id: int) -> str:
    """E-mail one notification. Safe to run twice: the row is locked and claimed, so it is sent once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .select_related("recipient")
            .first()
        )
        if notification is None:
            return "skipped"
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{settings.SITE_URL}{notification.link}\n"
        try:
            send_mail(notification.subject, body, None, [notification.recipient.email])
        except (smtplib.SMTPException, OSError) as error:
            failure = error
            final = self.request.retries >= MAX_RETRIES
            notification.mark_failed_attempt(str(error), final=final)
        else:
            notification.mark_sent()
            return "sent"
    # Outside the transaction, so the failed attempt stays recorded while Celery waits to try again.
    logger.warning("Notification %s was not delivered (attempt %s)", notification_id, notification.attempts)
    if final:
        return "failed"
    raise self.retry(exc=failure, countdown=2**self.request.retries * 30)
