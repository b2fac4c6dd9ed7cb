from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import actions
from .access import person_of
from .forms import UserChangeForm, UserCreationForm
from .models import Notification, User

# Two-factor devices are removed only through the person's account below, which records it and tells them; their
# own admin pages would let an administrator delete or add one silently.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, run without ever holding a person's password: an administrator neither sees nor sets one, and
    cannot change the address a reset link goes to. They can send the person a reset link, deactivate or reactivate
    the account, or remove its two-factor devices; each is an audit event and a notice to the person
    (accounts.actions). docs/security.md says what this does and does not protect."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_programme_lead", "is_account_manager", "is_staff", "is_active")
    list_filter = ("is_programme_lead", "is_account_manager", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Person", {"fields": ("full_name", "job_title")}),
        ("Roles", {"fields": ("is_programme_lead", "is_account_manager", "is_active", "is_staff", "is_superuser")}),
        (
            "Dates",
            {
                "fields": (
                    "last_login",
                    "date_joined",
                    "inactivity_notice_sent_at",
                    "deactivated_at",
                    "anonymised_at",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name")}),)
    readonly_fields = (
        "email",
        "is_active",
        "last_login",
        "date_joined",
        "inactivity_notice_sent_at",
        "deactivated_at",
        "anonymised_at",
    )
    actions = [
        "send_password_reset_link",
        "deactivate",
        "reactivate",
        "remove_two_factor",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        return self.readonly_fields if obj is not None else ()  # a new account's address is typed once

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's page for setting someone's password: not in Alongside. Send a reset link instead."""
        raise Http404

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """A new account has no password: the person is sent a link to set their own."""
        if change:
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            obj.set_unusable_password()
            super().save_model(request, obj, form, change)
            actions.welcome_new_account(user=obj, by=person_of(request))

    @admin.action(description="Send a link to set a new password (to their own address)")
    def send_password_reset_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        people = list(queryset.filter(is_active=True))
        for person in people:
            actions.send_password_reset_link(user=person, by=person_of(request))
        self.message_user(request, f"A link to set a new password was sent to {len(people)} person(s).")

    @admin.action(description="Deactivate: sign them out everywhere now and stop them signing in")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = sum(
            actions.deactivate_account(user=person, by=person_of(request))
            for person in queryset.exclude(pk=person_of(request).pk)
        )
        self.message_user(request, f"{done} account(s) deactivated. Their records stay.")

    @admin.action(description="Reactivate: let them sign in again")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = sum(actions.reactivate_account(user=person, by=person_of(request)) for person in queryset)
        self.message_user(request, f"{done} account(s) reactivated.")

    @admin.action(description="Remove their two-factor devices (a lost phone)")
    def remove_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        people = list(queryset.exclude(pk=person_of(request).pk))
        for person in people:
            actions.remove_two_factor(user=person, by=person_of(request))
        self.message_user(request, f"Two-factor removed for {len(people)} person(s); each was told by e-mail.")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery status only: who, what kind, when, whether it went. Never the message itself."""

    list_display = (
        "recipient",
        "address",
        "kind",
        "channel",
        "created_at",
        "status",
        "delivery",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "delivery", "channel", "kind")
    list_select_related = ("recipient",)
    fields = (
        "recipient",
        "address",
        "kind",
        "channel",
        "created_at",
        "status",
        "attempts",
        "sent_at",
        "delivery",
        "delivered_at",
        "provider_id",
        "last_error",
    )
    readonly_fields = fields
    actions = ["retry_delivery"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected notifications again if they are waiting or failed")
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        from .notifications import publish_soon

        waiting = list(queryset.exclude(status=Notification.Status.SENT).values_list("pk", flat=True))
        # Pending again, with a fresh count of attempts; due for the sweeper too, should the hand-over fail.
        count = Notification.objects.filter(pk__in=waiting).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: publish_soon(waiting))
        self.message_user(request, f"{count} notification(s) queued for delivery.")
