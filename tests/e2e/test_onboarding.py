"""Bringing a programme on board in a real browser: invitations sent, resent, revoked and accepted; a site's lead
brings in a member; a new programme year with an offer citing two lessons, seen by a site on its request page."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from engagements.models import Offer
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from sites import access as site_access
from sites.models import Programme, Region, Site, SiteMembership
from tests.helpers.engagements import ask_for_support, start_engagement

PASSWORD = "moss lantern quietly ferry"


def _link_sent_to(address: str) -> str:
    (message, *_) = [message for message in reversed(mail.outbox) if message.to == [address]]
    return re.search(r"/onboarding/join/\S+/", message.body).group(0)


def _send(person: object, label: str) -> None:
    """Press the invitation form's button (these pages have other buttons after it, in the invitations' table)."""
    with person.page.expect_navigation():
        person.click("main button:has-text('Send the invitation')")
    person.look(label)


def _published_lessons(site: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User) -> list:
    engagement = start_engagement(ask_for_support(site, offer, site_lead), enabler, site_lead, programme_lead)
    lessons = []
    for title in ("Start where the energy is", "Name the shared purpose first"):
        lesson = lesson_actions.draft_lesson(
            engagement=engagement,
            by=enabler,
            title=title,
            body="Work with the willing.",
            audience="sites",
            themes=[Theme.objects.get(slug="readiness-and-pull")],
        )
        lesson_actions.approve_lesson(lesson=lesson, by=enabler, version=lesson.version)
        lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=lesson.version)
        lessons.append(Lesson.objects.get(pk=lesson.pk))
    return lessons


@pytest.mark.django_db(transaction=True)
def test_journey_7_a_site_lead_invites_a_member_who_accepts(people: object, site_a: Site, site_lead: User) -> None:
    """By keyboard alone: the site's lead invites a member (a bad address first); the member opens the link, sets a
    password (a mismatch first) and lands on their home, a member of the site; the lead then makes them a lead."""
    lead = people(site_lead, "site lead (keyboard)", keyboard_only=True)
    lead.go(f"/sites/{site_a.pk}/", "site")
    with lead.page.expect_navigation():
        lead.click("main a:has-text('Manage the people of this site')")
    lead.look("site's people")
    lead.fill("#id_email", "not an address")
    lead.fill("#id_full_name", "Nico Member")
    _send(lead, "site's people, with errors")
    assert "An email address must not contain spaces or hidden characters" in lead.text()
    lead.fill("#id_email", "nico.member@example.test")
    _send(lead, "member invited")
    assert "We have sent an invitation to nico.member@example.test" in lead.text()
    assert "Waiting to be accepted" in lead.text()

    member = people(None, "invited member (keyboard)", keyboard_only=True)
    link = _link_sent_to("nico.member@example.test")
    member.go(link, "join Alongside")
    member.fill("#id_new_password1", PASSWORD)
    member.fill("#id_new_password2", PASSWORD + " again")
    member.submit("join Alongside, with errors")
    assert "The two password fields didn" in member.text()
    member.fill("#id_new_password1", PASSWORD)
    member.fill("#id_new_password2", PASSWORD)
    member.submit("member's home")
    assert "Welcome to Alongside. You are now a member of Ashvale" in member.page.locator("body").inner_text()
    assert member.page.url.rstrip("/") == member.base
    person = User.objects.get(email="nico.member@example.test")
    assert site_access.site_role(person, site_a) is not None and not site_access.is_site_lead(person, site_a)
    member.go(link, "invitation link used already")
    assert "This invitation does not work" in member.text()

    lead.go(f"/onboarding/sites/{site_a.pk}/people/", "site's people, member joined")
    with lead.page.expect_navigation():
        lead.click("main tr:has-text('Nico Member') button:has-text('Make a lead')")
    lead.look("member made a lead")
    assert site_access.is_site_lead(person, site_a)


@pytest.mark.django_db(transaction=True)
def test_journey_8_the_central_team_invites_and_shapes_a_new_programme_year(
    people: object,
    themes: object,
    site_a: Site,
    site_b: Site,
    site_lead: User,
    offer: Offer,
    enabler: User,
    programme_lead: User,
) -> None:
    """A programme lead invites an enabler (errors first), sends it again, revokes another; invites a site's first
    lead; starts Vanguard 2015/16 with an offer citing two lessons, which a Vanguard site's lead then reads on its
    request page; an existing account accepts a new role; an invitation for someone else says so."""
    cited = _published_lessons(site_a, offer, site_lead, enabler, programme_lead)
    lead = people(programme_lead, "programme lead")
    lead.go("/onboarding/", "set up a programme")
    with lead.page.expect_navigation():
        lead.click("main a:has-text('Invitations')")
    lead.look("invitations")
    _send(lead, "invitations, with errors")
    assert "Enter their email address" in lead.text()
    lead.fill("#id_email", "robin.new@example.test")
    lead.fill("#id_full_name", "Robin New")
    lead.click("#id_role_0")
    _send(lead, "enabler invited")
    lead.fill("#id_email", "quinn.other@example.test")
    lead.fill("#id_full_name", "Quinn Other")
    lead.click("#id_role_1")
    _send(lead, "programme lead invited")
    first_link = _link_sent_to("robin.new@example.test")
    with lead.page.expect_navigation():
        lead.click("main tr:has-text('robin.new@example.test') button:has-text('Send again')")
    lead.look("invitation sent again")
    with lead.page.expect_navigation():
        lead.click("main tr:has-text('quinn.other@example.test') button:has-text('Revoke')")
    lead.look("invitation revoked")
    assert "Revoked" in lead.text()

    enabler_to_be = people(None, "invited enabler")
    enabler_to_be.go(first_link, "first link, replaced")
    assert "This invitation does not work" in enabler_to_be.text()
    enabler_to_be.go(_link_sent_to("robin.new@example.test"), "join as an enabler")
    enabler_to_be.fill("#id_new_password1", PASSWORD)
    enabler_to_be.fill("#id_new_password2", PASSWORD)
    enabler_to_be.submit("enabler's home")
    assert "You are now an enabler" in enabler_to_be.page.locator("body").inner_text()

    lead.go(f"/onboarding/sites/{site_b.pk}/people/", "a site's people, for the central team")
    lead.fill("#id_email", "fen.first@example.test")
    lead.fill("#id_full_name", "Fen First")
    _send(lead, "site's first lead invited")
    assert "Invite a lead of Brookmere" in lead.text()

    lead.go("/onboarding/programmes/", "programme years")
    with lead.page.expect_navigation():
        lead.click("main a:has-text('Start a programme year')")
    lead.look("start a programme year")
    lead.submit("start a programme year, with errors")
    lead.click("#id_kind_2")
    lead.fill("#id_year", "2015")
    lead.submit("Vanguard 2015/16 started")
    assert "Vanguard 2015/16" in lead.text()
    with lead.page.expect_navigation():
        lead.click("main a:has-text('Add an offer to Vanguard 2015/16')")
    lead.look("add an offer")
    lead.submit("add an offer, with errors")
    assert "Say what the offer includes" in lead.text()
    lead.fill("#id_name", "Vanguard enabler support")
    lead.fill("#id_description", "An enabler alongside the leaders of a new care model, every week of its first year.")
    lead.fill("#id_provider", "The central team")
    lead.click("#id_cadence_0")
    lead.fill("#id_day_allowance", "12")
    for lesson in cited:
        lead.click(f"main label:has-text('{lesson.title}')")
    lead.submit("offer added")
    vanguard_offer = Offer.objects.get(programme__kind="vanguard")
    assert set(vanguard_offer.shaping_lessons.all()) == set(cited)
    with lead.page.expect_navigation():
        lead.click("main a:has-text('Vanguard enabler support')")
    lead.look("an offer")
    lead.go(f"/onboarding/offers/{offer.pk}/", "an offer to retire")
    with lead.page.expect_navigation():
        lead.click("main button:has-text('Retire the offer')")
    lead.look("offer retired")

    vanguard = Programme.objects.get(kind="vanguard", year=2015)
    harbourside = Site.objects.create(name="Harbourside", programme=vanguard, region=Region.SOUTH_WEST)
    SiteMembership.objects.create(user=enabler, site=harbourside, role=SiteMembership.role_for(lead=True))
    reader = people(enabler, "a Vanguard site's lead")
    reader.go(f"/requests/new/{harbourside.pk}/", "ask for support, with the offer's lessons")
    for lesson in cited:
        assert lesson.title in reader.text()
    assert "every week of its first year" in reader.text()

    lead.go("/onboarding/invitations/", "invitations again")
    lead.fill("#id_email", site_lead.email)
    lead.fill("#id_full_name", site_lead.full_name)
    lead.click("#id_role_0")
    _send(lead, "an existing account invited as an enabler")
    existing = people(site_lead, "site lead with an invitation")
    existing.go(_link_sent_to(site_lead.email), "accept an invitation to an existing account")
    with existing.page.expect_navigation():
        existing.click("main button:has-text('Accept the invitation')")
    existing.look("role added")
    assert User.objects.get(pk=site_lead.pk).enabler_profile is not None

    someone_else = people(enabler, "someone else signed in")
    someone_else.go(_link_sent_to("fen.first@example.test"), "an invitation for someone else")
    assert "This invitation is for someone else" in someone_else.text()
