"""What the retention schedule keeps of its own: the legal holds that stop it, and a report of each run."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.errors import NotAllowed
from engagements.models import Engagement


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def in_force(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at=None)


class LegalHold(models.Model):
    """An administrator holds an engagement's records back from the retention schedule for a legal reason (a claim,
    an investigation, a request under the law): nothing of that engagement, its parties' names or the audit events
    about it is destroyed until the hold is lifted. The reason is the administrator's, never a party's words."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField(help_text="Why the records must be kept: a claim, an investigation, a legal request.")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"], condition=Q(lifted_at=None), name="legal_hold_one_in_force_per_engagement"
            )
        ]

    def __str__(self) -> str:
        state = "lifted" if self.lifted_at else "in force"
        return f"Legal hold on engagement {self.engagement_id} ({state})"

    def lift(self, *, by: Any) -> None:
        """Guard and change: the schedule applies to the engagement's records again from its next run."""
        if self.lifted_at is not None:
            raise NotAllowed("This legal hold was lifted already.")
        self.lifted_at, self.lifted_by = timezone.now(), by
        self.save(update_fields=["lifted_at", "lifted_by"])


class RetentionRun(models.Model):
    """One run of the schedule: how many records of each kind it destroyed, the notices it sent and what falls
    due in the next 30 days. Counts only: never a name, a date of a person's record or a word of content."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    destroyed = models.JSONField(default=dict, help_text="Records destroyed, by kind (the schedule's names).")
    notices = models.JSONField(default=dict, help_text="Notices sent ahead of destruction, by kind.")
    due_soon = models.JSONField(default=dict, help_text="Records that fall due in the next 30 days, by kind.")
    held = models.PositiveIntegerField(default=0, help_text="Engagements under a legal hold at the time.")
    seconds = models.JSONField(default=dict, help_text="How long each kind took, in seconds.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Retention run of {timezone.localtime(self.started_at):%d %B %Y %H:%M}"
