"""Lessons: what was learned in an engagement, anonymised, published only with both parties' consent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, Count, F, Value, When
from django.db.models.functions import ExtractYear, Mod
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from core import memo
from core.errors import NotAllowed
from engagements.models import EnablerProfile, Engagement, Offer
from sites.models import Organisation, Programme, Region, Site

from . import access, anonymiser
from .search import lesson_vector, uses_postgres

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser

# The Integrated Care Pioneer places announced in 2013 and 2015: places a lesson must never name.
KNOWN_PLACES = [
    "Barnsley",
    "Cheshire",
    "Cornwall and Isles of Scilly",
    "Greenwich",
    "Islington",
    "Kent",
    "Leeds",
    "North West London",
    "North Staffordshire",
    "South Devon and Torbay",
    "Southend",
    "South Tyneside",
    "Waltham Forest and East London and City",
    "Worcestershire",
    "Airedale, Wharfedale and Craven",
    "Fylde Coast",
    "Camden",
    "Greater Manchester",
    "Nottingham City",
    "Nottinghamshire",
    "Sheffield",
    "South Somerset",
    "Vale of York",
    "Wakefield",
    "West Norfolk",
    "Torbay",
    "Tower Hamlets",
    "Hackney",
    "Newham",
]
SITE_PLACEHOLDERS: dict[str, str] = {
    Programme.Kind.PIONEER: "[a Pioneer site]",
    Programme.Kind.ACCELERATE: "[an Accelerate site]",
    Programme.Kind.VANGUARD: "[a Vanguard site]",
}
ORGANISATION_PLACEHOLDERS: dict[str, str] = {
    Organisation.Sector.NHS_TRUST: "[an NHS trust]",
    Organisation.Sector.COMMISSIONER: "[a CCG]",
    Organisation.Sector.COUNCIL: "[a council]",
    Organisation.Sector.INDEPENDENT: "[an independent provider]",
    Organisation.Sector.VOLUNTARY: "[a voluntary organisation]",
    Organisation.Sector.OTHER: "[an organisation]",
}
K_SITES = 3  # a lesson's context is shown only when at least this many sites share it
TITLE_LIMIT = 200


def registry_vocabulary() -> anonymiser.Vocabulary:
    """Every name Alongside knows: sites, organisations and aliases, people (each by full name, surname and given
    names), places and regions. Built afresh when asked: for each lesson saved, and once for an overview's words."""
    enablers = set(EnablerProfile.objects.values_list("user_id", flat=True))
    vocabulary = anonymiser.vocabulary_of(
        sites=[(name, SITE_PLACEHOLDERS[kind]) for name, kind in Site.objects.values_list("name", "programme__kind")],
        organisations=[
            (o.name, ORGANISATION_PLACEHOLDERS[o.sector], o.alias_list)
            for o in Organisation.objects.only("name", "sector", "aliases")
        ],
        people=[  # an anonymised account's name is no longer a person's ("A former enabler")
            (name, pk in enablers)
            for pk, name in User.objects.filter(anonymised_at=None).exclude(full_name="").values_list("pk", "full_name")
        ],
        places=[*KNOWN_PLACES, *Site.objects.values_list("name", flat=True)],
    )
    for label in Region.labels:
        vocabulary.add(label, "[a region]")
    return vocabulary


def anonymised_feedback(words: str) -> anonymiser.Result:
    """Feedback words (what helped) as the central team would read them, with every replacement located: the
    same anonymiser and registry as a lesson."""
    return anonymiser.anonymise(words.strip(), registry_vocabulary())


class Theme(models.Model):
    """What a lesson is about. The first themes come from the lessons of the Pioneer and Accelerate support."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.slug_for(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def slug_for(name: str) -> str:
        """The theme's address, made from its name: ASCII letters, digits and hyphens only, or empty."""
        return slugify(name)[:100]


class LessonQuerySet(models.QuerySet["Lesson"]):
    def published(self) -> LessonQuerySet:
        return self.filter(state=Lesson.State.PUBLISHED)

    def in_library_for(self, user: User | AnonymousUser) -> LessonQuerySet:
        """Published lessons: for programme leads, enablers and sites' people (and administrators)."""
        return self.published() if access.may_use_library(user) else self.none()

    def drafted_with(self, user: User | AnonymousUser) -> LessonQuerySet:
        """Lessons of the engagements this person works in: drafts and who wrote them are theirs to see only."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))


class Lesson(models.Model):
    """A lesson in anonymised words. Only the anonymised text is ever stored."""

    class Audience(models.TextChoices):
        PROVIDERS = "providers", "For support providers"
        SITES = "sites", "For local sites"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING = "awaiting", "Awaiting consent"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="lessons")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_LIMIT)
    body = models.TextField()
    audience = models.CharField(max_length=20, choices=Audience.choices)
    themes = models.ManyToManyField(Theme, related_name="lessons")
    # The offers of a later programme year that the central team shaped with this lesson, once published.
    shaped_offers = models.ManyToManyField(Offer, related_name="shaping_lessons", blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="lessons")
    year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    site_approved_version = models.PositiveIntegerField(null=True, blank=True)
    site_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabler_approved_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)  # taken out of the library: the schedule counts from it
    # Kept up to date on PostgreSQL when a lesson is published (see refresh_search_vector), with a GIN index.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # The library's order, newest first, with the id that breaks ties: a page is read straight off the
            # index, never sorted (lessons published the same second are common after a bulk import).
            models.Index(fields=["state", "-published_at", "-id"], name="lesson_library_order"),
            models.Index(fields=["audience", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    # Writing -----------------------------------------------------------------------------------------------

    @classmethod
    def anonymised(cls, title: str, body: str) -> tuple[str, str]:
        vocabulary = registry_vocabulary()
        title = anonymiser.anonymise(title.strip(), vocabulary).text
        body = anonymiser.anonymise(body.strip(), vocabulary).text
        if not title or not body:
            raise NotAllowed("A lesson needs a title and a body.")
        if anonymiser.is_empty_once_anonymised(title) or anonymiser.is_empty_once_anonymised(body):
            raise NotAllowed("Nothing is left once names are removed. Say what was learned, not who or where.")
        limit = TITLE_LIMIT
        if len(title) > limit:  # a placeholder is often longer than the name it replaces
            raise NotAllowed(
                f"With names replaced, the title would be {len(title)} characters long. Shorten it to {limit} or "
                "fewer with the names replaced."
            )
        return title, body

    def revise(self, *, title: str, body: str, audience: str) -> bool:
        """Any edit runs the anonymiser again and withdraws earlier approvals: a new version to agree. Returns
        whether the lesson was published (and so has left the library)."""
        title, body = self.anonymised(title, body)
        self.title, self.body, self.audience = title, body, audience
        self.version += 1
        self.site_approved_version = self.enabler_approved_version = None
        self.site_approved_by = None
        self.updated_at = timezone.now()
        was_published = self.state == self.State.PUBLISHED
        self.state = self.State.AWAITING if self.state != self.State.DRAFT else self.State.DRAFT
        self.save(
            update_fields=[
                "title",
                "body",
                "audience",
                "version",
                "site_approved_version",
                "enabler_approved_version",
                "site_approved_by",
                "updated_at",
                "state",
            ]
        )
        return was_published

    # Consent -----------------------------------------------------------------------------------------------

    def approve(self, *, by: User, party: str, version: int) -> None:
        """Approve the exact words of one version, as the site (its lead) or as the enabler. Both approvals of
        the current version publish the lesson."""
        if version != self.version:
            raise NotAllowed("The lesson has changed since you read it. Read the new version before approving it.")
        fields = ["state"]
        if party == "site":
            self.site_approved_version, self.site_approved_by = version, by
            fields += ["site_approved_version", "site_approved_by"]
        else:
            self.enabler_approved_version = version
            fields.append("enabler_approved_version")
        if self.site_approved_version == self.enabler_approved_version == self.version:
            self.state = self.State.PUBLISHED
            self.published_at = self.published_at or timezone.now()
            fields.append("published_at")
        else:
            self.state = self.State.AWAITING
        self.save(update_fields=fields)
        if self.state == self.State.PUBLISHED:
            self.refresh_search_vector()

    def refresh_search_vector(self) -> None:
        if uses_postgres():
            Lesson.objects.filter(pk=self.pk).update(search_vector=lesson_vector())

    def withdraw_consent(self, *, party: str) -> None:
        """Either party can take back consent at any time: the lesson leaves the library at once."""
        if party == "site":
            self.site_approved_version, self.site_approved_by = None, None
        else:
            self.enabler_approved_version = None
        # Once taken out of the library it says so, whoever withdraws next; a draft not yet published awaits.
        was_out = self.state in (self.State.PUBLISHED, self.State.WITHDRAWN)
        if self.state == self.State.PUBLISHED:
            self.withdrawn_at = timezone.now()
        self.state = self.State.WITHDRAWN if was_out else self.State.AWAITING
        self.save(
            update_fields=[
                "site_approved_version",
                "site_approved_by",
                "enabler_approved_version",
                "state",
                "withdrawn_at",
            ]
        )

    # What the library may say about where it comes from ------------------------------------------------------

    @property
    def year_band(self) -> str:
        start = self.year - self.year % 2
        return f"{start} to {start + 1}"


def coarse_context(site: Site) -> str:
    if site.council_count == 1 and site.commissioner_count == 1:
        return "one council and one CCG"
    return "several, overlapping boundaries" if site.boundaries_overlap else "several, shared boundaries"


def _sites_sharing_context() -> tuple[dict[tuple, int], dict[tuple, int], dict[tuple, int]]:
    """How many distinct sites share each programme + year band + context, each programme + year band, and each
    programme."""
    year = ExtractYear("created_at")
    engagements = Engagement.objects.annotate(
        kind=F("site__programme__kind"),
        band=year - Mod(year, 2),
        context=Case(
            When(site__council_count=1, site__commissioner_count=1, then=Value("one council and one CCG")),
            When(site__boundaries_overlap=True, then=Value("several, overlapping boundaries")),
            default=Value("several, shared boundaries"),
        ),
    )

    def sites_sharing(*fields: str) -> dict[tuple, int]:
        rows = engagements.values(*fields).annotate(n=Count("site", distinct=True)).order_by()
        return {tuple(row[name] for name in fields): row["n"] for row in rows}

    return (
        sites_sharing("kind", "band", "context"),
        sites_sharing("kind", "band"),
        sites_sharing("kind"),
    )


def context_lines(lessons: Iterable[Lesson]) -> dict[int, list[str]]:
    """For each lesson, what may be said about where it comes from: programme, year band and coarse context,
    dropping the context, then the year, until at least K_SITES distinct sites share what is said.

    The counts are three grouped queries over engagements, whatever the number of lessons or sites, kept by
    each web process for a few minutes (core/memo.py). They only grow as engagements start, so a kept count
    can only say less about a lesson than a fresh one, never more.
    """
    lessons = list(lessons)
    if not lessons:
        return {}
    by_context, by_band, by_kind = memo.remembered(("lesson-context",), _sites_sharing_context)
    result = {}
    for lesson in lessons:
        kind, band, own = lesson.programme.kind, lesson.year - lesson.year % 2, coarse_context(lesson.engagement.site)
        label = lesson.programme.get_kind_display()
        if by_context.get((kind, band, own), 0) >= K_SITES:
            result[lesson.pk] = [label, lesson.year_band, own]
        elif by_band.get((kind, band), 0) >= K_SITES:
            result[lesson.pk] = [label, lesson.year_band]
        elif by_kind.get((kind,), 0) >= K_SITES:
            result[lesson.pk] = [label]
        else:
            result[lesson.pk] = ["A support programme"]
    return result


class LibraryEdition(models.Model):
    """A number raised, in the same transaction, whenever the library's contents change (a lesson published,
    withdrawn or revised away from it). Pages of results kept in the cache are kept under it (lessons/views.py), so
    once the change is saved no web process, on any server, reads a page kept before it: one row, read by its key."""

    number = models.PositiveBigIntegerField(default=0)

    ONE = 1  # the primary key of the one row

    def __str__(self) -> str:
        return f"Library edition {self.number}"

    @classmethod
    def current(cls) -> int:
        found = cls.objects.filter(pk=cls.ONE).values_list("number", flat=True).first()
        return found or 0

    @classmethod
    def next(cls) -> None:
        """Inside the change's transaction; the row is made on the first change."""
        if not cls.objects.filter(pk=cls.ONE).update(number=models.F("number") + 1):
            cls.objects.get_or_create(pk=cls.ONE, defaults={"number": 1})


class DigestSubscription(models.Model):
    """A programme lead who wants the weekly e-mail of newly published lessons."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_digest")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Lesson digest for {self.user}"
