from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify

from .models import SupportRequest
from .working_days import working_days_between

logger = logging.getLogger(__name__)
WAITING_WORKING_DAYS = 10


@shared_task
def remind_waiting_requests() -> int:
    """Tell the central team, once per request, about requests waiting more than 10 working days."""
    today = timezone.localdate()
    leads = list(User.objects.filter(is_programme_lead=True, is_active=True))
    reminded = 0
    for support_request in (
        SupportRequest.objects.in_queue().filter(waiting_reminder_sent_at=None).select_related("site", "offer")
    ):
        waited = working_days_between(timezone.localdate(support_request.submitted_at), today)
        if waited <= WAITING_WORKING_DAYS:
            continue
        with transaction.atomic():
            notify(
                recipients=leads,
                kind="request-waiting",
                subject=f"{support_request.site} has waited {waited} working days",
                body=f"The request from {support_request.site} for “{support_request.offer}” has waited "
                f"{waited} working days for enablers to be proposed.",
                link=reverse("engagements:request_detail", kwargs={"pk": support_request.pk}),
            )
            support_request.mark_reminder_sent()
        reminded += 1
    logger.info("Waiting-request reminders sent for %s request(s)", reminded)
    return reminded
