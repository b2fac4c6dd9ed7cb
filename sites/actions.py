"""Changes to sites, their partner organisations and who belongs to them: each one transaction with its audit event.

The central team adds and edits sites and organisations; a site's lead manages the site's own people (makes a
member a lead, removes a person). New people arrive by invitation (onboarding.actions), never typed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from core.records import save_changed, set_links

from . import access
from .models import Organisation, Programme, Site, SiteMembership

Verb = AuditEvent.Verb

SITE_FIELDS = (
    "name",
    "programme",
    "region",
    "description",
    "council_count",
    "commissioner_count",
    "boundaries_overlap",
)
ORGANISATION_FIELDS = ("name", "sector", "aliases")


def _central_team_only(by: User | None) -> None:
    """`by` is None for an operator's command (manage.py import_csv), which runs outside any person's account."""
    if by is not None and not is_central_team(by):
        raise NotAllowed("Only the central team changes sites and organisations.")


@transaction.atomic
def create_site(*, by: User | None, partners: Iterable[Organisation] = (), **fields: Any) -> Site:
    _central_team_only(by)
    site = Site.objects.create(**{name: fields[name] for name in SITE_FIELDS if name in fields})
    site.partners.set(list(partners))
    AuditEvent.record(actor=by, verb=Verb.CREATED_A_SITE, target=site)
    return site


@transaction.atomic
def create_sites(*, by: User | None, rows: list[dict[str, Any]]) -> list[Site]:
    """Many new sites at once (an import): each `row` as create_site takes it, partners included; a few statements
    for a thousand sites, with one audit event each."""
    _central_team_only(by)
    made = Site.objects.bulk_create(Site(**{name: row[name] for name in SITE_FIELDS if name in row}) for row in rows)
    through = Site.partners.through
    through.objects.bulk_create(
        through(site_id=site.pk, organisation_id=partner.pk)
        for site, row in zip(made, rows, strict=True)
        for partner in {partner.pk: partner for partner in row.get("partners", ())}.values()
    )
    AuditEvent.record_many(actor=by, verb=Verb.CREATED_A_SITE, targets=made, detail_of=lambda site: {})
    return made


@transaction.atomic
def update_site(*, site: Site, by: User | None, partners: Iterable[Organisation] | None = None, **fields: Any) -> bool:
    """Saves what changed; False if nothing did (so an import of the same file twice records nothing)."""
    _central_team_only(by)
    site = Site.objects.select_for_update().get(pk=site.pk)
    changed = save_changed(site, fields, SITE_FIELDS)
    if partners is not None and set_links(site.partners, partners):
        changed.append("partners")
    if changed:
        AuditEvent.record(actor=by, verb=Verb.EDITED_A_SITE, target=site, fields=changed)
    return bool(changed)


@transaction.atomic
def create_organisation(*, by: User | None, sites: Iterable[Site] = (), **fields: Any) -> Organisation:
    _central_team_only(by)
    organisation = Organisation.objects.create(**{name: fields[name] for name in ORGANISATION_FIELDS if name in fields})
    organisation.sites.set(list(sites))
    AuditEvent.record(actor=by, verb=Verb.CREATED_AN_ORGANISATION, target=organisation)
    return organisation


@transaction.atomic
def create_organisations(*, by: User | None, rows: list[dict[str, Any]]) -> list[Organisation]:
    """Many new organisations at once (an import), as create_organisation takes each, with one audit event each."""
    _central_team_only(by)
    made = Organisation.objects.bulk_create(
        Organisation(**{name: row[name] for name in ORGANISATION_FIELDS if name in row}) for row in rows
    )
    through = Site.partners.through
    through.objects.bulk_create(
        through(site_id=site.pk, organisation_id=organisation.pk)
        for organisation, row in zip(made, rows, strict=True)
        for site in {site.pk: site for site in row.get("sites", ())}.values()
    )
    AuditEvent.record_many(actor=by, verb=Verb.CREATED_AN_ORGANISATION, targets=made, detail_of=lambda row: {})
    return made


@transaction.atomic
def update_organisation(
    *, organisation: Organisation, by: User | None, sites: Iterable[Site] | None = None, **fields: Any
) -> bool:
    _central_team_only(by)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = save_changed(organisation, fields, ORGANISATION_FIELDS)
    if sites is not None and set_links(organisation.sites, sites):
        changed.append("sites")
    if changed:
        AuditEvent.record(actor=by, verb=Verb.EDITED_AN_ORGANISATION, target=organisation, fields=changed)
    return bool(changed)


@transaction.atomic
def create_programme_year(*, by: User | None, kind: str, year: int, description: str = "") -> Programme:
    _central_team_only(by)
    if Programme.objects.filter(kind=kind, year=year).exists():
        raise NotAllowed(f"{Programme(kind=kind, year=year)} exists already.")
    programme = Programme.objects.create(kind=kind, year=year, description=description)
    AuditEvent.record(actor=by, verb=Verb.CREATED_A_PROGRAMME_YEAR, target=programme)
    return programme


def add_to_site(*, user: User, site: Site, lead: bool) -> SiteMembership:
    """In the caller's transaction (an accepted invitation): the person belongs to the site; a lead stays a lead."""
    membership, created = SiteMembership.objects.get_or_create(
        user=user, site=site, defaults={"role": SiteMembership.role_for(lead=lead)}
    )
    if not created and lead and not access.is_lead_role(membership.role):
        membership.promote_to_lead()
    return membership


def _may_manage_people(by: User, site_id: int) -> None:
    if not access.is_site_lead(by, site_id):
        raise NotAllowed("Only a lead of the site manages its people.")


@transaction.atomic
def make_site_lead(*, membership: SiteMembership, by: User) -> SiteMembership:
    """A site's lead makes one of its members a lead too."""
    membership = SiteMembership.objects.select_for_update().select_related("user", "site").get(pk=membership.pk)
    _may_manage_people(by, membership.site_id)
    membership.promote_to_lead()
    AuditEvent.record(actor=by, verb=Verb.MADE_A_SITE_LEAD, target=membership.site, person=membership.user_id)
    return membership


@transaction.atomic
def remove_from_site(*, membership: SiteMembership, by: User) -> None:
    """A site's lead removes a person from the site. The person's account and what they wrote stay; the site keeps
    at least one lead."""
    site = Site.objects.select_for_update().get(pk=membership.site_id)  # one removal at a time per site
    membership = SiteMembership.objects.select_related("user").get(pk=membership.pk)
    _may_manage_people(by, site.pk)
    if access.is_lead_role(membership.role) and len(access.site_leads(site)) <= 1:
        raise NotAllowed(f"{membership.user} is the site's only lead: make someone else a lead first.")
    person = membership.user_id
    membership.delete()
    AuditEvent.record(actor=by, verb=Verb.REMOVED_FROM_A_SITE, target=site, person=person)
