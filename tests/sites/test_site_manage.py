"""The central team adds and edits sites in the app: each change through sites.actions, with its audit event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from sites.models import Organisation, Programme, Region, Site
from tests.helpers.people import client_for


def _site_form(programme: Programme, **changes: object) -> dict[str, object]:
    return {
        "name": "Carrow",
        "programme": programme.pk,
        "region": Region.SOUTH_WEST,
        "description": "Two councils and one ICB on the coast.",
        "council_count": "2",
        "commissioner_count": "1",
        "boundaries_overlap": "on",
        **changes,
    }


def test_programme_lead_adds_a_site_with_its_partners(programme: Programme, programme_lead: User) -> None:
    trust = Organisation.objects.create(name="Carrow Hospitals", sector=Organisation.Sector.NHS_TRUST)

    response = client_for(programme_lead).post(
        reverse("sites:site_create"), _site_form(programme, partners="carrow hospitals")
    )

    site = Site.objects.get(name="Carrow")
    assert response["Location"] == reverse("sites:site_detail", kwargs={"pk": site.pk})
    assert (site.region, site.council_count, site.boundaries_overlap) == (Region.SOUTH_WEST, 2, True)
    assert list(site.partners.all()) == [trust]
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.CREATED_A_SITE, actor=programme_lead).count() == 1


def test_programme_lead_edits_a_site_and_the_changed_fields_are_audited(
    site_a: Site, programme: Programme, programme_lead: User
) -> None:
    changes = _site_form(programme, name="Ashvale", region=Region.LONDON, partners="")

    client_for(programme_lead).post(reverse("sites:site_edit", kwargs={"pk": site_a.pk}), changes)

    site_a.refresh_from_db()
    assert site_a.council_count == 2
    assert not site_a.partners.exists()
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.EDITED_A_SITE)
    assert (event.actor, event.target_id) == (programme_lead, site_a.pk)
    assert set(event.detail["fields"]) == {"description", "council_count", "boundaries_overlap", "partners"}


def test_saving_a_site_unchanged_records_nothing(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)
    url = reverse("sites:site_edit", kwargs={"pk": site_a.pk})
    unchanged = {
        "name": site_a.name,
        "programme": site_a.programme_id,
        "region": site_a.region,
        "description": site_a.description,
        "council_count": site_a.council_count,
        "commissioner_count": site_a.commissioner_count,
        "partners": "\n".join(organisation.name for organisation in site_a.partners.all()),
    }

    client.post(url, unchanged)

    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.EDITED_A_SITE).exists()


def test_a_site_name_in_use_is_refused_in_any_case(
    site_a: Site, site_b: Site, programme: Programme, programme_lead: User
) -> None:
    client = client_for(programme_lead)

    created = client.post(reverse("sites:site_create"), _site_form(programme, name="ASHVALE"))
    renamed = client.post(reverse("sites:site_edit", kwargs={"pk": site_b.pk}), _site_form(programme, name="ashvale"))

    for response in (created, renamed):
        assert response.status_code == 200
        assert "A site called" in response.context["form"].errors["name"][0]
    assert Site.objects.count() == 2
    site_b.refresh_from_db()
    assert site_b.name == "Brookmere"


@pytest.mark.parametrize("persona", ["administrator", "site_lead", "enabler"])
def test_only_a_programme_lead_adds_or_edits_a_site(
    personas: dict, site_a: Site, programme: Programme, persona: str
) -> None:
    client = client_for(personas[persona])

    created = client.post(reverse("sites:site_create"), _site_form(programme))
    edited = client.post(reverse("sites:site_edit", kwargs={"pk": site_a.pk}), _site_form(programme))

    assert (created.status_code, edited.status_code) == (404, 404)
    assert not Site.objects.filter(name="Carrow").exists()


def test_the_directory_and_the_site_offer_the_central_team_its_links(site_a: Site, programme_lead: User) -> None:
    client = client_for(programme_lead)

    directory = client.get(reverse("sites:site_list")).content.decode()
    detail = client.get(reverse("sites:site_detail", kwargs={"pk": site_a.pk})).content.decode()

    assert reverse("sites:site_create") in directory
    assert reverse("sites:organisation_list") in directory
    assert reverse("sites:site_edit", kwargs={"pk": site_a.pk}) in detail


def test_an_administrator_reads_the_directory_without_the_central_teams_links(
    site_a: Site, administrator: User
) -> None:
    client = client_for(administrator)

    directory = client.get(reverse("sites:site_list")).content.decode()
    detail = client.get(reverse("sites:site_detail", kwargs={"pk": site_a.pk})).content.decode()

    assert reverse("sites:site_create") not in directory
    assert reverse("sites:site_edit", kwargs={"pk": site_a.pk}) not in detail


def test_partners_are_named_one_a_line_by_name_or_another_name_and_an_unknown_one_is_refused(
    site_a: Site, programme: Programme, programme_lead: User
) -> None:
    council = site_a.partners.get()
    council.aliases = "AB Council"
    council.save(update_fields=["aliases"])
    client = client_for(programme_lead)

    refused = client.post(reverse("sites:site_create"), _site_form(programme, partners="ab council\nNo Such Trust"))
    accepted = client.post(reverse("sites:site_create"), _site_form(programme, partners="ab council\n\n AB COUNCIL "))

    assert "There is no organisation called No Such Trust: check the spelling, one a line" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Site.objects.get(name="Carrow").partners.all()) == [council]
