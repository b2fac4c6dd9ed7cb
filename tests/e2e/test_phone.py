"""Alongside on a phone (WCAG 2.2: 1.4.4 Resize text, 1.4.10 Reflow, 1.4.12 Text spacing, 2.5.8 Target size).

Every page the journeys reach is checked at 320 x 640 and 640 x 900 by `Person.look` (tests/helpers/browser.py). Here:
the busiest pages of every role, with the longest words and addresses the data can hold; the four tasks people do
between meetings, each one tap from the home page, at 320 x 640 from start to end; text spacing overridden as WCAG
1.4.12 describes; and the check itself catching a page that scrolls sideways and a target that is too small.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts import actions as accounts_actions
from accounts.models import User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.requests import ProposedEnabler, confirm_engagement, propose_enablers
from engagements.actions.sessions import log_session
from engagements.models import Engagement, Offer, Session
from engagements.notes import PrivateNote
from lessons import actions as lesson_actions
from lessons.models import Theme
from sites.models import Organisation, Site
from tests.helpers.browser import REFLOW_SCRIPT, Reflow, settle
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import PASSWORD

PHONE = {"width": 320, "height": 640}
LONG_WORD = "Interprofessionalcollaborationandintegratedneighbourhoodworking"


@pytest.fixture
def busy(
    themes: object,
    site_a: Site,
    site_lead: User,
    site_member: User,
    offer: Offer,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    administrator: User,
) -> dict:
    """An active engagement with sessions, notes, actions and a lesson, and names as long as people type them."""
    Site.objects.filter(pk=site_a.pk).update(
        description=f"A partnership whose board wrote to {LONG_WORD.lower()}@example.test and https://example.test/{LONG_WORD}"
    )
    partner = Organisation.objects.create(name=f"The {LONG_WORD} Trust", sector="nhs-trust")
    site_a.partners.add(partner)
    request = ask_for_support(site_a, offer, site_lead)
    engagement = start_engagement(request, enabler, site_lead, programme_lead)
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working=LONG_WORD,
        goals=f"Trust. {LONG_WORD}.",
        confidentiality="Ours.",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    for days_ago in range(1, 4):
        log_session(
            engagement=engagement,
            by=enabler,
            held_on=datetime.date.today() - datetime.timedelta(days=days_ago),
            length=1,
            format="one-to-one",
            place="remote",
            participants=f"The director of {LONG_WORD}",
            private_note=f"Reflection {days_ago}: {LONG_WORD}",
            action_description=f"Write to {LONG_WORD}",
            action_owner=site_lead,
            action_due_on=None,
        )
    theme = Theme.objects.create(name=LONG_WORD)
    lesson = lesson_actions.draft_lesson(
        engagement=engagement, by=site_lead, title=LONG_WORD, body=f"{LONG_WORD} " * 5, audience="sites", themes=[theme]
    )
    lesson_actions.approve_lesson(lesson=lesson, by=enabler, version=lesson.version)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=lesson.version)
    return {"engagement": engagement, "theme": theme, "lesson": lesson, "site": site_a}


def _pages(busy: dict) -> dict[str, list[str]]:
    engagement = busy["engagement"]
    pk = engagement.pk
    shared = [
        "/",
        reverse("engagements:engagement_detail", args=[pk]),
        reverse("lessons:library"),
        reverse("lessons:theme_detail", args=[busy["theme"].slug]),
        reverse("lessons:lesson_detail", args=[busy["lesson"].pk]),
        reverse("accounts:security"),
        reverse("accounts:notification_list"),
    ]
    parties = [
        reverse("engagements:session_list", args=[pk]),
        reverse("engagements:shared_notes", args=[pk]),
        reverse("engagements:access_log", args=[pk]),
        reverse("engagements:diagnostic_detail", args=[pk]),
        reverse("lessons:engagement_lessons", args=[pk]),
        reverse("sites:site_detail", args=[busy["site"].pk]),
    ]
    return {
        "site_lead": [*shared, *parties, reverse("engagements:request_detail", args=[engagement.request_id])],
        "site_member": [*shared, reverse("engagements:session_list", args=[pk])],
        "enabler": [
            *shared,
            *parties,
            reverse("engagements:private_note_list", args=[pk]),
            reverse("engagements:feedback_list", args=[pk]),
            reverse("engagements:calendar_settings"),
        ],
        "programme_lead": [
            *shared,
            reverse("engagements:queue"),
            reverse("engagements:overview"),
            reverse("sites:site_list"),
            reverse("sites:site_detail", args=[busy["site"].pk]),
            reverse("engagements:request_detail", args=[engagement.request_id]),
        ],
        "administrator": ["/", reverse("engagements:overview"), reverse("sites:site_list")],
    }


@pytest.mark.django_db(transaction=True)
def test_the_busiest_pages_of_every_role_reflow_at_320_pixels(
    people: object, busy: dict, request: pytest.FixtureRequest
) -> None:
    for persona, paths in _pages(busy).items():
        person = people(request.getfixturevalue(persona), persona.replace("_", " "))
        for path in paths:
            person.go(path, f"busy {path}")


@pytest.mark.django_db(transaction=True)
def test_the_four_phone_tasks_are_one_tap_from_home_at_320_pixels(
    people: object,
    themes: object,
    site_a: Site,
    site_lead: User,
    offer: Offer,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
) -> None:
    """The enabler logs a session and writes a private note; the site's lead chooses an enabler and confirms the
    agreement: each starts with one tap on the home page, on a phone."""
    request = ask_for_support(site_a, offer, site_lead)
    propose_enablers(
        request=request,
        proposals=[ProposedEnabler(enabler.enabler_profile, "A coach who knows councils.", [])],
        by=programme_lead,
    )
    lead = people(site_lead, "site lead on a phone", viewport=PHONE)
    with lead.page.expect_navigation():
        lead.click("main a.nhsuk-action-link:has-text('Choose your enabler')")
    lead.look("phone: proposals")
    with lead.page.expect_navigation():
        lead.click(f"main button:has-text('Choose {enabler.full_name}')")
    lead.look("phone: enabler chosen")
    confirm_engagement(proposal=request.proposals.get(enabler=enabler), by=enabler)
    engagement = Engagement.objects.get(request=request)
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="Coaching.",
        goals="Trust.",
        confidentiality="Ours.",
    )
    confirm_agreement(engagement=engagement, by=enabler)

    lead.go("/", "phone: home, agreement to confirm")
    with lead.page.expect_navigation():
        lead.click("main a.nhsuk-action-link:has-text('Confirm the agreement')")
    lead.look("phone: the agreement")
    with lead.page.expect_navigation():
        lead.click("main button:has-text('Confirm the agreement')")
    lead.look("phone: agreement confirmed")
    engagement.refresh_from_db()
    assert engagement.state == Engagement.State.ACTIVE

    person = people(enabler, "enabler on a phone", viewport=PHONE)
    with person.page.expect_navigation():
        person.click(f"main a:has-text('Log a session with {site_a.name}')")
    person.look("phone: log a session")
    assert person.page.locator("#id_length").get_attribute("inputmode") == "decimal"
    assert person.page.locator("#id_held_on_day").get_attribute("inputmode") == "numeric"
    day = datetime.date.today()
    person.fill("#id_held_on_day", str(day.day))
    person.fill("#id_held_on_month", str(day.month))
    person.fill("#id_held_on_year", str(day.year))
    person.fill("#id_length", "1")
    person.click("#id_format_0")
    person.click("#id_place_1")
    person.submit("phone: session logged")
    person.go("/", "phone: home again")
    with person.page.expect_navigation():
        person.click(f"main a:has-text('Write a private note on {site_a.name}')")
    person.look("phone: write a private note")
    person.fill("#id_text", "Written in the corridor after the session.")
    person.submit("phone: private note saved")
    assert Session.objects.filter(engagement=engagement).count() == 1
    assert PrivateNote.objects.filter(engagement=engagement).count() == 1


# WCAG 1.4.12: line height 1.5, paragraph spacing 2 times the font size, letter spacing 0.12 and word spacing 0.16.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }"
    " p { margin-bottom: 2em !important; }"
)
CLIPPED = """() => [...document.querySelectorAll('main *, header *')].filter(element => {
  const style = getComputedStyle(element);
  const clips = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
  if (!clips || element.closest('.nhsuk-u-visually-hidden') || element.getBoundingClientRect().width <= 1) return false;
  return element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1;
}).map(element => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`)"""


@pytest.mark.django_db(transaction=True)
def test_text_spacing_overridden_loses_nothing(
    browser: object, live_server: object, busy: dict, site_lead: User
) -> None:
    # Overriding the text spacing needs a style sheet the page itself did not send, which the Content Security
    # Policy refuses, as it should: this test alone asks Chromium to set the policy aside.

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", site_lead.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    problems = []
    for path in _pages(busy)["site_lead"]:
        page.goto(live_server.url + path)
        page.add_style_tag(content=TEXT_SPACING)
        for size in ({"width": 1280, "height": 900}, PHONE):
            page.set_viewport_size(size)
            settle(page)
            result = page.evaluate(REFLOW_SCRIPT)
            if result["scrollWidth"] > result["viewport"]:
                problems.append(f"{path} at {size['width']} px scrolls sideways: {result['wide']}")
            problems += [f"{path} at {size['width']} px clips text in {element}" for element in page.evaluate(CLIPPED)]
    context.close()
    assert problems == []


def test_the_reflow_check_itself_catches_a_wide_page_and_a_small_target(browser: object) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_content(
        '<html lang="en"><body style="margin:0"><main><div style="width:500px">wide</div>'
        '<button style="width:10px;height:10px;padding:0">a</button><button style="width:10px;height:10px;padding:0">b'
        "</button></main></body></html>"
    )
    checker = Reflow()

    checker.check(page, "a page made to fail")

    page.close()
    assert any("scrolls sideways" in problem and "320 px" in problem for problem in checker.problems)
    assert any("target too small" in problem and "10 x 10" in problem for problem in checker.problems)


@pytest.mark.django_db(transaction=True)
def test_the_pages_no_journey_passes_through_pass_axe_and_reflow(
    people: object,
    busy: dict,
    site_lead: User,
    site_member: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
) -> None:
    """Signing in and its recovery, the two-factor set-up, declining proposals, editing a lesson, a theme's pack and
    the list of one's sites: each in its first state and, for a form, sent empty."""
    member = people(site_member, "site member")
    member.go(reverse("accounts:two_factor_setup"), "set up two-factor")
    member.submit("set up two-factor, with errors")
    member.go(f"{reverse('accounts:reauthenticate')}?next=/accounts/security/", "confirm it is you")
    member.submit("confirm it is you, with errors")

    visitor = people(None, "visitor")
    visitor.go(reverse("accounts:password_reset"), "reset your password")
    visitor.submit("reset your password, with errors")
    visitor.fill("#id_email", site_member.email)
    visitor.submit("reset link sent")
    site_member.refresh_from_db()  # the link is made from the account as it is now (signed in above)
    reset = visitor.page.goto(visitor.base + accounts_actions.password_reset_path(site_member))
    assert reset.ok
    visitor.look("choose a new password")
    visitor.submit("choose a new password, with errors")
    new_password = "lantern moss ferry harbour"
    visitor.fill("#id_new_password1", new_password)
    visitor.fill("#id_new_password2", new_password)
    visitor.submit("password reset complete")

    lead = people(site_lead, "site lead")
    request = ask_for_support(
        busy["site"],
        Offer.objects.create(
            programme=busy["site"].programme,
            name="On-site days",
            provider="The central team",
            cadence="on-site-days",
            day_allowance=5,
        ),
        site_lead,
    )
    propose_enablers(
        request=request,
        proposals=[ProposedEnabler(other_enabler.enabler_profile, "A coach.", [])],
        by=programme_lead,
    )
    lead.go(reverse("engagements:request_decline", args=[request.pk]), "decline the proposals")
    lead.submit("decline the proposals, with errors")
    lead.go(f"{reverse('accounts:password_change')}", "change your password")
    lead.fill("#id_old_password", PASSWORD)
    lead.fill("#id_new_password1", new_password)
    lead.fill("#id_new_password2", new_password)
    lead.submit("password changed")

    draft = lesson_actions.draft_lesson(
        engagement=busy["engagement"],
        by=enabler,
        title="Trust first",
        body="Build trust.",
        audience="sites",
        themes=[busy["theme"]],
    )
    writer = people(enabler, "enabler")
    writer.go(reverse("lessons:lesson_edit", args=[draft.pk]), "edit a lesson")
    writer.fill("#id_title", "")
    writer.submit("edit a lesson, with errors")
    writer.go(reverse("lessons:theme_pack", args=[busy["theme"].slug]), "a theme's printable pack")
    writer.go(reverse("sites:my_site"), "your sites (none: the page says so)")


# Not pages: files and feeds for other programs, and the load balancer's check.
NOT_PAGES = {
    "healthz",
    "status",  # JSON for monitoring, as healthz
    "engagements:calendar_feed",
    "engagements:overview_export",
    "engagements:private_notes_download",
    "lessons:library_export",
    "onboarding:import_template",
    "otp_webauthn:js-i18n-catalog",  # the passkey script's words, as JavaScript
}


def test_every_page_is_reached_by_a_browser_test() -> None:
    """Runs after the others in this folder: every URL name that shows someone a page (a 200 in the access matrix)
    has been looked at by axe and the reflow check, so no page ships without them."""
    from tests.helpers.access import MATRIX
    from tests.helpers.browser import VIEWS_CHECKED

    if not VIEWS_CHECKED:
        pytest.skip("Run with the other browser tests: this one checks what they reached")
    pages = {name for name, _, expected in MATRIX if 200 in expected.values()} - NOT_PAGES

    assert sorted(pages - VIEWS_CHECKED) == []
