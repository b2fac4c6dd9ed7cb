from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import subject_access
from .forms import UserChangeForm, UserCreationForm
from .models import AuditEvent, Notification, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_programme_lead", "is_account_manager", "is_staff", "is_active")
    list_filter = ("is_programme_lead", "is_account_manager", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title")}),
        ("Roles", {"fields": ("is_programme_lead", "is_account_manager", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    actions = ["export_personal_data"]

    def has_export_personal_data_permission(self, request: HttpRequest) -> bool:
        """The export holds what the person wrote to their site or enabler, which no other admin page shows: it is
        for superusers answering a subject access request, not for every administrator who manages accounts."""
        return request.user.is_active and request.user.is_superuser

    @admin.action(
        description="Export everything Alongside holds about this person", permissions=["export_personal_data"]
    )
    @sensitive_variables("data")
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """A subject access request, for one person at a time: the zip as a download, never cached, and the
        export recorded against their account. Private notes are never in it: an administrator would read them."""
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(
                request,
                "Select exactly one person to export everything Alongside holds about them. Nothing was exported.",
                level=messages.WARNING,
            )
            return None
        person = people[0]
        data = subject_access.export_person(person)
        AuditEvent.record(actor=request.user, verb="exported personal data", target=person, via="admin")
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{subject_access.filename_for(person)}"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery status only: who, what kind, when, whether it went. Never the message itself."""

    list_display = ("recipient", "kind", "created_at", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    list_select_related = ("recipient",)
    fields = ("recipient", "kind", "created_at", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    actions = ["retry_delivery"]

    def has_add_permission(self, request: object) -> bool:
        return False

    @admin.action(description="Send the selected notifications again if they are waiting or failed")
    def retry_delivery(self, request: object, queryset: object) -> None:
        from .notifications import publish_soon

        waiting = list(queryset.exclude(status=Notification.Status.SENT).values_list("pk", flat=True))
        # Pending again, with a fresh count of attempts; due for the sweeper too, should the hand-over fail.
        count = Notification.objects.filter(pk__in=waiting).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: publish_soon(waiting))
        self.message_user(request, f"{count} notification(s) queued for delivery.")
