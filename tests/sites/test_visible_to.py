"""The one place that decides who sees which sites, organisations and memberships."""

from __future__ import annotations

from accounts.models import User
from sites.models import Organisation, Site, SiteMembership


def test_member_sees_only_their_own_site_its_partners_and_its_people(
    site_member: User, site_lead: User, other_site_lead: User, site_a: Site, site_b: Site
) -> None:
    site_b.partners.add(Organisation.objects.create(name="Brookmere Council", sector="council"))

    assert list(Site.objects.visible_to(site_member)) == [site_a]
    assert [o.name for o in Organisation.objects.visible_to(site_member)] == ["Ashvale Borough Council"]
    assert {m.user for m in SiteMembership.objects.visible_to(site_member)} == {site_member, site_lead}


def test_programme_lead_and_administrator_see_every_site(
    programme_lead: User, administrator: User, site_a: Site, site_b: Site
) -> None:
    assert set(Site.objects.visible_to(programme_lead)) == {site_a, site_b}
    assert set(Site.objects.visible_to(administrator)) == {site_a, site_b}


def test_enabler_without_an_engagement_sees_no_site(enabler: User, site_a: Site) -> None:
    assert not Site.objects.visible_to(enabler).exists()
    assert not Organisation.objects.visible_to(enabler).exists()
