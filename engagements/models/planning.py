"""Planned sessions: booked ahead, one at a time or as a rhythm (a series), with the site's people invited.

A series keeps its rhythm (weekly, fortnightly or monthly until a date) and each of its occurrences is a planned
session of its own, so that one can be moved or cancelled and the rest stay as they are; its `original_start` is
where the rhythm put it (the RECURRENCE-ID of calendars). A planned session becomes a session once it is logged.
What a planned session holds is the pair's: the central team sees counts only.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .engagement import Engagement
from .sessions import HOURS_IN_A_DAY, Session

if TYPE_CHECKING:
    from accounts.models import User


def new_uid(kind: str) -> str:
    """A calendar UID that stays the same through every change, so calendars update the event in place."""
    return f"{kind}-{secrets.token_hex(12)}@alongside"


class SessionSeries(models.Model):
    """A rhythm of planned sessions of one engagement, until a date. Ending it early cancels what is left."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="planned_series")
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    until = models.DateField("until")
    uid = models.CharField(max_length=80, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "session series"

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} until {self.until}"


class PlannedSessionQuerySet(models.QuerySet["PlannedSession"]):
    def visible_to(self, user: User) -> PlannedSessionQuerySet:
        """The pair's: the site's people and its enabler. Never the central team (counts only, in the overview)."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))

    def live(self) -> PlannedSessionQuerySet:
        """Neither cancelled nor logged yet."""
        return self.filter(cancelled_at__isnull=True, session__isnull=True)

    def upcoming(self) -> PlannedSessionQuerySet:
        return self.live().filter(starts_at__gte=timezone.now()).order_by("starts_at", "pk")


class PlannedSession(models.Model):
    """A session booked ahead: when (Europe/London), how long, in what format, where (an address or a link), and
    who from the site is invited."""

    class Place(models.TextChoices):
        ON_SITE = "on-site", "On site"
        ONLINE = "online", "Online"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="planned_sessions")
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    original_start = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField("starts")
    hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    format = models.CharField(max_length=30, choices=Session.Format.choices)
    place = models.CharField("where", max_length=10, choices=Place.choices)
    address = models.CharField(max_length=300, blank=True)
    meeting_link = models.URLField(max_length=500, blank=True)
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    uid = models.CharField(max_length=80, blank=True)  # a one-off's own; an occurrence goes by its series'
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    session = models.OneToOneField(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="planned")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    prompt_sent_at = models.DateTimeField(null=True, blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PlannedSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            models.Index(fields=["starts_at"], condition=Q(cancelled_at__isnull=True), name="planned_live_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, days__isnull=True) | Q(days__gt=0, hours__isnull=True),
                name="planned_session_has_hours_or_days",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=False) | ~Q(uid=""), name="planned_session_has_a_uid_or_a_series"
            ),
            models.UniqueConstraint(
                fields=["series", "original_start"],
                condition=Q(series__isnull=False),
                name="planned_occurrence_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} at {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def calendar_uid(self) -> str:
        return self.series.uid if self.series_id and self.series else self.uid

    @property
    def ends_at(self) -> datetime.datetime:
        hours = self.hours if self.hours is not None else (self.days or Decimal("0")) * HOURS_IN_A_DAY
        return self.starts_at + datetime.timedelta(hours=float(hours))

    @property
    def counted_days(self) -> Decimal:
        """What it would use of a day budget, as a session of the same length does."""
        return Session(hours=self.hours, days=self.days).counted_days

    @property
    def length(self) -> str:
        return Session(hours=self.hours, days=self.days).length

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_logged(self) -> bool:
        return self.session_id is not None

    def may_be_logged(self, now: datetime.datetime | None = None) -> bool:
        """After its time, and neither logged nor cancelled: "log this session"."""
        return not self.is_cancelled and not self.is_logged and self.starts_at <= (now or timezone.now())
