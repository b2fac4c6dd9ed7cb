"""Invitations, which bring people in with a role, and imports, which bring a programme's sites, organisations and
people in from a spreadsheet. There is no self-registration: an account is made only by accepting an invitation
(or by an administrator in the Django admin)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.access import is_central_team, visible
from sites import access as site_access
from sites.models import Site

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def token_digest(token: str) -> str:
    """Only the digest of an invitation's token is kept: the token itself travels in the e-mail alone."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, user: User | AnonymousUser) -> InvitationQuerySet:
        """The inviter sees theirs; a site's lead the site's; the central team those for enablers, programme leads
        and site leads (a site's invitations of its members are the site's own business)."""

        def own(rows: InvitationQuerySet) -> InvitationQuerySet:
            mine = Q(invited_by=user.pk) | Q(site__in=site_access.sites_led_by(user))  # type: ignore[arg-type]
            if is_central_team(user):
                mine |= ~Q(role=Invitation.Role.SITE_MEMBER)
            return rows.filter(mine)

        return visible(self, user, own, centre_sees_all=False)

    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use link, sent to one e-mail address, that brings a person in with one role. It expires after
    INVITATION_LIFETIME; sending it again makes a new link (the old one stops working)."""

    class Role(models.TextChoices):
        ENABLER = "enabler", "Enabler"
        PROGRAMME_LEAD = "programme lead", "Programme lead"
        SITE_LEAD = "site lead", "Site lead"
        SITE_MEMBER = "site member", "Site member"

    SITE_ROLES = (Role.SITE_LEAD, Role.SITE_MEMBER)

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be accepted"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField("e-mail address")
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    # For an enabler: the sectors and capacity their profile starts with (from an import).
    profile = models.JSONField(default=dict, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["email", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=("site lead", "site member"), site__isnull=False)
                | (~Q(role__in=("site lead", "site member")) & Q(site__isnull=True)),
                name="invitation_site_for_site_roles_only",
            )
        ]

    def __str__(self) -> str:
        where = f" of {self.site}" if self.site_id else ""
        return f"{self.email} as {self.get_role_display().lower()}{where}"

    @property
    def state(self) -> State:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.state.label

    @property
    def role_words(self) -> str:
        """What the invitation makes the person, in a sentence: "an enabler", "a member of Kent"."""
        if self.role == self.Role.SITE_LEAD:
            return f"a lead of {self.site}"
        if self.role == self.Role.SITE_MEMBER:
            return f"a member of {self.site}"
        return "an enabler" if self.role == self.Role.ENABLER else "a programme lead"

    def can_resend(self) -> bool:
        return self.state in (self.State.PENDING, self.State.EXPIRED)

    def can_revoke(self) -> bool:
        return self.state == self.State.PENDING


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: User | AnonymousUser) -> ImportJobQuerySet:
        """Imports are the central team's: every programme lead sees every import (so one can finish another's)."""
        return visible(self, user, lambda rows: rows.none())


class ImportJob(models.Model):
    """One uploaded file of organisations, sites or people: checked (a dry run), then imported, all or nothing."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", "Organisations"
        SITES = "sites", "Sites"
        PEOPLE = "people", "People"

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked: ready to import"
        REFUSED = "refused", "Some rows were refused: nothing was saved"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Could not be read"

    RUNNING_STATES = (State.CHECKING, State.IMPORTING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    # What each row would do or did: [{"line": 2, "outcome": "created", "label": "...", "reason": ""}, ...]
    outcome = models.JSONField(default=list, blank=True)
    problem = models.CharField(max_length=300, blank=True)  # why the file could not be read
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING_STATES

    def counts(self) -> dict[str, int]:
        tally = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
        for row in self.outcome:
            tally[row["outcome"]] = tally.get(row["outcome"], 0) + 1
        return tally
