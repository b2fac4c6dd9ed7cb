from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import central_team_required, sees_every_site, sees_every_site_required
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from . import access as site_access
from . import actions
from .forms import OrganisationFilterForm, OrganisationForm, SiteFilterForm, SiteForm
from .models import Organisation, Site, SiteMembership, SiteQuerySet


@sees_every_site_required
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The directory of every site, for the central team."""
    form = SiteFilterForm(request.GET or None)
    # Partners counted for the fifty sites on the page only (a subquery), not grouped over all 10,000.
    partners = (
        Site.partners.through.objects.filter(site=OuterRef("pk"))  # type: ignore[misc]  # stubs miss annotate()
        .order_by()
        .values("site")
        .annotate(partners=Count("pk"))
        .values("partners")
    )
    sites: SiteQuerySet = (
        Site.objects.visible_to(request.user)
        .select_related("programme")
        .annotate(partner_count=Coalesce(Subquery(partners), 0))
    )
    if form.is_valid():
        sites = form.filter(sites)
    page = Paginator(sites.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "sites/site_list.html", {"form": form, "page": page})


def site_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site.objects.visible_to(request.user).select_related("programme"), pk=pk)
    partners = Organisation.objects.visible_to(request.user).filter(sites=site).order_by("sector", "name")
    memberships = (
        SiteMembership.objects.visible_to(request.user).filter(site=site).select_related("user").order_by("role")
    )
    context = {
        "site": site,
        "partners": partners,
        "memberships": memberships,
        "sees_every_site": sees_every_site(request.user),
        # Its leads invite and manage its people; the central team invites its first lead.
        "manages_people": site_access.manages_people_of(request.user, site),
    }
    return render(request, "sites/site_detail.html", context)


def my_site(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a site's people start: straight to their site, or a choice when they belong to several."""
    memberships = list(
        SiteMembership.objects.filter(user=request.user)
        .select_related("site", "site__programme")
        .order_by("site__name")
    )
    if len(memberships) == 1:
        return redirect("sites:site_detail", pk=memberships[0].site_id)
    return render(request, "sites/my_site.html", {"memberships": memberships})


# The central team's registry of sites and organisations: every change through sites.actions ------------------


@central_team_required
def site_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SiteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            site = actions.create_site(by=request.user, partners=form.cleaned_data["partners"], **form.site_fields())
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"{site.name} is added to the site directory.")
            return redirect("sites:site_detail", pk=site.pk)
    return render(request, "sites/site_create.html", {"form": form})


@central_team_required
def site_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site.objects.visible_to(request.user).prefetch_related("partners"), pk=pk)
    form = SiteForm(posted(request), site=site)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_site(
                site=site, by=request.user, partners=form.cleaned_data["partners"], **form.site_fields()
            )
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "The site's profile is saved." if changed else "Nothing was changed.")
            return redirect("sites:site_detail", pk=site.pk)
    return render(request, "sites/site_edit.html", {"form": form, "site": site})


@central_team_required
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every partner organisation, with the other names people use for it and how many sites it is a partner of."""
    form = OrganisationFilterForm(request.GET or None)
    # Sites counted for the fifty organisations on the page only (a subquery), as in the site directory.
    sites = (
        Site.partners.through.objects.filter(organisation=OuterRef("pk"))  # type: ignore[misc]  # stubs miss annotate()
        .order_by()
        .values("organisation")
        .annotate(sites=Count("pk"))
        .values("sites")
    )
    organisations: QuerySet[Organisation] = Organisation.objects.visible_to(request.user).annotate(
        site_count=Coalesce(Subquery(sites), 0)
    )
    if form.is_valid():
        organisations = form.filter(organisations)
    page = Paginator(organisations.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "sites/organisation_list.html", {"form": form, "page": page})


@central_team_required
def organisation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = actions.create_organisation(
                by=request.user, sites=form.cleaned_data["sites"], **form.organisation_fields()
            )
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"{organisation.name} is added to the organisations.")
            return redirect("sites:organisation_list")
    return render(request, "sites/organisation_create.html", {"form": form})


@central_team_required
def organisation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user).prefetch_related("sites"), pk=pk)
    form = OrganisationForm(posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_organisation(
                organisation=organisation,
                by=request.user,
                sites=form.cleaned_data["sites"],
                **form.organisation_fields(),
            )
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"{form.cleaned_data['name']} is saved." if changed else "Nothing was changed.")
            return redirect("sites:organisation_list")
    return render(request, "sites/organisation_edit.html", {"form": form, "organisation": organisation})
