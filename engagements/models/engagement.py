"""The engagement itself: its states and day budget, extra days, the agreement, and the diagnostic and its shares."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from accounts.access import visible
from core.errors import NotAllowed
from sites import access as site_access
from sites.models import Site, SiteMembership

from .requests import Offer, SupportRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class EngagementQuerySet(models.QuerySet["Engagement"]):
    def visible_to(self, user: User | AnonymousUser) -> EngagementQuerySet:
        """State, dates and days used: the site's people, its enabler and the central team."""
        return visible(self, user, lambda rows: rows.working_with(user))

    def working_with(self, user: User | AnonymousUser) -> EngagementQuerySet:
        """The two parties of an engagement, who alone see its agreement and diagnostic."""

        def own(rows: EngagementQuerySet) -> EngagementQuerySet:
            # EXISTS rather than a join: no DISTINCT over wide rows, and one row per engagement by construction.
            member = SiteMembership.objects.filter(site=OuterRef("site"), user=user.pk)
            return rows.filter(Q(Exists(member)) | Q(enabler=user.pk))

        return visible(self, user, own, centre_sees_all=False)

    def diagnostic_readable_by(self, user: User | AnonymousUser) -> EngagementQuerySet:
        """Engagements whose diagnostic this person may read: the two parties, and anyone the site's lead
        is sharing it with right now. Never the central team."""

        def own(rows: EngagementQuerySet) -> EngagementQuerySet:
            shared = Q(diagnostic_shares__shared_with=user.pk, diagnostic_shares__stopped_at=None)
            mine = Q(site__in=site_access.sites_of(user)) | Q(enabler=user.pk)  # type: ignore[arg-type]
            return rows.filter(mine | shared).distinct()

        return visible(self, user, own, centre_sees_all=False)

    def with_site_role_of(self, user: User) -> EngagementQuerySet:
        """Each engagement with `site_role`: this person's role at its site (lead or member), or None, and
        `site_role_of`: whose role it is. Lets `engagements.access` answer "is this person a party?" without
        another query, and only about this person."""
        role = SiteMembership.objects.filter(site=OuterRef("site"), user=user.pk).values("role")[:1]
        return self.annotate(site_role=Subquery(role), site_role_of=Value(user.pk))

    def open(self) -> EngagementQuerySet:
        return self.filter(state__in=Engagement.OPEN_STATES)


class Engagement(models.Model):
    """One site and one enabler working one-to-one on one offer, born only from an accepted request."""

    class State(models.TextChoices):
        AGREEMENT = "agreement", "Agreeing how to work"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"
        ENDED = "ended", "Ended early: a change of enabler"

    OPEN_STATES = (State.AGREEMENT, State.ACTIVE, State.PAUSED, State.CLOSING)
    FINISHED_STATES = (State.CLOSED, State.ENDED)
    # The states each move starts from: its guard (pause(), close(), ...) and the question the pages ask before
    # offering it (can_pause(), can_close(), ...) read the same tuple.
    PAUSES_FROM = (State.ACTIVE,)
    RESUMES_FROM = (State.PAUSED,)
    CLOSING_STARTS_FROM = (State.ACTIVE, State.PAUSED)
    CLOSES_FROM = (State.CLOSING,)
    ENDS_EARLY_FROM = (State.ACTIVE, State.PAUSED)

    # The request is the engagement's birth certificate: not null, and at most one open engagement per request, so
    # the database itself refuses an engagement without a request, or a second one at once. A request has more
    # than one engagement only after a change of enabler: the earlier pairing ended, the next begun.
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="engagements")
    # The pairing this one follows after a change of enabler, for the days already used and what the site's lead
    # may choose to carry over.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_pairing"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="engagements")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="engagements")
    enabler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements_as_enabler"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.AGREEMENT)
    created_at = models.DateTimeField(default=timezone.now)
    started_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    day_allowance = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # Kept in step with the sessions logged (see log_session), so budgets and figures need no sum over sessions.
    days_used = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    # The sum of the extra days the site agreed (BudgetExtension rows), kept in step by agree_extra_days so that the
    # database itself can refuse days used beyond the budget.
    days_extra = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    # Days used in earlier pairings of the same request (a change of enabler): already taken off day_allowance,
    # kept to say so on the page.
    days_carried = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    shared_work_carried_at = models.DateTimeField(null=True, blank=True)
    last_nudged_at = models.DateTimeField(null=True, blank=True)
    retention_notice_sent_at = models.DateTimeField(null=True, blank=True)
    notes_destroyed_at = models.DateTimeField(null=True, blank=True)
    # The retention schedule (retention/schedule.py): the parties are told once before the engagement's records go,
    # and its sessions go last, leaving the engagement's dates and days for the programme's figures.
    records_notice_sent_at = models.DateTimeField(null=True, blank=True)
    sessions_destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["enabler", "state"]),
            models.Index(fields=["site", "state"]),
            models.Index(fields=["state", "closed_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(days_used__gte=0), name="engagement_days_used_not_negative"),
            models.CheckConstraint(condition=Q(days_extra__gte=0), name="engagement_days_extra_not_negative"),
            # The day budget: never more days used than the allowance plus what the site agreed.
            models.CheckConstraint(
                condition=Q(day_allowance__isnull=True) | Q(days_used__lte=F("day_allowance") + F("days_extra")),
                name="engagement_days_within_budget",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(state__in=["agreement", "active", "paused", "closing"]),
                name="one_open_engagement_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} with {self.enabler}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def _move(self, *, allowed_from: tuple[str, ...], to: str, fields: tuple[str, ...] = ()) -> None:
        if self.state not in allowed_from:
            target = self.State(to).label.lower()
            raise NotAllowed(
                f"This engagement is “{self.get_state_display().lower()}”, so it cannot move to “{target}”."
            )
        self.state = to
        self.save(update_fields=["state", *fields])

    def activate(self) -> None:
        """Both parties have confirmed the agreement: the work begins."""
        self.started_on = timezone.localdate()
        self._move(allowed_from=(self.State.AGREEMENT,), to=self.State.ACTIVE, fields=("started_on",))

    def can_pause(self) -> bool:
        return self.state in self.PAUSES_FROM

    def pause(self) -> None:
        self._move(allowed_from=self.PAUSES_FROM, to=self.State.PAUSED)

    def can_resume(self) -> bool:
        return self.state in self.RESUMES_FROM

    def resume(self) -> None:
        self._move(allowed_from=self.RESUMES_FROM, to=self.State.ACTIVE)

    def earliest_session_date(self) -> datetime.date:
        """The earliest date a session can be logged with: the engagement's beginning, or a year ago when that
        is earlier (a session from before Alongside was used for the engagement can still be logged)."""
        a_year_ago = timezone.localdate() - datetime.timedelta(days=365)
        return min(timezone.localdate(self.created_at), a_year_ago)

    def can_start_closing(self) -> bool:
        return self.state in self.CLOSING_STARTS_FROM

    def start_closing(self, *, follow_up_on: datetime.date) -> None:
        if follow_up_on < timezone.localdate():
            raise NotAllowed("The follow-up date must be today or later.")
        self.follow_up_on = follow_up_on
        self._move(
            allowed_from=self.CLOSING_STARTS_FROM,
            to=self.State.CLOSING,
            fields=("follow_up_on",),
        )

    def can_close(self) -> bool:
        return self.state in self.CLOSES_FROM

    def close(self) -> None:
        self.closed_on = timezone.localdate()
        self._move(allowed_from=self.CLOSES_FROM, to=self.State.CLOSED, fields=("closed_on",))

    def can_end_early(self) -> bool:
        return self.state in self.ENDS_EARLY_FROM

    def end_early(self) -> None:
        """A change of enabler: the pairing ends now, without blame. Its closed_on starts the private notes'
        retention as a close does."""
        self.closed_on = timezone.localdate()
        self._move(allowed_from=self.ENDS_EARLY_FROM, to=self.State.ENDED, fields=("closed_on",))

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    # The day budget -------------------------------------------------------------------------------------------

    @property
    def days_agreed_extra(self) -> Decimal:
        return self.days_extra

    @property
    def days_available(self) -> Decimal | None:
        """The offer's allowance plus any extra days the site agreed; None when the offer has no allowance."""
        if self.day_allowance is None:
            return None
        return self.day_allowance + self.days_agreed_extra

    @property
    def budget_share_used(self) -> int | None:
        available = self.days_available
        if not available:
            return None
        return int(self.days_used * 100 / available)

    @property
    def budget_warning(self) -> bool:
        """80 % of the days are used: time to talk about what the rest are for."""
        share = self.budget_share_used
        return share is not None and share >= 80

    def use_days(self, days: Decimal) -> None:
        """Count delivered days against the budget. Going over needs the site's agreement first."""
        if days <= 0:
            raise NotAllowed("Days used must be more than zero.")
        self.refresh_from_db(fields=["days_used", "days_extra", "day_allowance"])  # agreed elsewhere meanwhile?
        available = self.days_available
        if available is not None and self.days_used + days > available:
            raise NotAllowed(
                f"That would use {self.days_used + days} of {available} days. "
                "The site's lead must agree extra days before more are used."
            )
        # Added in the database, so two sessions logged at once both count; the budget constraint refuses an
        # overrun that the check above could not see (another session logged in between).
        try:
            with transaction.atomic():
                Engagement.objects.filter(pk=self.pk).update(days_used=F("days_used") + days)
        except IntegrityError as error:
            raise NotAllowed(
                "Those days would go beyond the budget. The site's lead must agree extra days before more are used."
            ) from error
        self.refresh_from_db(fields=["days_used"])

    def check_extra_days(self, days: Decimal) -> None:
        """The guard on extra days: the offer has an allowance to extend, and the days are more than none."""
        if self.day_allowance is None:
            raise NotAllowed("This offer has no day allowance, so there is nothing to extend.")
        if days <= 0:
            raise NotAllowed("Extra days must be more than zero.")


class BudgetExtension(models.Model):
    """Days beyond the offer's allowance, agreed by the site's lead."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="budget_extensions")
    days = models.DecimalField(max_digits=5, decimal_places=1)
    reason = models.TextField()
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreed_at"]
        constraints = [models.CheckConstraint(condition=Q(days__gt=0), name="budget_extension_days_positive")]

    def __str__(self) -> str:
        return f"{self.days} extra days for {self.engagement}"


DEFAULT_CONFIDENTIALITY = (
    "The enabler's notes are private to the enabler. Nothing about the site's leadership is reported to the "
    "central team: it sees only that the engagement exists, its dates and the days used."
)


class Agreement(models.Model):
    """What both parties confirm at the start: cadence, ways of working, goals and confidentiality.

    Any change to the words withdraws earlier confirmations, so each party has confirmed exactly the same text.
    """

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="agreement")
    cadence = models.CharField(max_length=200, blank=True)
    ways_of_working = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    confidentiality = models.TextField(default=DEFAULT_CONFIDENTIALITY)
    site_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site_confirmed_at = models.DateTimeField(null=True, blank=True)
    enabler_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Agreement for {self.engagement}"

    @property
    def is_complete(self) -> bool:
        return bool(self.cadence.strip() and self.ways_of_working.strip() and self.goals.strip())

    @property
    def is_confirmed(self) -> bool:
        return self.site_confirmed_at is not None and self.enabler_confirmed_at is not None

    def revise(self, *, cadence: str, ways_of_working: str, goals: str, confidentiality: str) -> bool:
        """Change the words. Returns whether anything changed; a change withdraws both confirmations."""
        if self.is_confirmed:
            raise NotAllowed("The agreement has been confirmed by both of you and can no longer be changed.")
        new = {
            "cadence": cadence,
            "ways_of_working": ways_of_working,
            "goals": goals,
            "confidentiality": confidentiality,
        }
        if all(getattr(self, name) == value for name, value in new.items()):
            return False
        for name, value in new.items():
            setattr(self, name, value)
        self.site_confirmed_by = self.site_confirmed_at = self.enabler_confirmed_at = None
        self.updated_at = timezone.now()
        self.save(update_fields=[*new, "site_confirmed_by", "site_confirmed_at", "enabler_confirmed_at", "updated_at"])
        return True

    def awaits_confirmation(self, *, for_site: bool) -> bool:
        """Whether the site (its lead) or the enabler has yet to confirm the words as they stand."""
        return (self.site_confirmed_at if for_site else self.enabler_confirmed_at) is None

    def confirm(self, *, by: User, for_site: bool) -> None:
        """One party confirms the words as they stand now: the site's lead for the site, or the enabler."""
        if self.is_confirmed:
            raise NotAllowed("The agreement is already confirmed by both of you.")
        if not self.is_complete:
            raise NotAllowed("Fill in the cadence, the ways of working and the goals before confirming.")
        if for_site:
            self.site_confirmed_by, self.site_confirmed_at = by, timezone.now()
            self.save(update_fields=["site_confirmed_by", "site_confirmed_at"])
        else:
            self.enabler_confirmed_at = timezone.now()
            self.save(update_fields=["enabler_confirmed_at"])


class DiagnosticQuerySet(models.QuerySet["Diagnostic"]):
    def visible_to(self, user: User | AnonymousUser) -> DiagnosticQuerySet:
        """The site's people and its enabler; an account manager only while the site's lead shares it."""
        return self.filter(engagement__in=Engagement.objects.diagnostic_readable_by(user))


class Diagnostic(models.Model):
    """One version of the site's own view of where it is on its integration journey. Re-running it adds a version;
    earlier versions stay as its history."""

    class Stage(models.IntegerChoices):
        EXPLORING = 1, "Exploring: partners are talking about what integration could mean here"
        COMMITTING = 2, "Committing: a shared vision is agreed, but little has changed on the ground yet"
        BUILDING = 3, "Building: joint teams, budgets or roles are being set up"
        DELIVERING = 4, "Delivering: people are feeling joined-up care in some places"
        SUSTAINING = 5, "Sustaining: integrated working is the normal way, and the partnership holds under pressure"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="diagnostics")
    version = models.PositiveSmallIntegerField()
    stage = models.PositiveSmallIntegerField("where the site feels it is", choices=Stage.choices)
    strengths = models.TextField("strengths to build on")
    development_areas = models.TextField("areas for development")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "version"], name="diagnostic_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Diagnostic {self.version} for {self.engagement.site}"


class DiagnosticShare(models.Model):
    """The site's lead shares the diagnostic with a named person, such as its NHS England account manager."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="diagnostic_shares")
    shared_with = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "shared_with"],
                condition=Q(stopped_at=None),
                name="one_live_diagnostic_share_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Diagnostic of {self.engagement.site} shared with {self.shared_with}"

    def stop(self, *, by: User) -> None:
        if self.stopped_at is not None:
            raise NotAllowed("Sharing has already stopped.")
        self.stopped_by, self.stopped_at = by, timezone.now()
        self.save(update_fields=["stopped_by", "stopped_at"])
