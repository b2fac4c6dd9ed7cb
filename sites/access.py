"""Who a person is to a site, asked here and nowhere else: its lead, a member, an account manager linked to it.

A site's lead is the one member who speaks for the site: they choose its enabler, confirm its agreement, agree
extra days, share its diagnostic and approve its lessons. Every other app asks these questions; none writes the
rule again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.access import is_active_person, is_central_team

from .models import Site, SiteMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

LEAD = SiteMembership.Role.LEAD


def is_lead_role(role: str | None) -> bool:
    """A membership's role (or one a query already read, such as `Engagement.site_role`) is the site's lead."""
    return role == LEAD


def site_role(user: User | AnonymousUser, site: Site | int) -> str | None:
    """The person's role at the site (lead or member), or None: one query."""
    if not is_active_person(user):
        return None
    site_id = site.pk if isinstance(site, Site) else site
    return SiteMembership.objects.filter(site=site_id, user=user.pk).values_list("role", flat=True).first()


def is_site_lead(user: User | AnonymousUser, site: Site | int) -> bool:
    return is_lead_role(site_role(user, site))


def is_site_member(user: User | AnonymousUser, site: Site | int) -> bool:
    """A member of the site in any role, its lead included."""
    return site_role(user, site) is not None


def sites_of(user: User) -> QuerySet[SiteMembership, Any]:
    """The ids of the sites the person belongs to, as a subquery (`filter(site__in=sites_of(user))`)."""
    return SiteMembership.objects.filter(user=user.pk).values("site")


def sites_led_by(user: User) -> QuerySet[SiteMembership, Any]:
    """The ids of the sites the person leads, as a subquery."""
    return SiteMembership.objects.filter(user=user.pk, role=LEAD).values("site")


def led_site_ids(memberships: list[SiteMembership]) -> set[int]:
    """Of memberships already read, the sites they lead."""
    return {membership.site_id for membership in memberships if is_lead_role(membership.role)}


def site_leads(site: Site | int) -> list[User]:
    """The site's leads, who are told what the site must decide."""
    site_id = site.pk if isinstance(site, Site) else site
    return [m.user for m in SiteMembership.objects.filter(site=site_id, role=LEAD).select_related("user")]


def site_members(site: Site | int) -> list[User]:
    site_id = site.pk if isinstance(site, Site) else site
    return [m.user for m in SiteMembership.objects.filter(site=site_id).select_related("user")]


def manages_people_of(user: User | AnonymousUser, site: Site | int) -> bool:
    """Who opens a site's people page: its leads (they invite members, make a member a lead, remove a person)
    and the central team (they invite a site's first lead)."""
    return is_central_team(user) or is_site_lead(user, site)


def is_account_manager_of(user: User | AnonymousUser, site: Site) -> bool:
    """An NHS England account manager linked to the site: sees its diagnostic only while its lead shares it."""
    return is_active_person(user) and site.account_managers.filter(pk=user.pk).exists()
