"""Close-out: the close-out review of how each goal went, and a site's feedback on the support it received.

At the end of an engagement, the site's lead (with the enabler) records how each goal of the agreement went, and what
the site will do next. The review belongs to the site: the two parties read it, the central team never does (it sees
only suppressed counts in the overview)."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.access import visible
from core.errors import NotAllowed

from .engagement import Engagement
from .sessions import Session

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


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user: User) -> FeedbackQuerySet:
        """Its author, and the enabler whose support it is about. The central team sees aggregates only."""
        return visible(
            self,
            user,
            lambda rows: rows.filter(Q(given_by=user.pk) | Q(engagement__enabler=user.pk)),
            centre_sees_all=False,
        )

    def shared_with_centre(self) -> FeedbackQuerySet:
        """Words a site's lead approved for the central team. Reading them is for the overview's batches alone
        (reporting/overview.py `words`), which check each approval still holds and release only closed quarters
        with five or more sites."""
        return self.filter(share_what_helped=True, shared_words_approved_at__isnull=False).exclude(shared_words="")


class Feedback(models.Model):
    """A site's view of the support it received: never a judgement of the site."""

    class Moment(models.TextChoices):
        AFTER_SESSION = "after-session", "After a session"
        AT_CLOSE = "at-close", "At the close"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="feedback")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    moment = models.CharField(max_length=20, choices=Moment.choices)
    usefulness = models.PositiveSmallIntegerField()
    what_helped = models.TextField(blank=True)
    could_be_better = models.TextField(blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    # When the retention schedule cleared the words; the score stays for the programme's figures.
    words_removed_at = models.DateTimeField(null=True, blank=True)
    # Shared words (docs/privacy.md): whether the author, a lead of the site, said the central team may read "what
    # helped", anonymised; and the exact anonymised words they approved, when, and a digest of the words they were
    # approved from. Only "what helped" is ever offered: "what could be better" stays between the site and its
    # enabler. The approval holds only while "what helped" is still the text it was approved from.
    share_what_helped = models.BooleanField(default=False)
    shared_words = models.TextField(blank=True)
    shared_words_approved_at = models.DateTimeField(null=True, blank=True)
    shared_words_source = models.CharField(max_length=64, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["given_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5), name="feedback_usefulness_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"

    @staticmethod
    def digest(words: str) -> str:
        """What an approval was given from, without keeping a second copy of the words."""
        return hashlib.sha256(words.encode()).hexdigest()

    @property
    def shared_words_approved(self) -> bool:
        """Whether the central team may read `shared_words`: the site said yes and approved them, and "what
        helped" has not changed since."""
        return (
            self.share_what_helped
            and bool(self.shared_words)
            and self.shared_words_approved_at is not None
            and self.shared_words_source == self.digest(self.what_helped)
        )

    def _forget_approval(self) -> list[str]:
        self.shared_words = ""
        self.shared_words_approved_at = None
        self.shared_words_source = ""
        return ["shared_words", "shared_words_approved_at", "shared_words_source"]

    def approve_shared_words(self, *, anonymised: str, seen: str, now: datetime.datetime) -> list[str]:
        """The author approves the exact anonymised words they read (`seen`: the digest of the words shown to
        them); returns the fields changed."""
        if not self.share_what_helped:
            raise NotAllowed("You chose not to let the central team read these words.")
        if self.words_removed_at is not None or not self.what_helped.strip():
            raise NotAllowed("There are no words to share.")
        if seen != self.digest(anonymised):
            raise NotAllowed("The words have changed since you read them. Read them again before you approve them.")
        self.shared_words = anonymised
        self.shared_words_approved_at = now
        self.shared_words_source = self.digest(self.what_helped)
        return ["shared_words", "shared_words_approved_at", "shared_words_source"]

    def change_what_helped(self, *, what_helped: str) -> list[str]:
        """New words for "what helped": any approval is forgotten, so the new words are checked and approved
        again before the central team may read them."""
        if self.words_removed_at is not None:
            raise NotAllowed("These words were removed under the retention schedule.")
        self.what_helped = what_helped
        return ["what_helped", *self._forget_approval()]

    def withdraw_shared_words(self) -> list[str]:
        """The author takes back their yes, at any time: the central team reads these words no more."""
        if not self.share_what_helped:
            raise NotAllowed("These words are not shared with the central team.")
        self.share_what_helped = False
        return ["share_what_helped", *self._forget_approval()]
