"""Changes: chemistry conversations before a site chooses, and changes of enabler.

Beginnings and changes without blame: a chemistry conversation between a site and a proposed enabler before the
site chooses, and a change of enabler, when either party ends a pairing early.

A chemistry conversation is the site's lead's and that enabler's: the central team sees only that one was asked
for. A change of enabler's words, and who asked for it, are the two parties' alone: the central team sees that the
request came back to the queue, and a suppressed count in the overview.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.access import visible
from sites import access as site_access

from .engagement import Engagement
from .planning import PlannedSession
from .requests import Proposal

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class ChemistryConversationQuerySet(models.QuerySet["ChemistryConversation"]):
    def visible_to(self, user: User | AnonymousUser) -> ChemistryConversationQuerySet:
        """The site's lead and the proposed enabler: nobody else (the central team sees only that one was asked
        for, on the request)."""
        return visible(
            self,
            user,
            lambda rows: rows.filter(
                Q(proposal__enabler=user.pk) | Q(proposal__request__site__in=site_access.sites_led_by(user))  # type: ignore[arg-type]
            ),
            centre_sees_all=False,
        )


class ChemistryConversation(models.Model):
    """A short talk between a site's lead and a proposed enabler before the site chooses. The enabler offers times
    (up to three) for the site's lead to pick, or either of them plans a time they agreed. It is no session of any
    engagement and never counts against a day budget."""

    LENGTHS = (30, 45, 60)
    MOST_TIMES_OFFERED = 3

    class State(models.TextChoices):
        ASKED = "asked", "Asked for: waiting for times"
        OFFERED = "offered", "Times offered: waiting for the site to pick one"
        PLANNED = "planned", "Planned"
        CANCELLED = "cancelled", "Cancelled"

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="chemistry")
    state = models.CharField(max_length=20, choices=State.choices, default=State.ASKED)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    # ISO 8601 moments offered by the enabler, for the site's lead to pick one.
    offered_times = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(default=30)
    place = models.CharField("where", max_length=10, choices=PlannedSession.Place.choices, blank=True)
    address = models.CharField(max_length=300, blank=True)
    meeting_link = models.URLField(max_length=500, blank=True)
    uid = models.CharField(max_length=80, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ChemistryConversationQuerySet.as_manager()

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=15, minutes__lte=120), name="chemistry_lasts_a_short_talk"),
        ]

    def __str__(self) -> str:
        return f"Chemistry conversation {self.pk}"

    @property
    def times(self) -> list[datetime.datetime]:
        """The times offered, as moments (UTC), earliest first."""
        return sorted(datetime.datetime.fromisoformat(value) for value in self.offered_times)

    @property
    def is_live(self) -> bool:
        return self.state != self.State.CANCELLED


class EnablerChangeQuerySet(models.QuerySet["EnablerChange"]):
    def visible_to(self, user: User | AnonymousUser) -> EnablerChangeQuerySet:
        """The ended pairing's two parties: the site's people and the enabler. Never the central team, never an
        administrator."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))


class EnablerChange(models.Model):
    """A pairing ended early by either party ("this pairing is not working for us"), with words for the other
    party if they chose to write any. Nothing in it judges anyone: it records that the pairing ended."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="change")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    words = models.TextField(blank=True)
    asked_at = models.DateTimeField(default=timezone.now)
    # When the retention schedule cleared the words and who asked; that a change happened stays, for the figures.
    words_removed_at = models.DateTimeField(null=True, blank=True)

    objects = EnablerChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["asked_at"])]

    def __str__(self) -> str:
        return f"Change of enabler {self.pk}"
