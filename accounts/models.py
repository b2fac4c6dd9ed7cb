from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import cached_property

# Sent after a person's password or e-mail address has changed, by whatever route (their own pages, a reset link,
# `manage.py changepassword`): accounts.notices tells them. `what` is "password" or "email"; for "email",
# `previous` is the address it replaced.
sign_in_changed = Signal()


@dataclass(frozen=True)
class Roles:
    """What a person is beyond their own columns, and what the header shows them. Loaded in the same query as the
    person on every request (accounts.backends), so no page looks it up again."""

    is_site_member: bool
    is_enabler: bool
    has_authenticator: bool
    unread_notifications: int


class UserManager(BaseUserManager["User"]):
    """Accounts are found by e-mail address, whatever its case."""

    use_in_migrations = True

    def with_roles(self, pk: int) -> User | None:
        """The person with their `roles`, in one query of four index lookups. Written as SQL because it runs on
        every request: building the same query with the ORM's subquery expressions cost about 3 ms of Python
        each time, half of what Django spends on a whole trivial page (docs/benchmarks.md)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from engagements.models import EnablerProfile
        from sites.models import SiteMembership

        sql = (
            # Table names from the models; the one value is a parameter (ruff S608, bandit B608).
            f"SELECT person.*,"  # noqa: S608  # nosec B608
            f" EXISTS (SELECT 1 FROM {SiteMembership._meta.db_table} m WHERE m.user_id = person.id)"
            " AS roles_site_member,"
            f" EXISTS (SELECT 1 FROM {EnablerProfile._meta.db_table} p WHERE p.user_id = person.id) AS roles_enabler,"
            f" EXISTS (SELECT 1 FROM {TOTPDevice._meta.db_table} d WHERE d.user_id = person.id AND d.confirmed)"
            " AS roles_authenticator,"
            f" (SELECT COUNT(*) FROM {Notification._meta.db_table} n"
            " WHERE n.recipient_id = person.id AND n.address = '' AND n.read_at IS NULL) AS roles_unread"
            f" FROM {self.model._meta.db_table} person WHERE person.id = %s"
        )
        return next(iter(self.raw(sql, [self.model._meta.pk.to_python(pk)])), None)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Alongside with their e-mail address.

    What they may see follows from their site memberships, the engagements they work in as an enabler, and
    whether they belong to the central team (`is_programme_lead`). Administrators (`is_staff`) run the service
    through the Django admin.
    """

    email = models.EmailField("e-mail address", unique=True)
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
    is_staff = models.BooleanField(
        "administrator", default=False, help_text="Can use the Django admin to run the service."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> User:
        """Remembers the e-mail address and whether the account was active as loaded, so that `save` can tell a
        change of either, by whatever route it is made."""
        user = super().from_db(db, field_names, values)
        user._loaded = {name: user.__dict__[name] for name in ("email", "is_active") if name in user.__dict__}
        return user

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the account. A new password or e-mail address is told to the person (`sign_in_changed`); a
        deactivation ends every session of the account there and then, so reactivating it revives none."""
        loaded = getattr(self, "_loaded", None)  # None for an account made in this process and not yet saved
        new_password = self._password is not None and not self._state.adding  # set_password() since loading
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
            return User.objects.with_roles(self.pk).roles
        return Roles(  # SQLite answers EXISTS with 0 or 1
            is_site_member=bool(self.roles_site_member),
            is_enabler=bool(self.roles_enabler),
            has_authenticator=bool(self.roles_authenticator),
            unread_notifications=int(self.roles_unread),
        )

    def forget_roles(self) -> None:
        """After a change to them in this request, so what is shown next is read afresh."""
        self.__dict__.pop("roles", None)
        for name in ("roles_site_member", "roles_enabler", "roles_authenticator", "roles_unread"):
            self.__dict__.pop(name, None)

    @property
    def sees_every_site(self) -> bool:
        """The central team and administrators see every site's profile (never what sites wrote)."""
        return self.is_active and (self.is_programme_lead or self.is_superuser)


class AccountSession(AbstractBaseSession):
    """A session, with the account signed in to it (accounts.sessions fills it in), so that deactivating an account
    can delete every one of its sessions. Django's documented way of extending the database session store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "session"


class AuditEvent(models.Model):
    """Who did what to which record, and when. Never the content of a note: only the verb and ids."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_type.model} {self.target_id}"

    @classmethod
    def record(cls, *, actor: User | None, verb: str, target: models.Model, **detail: Any) -> AuditEvent:
        return cls.objects.create(
            actor=actor,
            verb=verb,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            detail=detail,
        )


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """A notification is its recipient's alone; one sent to another address is that mailbox's, not the app's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, address="")

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

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Sent to this address instead of the recipient's own: a link confirming a new address goes to that address,
    # and a notice of a changed address to the old one. Such a message is not shown in the app: it is for whoever
    # reads that mailbox, who may not be the person signed in.
    address = models.EmailField(blank=True)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField()
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

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def to_address(self) -> str:
        return self.address or self.recipient.email

    def mark_sent(self) -> None:
        self.status = self.Status.SENT
        self.sent_at = timezone.now()
        self.attempts += 1
        self.save(update_fields=["status", "sent_at", "attempts"])

    def mark_failed_attempt(self, error: str, *, final: bool, retry_in: timedelta | None = None) -> None:
        """One more failed try. Unless it was the last, the row stays pending and is due again after `retry_in`."""
        self.attempts += 1
        self.last_error = error[:300]
        if final:
            self.status = self.Status.FAILED
        if retry_in is not None:
            self.next_attempt_at = timezone.now() + retry_in
        self.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
