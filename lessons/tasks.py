from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import actions

logger = logging.getLogger(__name__)


@shared_task
def send_lessons_digest() -> int:
    """Once a week, the titles of newly published lessons to the programme leads who asked for them."""
    lessons, readers = actions.send_lessons_digest(now=timezone.now())
    if lessons:
        logger.info("Lessons digest: %s lessons to %s readers", lessons, readers)
    return readers
