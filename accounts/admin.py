from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .forms import UserChangeForm, UserCreationForm
from .models import Notification, User


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
        from .notifications import enqueue_delivery

        waiting = queryset.exclude(status=Notification.Status.SENT)
        count = waiting.update(status=Notification.Status.PENDING)
        for pk in waiting.values_list("pk", flat=True):
            enqueue_delivery(pk)
        self.message_user(request, f"{count} notification(s) queued for delivery.")
