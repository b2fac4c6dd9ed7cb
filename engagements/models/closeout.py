"""The close-out review: at the end of an engagement, the site's lead (with the enabler) records how each goal of
the agreement went, and what the site will do next. It belongs to the site: the two parties read it, the central
team never does (it sees only suppressed counts in the overview)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from .support import Engagement

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def goals_of(goals: str) -> list[str]:
    """The agreement's goals, one a non-blank line; a single paragraph is one goal."""
    return [line.strip() for line in goals.splitlines() if line.strip()]


class CloseOutReviewQuerySet(models.QuerySet["CloseOutReview"]):
    def visible_to(self, user: User | AnonymousUser) -> CloseOutReviewQuerySet:
        """The engagement's two parties only: never the central team, never an administrator."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))


class CloseOutReview(models.Model):
    """How the engagement's goals went, and what the site will do next: recorded by the site's lead."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="close_out_review")
    what_next = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    follow_up_sent_at = models.DateTimeField(null=True, blank=True)
    # When the retention schedule cleared the words; each goal's outcome stays for the programme's figures.
    words_removed_at = models.DateTimeField(null=True, blank=True)

    objects = CloseOutReviewQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Close-out review for {self.engagement}"


class GoalReview(models.Model):
    """One goal of the agreement, as it was worded, and how it went."""

    class Outcome(models.TextChoices):
        MET = "met", "Met"
        PARTLY_MET = "partly met", "Partly met"
        NOT_YET = "not yet", "Not yet"
        NO_LONGER_RELEVANT = "no longer relevant", "No longer relevant"

    review = models.ForeignKey(CloseOutReview, on_delete=models.CASCADE, related_name="goals")
    goal = models.TextField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    words = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="goal_review_one_per_position"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["met", "partly met", "not yet", "no longer relevant"]),
                name="goal_review_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal[:40]}: {self.outcome}"
