"""The central team keeps the partner organisations: names, sectors, the other names people use, and their sites."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from sites.models import Organisation, Programme, Region, Site
from tests.helpers.people import client_for


def _organisation_form(**changes: object) -> dict[str, object]:
    return {"name": "Ashvale Community Trust", "sector": Organisation.Sector.NHS_TRUST, "aliases": "", **changes}


def test_programme_lead_adds_an_organisation_with_its_sites(site_a: Site, site_b: Site, programme_lead: User) -> None:
    form = _organisation_form(
        aliases="ACT\n\n  Ashvale Community  \nact", sites=f"{site_a.name}\n{site_b.name.lower()}"
    )

    response = client_for(programme_lead).post(reverse("sites:organisation_create"), form)

    organisation = Organisation.objects.get(name="Ashvale Community Trust")
    assert response["Location"] == reverse("sites:organisation_list")
    assert organisation.alias_list == ["ACT", "Ashvale Community"]
    assert set(organisation.sites.all()) == {site_a, site_b}
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CREATED_AN_ORGANISATION, actor=programme_lead).count() == 1


def test_programme_lead_edits_an_organisation_and_the_changed_fields_are_audited(
    site_a: Site, site_b: Site, programme_lead: User
) -> None:
    council = site_a.partners.get()
    form = {"name": council.name, "sector": council.sector, "aliases": "AB Council\nAshvale BC", "sites": site_b.name}

    client_for(programme_lead).post(reverse("sites:organisation_edit", kwargs={"pk": council.pk}), form)

    council.refresh_from_db()
    assert council.alias_list == ["AB Council", "Ashvale BC"]
    assert list(council.sites.all()) == [site_b]
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.EDITED_AN_ORGANISATION)
    assert (event.actor, event.target_id, sorted(event.detail["fields"])) == (
        programme_lead,
        council.pk,
        ["aliases", "sites"],
    )


@pytest.mark.parametrize(
    ("aliases", "clash"),
    [
        ("ashvale borough council", "Ashvale Borough Council is already an organisation"),
        ("Ashvale Trust\nab council", "ab council is already another name of Ashvale Borough Council"),
    ],
)
def test_an_alias_that_is_another_organisations_name_or_alias_is_refused(
    site_a: Site, programme_lead: User, aliases: str, clash: str
) -> None:
    response = client_for(programme_lead).post(
        reverse("sites:organisation_create"), _organisation_form(aliases=aliases)
    )

    assert response.status_code == 200
    assert clash in response.context["form"].errors["aliases"][0]
    assert not Organisation.objects.filter(name="Ashvale Community Trust").exists()


def test_a_name_in_use_by_name_or_alias_is_refused_in_any_case(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)

    by_name = client.post(reverse("sites:organisation_create"), _organisation_form(name="ASHVALE BOROUGH COUNCIL"))
    by_alias = client.post(reverse("sites:organisation_create"), _organisation_form(name="Ab Council"))

    assert "is already an organisation" in by_name.context["form"].errors["name"][0]
    assert "is already another name of Ashvale Borough Council" in by_alias.context["form"].errors["name"][0]
    assert Organisation.objects.count() == 1


def test_an_organisation_keeps_its_own_name_and_aliases_when_edited(site_a: Site, programme_lead: User) -> None:
    council = site_a.partners.get()
    form = {"name": council.name, "sector": council.sector, "aliases": "AB COUNCIL", "sites": site_a.name.upper()}

    response = client_for(programme_lead).post(reverse("sites:organisation_edit", kwargs={"pk": council.pk}), form)

    assert response.status_code == 302
    council.refresh_from_db()
    assert council.aliases == "AB COUNCIL"


def test_the_list_filters_by_name_or_alias_and_counts_sites(site_a: Site, programme_lead: User) -> None:
    Organisation.objects.create(name="Brookmere Care", sector=Organisation.Sector.VOLUNTARY)
    client = client_for(programme_lead)

    by_alias = client.get(reverse("sites:organisation_list"), {"q": "ab coun"})

    organisations = list(by_alias.context["page"].object_list)
    assert [organisation.name for organisation in organisations] == ["Ashvale Borough Council"]
    assert organisations[0].site_count == 1


def test_the_organisation_list_costs_a_bounded_number_of_queries(
    programme: Programme, programme_lead: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(programme_lead)
    client.get(reverse("sites:organisation_list"))  # the session and the person, loaded once
    for number in range(30):
        organisation = Organisation.objects.create(
            name=f"Organisation {number}", sector=Organisation.Sector.COUNCIL, aliases=f"Org {number}"
        )
        Site.objects.create(name=f"Site {number}", programme=programme, region=Region.LONDON).partners.add(organisation)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("sites:organisation_list"))

    assert len(response.context["page"].object_list) == 30


@pytest.mark.parametrize("persona", ["administrator", "site_lead", "other_enabler"])
def test_only_a_programme_lead_adds_or_edits_an_organisation(personas: dict, site_a: Site, persona: str) -> None:
    client = client_for(personas[persona])
    council = site_a.partners.get()

    created = client.post(reverse("sites:organisation_create"), _organisation_form())
    edited = client.post(reverse("sites:organisation_edit", kwargs={"pk": council.pk}), _organisation_form())
    listed = client.get(reverse("sites:organisation_list"))

    assert (created.status_code, edited.status_code, listed.status_code) == (404, 404, 404)
    assert Organisation.objects.count() == 1


def test_organisations_address_is_not_taken_for_a_sites(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)

    response = client.get("/sites/organisations/")

    assert response.resolver_match.view_name == "sites:organisation_list"
    assert client.get(f"/sites/{site_a.pk}/").resolver_match.view_name == "sites:site_detail"
