"""The administrators' side of the retention schedule: the report of each run (counts only) and legal holds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.access import person_of
from core.errors import NotAllowed

from . import actions
from .models import LegalHold, RetentionRun
from .schedule import KINDS


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """Read only: what each night's run destroyed, by kind, the notices it sent and what falls due next."""

    list_display = ("__str__", "finished_at", "records_destroyed", "notices_sent", "held")
    fields = ("started_at", "finished_at", "report", "notices_sent", "held")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the nightly task or `manage.py apply_retention`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the evidence that the schedule ran

    @admin.display(description="Records destroyed")
    def records_destroyed(self, run: RetentionRun) -> int:
        return sum(run.destroyed.values())

    @admin.display(description="Notices sent")
    def notices_sent(self, run: RetentionRun) -> str:
        return ", ".join(f"{count} about {what}" for what, count in run.notices.items()) or "none"

    @admin.display(description="By kind of record")
    def report(self, run: RetentionRun) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (kind.record, kind.days, run.destroyed.get(kind.name, 0), run.due_soon.get(kind.name, 0), kind.happens)
                for kind in KINDS
            ),
        )
        return format_html(
            "<table><caption>Destroyed in this run, and due in the 30 days after it (periods as set today)</caption>"
            "<thead><tr><th scope='col'>Record</th><th scope='col'>Kept for (days)</th><th scope='col'>Destroyed"
            "</th><th scope='col'>Due in the next 30 days</th><th scope='col'>What happens</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("engagement", "reason")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        engagement = cleaned.get("engagement")
        if engagement is not None and LegalHold.objects.in_force().filter(engagement=engagement).exists():
            raise ValidationError("This engagement's records are held already: lift that hold first.")
        return cleaned

    def validate_constraints(self) -> None:
        """The one-hold-in-force rule is said in `clean`, in words."""


class InForce(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("in-force", "In force"), ("lifted", "Lifted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> QuerySet[LegalHold]:
        if self.value() == "in-force":
            return queryset.filter(lifted_at=None)
        if self.value() == "lifted":
            return queryset.exclude(lifted_at=None)
        return queryset


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """Placing a hold is adding one (with its reason); lifting is the action on the list. A hold is never edited or
    deleted: it stays as the record of why the schedule skipped an engagement."""

    form = LegalHoldForm
    list_display = ("engagement", "placed_at", "placed_by", "in_force", "lifted_at")
    list_filter = (InForce,)
    list_select_related = ("engagement__site", "engagement__enabler", "engagement__offer", "placed_by")
    raw_id_fields = ("engagement",)
    actions = ["lift"]

    def get_fields(self, request: HttpRequest, obj: LegalHold | None = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["engagement", "reason"]
        return ["engagement", "reason", "placed_by", "placed_at", "lifted_by", "lifted_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: LegalHold | None = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    @admin.display(boolean=True, description="In force")
    def in_force(self, hold: LegalHold) -> bool:
        return hold.lifted_at is None

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        hold = actions.place_legal_hold(engagement=obj.engagement, by=person_of(request), reason=obj.reason)
        obj.pk, obj.placed_at, obj.placed_by = hold.pk, hold.placed_at, hold.placed_by

    @admin.action(description="Lift the selected legal holds: the schedule applies again", permissions=["lift"])
    def lift(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> None:
        lifted = 0
        for hold in queryset.filter(lifted_at=None):
            try:
                actions.lift_legal_hold(hold=hold, by=person_of(request))
            except NotAllowed as refusal:
                self.message_user(request, str(refusal), level=messages.WARNING)
            else:
                lifted += 1
        self.message_user(request, f"{lifted} legal hold(s) lifted.", level=messages.SUCCESS)
