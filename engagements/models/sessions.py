"""Sessions, the enabler's private notes (encrypted), shared notes and actions, the access log, calendar feeds."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import AuditEvent

from .. import crypto
from .support import Engagement, NotAllowed

if TYPE_CHECKING:
    from accounts.models import User

HOURS_IN_A_DAY = Decimal("7.5")  # one working day, for offers counted in days
NOTE_LIMIT = 20_000


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User) -> SessionQuerySet:
        """The session log (date, format, length): the site's people and its enabler. The central team sees
        counts and days only, through the engagement, never the rows."""
        return self.filter(engagement__in=Engagement.objects.working_with(user))


class Session(models.Model):
    """A piece of support delivered: when, how long, in what format, where, and who took part by role."""

    class Format(models.TextChoices):
        ONE_TO_ONE = "one-to-one", "One-to-one coaching"
        LEADERSHIP_TEAM = "leadership-team", "Leadership team"
        PARTNERSHIP_BOARD = "partnership-board", "Partnership board"
        DESIGN_WORKSHOP = "design-workshop", "Design workshop"
        STAKEHOLDER_GROUP = "stakeholder-group", "Stakeholder group"
        SMALL_GROUP = "small-group", "Small group"

    class Place(models.TextChoices):
        ON_SITE = "on-site", "On site"
        REMOTE = "remote", "Remote"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date")
    hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    format = models.CharField(max_length=30, choices=Format.choices)
    place = models.CharField("where", max_length=10, choices=Place.choices)
    participants = models.CharField("who took part, by role", max_length=500, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["engagement", "-held_on"]),
            # The admin's change list of every session, newest first, a page at a time.
            models.Index(fields=["-held_on", "-id"], name="session_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, days__isnull=True) | Q(days__gt=0, hours__isnull=True),
                name="session_has_hours_or_days",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} on {self.held_on}"

    @property
    def counted_days(self) -> Decimal:
        """What the session uses of a day budget: its days, or its hours as a share of a 7.5-hour day."""
        if self.days is not None:
            return self.days
        return (self.hours / HOURS_IN_A_DAY).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def length(self) -> str:
        if self.days is not None:
            return f"{self.days.normalize():f} day{'s' if self.days != 1 else ''}"
        return f"{self.hours.normalize():f} hour{'s' if self.hours != 1 else ''}"


class EngagementKey(models.Model):
    """An engagement's data key, stored only wrapped by a master key. Deleting it destroys the notes."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="notes_key")
    master_key_id = models.CharField(max_length=16)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Notes key of engagement {self.engagement_id}"

    @classmethod
    def data_key_for(cls, engagement: Engagement, *, create: bool) -> bytes:
        """The engagement's data key, unwrapped in memory only. Made on first use when `create` is set."""
        if engagement.notes_destroyed_at is not None:
            raise crypto.NotesKeyError("These private notes were destroyed when their retention period ended.")
        key = cls.objects.filter(engagement=engagement).first()
        if key is None:
            if not create:
                raise crypto.NotesKeyError("There are no private notes for this engagement.")
            master_key_id, wrapped = crypto.new_wrapped_data_key(engagement.pk)
            try:
                with transaction.atomic():
                    key = cls.objects.create(engagement=engagement, master_key_id=master_key_id, wrapped_key=wrapped)
            except IntegrityError:  # made at the same moment by another request: use that one
                key = cls.objects.get(engagement=engagement)
        return crypto.unwrap(engagement.pk, key.master_key_id, key.wrapped_key)

    def rewrap(self) -> bool:
        """Wrap the same data key with the current master key. Notes are not touched."""
        master_key_id, wrapped = crypto.rewrap(self.engagement_id, self.master_key_id, self.wrapped_key)
        if master_key_id == self.master_key_id:
            return False
        self.master_key_id, self.wrapped_key = master_key_id, wrapped
        self.save(update_fields=["master_key_id", "wrapped_key"])
        return True


def destroy_private_notes(engagement: Engagement, *, by: User | None) -> int:
    """Crypto-shredding: the data key and the ciphertexts go. Returns how many notes were destroyed."""
    return destroy_private_notes_of([engagement], by=by)[engagement.pk]


def destroy_private_notes_of(engagements: list[Engagement], *, by: User | None) -> dict[int, int]:
    """Crypto-shredding for several engagements in one transaction and a handful of statements, whatever their
    number (the retention task passes 500 at a time): their data keys and ciphertexts go, each is marked, and
    each gets its audit event. Returns how many notes each had."""
    ids = [engagement.pk for engagement in engagements]
    with transaction.atomic():
        counted = dict(
            PrivateNote.objects.filter(engagement__in=ids)
            .order_by()
            .values_list("engagement")
            .annotate(count=models.Count("pk"))
        )
        PrivateNote.objects.filter(engagement__in=ids).delete()
        EngagementKey.objects.filter(engagement__in=ids).delete()
        now = timezone.now()
        Engagement.objects.filter(pk__in=ids).update(notes_destroyed_at=now)
        target_type = ContentType.objects.get_for_model(Engagement)
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=by,
                verb="destroyed private notes",
                target_type=target_type,
                target_id=pk,
                detail={"count": counted.get(pk, 0)},
                at=now,
            )
            for pk in ids
        )
    for engagement in engagements:
        engagement.notes_destroyed_at = now
    return {pk: counted.get(pk, 0) for pk in ids}


class PrivateNoteQuerySet(models.QuerySet["PrivateNote"]):
    def visible_to(self, user: User) -> PrivateNoteQuerySet:
        """Its author, and nobody else, in any role."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(author=user)


class PrivateNote(models.Model):
    """An enabler's own reflection on a session or on the engagement. Stored encrypted; readable by its author
    alone. Its text never appears in the admin, exports (but the author's own), search, feeds, e-mails or logs."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="private_notes")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="private_notes")
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrivateNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "engagement", "-created_at"])]

    def __str__(self) -> str:
        return f"Private note {self.pk}"  # never the text

    @staticmethod
    @sensitive_variables("text")
    def check_text(text: str) -> str:
        text = text.strip()
        if not text:
            raise NotAllowed("Write the note before saving it.")
        if len(text) > NOTE_LIMIT:
            raise NotAllowed(f"A note must be {NOTE_LIMIT:,} characters or fewer; this one is {len(text):,}.")
        return text

    @classmethod
    @sensitive_variables("text")
    def write(cls, *, engagement: Engagement, author: User, text: str, session: Session | None = None) -> PrivateNote:
        if author.pk != engagement.enabler_id:
            raise NotAllowed("Private notes are kept by the engagement's enabler.")
        text = cls.check_text(text)
        data_key = EngagementKey.data_key_for(engagement, create=True)
        return cls.objects.create(
            engagement=engagement,
            session=session,
            author=author,
            ciphertext=crypto.encrypt_note(data_key, engagement.pk, text),
        )

    @sensitive_variables("data_key")
    def read(self) -> str:
        data_key = EngagementKey.data_key_for(self.engagement, create=False)
        return crypto.decrypt_note(data_key, self.engagement_id, self.ciphertext)

    @classmethod
    def read_all(cls, notes: Iterable[PrivateNote]) -> list[tuple[PrivateNote, str]]:
        """Each note with its text, unwrapping each engagement's data key once, not once a note (an engagement
        may have hundreds). Pass notes with their engagement selected."""
        data_keys: dict[int, bytes] = {}
        texts = []
        for note in notes:
            if note.engagement_id not in data_keys:
                data_keys[note.engagement_id] = EngagementKey.data_key_for(note.engagement, create=False)
            texts.append(
                (note, crypto.decrypt_note(data_keys[note.engagement_id], note.engagement_id, note.ciphertext))
            )
        return texts

    @sensitive_variables("text", "data_key")
    def rewrite(self, text: str) -> None:
        text = self.check_text(text)
        data_key = EngagementKey.data_key_for(self.engagement, create=False)
        self.ciphertext = crypto.encrypt_note(data_key, self.engagement_id, text)
        self.updated_at = timezone.now()
        self.save(update_fields=["ciphertext", "updated_at"])


class SharedNote(models.Model):
    """A note the enabler or the site writes for both to see. Never for the central team."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="shared_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Shared note {self.pk}"


class Action(models.Model):
    """Something one of the two parties will do, by a date."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def mark_done(self, *, by: User) -> None:
        self.done_at = timezone.now()
        self.save(update_fields=["done_at"])
        AuditEvent.record(actor=by, verb="completed an action", target=self.engagement, action=self.pk)

    def reopen(self, *, by: User) -> None:
        self.done_at = None
        self.save(update_fields=["done_at"])
        AuditEvent.record(actor=by, verb="reopened an action", target=self.engagement, action=self.pk)


class AccessRecord(models.Model):
    """Who looked at an engagement's records, and when: the site's lead and the enabler can see it."""

    class Kind(models.TextChoices):
        SESSIONS = "sessions", "Session log"
        SHARED = "shared", "Shared notes and actions"
        DIAGNOSTIC = "diagnostic", "Diagnostic"
        ENGAGEMENT = "engagement", "Engagement page"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="access_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["engagement", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} read {self.kind} at {self.at}"

    @classmethod
    def note(cls, *, engagement: Engagement, user: User, kind: str) -> None:
        cls.objects.create(engagement=engagement, user=user, kind=kind)


class CalendarFeed(models.Model):
    """A secret address for a person's sessions in Outlook or Google Calendar. Revoking it deletes the address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @classmethod
    def turn_on(cls, user: User) -> CalendarFeed:
        """A new secret address; any earlier one stops working."""
        cls.objects.filter(user=user).delete()
        feed = cls.objects.create(user=user, token=secrets.token_urlsafe(32))
        AuditEvent.record(actor=user, verb="turned on a calendar feed", target=user)
        return feed


def quiet_since(engagement: Engagement) -> datetime.date | None:
    latest = engagement.sessions.order_by("-held_on").values_list("held_on", flat=True).first()
    return latest or engagement.started_on


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user: User) -> FeedbackQuerySet:
        """Its author, and the enabler whose support it is about. The central team sees aggregates only."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(Q(given_by=user) | Q(engagement__enabler=user))


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
