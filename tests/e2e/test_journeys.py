"""The journeys of Alongside's people, each clicked and typed in a real browser, every page checked with axe."""

from __future__ import annotations

import datetime
import re

import pytest

from accounts.models import User
from engagements import notes
from engagements.models import Engagement, Session
from engagements.notes import PrivateNote
from lessons.models import Lesson
from tests.helpers.browser import follow


def ask_and_match(site: object, lead: object, enabler_name: str) -> str:
    """Journey 1's first half: the site asks, the programme lead proposes two enablers. Returns the request URL."""
    follow(site, "a:has-text('Ask for support when your site is ready')", "ask for support")
    site.submit("ask for support, with errors")
    assert "There is a problem" in site.text()
    site.click("#id_offer_0")
    site.fill("#id_why_now", "Our board has agreed a shared purpose and wants to act on it.")
    site.fill("#id_help_wanted", "Coaching for the programme director.")
    site.fill("#id_who_is_involved", "The partnership board.")
    site.submit("request sent")
    assert "Your request has been sent" in site.page.locator("body").inner_text()
    request_url = site.page.url

    lead.go("/requests/queue/", "queue")
    follow(lead, "main table a:has-text('Ashvale')", "request in the queue")
    follow(lead, "a:has-text('Propose enablers')", "propose enablers")
    lead.submit("propose enablers, with errors")
    assert "Choose at least one enabler to propose" in lead.text()
    for box in range(2):
        lead.click(f"#id_enablers_{box}")
    for field in lead.page.locator("textarea[id^=id_introduction_]").all()[:2]:
        lead.fill(f"#{field.get_attribute('id')}", "A coach with senior experience in councils.")
    lead.submit("enablers proposed")
    return request_url


def choose_confirm_agree(site: object, enabler: object, enabler_name: str, request_url: str) -> None:
    """Journey 1's second half: the site chooses, the enabler confirms, both confirm, the diagnostic is filled in."""
    site.go(request_url.removeprefix(site.base), "proposals")
    with site.page.expect_navigation():
        site.click(f"main button:has-text('Choose {enabler_name}')")
    site.look("enabler chosen")

    enabler.go(request_url.removeprefix(enabler.base), "chosen: confirm")
    with enabler.page.expect_navigation():
        enabler.click("main button:has-text('Confirm and begin')")
    enabler.look("engagement begins")
    engagement_url = enabler.page.url
    follow(enabler, "a:has-text('Change the agreement')", "agreement")
    enabler.fill("#id_ways_of_working", "One-to-one coaching, and the board once a month.")
    enabler.fill("#id_goals", "Turn the shared purpose into three changes this year.")
    enabler.submit("agreement saved")
    with enabler.page.expect_navigation():
        enabler.click("main button:has-text('Confirm the agreement')")
    enabler.look("enabler confirmed")

    site.go(engagement_url.removeprefix(site.base), "engagement")
    with site.page.expect_navigation():
        site.click("main button:has-text('Confirm the agreement')")
    site.look("engagement active")
    assert "Active" in site.text()
    follow(site, "a:has-text('Open the diagnostic')", "diagnostic")
    follow(site, "a:has-text('Fill in the diagnostic')", "diagnostic form")
    site.submit("diagnostic, with errors")
    assert "Choose where the site feels it is" in site.text()
    site.click("#id_stage_0")  # a radio group takes Tab once, on its first option
    site.fill("#id_strengths", "A board that meets every month.")
    site.fill("#id_development_areas", "Shared data between partners.")
    site.submit("diagnostic saved")
    assert "A board that meets every month." in site.text()


@pytest.mark.django_db(transaction=True)
def test_journey_1_a_site_asks_and_an_engagement_begins(people: object, world: dict) -> None:
    site = people(world["site_lead"], "site lead")
    lead = people(world["programme_lead"], "programme lead")
    enabler = people(world["enabler"], "enabler")

    request_url = ask_and_match(site, lead, "Emery Enabler")
    choose_confirm_agree(site, enabler, "Emery Enabler", request_url)

    engagement = Engagement.objects.get()
    assert (engagement.enabler, engagement.state) == (world["enabler"], Engagement.State.ACTIVE)
    assert engagement.diagnostics.count() == 1


@pytest.mark.django_db(transaction=True)
def test_journey_5_the_same_journey_with_the_keyboard_alone(people: object, world: dict) -> None:
    site = people(world["site_lead"], "site lead (keyboard)", keyboard_only=True)
    lead = people(world["programme_lead"], "programme lead (keyboard)", keyboard_only=True)
    enabler = people(world["enabler"], "enabler (keyboard)", keyboard_only=True)

    request_url = ask_and_match(site, lead, "Emery Enabler")
    choose_confirm_agree(site, enabler, "Emery Enabler", request_url)

    assert Engagement.objects.get().state == Engagement.State.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_journey_2_a_session_with_a_private_note_and_a_shared_action(
    people: object, world: dict, active: Engagement
) -> None:
    enabler = people(world["enabler"], "enabler")
    path = f"/engagements/{active.pk}/"
    enabler.go(path, "engagement")
    follow(enabler, "a:has-text('Log a session')", "log a session")
    enabler.submit("log a session, with errors")
    day = datetime.date.today() - datetime.timedelta(days=1)
    enabler.fill("#id_held_on_day", str(day.day))
    enabler.fill("#id_held_on_month", str(day.month))
    enabler.fill("#id_held_on_year", str(day.year))
    enabler.fill("#id_length", "1.5")
    enabler.click("#id_format_0")
    enabler.click("#id_place_1")
    enabler.fill("#id_private_note", "Private: the director seemed exhausted")
    enabler.fill("#id_action_description", "Draft the neighbourhood charter")
    enabler.page.select_option("#id_action_owner", label="Avery Lead")
    enabler.submit("session logged")
    assert Session.objects.count() == 1 and PrivateNote.objects.count() == 1

    site = people(world["site_lead"], "site lead")
    site.go(path, "engagement with a session")
    assert "One-to-one coaching" in site.text()
    site.go(f"{path}shared/", "shared notes and actions")
    assert "Draft the neighbourhood charter" in site.text()
    assert "exhausted" not in site.page.content()

    lead = people(world["programme_lead"], "programme lead")
    lead.go(path, "engagement (central team)")
    assert "1 session logged, 0.2 days counted" in lead.text()
    assert "One-to-one coaching" not in lead.text() and "exhausted" not in lead.page.content()
    response = lead.page.goto(lead.base + f"{path}sessions/")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_journey_3_a_lesson_is_anonymised_agreed_and_found(people: object, world: dict, active: Engagement) -> None:
    enabler = people(world["enabler"], "enabler")
    enabler.go(f"/lessons/engagement/{active.pk}/", "lessons of the engagement")
    follow(enabler, "a:has-text('Draft a lesson')", "draft a lesson")
    enabler.submit("draft a lesson, with errors")
    enabler.fill("#id_title", "How Ashvale built trust")
    enabler.fill("#id_body", "Avery Lead and Ashvale Borough Council built trust before any plan.")
    enabler.click("#id_audience_0")
    enabler.click("#id_themes_0")
    enabler.submit("anonymised preview")
    preview = enabler.text()
    assert "[a Pioneer site]" in preview and "[a council]" in preview and "[a senior leader]" in preview
    assert "Ashvale" not in preview and "Avery" not in preview
    draft_url = enabler.page.url
    with enabler.page.expect_navigation():
        enabler.click("main button:has-text('Approve these exact words')")
    enabler.look("approved by the enabler")

    site = people(world["site_lead"], "site lead")
    site.go(draft_url.removeprefix(site.base), "lesson to approve")
    with site.page.expect_navigation():
        site.click("main button:has-text('Approve these exact words')")
    site.look("lesson published")
    assert Lesson.objects.get().state == Lesson.State.PUBLISHED

    lead = people(world["programme_lead"], "programme lead")
    lead.go("/lessons/", "library")
    lead.fill("#id_q", "trust")
    with lead.page.expect_navigation():
        lead.click("main form[role=search] button[type=submit]")
    lead.look("library search")
    found = lead.text()
    assert "built trust" in found
    for name in ("Ashvale", "Avery", "Borough Council"):
        assert name not in found
    follow(lead, "main .nhsuk-card__link >> nth=0", "lesson")
    assert not re.search("Ashvale|Avery", lead.text())


@pytest.mark.django_db(transaction=True)
def test_journey_4_the_overview_hides_small_numbers(people: object, world: dict, active: Engagement) -> None:
    lead = people(world["programme_lead"], "programme lead")

    lead.go("/overview/", "programme overview")
    page = lead.text()
    assert "This period at a glance" in page and "Requests received" in page and "Engagements agreed" in page
    assert "fewer than 5" in page
    assert "Financial year" in lead.page.inner_text("main h1")
    lead.page.select_option("#id_period", "all")
    with lead.page.expect_navigation():
        lead.click("main form button[type=submit]")
    lead.look("overview, since the programmes began")
    assert "Since the programmes began" in lead.page.inner_text("main h1")
    assert lead.page.get_attribute("main a:has-text('Download these figures (CSV)')", "href").endswith("?period=all")
    lead.click("main details.nhsuk-details summary >> nth=0")
    lead.look("overview, how to read the figures")
    assert "A median is the middle value" in lead.text()

    lead.go("/overview/?start=2025-01-01&end=2025-02-14", "overview, from an old link")
    assert "Figures are now shown for fixed periods only" in lead.text()
    assert "January to March 2025" in lead.page.inner_text("main h1")

    lead.go("/overview/?period=2010-q1", "overview, with errors")
    assert "Choose a period from the list" in lead.text()


@pytest.mark.django_db(transaction=True)
def test_every_persona_home_and_the_public_pages_pass_axe(
    people: object, world: dict, active: Engagement, site_member: User, administrator: User
) -> None:
    for user, name in ((site_member, "site member"), (administrator, "administrator")):
        person = people(user, name)
        person.go("/accessibility/", "accessibility statement")
        person.go("/accounts/preferences/", "preferences")
        person.go("/accounts/notifications/", "notifications")
        person.go("/calendar/", "calendar")


def test_the_accessibility_check_itself_catches_a_violation(browser: object) -> None:
    from tests.helpers.browser import Axe

    page = browser.new_page()
    page.set_content('<html lang="en"><body><main><img src="a.png"><input type="text"></main></body></html>')
    checker = Axe()

    checker.check(page, "a page made to fail")

    page.close()
    assert any("image-alt" in violation for violation in checker.violations)
    assert any("label" in violation for violation in checker.violations)


@pytest.mark.django_db(transaction=True)
def test_every_form_in_its_error_state_passes_axe(
    people: object, world: dict, active: Engagement, site_member: User, other_site_lead: User, account_manager: User
) -> None:
    """Each form is opened by the person it is for and sent empty; its error state is checked as well."""
    engagement = f"/engagements/{active.pk}"
    note = notes.write_note(engagement=active, author=world["enabler"], text="Mine alone")
    forms = {
        world["site_lead"]: [
            f"{engagement}/agreement/",
            f"{engagement}/extra-days/",
            f"{engagement}/closing/",
            f"{engagement}/diagnostic/share/",
            f"{engagement}/shared/",
            f"{engagement}/feedback/new/",
            "/accounts/password/",
            "/accounts/preferences/",
        ],
        world["enabler"]: [
            f"{engagement}/private-notes/new/",
            f"/private-notes/{note.pk}/",
            "/enablers/me/",
            f"/lessons/engagement/{active.pk}/new/",
        ],
        world["programme_lead"]: ["/lessons/themes/new/"],
    }
    for user, paths in forms.items():
        person = people(user, user.full_name)
        for path in paths:
            person.go(path, f"form {path}")
            person.submit(f"form {path}, sent empty")
    for user, name in ((other_site_lead, "other site lead"), (account_manager, "account manager")):
        people(user, name).go("/lessons/" if user == other_site_lead else "/", "start")


@pytest.mark.django_db(transaction=True)
def test_journey_6_a_new_email_address_is_confirmed_from_the_link_sent_to_it(people: object, world: dict) -> None:
    """Sign-in and security, by keyboard alone: a look-alike address is refused, the link goes to the new address,
    the person opens it and confirms; a link used once says plainly that it no longer works."""
    from django.core import mail

    lead = people(world["site_lead"], "site lead (keyboard)", keyboard_only=True)
    lead.go("/accounts/security/email/", "change email address")
    # A Cyrillic "a" in the name part (Chromium itself turns a look-alike domain into its xn-- form).
    lead.fill("#id_email", "\u0430very.new@example.test")
    lead.submit("change email address, with errors")
    assert "mixes letters from different alphabets" in lead.text()
    lead.fill("#id_email", "avery.new@example.test")
    lead.submit("change email address, link sent")
    assert "We have sent a link to avery.new@example.test" in lead.text()

    (message,) = [message for message in mail.outbox if message.to == ["avery.new@example.test"]]
    link = re.search(r"/accounts/security/email/confirm/\S+/", message.body).group(0)
    lead.go(link, "confirm new email address")
    lead.submit("email address changed")
    assert "Your email address is now avery.new@example.test" in lead.text()
    lead.go(link, "email confirmation link used already")
    assert "This link does not work" in lead.text()
