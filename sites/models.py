"""Programmes, sites, their partner organisations and who belongs to them: the root of who may see what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.access import visible
from core.errors import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Region(models.TextChoices):
    NORTH_EAST_AND_YORKSHIRE = "north-east-yorkshire", "North East and Yorkshire"
    NORTH_WEST = "north-west", "North West"
    MIDLANDS = "midlands", "Midlands"
    EAST_OF_ENGLAND = "east-of-england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


class Programme(models.Model):
    """A national support programme that sites belong to, in one programme year."""

    class Kind(models.TextChoices):
        PIONEER = "pioneer", "Integrated Care Pioneer"
        ACCELERATE = "accelerate", "Accelerate"
        VANGUARD = "vanguard", "Vanguard"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(help_text="The year the programme year starts: 2014 means 2014/15.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["year", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="programme_kind_year_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.programme_year}"

    @property
    def programme_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        """Organisations that are partners of a site this person may see."""
        return visible(self, user, lambda rows: rows.filter(sites__in=Site.objects.visible_to(user)).distinct())


class Organisation(models.Model):
    """A partner body of one or more sites, with the other names people use for it."""

    class Sector(models.TextChoices):
        NHS_TRUST = "nhs-trust", "NHS trust"
        COMMISSIONER = "commissioner", "CCG or ICB"
        COUNCIL = "council", "Council"
        INDEPENDENT = "independent", "Independent sector"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    aliases = models.TextField(blank=True, help_text="Other names people use for it, one a line (“LB Islington”).")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @staticmethod
    def aliases_from(names: list[str]) -> str:
        """The stored form of a list of aliases: one a line, blanks and repeats dropped, in the order given."""
        seen: dict[str, None] = {}
        for name in names:
            if name.strip() and name.strip().casefold() not in {key.casefold() for key in seen}:
                seen[name.strip()] = None
        return "\n".join(seen)


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: User | AnonymousUser) -> SiteQuerySet:
        """Sites whose profile this person may see: their own, or every site for the central team."""
        return visible(
            self,
            user,
            lambda rows: rows.filter(
                Q(memberships__user=user) | Q(engagements__enabler=user) | Q(account_managers=user)
            ).distinct(),
        )


class Site(models.Model):
    """A local partnership working to integrate health and social care, in one programme."""

    name = models.CharField(max_length=200, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sites")
    region = models.CharField(max_length=30, choices=Region.choices)
    description = models.TextField(blank=True)
    council_count = models.PositiveSmallIntegerField("councils", default=1)
    commissioner_count = models.PositiveSmallIntegerField("CCGs or ICBs", default=1)
    boundaries_overlap = models.BooleanField(
        default=False, help_text="Do the councils' and commissioners' boundaries overlap rather than match?"
    )
    partners = models.ManyToManyField(Organisation, related_name="sites", blank=True)
    account_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_sites",
        blank=True,
        limit_choices_to={"is_account_manager": True},
        help_text="NHS England account managers linked to the site; they see its diagnostic only when shared.",
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["programme", "name"]), models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def geography(self) -> str:
        """The shape of the site's geography in plain words: it makes integration easier or harder."""
        councils = f"{self.council_count} council{'s' if self.council_count != 1 else ''}"
        plural = "s" if self.commissioner_count != 1 else ""
        commissioners = f"{self.commissioner_count} CCG{plural} or ICB{plural}"
        overlap = "overlapping boundaries" if self.boundaries_overlap else "shared boundaries"
        return f"{councils} and {commissioners}, {overlap}"


class SiteMembershipQuerySet(models.QuerySet["SiteMembership"]):
    def visible_to(self, user: User | AnonymousUser) -> SiteMembershipQuerySet:
        """Who belongs to which site, for the sites this person may see."""
        return self.filter(site__in=Site.objects.visible_to(user))


class SiteMembership(models.Model):
    """A person belongs to a site as its lead or as a member."""

    class Role(models.TextChoices):
        LEAD = "lead", "Site lead"
        MEMBER = "member", "Site member"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "role", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="membership_user_site_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.site})"

    def promote_to_lead(self) -> None:
        """Guard and change: a member becomes one of the site's leads."""
        if self.role == self.Role.LEAD:
            raise NotAllowed(f"{self.user} is already a lead of {self.site}.")
        self.role = self.Role.LEAD
        self.save(update_fields=["role"])

    @classmethod
    def role_for(cls, *, lead: bool) -> str:
        """The role a new membership is given: lead or member."""
        return cls.Role.LEAD if lead else cls.Role.MEMBER
