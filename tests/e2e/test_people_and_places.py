"""A programme lead keeps the people and places of the programme in the app, by keyboard alone: an organisation
(its other name clashing first), a site with that partner, the list of organisations, and the enabler pool (an
enabler marked unavailable, deactivated and reactivated). Every page is checked with axe and at narrow widths."""

from __future__ import annotations

import pytest

from accounts.models import User
from engagements.models import EnablerProfile
from sites.models import Organisation, Site


def follow(person: object, selector: str, label: str) -> None:
    with person.page.expect_navigation():
        person.click(selector)
    person.look(label)


def choose(person: object, selector: str, text: str) -> None:
    """A choice in a drop-down list, by keyboard: focus it and type the start of the option, as people do."""
    person.focus(selector)
    person.page.keyboard.type(text)
    chosen = person.page.locator(selector).evaluate("select => select.options[select.selectedIndex].text")
    assert chosen.startswith(text), f"{selector}: typing {text!r} chose {chosen!r}"


@pytest.mark.django_db(transaction=True)
def test_journey_8_a_programme_lead_keeps_people_and_places_by_keyboard(
    people: object, site_a: Site, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    lead = people(programme_lead, "programme lead (keyboard)", keyboard_only=True)

    lead.go("/sites/", "site directory")
    follow(lead, "main a:has-text('Organisations')", "organisations")
    follow(lead, "main a:has-text('Add an organisation')", "add an organisation")
    lead.fill("#id_name", "Carrow Hospitals")
    choose(lead, "#id_sector", "NHS trust")
    lead.fill("#id_aliases", "Carrow Trust\nab council")
    lead.submit("add an organisation, with errors")
    assert "ab council is already another name of Ashvale Borough Council" in lead.text()
    lead.fill("#id_aliases", "Carrow Trust")
    lead.submit("organisation added")
    assert "Carrow Hospitals" in lead.text()
    follow(lead, "main table a:has-text('Carrow Hospitals')", "edit an organisation")
    lead.fill("#id_aliases", "Carrow Trust\nCarrow NHS")
    lead.submit("organisation saved")
    assert Organisation.objects.get(name="Carrow Hospitals").alias_list == ["Carrow Trust", "Carrow NHS"]

    lead.go("/sites/", "site directory")
    follow(lead, "main a:has-text('Add a site')", "add a site")
    lead.submit("add a site, with errors")
    assert "Enter the site's name" in lead.text()
    lead.fill("#id_name", "Carrow")
    choose(lead, "#id_programme", "Integrated Care Pioneer")
    choose(lead, "#id_region", "South West")
    lead.fill("#id_council_count", "2")
    lead.fill("#id_commissioner_count", "1")
    lead.fill("#id_partners", "carrow hospitals")
    lead.submit("site added")
    assert "Carrow Hospitals" in lead.text()
    follow(lead, "main a:has-text('Edit this site')", "edit a site")
    lead.fill("#id_description", "Two councils on the coast, one ICB.")
    lead.submit("site saved")
    site = Site.objects.get(name="Carrow")
    assert site.description == "Two councils on the coast, one ICB."
    assert [partner.name for partner in site.partners.all()] == ["Carrow Hospitals"]

    lead.go("/enablers/pool/", "enabler pool")
    follow(lead, "main table a:has-text('Emery Enabler')", "manage an enabler")
    lead.fill("#id_capacity", "-1")
    lead.click("#id_available_for_new_work")
    with lead.page.expect_navigation():
        lead.click("main button:has-text('Save the profile')")
    lead.look("manage an enabler, with errors")
    assert "Capacity must be between 0 and 10 engagements" in lead.text()
    lead.fill("#id_capacity", "3")
    with lead.page.expect_navigation():
        lead.click("main button:has-text('Save the profile')")
    lead.look("enabler saved")
    profile = EnablerProfile.objects.get(user=enabler)
    assert (profile.capacity, profile.available_for_new_work) == (3, False)

    follow(lead, "main table a:has-text('Emery Enabler')", "manage an enabler again")
    follow(lead, "main button:has-text('Deactivate the account')", "enabler deactivated")
    assert "can no longer sign in" in lead.page.locator("body").inner_text()
    assert not User.objects.get(pk=enabler.pk).is_active
    follow(lead, "main button:has-text('Reactivate the account')", "enabler reactivated")
    assert User.objects.get(pk=enabler.pk).is_active
