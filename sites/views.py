from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import sees_every_site, sees_every_site_required
from core.http import AuthenticatedHttpRequest

from .forms import SiteFilterForm
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
