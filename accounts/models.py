from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django_otp.models import Device

from . import addresses
from .access import visible

# Sent after a person's password or e-mail address has changed, by whatever route (their own pages, a reset link,
# `manage.py changepassword`): accounts.notices tells them. `what` is "password" or "email"; for "email",
# `previous` is the address it replaced.
sign_in_changed = Signal()


@dataclass(frozen=True)
class Roles:
    """What a person is beyond their own columns, and what the header shows them. Loaded in the same query as the
    person on every request (config.people), so no page looks it up again."""

    is_site_member: bool
    is_enabler: bool
    has_authenticator: bool
    unread_notifications: int


class UserManager(BaseUserManager["User"]):
    """Accounts are found by e-mail address, whatever its case."""

    use_in_migrations = True

    def central_team(self) -> models.QuerySet[User]:
        """The programme leads whose accounts are active: who is told what the central team must do."""
        return self.filter(is_programme_lead=True, is_active=True)

    def holder(self, address: str) -> User | None:
        """The account whose address this is, or looks like (the same skeleton, accounts.addresses): at most one,
        by the database's rule."""
        return self.filter(email_skeleton=addresses.skeleton(address)).first()

    def with_address(self, address: str) -> User | None:
        """The one account with this address once normalised ("Sam@Example.org", or in full-width letters)."""
        found = self.holder(address)
        return found if found is not None and addresses.same(found.email, address) else None

    def look_alike_of_someone(self, address: str) -> bool:
        """Whether the address looks like an account's address without being it (a Cyrillic "a" in
        "sam@example.org", a zero-width space)."""
        found = self.holder(address)
        return found is not None and not addresses.same(found.email, address)

    def address_refusal(self, address: str) -> str:
        """Why an address typed for someone else (an invitation, the admin) is refused (accounts.addresses): hidden
        characters, two alphabets, or the look of another account's address. Empty when none."""
        found = self.holder(address)
        return addresses.refusal(address, holder=found.email if found is not None else None)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=addresses.normalised(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A new account, its address normalised (accounts.addresses); refused (ValueError) for an address with
        hidden characters or two alphabets. The database refuses a second account with an address that is, or
        looks like, one already held (User.email_skeleton)."""
        if not email:
            raise ValueError("An account needs an e-mail address.")
        email = addresses.normalised(email)
        if addresses.problem(email):
            raise ValueError(addresses.problem(email))
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # django-otp devices
    """A person who signs in to Alongside with their e-mail address.

    What they may see follows from their site memberships, the engagements they work in as an enabler, and
    whether they belong to the central team (`is_programme_lead`). Administrators (`is_staff`) run the service
    through the Django admin.
    """

    email = models.EmailField("e-mail address", unique=True)
    # How the address looks (accounts.addresses.skeleton), kept by `save` and unique: one account per address, and
    # none whose address only looks like another's ("sam@example.org" with a Cyrillic "a", or a zero-width space).
    email_skeleton = models.CharField(max_length=1000, editable=False)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_programme_lead = models.BooleanField(
        "programme lead",
        default=False,
        help_text="A member of the central team: answers requests, matches enablers, sees programme figures.",
    )
    is_account_manager = models.BooleanField(
        "account manager",
        default=False,
        help_text="An NHS England account manager: sees a site's diagnostic only when the site's lead shares it.",
    )
    nudges_enabled = models.BooleanField(
        "gentle nudges",
        default=True,
        help_text="An e-mail when a weekly engagement has had no session for a while.",
    )
    session_reminders = models.BooleanField(
        "session reminders",
        default=True,
        help_text="An e-mail the day before each session you are invited to.",
    )
    is_staff = models.BooleanField(
        "administrator", default=False, help_text="Can use the Django admin to run the service."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The retention schedule (retention/schedule.py): an account unused for a long time is told, then deactivated,
    # and a year after its deactivation anonymised, its name and address replaced.
    deactivated_at = models.DateTimeField("deactivated", null=True, blank=True)
    inactivity_notice_sent_at = models.DateTimeField("told it would be deactivated unless used", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymised", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(fields=["email_skeleton"], name="user_one_account_per_address")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> User:
        """Remembers the e-mail address and whether the account was active as loaded, so that `save` can tell a
        change of either, by whatever route it is made."""
        user = super().from_db(db, field_names, values, **kwargs)
        user._loaded = {name: user.__dict__[name] for name in ("email", "is_active") if name in user.__dict__}
        return user

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the account. A new password or e-mail address is told to the person (`sign_in_changed`); a
        deactivation ends every session of the account there and then, so reactivating it revives none."""
        loaded = getattr(self, "_loaded", None)  # None for an account made in this process and not yet saved
        # set_password() since loading
        new_password = getattr(self, "_password", None) is not None and not self._state.adding
        # A new or changed address is kept normalised, and its skeleton with it, whichever route set it.
        if "email" in self.__dict__:
            if loaded is None or loaded.get("email") != self.email:
                self.email = addresses.normalised(self.email)
            self.email_skeleton = addresses.skeleton(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_skeleton"}
        super().save(*args, **kwargs)
        if loaded is not None and loaded.get("is_active") and not self.is_active:
            AccountSession.objects.filter(user=self).delete()
        if new_password:
            sign_in_changed.send(sender=User, user=self, what="password", previous="")
        if loaded is not None and "email" in loaded and loaded["email"] != self.email:
            sign_in_changed.send(sender=User, user=self, what="email", previous=loaded["email"])
        self._loaded = {name: self.__dict__[name] for name in ("email", "is_active") if name in self.__dict__}

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def roles(self) -> Roles:
        """The person's roles: from the query that loaded them when it asked (`User.objects.with_roles(pk)`),
        else one query, once per object."""
        if not hasattr(self, "roles_site_member"):
            # The query reads every app's tables, so it lives at the top (settings.ROLES_QUERY), not here.
            loaded = import_string(settings.ROLES_QUERY)(self.pk)
            return loaded.roles if loaded is not None else Roles(False, False, False, 0)
        loaded_with = self.__dict__  # the query's extra columns (config.people.with_roles)
        return Roles(  # SQLite answers EXISTS with 0 or 1
            is_site_member=bool(loaded_with["roles_site_member"]),
            is_enabler=bool(loaded_with["roles_enabler"]),
            has_authenticator=bool(loaded_with["roles_authenticator"]),
            unread_notifications=int(loaded_with["roles_unread"]),
        )

    def forget_roles(self) -> None:
        """After a change to them in this request, so what is shown next is read afresh."""
        self.__dict__.pop("roles", None)
        for name in ("roles_site_member", "roles_enabler", "roles_authenticator", "roles_unread"):
            self.__dict__.pop(name, None)


class AccountSession(AbstractBaseSession):
    """A session, with the account signed in to it (accounts.sessions fills it in), so that deactivating an account
    can delete every one of its sessions. Django's documented way of extending the database session store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "session"


class AuditVerb(models.TextChoices):
    """The catalogue of what Alongside records: each verb with what it records (never content)."""

    # The person and their account (accounts)
    CREATED_ACCOUNT = "created account", "An administrator created the account"
    SENT_PASSWORD_RESET_LINK = "sent a password reset link", "An administrator sent a password reset link"
    DEACTIVATED_ACCOUNT = "deactivated account", "An administrator or programme lead deactivated the account"
    REACTIVATED_ACCOUNT = "reactivated account", "An administrator or programme lead reactivated the account"
    ASKED_TO_CHANGE_EMAIL = "asked to change e-mail address", "The person asked to change their e-mail address"
    CHANGED_EMAIL = "changed e-mail address", "The person confirmed their new e-mail address"
    SET_UP_TWO_FACTOR = "set up two-factor", "The person set up an authenticator"
    MADE_NEW_RECOVERY_CODES = "made new recovery codes", "The person made new recovery codes"
    USED_A_RECOVERY_CODE = "used a recovery code", "The person signed in with a recovery code"
    TURNED_OFF_TWO_FACTOR = "turned off two-factor", "An administrator removed the person's two-factor devices"
    LOCKED_OUT = "locked out after repeated failed log-ins", "The account was locked after failed log-ins"
    EXPORTED_PERSONAL_DATA = "exported personal data", "An administrator exported the person's data"
    LINKED_A_SIGN_IN_ACCOUNT = "linked a sign-in account", "A first sign-in through a provider linked the account"
    REMOVED_A_SIGN_IN_ACCOUNT = "removed a linked sign-in account", "The person removed a provider's link"
    REGISTERED_A_PASSKEY = "registered a passkey", "The person registered a passkey"
    REMOVED_A_PASSKEY = "removed a passkey", "The person removed a passkey"
    CONFIRMED_A_MOBILE_NUMBER = "confirmed a mobile number", "The person confirmed a number for text reminders"
    REMOVED_A_MOBILE_NUMBER = "removed a mobile number", "The person removed their number for text reminders"
    ANONYMISED_ACCOUNT = "anonymised account", "The retention schedule replaced a long-deactivated person's name"
    # Bringing people and places in (onboarding, sites, engagements)
    INVITED = "invited a person", "A programme lead or site lead invited a person (the role, never a message)"
    RESENT_AN_INVITATION = "resent an invitation", "The invitation was sent again, with a new link"
    REVOKED_AN_INVITATION = "revoked an invitation", "The invitation was revoked: its link stopped working"
    ACCEPTED_AN_INVITATION = "accepted an invitation", "The person accepted: an account made, or a role added"
    MADE_A_SITE_LEAD = "made a site lead", "A site's lead made one of its members a lead"
    REMOVED_FROM_A_SITE = "removed from a site", "A site's lead removed a person from the site"
    CREATED_A_SITE = "created a site", "A programme lead added a site"
    EDITED_A_SITE = "edited a site", "A programme lead changed a site's profile or partners"
    CREATED_AN_ORGANISATION = "created an organisation", "A programme lead added a partner organisation"
    EDITED_AN_ORGANISATION = "edited an organisation", "A programme lead changed an organisation or its sites"
    EDITED_AN_ENABLER_PROFILE = "edited an enabler's profile", "A programme lead changed an enabler's profile"
    CREATED_A_PROGRAMME_YEAR = "created a programme year", "A programme lead added a programme year"
    CREATED_AN_OFFER = "created an offer", "A programme lead added an offer to a programme year"
    EDITED_AN_OFFER = "edited an offer", "A programme lead changed an offer or the lessons it cites"
    RETIRED_AN_OFFER = "retired an offer", "A programme lead stopped new requests for an offer"
    IMPORTED_A_FILE = "imported a file", "A file of organisations, sites or people was imported (kind and counts)"
    CHANGED_A_PERSONS_DETAILS = (
        "changed a person's details",
        "An import changed a person's name, job title or enabler profile (which fields and which import, never words)",
    )
    # Requests and proposals (engagements)
    SUBMITTED = "submitted", "A site member asked for support"
    PROPOSED_ENABLERS = "proposed enablers", "A programme lead proposed enablers for a request"
    CHOSE_AN_ENABLER = "chose an enabler", "The site's lead chose one of the proposed enablers"
    DECLINED_THE_PROPOSALS = "declined the proposals", "The site's lead declined every proposal"
    RETURNED_TO_THE_QUEUE = "returned to the queue", "The chosen enabler could not take the request on"
    ACCEPTED = "accepted", "The chosen enabler confirmed the request"
    WITHDREW = "withdrew", "A site member withdrew the request"
    ASKED_FOR_CHEMISTRY = "asked for a chemistry conversation", "The site's lead asked to talk with proposed enablers"
    OFFERED_CHEMISTRY_TIMES = "offered times for a chemistry conversation", "The enabler offered times (how many)"
    PLANNED_A_CHEMISTRY_CONVERSATION = "planned a chemistry conversation", "A time was agreed (never place or link)"
    CANCELLED_A_CHEMISTRY_CONVERSATION = "cancelled a chemistry conversation", "The site chose, declined or withdrew"
    CAME_BACK_FOR_A_CHANGE = "came back for a different enabler", "After a change of enabler (never who asked)"
    # Planned sessions (engagements)
    PLANNED_A_SESSION = "planned a session", "A party planned a session (never its place or link)"
    PLANNED_A_SERIES = "planned a series of sessions", "A party planned a rhythm of sessions (how many)"
    MOVED_A_PLANNED_SESSION = "moved a planned session", "A party changed a planned session's time or details"
    CANCELLED_A_PLANNED_SESSION = "cancelled a planned session", "A party cancelled a planned session"
    ENDED_A_SERIES = "ended a series of sessions", "A party ended a rhythm early (how many were left)"
    # Engagements
    CREATED = "created", "An engagement began from an accepted request"
    REVISED_THE_AGREEMENT = "revised the agreement", "A party changed the agreement's words"
    CONFIRMED_THE_AGREEMENT = "confirmed the agreement", "A party confirmed the agreement"
    ACTIVATED = "activated", "Both parties had confirmed: the engagement became active"
    PAUSED = "paused", "The enabler or the site's lead paused the engagement"
    RESUMED = "resumed", "The enabler or the site's lead resumed the engagement"
    STARTED_CLOSING = "started closing", "The enabler or the site's lead began closing the engagement"
    CLOSED = "closed", "The enabler or the site's lead closed the engagement"
    ENDED_THE_PAIRING = "ended the pairing early", "A party ended the pairing: a change of enabler (never words)"
    CARRIED_OVER_SHARED_WORK = (
        "carried over shared work",
        "The site's lead carried over shared notes and actions (counts)",
    )
    RECORDED_A_CLOSE_OUT_REVIEW = "recorded a close-out review", "The site's lead recorded how the goals went"
    REVISED_A_CLOSE_OUT_REVIEW = "revised a close-out review", "The site's lead changed the close-out review"
    USED_DAYS = "used days", "Days of a logged session were counted against the budget (the number of days)"
    AGREED_EXTRA_DAYS = "agreed extra days", "The site's lead agreed days beyond the allowance (the number)"
    RECORDED_THE_DIAGNOSTIC = "recorded the diagnostic", "A party saved a new version of the diagnostic"
    SHARED_THE_DIAGNOSTIC = "shared the diagnostic", "The site's lead shared the diagnostic with a person"
    STOPPED_SHARING_THE_DIAGNOSTIC = "stopped sharing the diagnostic", "The site's lead stopped sharing it"
    LOGGED_A_SESSION = "logged a session", "The enabler logged a session"
    ADDED_AN_ACTION = "added an action", "A party added an action"
    COMPLETED_AN_ACTION = "completed an action", "A party marked an action done"
    REOPENED_AN_ACTION = "reopened an action", "A party opened a done action again"
    WROTE_A_SHARED_NOTE = "wrote a shared note", "A party wrote a shared note (never its words)"
    GAVE_FEEDBACK = "gave feedback", "A site member gave feedback on the support"
    APPROVED_SHARED_WORDS = "approved shared words", "The site's lead approved the exact anonymised words to share"
    CHANGED_FEEDBACK_WORDS = "changed feedback words", "The site's lead changed what helped: to be approved again"
    WITHDREW_SHARED_WORDS = "withdrew shared words", "The site's lead stopped the central team reading the words"
    TURNED_ON_A_CALENDAR_FEED = "turned on a calendar feed", "The person made a new calendar feed address"
    TURNED_OFF_A_CALENDAR_FEED = "turned off a calendar feed", "The person turned their calendar feed off"
    DESTROYED_PRIVATE_NOTES = "destroyed private notes", "Private notes were crypto-shredded (how many)"
    SEALED_PRIVATE_NOTES_IN_THE_BROWSER = (
        "sealed private notes in the browser",
        "The enabler set up a notes passphrase; their notes moved into the browser's keeping (how many)",
    )
    CHANGED_THE_NOTES_PASSPHRASE = "changed the notes passphrase", "The enabler chose a new notes passphrase"
    # Lessons
    DRAFTED_A_LESSON = "drafted a lesson", "A party drafted a lesson"
    REVISED_A_LESSON = "revised a lesson", "A party changed a lesson: a new version to approve"
    APPROVED_A_LESSON = "approved a lesson", "A party approved one version of a lesson"
    WITHDREW_CONSENT_TO_A_LESSON = "withdrew consent to a lesson", "A party took back their consent"
    # Retention (retention)
    APPLIED_THE_RETENTION_SCHEDULE = "applied the retention schedule", "The daily run destroyed what was due (counts)"
    PLACED_A_LEGAL_HOLD = "placed a legal hold", "An administrator held an engagement's records from the schedule"
    LIFTED_A_LEGAL_HOLD = "lifted a legal hold", "An administrator let the schedule apply to them again"


class AuditEvent(models.Model):
    """Who did what to which record, and when. Never the content of a note: only the verb, ids and counts.

    The verb is one of the catalogue below (docs/architecture.md lists each with what it records): a verb that is
    not in it is refused by `record` and by the database's own check.
    """

    Verb = AuditVerb

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    verb = models.CharField(max_length=60, choices=AuditVerb.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(verb__in=AuditVerb.values), name="audit_event_verb_in_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_type.model} {self.target_id}"

    @classmethod
    def record(cls, *, actor: User | None, verb: AuditVerb, target: models.Model, **detail: Any) -> AuditEvent:
        """One event, in the caller's transaction. A verb outside the catalogue is a programming error."""
        if verb not in AuditVerb.values:
            raise ValueError(f"{verb!r} is not in the audit catalogue (AuditEvent.Verb).")
        return cls.objects.create(
            actor=actor,
            verb=AuditVerb(verb),
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            detail=detail,
        )

    @classmethod
    def record_many(
        cls,
        *,
        actor: User | None,
        verb: AuditVerb,
        targets: Sequence[models.Model],
        detail_of: Callable[[models.Model], dict[str, Any]],
        at: datetime | None = None,
    ) -> None:
        """One event for each of many targets of one kind, in one statement."""
        if verb not in AuditVerb.values:
            raise ValueError(f"{verb!r} is not in the audit catalogue (AuditEvent.Verb).")
        if not targets:
            return
        target_type = ContentType.objects.get_for_model(targets[0])
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=actor,
                verb=AuditVerb(verb),
                target_type=target_type,
                target_id=target.pk,
                detail=detail_of(target),
                at=at or timezone.now(),
            )
            for target in targets
        )


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User | AnonymousUser) -> NotificationQuerySet:
        """A notification is its recipient's alone; one sent to another address is that mailbox's, not the app's."""
        return visible(
            self, user, lambda rows: rows.filter(recipient=user.pk, address="", channel="email"), centre_sees_all=False
        )

    def pending(self) -> NotificationQuerySet:
        return self.filter(status=Notification.Status.PENDING)


class Notification(models.Model):
    """A message to one person, saved in the same transaction as the change that causes it, then e-mailed.

    Saving first means a message is never lost when the queue or the mail server is away: delivery is retried
    from the row. It says what happened and links to the page; it never carries what a site or an enabler wrote.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        TEXT = "text", "Text message"

    class Delivery(models.TextChoices):
        """What GOV.UK Notify's delivery receipt said (nothing for SMTP, which reports no delivery)."""

        DELIVERED = "delivered", "Delivered"
        PERMANENT_FAILURE = "permanent-failure", "Not delivered: the address is wrong"
        TEMPORARY_FAILURE = "temporary-failure", "Not delivered yet: the inbox was full or away"
        TECHNICAL_FAILURE = "technical-failure", "Not delivered yet: a problem at Notify"

    # None for a message to someone who has no account yet (an invitation), which goes to `address`.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # Sent to this address instead of the recipient's own: a link confirming a new address goes to that address,
    # and a notice of a changed address to the old one. Such a message is not shown in the app: it is for whoever
    # reads that mailbox, who may not be the person signed in.
    address = models.EmailField(blank=True)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A calendar invitation sent with the e-mail (iCalendar text, its METHOD inside): a planned session's.
    calendar = models.TextField(blank=True)
    # Room for a link that carries a signed token with two e-mail addresses of up to 254 characters each.
    link = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the outbox sweeper may hand this row to a worker (again): now for a new row, later after a failure.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A text message (GOV.UK Notify only) goes to `phone`, and is never listed in the app: it repeats a reminder.
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    phone = models.CharField(max_length=13, blank=True)
    # Through GOV.UK Notify (accounts.notify): when the last try began handing the message over (set until the
    # outcome is recorded, so that a try after a lost one asks Notify first), Notify's id of the message, and what
    # Notify's delivery receipt said of it.
    sending_since = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notification_due_idx"),
            # How many codes a number was texted lately (accounts.actions.ask_to_confirm_mobile).
            models.Index(
                fields=["phone", "created_at"], condition=models.Q(channel="text"), name="notification_texts_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address=""), name="notification_has_an_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient or self.address}"

    @property
    def to_address(self) -> str:
        return self.address or (self.recipient.email if self.recipient else "")

    def mark_sent(self, provider_id: str = "") -> None:
        self.status = self.Status.SENT
        self.sent_at = timezone.now()
        self.attempts += 1
        self.provider_id = provider_id
        self.sending_since = None
        self.save(update_fields=["status", "sent_at", "attempts", "provider_id", "sending_since"])

    def mark_failed_attempt(self, error: str, *, final: bool, retry_in: timedelta | None = None) -> None:
        """One more failed try. Unless it was the last, the row stays pending and is due again after `retry_in`."""
        self.attempts += 1
        self.last_error = error[:300]
        if final:
            self.status = self.Status.FAILED
        if retry_in is not None:
            self.next_attempt_at = timezone.now() + retry_in
        self.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


class MobileNumber(models.Model):
    """A person's UK mobile number, for text reminders of planned sessions and nothing else. It counts only once
    confirmed with a code texted to it (accounts.phones); the code is kept as a digest, for ten minutes."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mobile")
    number = models.CharField(max_length=13, help_text="In international form: +447700900123.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    text_reminders = models.BooleanField(default=False)
    code_digest = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"Mobile number of person {self.person_id}"  # never the number

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class ExternalIdentity(models.Model):
    """A person's account at an organisation's provider (OpenID Connect), linked to their Alongside account at their
    first sign-in through it. Found afterwards by the provider's issuer and the subject it gives the person, never
    by e-mail, so a change of address at the provider does not orphan them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(max_length=100, help_text="The configured provider's name, as on its button.")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["linked_at", "pk"]
        verbose_name_plural = "external identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once")]

    def __str__(self) -> str:
        return f"{self.provider} sign-in of account {self.user_id}"


class ProviderSignIn(Device):
    """A provider's own multi-factor sign-in, as django-otp sees it: when a provider's token says the person used
    more than a password (its `amr`, or a provider configured as always multi-factor), the session is verified
    with this device instead of an Alongside code. It takes no codes of its own."""

    class Meta:
        verbose_name = "multi-factor sign-in through a provider"

    def verify_token(self, token: Any) -> bool:
        return False
