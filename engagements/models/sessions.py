"""Sessions: the sessions held, shared notes and actions, the access log, and calendar feeds."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .engagement import Engagement

if TYPE_CHECKING:
    from accounts.models import User

HOURS_IN_A_DAY = Decimal("7.5")  # one working day, for offers counted in days


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User) -> SessionQuerySet:
        """The session log (date, format, length): the site's people and its enabler. The central team sees
        counts and days only, through the engagement, never the rows."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))


class Session(models.Model):
    """A piece of support delivered: when, how long, in what format, where, and who took part by role."""

    class Format(models.TextChoices):
        ONE_TO_ONE = "one-to-one", "One-to-one coaching"
        LEADERSHIP_TEAM = "leadership-team", "Leadership team"
        PARTNERSHIP_BOARD = "partnership-board", "Partnership board"
        DESIGN_WORKSHOP = "design-workshop", "Design workshop"
        STAKEHOLDER_GROUP = "stakeholder-group", "Stakeholder group"
        SMALL_GROUP = "small-group", "Small group"

    class Place(models.TextChoices):
        ON_SITE = "on-site", "On site"
        REMOTE = "remote", "Remote"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date")
    hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    format = models.CharField(max_length=30, choices=Format.choices)
    place = models.CharField("where", max_length=10, choices=Place.choices)
    participants = models.CharField("who took part, by role", max_length=500, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["engagement", "-held_on"]),
            # The admin's change list of every session, newest first, a page at a time.
            models.Index(fields=["-held_on", "-id"], name="session_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, days__isnull=True) | Q(days__gt=0, hours__isnull=True),
                name="session_has_hours_or_days",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} on {self.held_on}"

    @property
    def counted_days(self) -> Decimal:
        """What the session uses of a day budget: its days, or its hours as a share of a 7.5-hour day."""
        if self.days is not None:
            return self.days
        assert self.hours is not None  # noqa: S101  (the session_has_hours_or_days constraint)
        return (self.hours / HOURS_IN_A_DAY).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def length(self) -> str:
        if self.days is not None:
            return f"{self.days.normalize():f} day{'s' if self.days != 1 else ''}"
        assert self.hours is not None  # noqa: S101  (the session_has_hours_or_days constraint)
        return f"{self.hours.normalize():f} hour{'s' if self.hours != 1 else ''}"


class SharedNote(models.Model):
    """A note the enabler or the site writes for both to see. Never for the central team."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="shared_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Copied from an earlier pairing of the same request, because the site's lead chose to carry it over.
    carried_over = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Shared note {self.pk}"


class Action(models.Model):
    """Something one of the two parties will do, by a date."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    carried_over = models.BooleanField(default=False)  # as a shared note's

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def mark_done(self) -> None:
        self.done_at = timezone.now()
        self.save(update_fields=["done_at"])

    def reopen(self) -> None:
        self.done_at = None
        self.save(update_fields=["done_at"])


class AccessRecord(models.Model):
    """Who looked at an engagement's records, and when: the site's lead and the enabler can see it."""

    class Kind(models.TextChoices):
        SESSIONS = "sessions", "Session log"
        SHARED = "shared", "Shared notes and actions"
        DIAGNOSTIC = "diagnostic", "Diagnostic"
        ENGAGEMENT = "engagement", "Engagement page"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="access_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["engagement", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} read {self.kind} at {self.at}"


class CalendarFeed(models.Model):
    """A secret address for a person's sessions in Outlook or Google Calendar. Revoking it deletes the address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


def quiet_since(engagement: Engagement) -> datetime.date | None:
    """The day of the last sign of life: the latest session held, or planned (a session planned ahead, even one
    still to come, is activity), or the start."""
    latest = engagement.sessions.order_by("-held_on").values_list("held_on", flat=True).first()
    planned = (
        engagement.planned_sessions.filter(cancelled_at__isnull=True)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    days = [day for day in (latest, timezone.localdate(planned) if planned else None) if day is not None]
    return max(days) if days else engagement.started_on
