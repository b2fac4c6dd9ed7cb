"""The accounts' admin, with one more action: the subject-access export, which reads every app and so lives
here, above them (accounts sits at the bottom and may not import it)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.debug import sensitive_variables

from accounts.access import person_of
from accounts.admin import UserAdmin
from accounts.models import User

from . import subject_access


class UserAdminWithExport(UserAdmin):
    actions = [*UserAdmin.actions, "export_personal_data"]

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
        subject_access.record_export(person=person, by=person_of(request), via="admin")
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{subject_access.filename_for(person)}"'
        response["Cache-Control"] = "no-store"
        return response


admin.site.unregister(User)
admin.site.register(User, UserAdminWithExport)
