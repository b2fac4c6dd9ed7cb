"""The Django admin runs the service: offers, enabler profiles, and the state of requests and engagements.

It never shows what a site and its enabler wrote to each other: no agreement text, no diagnostic.
"""

from django.contrib import admin
from django.http import HttpRequest

from frontend.pagination import EstimatedCountPaginator

from .models import EnablerProfile, Engagement, Offer, Proposal, Session, SupportRequest


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "provider", "cadence", "day_allowance", "is_open")
    list_filter = ("programme", "cadence", "is_open")
    list_select_related = ("programme",)


@admin.register(EnablerProfile)
class EnablerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "years_in_health", "years_in_social_care", "capacity")
    list_select_related = ("user",)
    search_fields = ("user__full_name", "user__email")
    autocomplete_fields = ("user",)
    filter_horizontal = ("worked_for",)


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ("enabler", "outcome", "proposed_at", "proposed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ("site", "offer", "state", "submitted_at")
    list_filter = ("state", "offer")
    list_select_related = ("site", "offer")
    search_fields = ("site__name",)
    date_hierarchy = "submitted_at"
    inlines = [ProposalInline]
    readonly_fields = ("state", "submitted_at", "decided_at", "change_asked_at", "created_by", "site", "offer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pull, never push: only a site creates a request, in the app


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("site", "enabler", "offer", "state", "created_at", "days_used")
    list_filter = ("state", "offer")
    list_select_related = ("site", "enabler", "offer")
    search_fields = ("site__name",)
    fields = (
        "request",
        "previous",
        "site",
        "offer",
        "enabler",
        "state",
        "created_at",
        "started_on",
        "follow_up_on",
        "closed_on",
        "day_allowance",
        "days_carried",
        "days_used",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an engagement is born only from an accepted request


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """The session log (date, format, length) for running the service. Private notes are never registered here."""

    list_display = ("held_on", "engagement", "format", "place", "hours", "days")
    # By date with the fixed choices (past 7 days, this month, this year): a date hierarchy would read every one
    # of a million rows for its list of years on each view.
    list_filter = ("held_on", "format", "place")
    list_select_related = ("engagement__site", "engagement__enabler")
    fields = ("engagement", "held_on", "format", "place", "hours", "days", "participants", "logged_by", "created_at")
    readonly_fields = fields
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # a million rows: the planner's estimate, not COUNT(*)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions are logged by their enabler, in the app
