from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import notify

from .models import DigestSubscription, Lesson

logger = logging.getLogger(__name__)


@shared_task
def send_lessons_digest() -> int:
    """Once a week, the titles of newly published lessons to the programme leads who asked for them."""
    since = timezone.now() - datetime.timedelta(days=7)
    lessons = list(Lesson.objects.published().filter(published_at__gte=since).order_by("-published_at")[:50])
    if not lessons:
        return 0
    readers = [s.user for s in DigestSubscription.objects.filter(user__is_programme_lead=True, user__is_active=True)]
    titles = "\n".join(f"- {lesson.title}" for lesson in lessons)
    with transaction.atomic():
        notify(
            recipients=readers,
            kind="lessons-digest",
            subject=f"{len(lessons)} new lesson{'s' if len(lessons) != 1 else ''} in the library",
            body=f"Published in the last week:\n{titles}",
            link=reverse("lessons:library"),
        )
    logger.info("Lessons digest: %s lessons to %s readers", len(lessons), len(readers))
    return len(readers)
