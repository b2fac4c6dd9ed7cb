"""Requests: the offers a programme makes, a site's support requests, and the enablers proposed for them.

Support is pulled, never pushed: an engagement is born only from a site's own request, accepted by the enabler the
site chose. Every change of state is a verb-named method that saves with update_fields.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.access import visible
from core.errors import NotAllowed
from sites import access as site_access
from sites.models import Programme, Site

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Approach(models.TextChoices):
    COACHING = "coaching", "Coaching"
    FACILITATION = "facilitation", "Facilitation"
    ORGANISATIONAL_DEVELOPMENT = "organisational-development", "Organisational development"
    DESIGN_WORKSHOPS = "design-workshops", "Design workshops"


class Offer(models.Model):
    """A kind of support a programme provides."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        ON_SITE_DAYS = "on-site-days", "On-site days"
        FLEXIBLE = "flexible", "Flexible"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="offers")
    name = models.CharField(max_length=200)
    description = models.TextField("what it includes", blank=True)
    provider = models.CharField("provider organisation", max_length=200)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    day_allowance = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="Days of support funded; blank for none."
    )
    starts_with_diagnostic = models.BooleanField(
        default=False, help_text="The support starts with the site's own diagnostic of where it is."
    )
    is_open = models.BooleanField(
        default=True, help_text="Sites can ask for it. A retired offer takes no new requests."
    )

    class Meta:
        ordering = ["programme__year", "name"]

    def __str__(self) -> str:
        return self.name


class SupportRequestQuerySet(models.QuerySet["SupportRequest"]):
    def visible_to(self, user: User | AnonymousUser) -> SupportRequestQuerySet:
        """The site's own people and the central team; an enabler only once proposed for it."""
        return visible(
            self,
            user,
            lambda rows: rows.filter(
                Q(site__in=site_access.sites_of(user)) | Q(proposals__enabler=user.pk)  # type: ignore[arg-type]
            ).distinct(),
        )

    def open(self) -> SupportRequestQuerySet:
        return self.filter(state__in=SupportRequest.OPEN_STATES)

    def in_queue(self) -> SupportRequestQuerySet:
        """Waiting for the central team to propose enablers, oldest first."""
        return self.filter(state__in=SupportRequest.QUEUE_STATES).order_by("submitted_at", "pk")


class SupportRequest(models.Model):
    """A site's own statement that it is ready for one offer. Only a member of the site creates one."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for proposals"
        PROPOSED = "proposed", "Enablers proposed"
        CHOSEN = "chosen", "Waiting for the enabler to confirm"
        DECLINED = "declined", "Proposals declined: back in the queue"
        CHANGE = "change", "Asked for a different enabler: back in the queue"
        ACCEPTED = "accepted", "Accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATES = (State.SUBMITTED, State.PROPOSED, State.CHOSEN, State.DECLINED, State.CHANGE)
    QUEUE_STATES = (State.SUBMITTED, State.DECLINED, State.CHANGE)

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="support_requests")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="support_requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    why_now = models.TextField("why now")
    help_wanted = models.TextField("what you would like help with")
    who_is_involved = models.TextField("who is involved")
    approaches_wanted = models.JSONField(default=list, blank=True)
    preferred_start = models.DateField("when you would like to start", null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    waiting_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # When a pairing born from this request last ended early (a change of enabler): the request came back to the
    # queue then, "asked for a different enabler". Never who asked, never why: those stay with the two parties.
    change_asked_at = models.DateTimeField(null=True, blank=True)
    # When the retention schedule cleared the site's words (and its proposals'); the row stays for the figures.
    words_removed_at = models.DateTimeField(null=True, blank=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "offer"],
                condition=Q(state__in=["submitted", "proposed", "chosen", "declined", "change"]),
                name="one_open_request_per_site_and_offer",
            )
        ]
        indexes = [models.Index(fields=["state", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.site} asks for {self.offer}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_in_queue(self) -> bool:
        """Waiting for the central team to propose enablers."""
        return self.state in self.QUEUE_STATES

    def approach_labels(self) -> list[str]:
        return [Approach(value).label for value in self.approaches_wanted if value in Approach.values]

    def current_proposals(self) -> models.QuerySet[Proposal]:
        return self.proposals.filter(outcome__in=[Proposal.Outcome.PENDING, Proposal.Outcome.CHOSEN])

    def _move(self, *, to: str, fields: tuple[str, ...] = ()) -> None:
        self.state = to
        self.save(update_fields=["state", *fields])

    def mark_proposed(self) -> None:
        if self.state not in self.QUEUE_STATES:
            raise NotAllowed("Enablers can only be proposed for a request waiting in the queue.")
        self._move(to=self.State.PROPOSED)

    def choose(self, *, proposal: Proposal) -> None:
        """The site chooses one of the enablers proposed to it."""
        if self.state != self.State.PROPOSED:
            raise NotAllowed("An enabler can only be chosen while proposals are waiting for the site.")
        if proposal.request_id != self.pk or proposal.outcome != Proposal.Outcome.PENDING:
            raise NotAllowed("Choose one of the enablers proposed for this request.")
        self.proposals.filter(outcome=Proposal.Outcome.PENDING).exclude(pk=proposal.pk).update(
            outcome=Proposal.Outcome.NOT_CHOSEN
        )
        proposal.outcome = Proposal.Outcome.CHOSEN
        proposal.save(update_fields=["outcome"])
        self._move(to=self.State.CHOSEN)

    def decline(self, *, reason: str) -> None:
        """The site declines every proposal, with a reason: the request goes back to the queue."""
        if self.state != self.State.PROPOSED:
            raise NotAllowed("Proposals can only be declined while they are waiting for the site.")
        if not reason.strip():
            raise NotAllowed("Say why none of the proposed enablers is right, so the next proposal fits better.")
        self.proposals.filter(outcome=Proposal.Outcome.PENDING).update(outcome=Proposal.Outcome.DECLINED)
        self.decline_reason = reason.strip()
        self._move(to=self.State.DECLINED, fields=("decline_reason",))

    def return_to_queue(self) -> None:
        """The chosen enabler cannot take it on after all: the request waits for new proposals."""
        if self.state != self.State.CHOSEN:
            raise NotAllowed("Only a request waiting for its chosen enabler can go back to the queue.")
        self.proposals.filter(outcome=Proposal.Outcome.CHOSEN).update(outcome=Proposal.Outcome.ENABLER_DECLINED)
        self._move(to=self.State.DECLINED)

    def mark_accepted(self) -> None:
        if self.state != self.State.CHOSEN:
            raise NotAllowed("This request is not waiting for an enabler to confirm.")
        self.decided_at = timezone.now()
        self._move(to=self.State.ACCEPTED, fields=("decided_at",))

    def back_for_a_change(self) -> None:
        """Its pairing ended early: the request waits for new proposals, marked as asking for a different
        enabler. When the site first asked stays as it was."""
        if self.state != self.State.ACCEPTED:
            raise NotAllowed("Only a request whose engagement has begun can come back for a different enabler.")
        self.change_asked_at = timezone.now()
        self.waiting_reminder_sent_at = None  # a new wait: the central team is reminded again if it runs long
        self._move(to=self.State.CHANGE, fields=("change_asked_at", "waiting_reminder_sent_at"))

    @property
    def waiting_since(self) -> datetime.datetime:
        """Since when it has waited for an enabler: the site's ask, or the change of enabler it came back with."""
        return self.change_asked_at or self.submitted_at

    def withdraw(self) -> None:
        if not self.is_open:
            raise NotAllowed(
                "This request has already been accepted and an engagement has begun."
                if self.state == self.State.ACCEPTED
                else "This request is already closed."
            )
        self.proposals.filter(outcome__in=[Proposal.Outcome.PENDING, Proposal.Outcome.CHOSEN]).update(
            outcome=Proposal.Outcome.WITHDRAWN
        )
        self.decided_at = timezone.now()
        self._move(to=self.State.WITHDRAWN, fields=("decided_at",))

    def mark_reminder_sent(self) -> None:
        self.waiting_reminder_sent_at = timezone.now()
        self.save(update_fields=["waiting_reminder_sent_at"])


class Proposal(models.Model):
    """A programme lead's suggestion of one enabler for a request, with a short introduction for the site."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for the site"
        CHOSEN = "chosen", "Chosen by the site"
        NOT_CHOSEN = "not-chosen", "Another enabler was chosen"
        DECLINED = "declined", "Declined by the site"
        ENABLER_DECLINED = "enabler-declined", "The enabler could not take it on"
        ACCEPTED = "accepted", "Confirmed by the enabler"
        WITHDRAWN = "withdrawn", "The request was withdrawn"

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="proposals")
    enabler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    introduction = models.TextField()
    reasons = models.JSONField(default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "enabler"],
                condition=Q(outcome__in=["pending", "chosen"]),
                name="one_live_proposal_per_enabler_and_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enabler} for {self.request}"
