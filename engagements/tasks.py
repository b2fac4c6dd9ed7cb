from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from accounts.models import User

from .actions import closeout, planning
from .actions.requests import note_reminder_sent
from .actions.sessions import nudge_if_quiet
from .models import Engagement, Offer, SupportRequest
from .working_days import working_days_between

logger = logging.getLogger(__name__)
WAITING_WORKING_DAYS = 10


@shared_task
def remind_waiting_requests() -> int:
    """Tell the central team, once per wait, about requests waiting more than 10 working days (since the site asked,
    or since it came back after a change of enabler)."""
    today = timezone.localdate()
    leads = list(User.objects.central_team())
    reminded = 0
    for support_request in (
        SupportRequest.objects.in_queue().filter(waiting_reminder_sent_at=None).select_related("site", "offer")
    ):
        waited = working_days_between(timezone.localdate(support_request.waiting_since), today)
        if waited <= WAITING_WORKING_DAYS:
            continue
        note_reminder_sent(request=support_request, leads=leads, waited=waited)
        reminded += 1
    logger.info("Waiting-request reminders sent for %s request(s)", reminded)
    return reminded


@shared_task
def nudge_quiet_engagements() -> int:
    """Active weekly engagements with no session for a while: a gentle word to the two parties only."""
    today = timezone.localdate()
    nudged = 0
    quiet = Engagement.objects.filter(state=Engagement.State.ACTIVE, offer__cadence=Offer.Cadence.WEEKLY)
    for engagement in quiet.select_related("site", "offer", "enabler").iterator():
        nudged += nudge_if_quiet(engagement=engagement, today=today)
    logger.info("Nudges sent for %s engagement(s)", nudged)
    return nudged


@shared_task
def send_close_out_check_ins() -> int:
    """Daily: at each engagement's follow-up date, a gentle look back at its close-out review, to the two parties."""
    sent = closeout.send_close_out_check_ins(today=timezone.localdate())
    logger.info("Close-out check-ins sent for %s review(s)", sent)
    return sent


@shared_task
def send_session_reminders() -> int:
    """Hourly: the day before each planned session, a reminder to the enabler and the invitees who want one."""
    reminded = planning.send_session_reminders()
    logger.info("Session reminders sent for %s planned session(s)", reminded)
    return reminded


@shared_task
def prompt_unlogged_sessions() -> int:
    """Daily: a planned session neither logged nor cancelled two days on, a word to its enabler."""
    prompted = planning.prompt_unlogged_sessions()
    logger.info("Prompts sent for %s unlogged planned session(s)", prompted)
    return prompted
