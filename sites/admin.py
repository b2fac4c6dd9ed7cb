from django.contrib import admin

from .models import Organisation, Programme, Site, SiteMembership


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "year")
    list_filter = ("kind",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector")
    list_filter = ("sector",)
    search_fields = ("name", "aliases")


class SiteMembershipInline(admin.TabularInline):
    model = SiteMembership
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "programme",
        "region",
        "council_count",
        "commissioner_count",
        "boundaries_overlap",
    )
    list_filter = ("programme", "region", "boundaries_overlap")
    list_select_related = ("programme",)
    search_fields = ("name",)
    filter_horizontal = ("partners", "account_managers")
    inlines = [SiteMembershipInline]


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "site", "role")
    list_filter = ("role",)
    list_select_related = ("user", "site")
    autocomplete_fields = ("user", "site")
    search_fields = ("user__email", "user__full_name", "site__name")
