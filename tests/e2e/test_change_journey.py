"""A change of enabler, in a real browser, from the first conversations to the close of the next pairing.

The site's lead asks to talk with two proposed enablers before choosing; the first offers times (an error first) and
the lead picks one; the lead plans the second conversation as agreed (an error first); the lead chooses the first
enabler, who confirms. Once the pairing is active the lead ends it, by keyboard alone, with words for the enabler
(an error first). The central team sees the request back in the queue, and never those words nor who asked, on its
pages or in the admin; it proposes a different enabler (the first is left out), who is chosen and confirms; the lead
carries the shared work over and closes the new engagement with a close-out review. Every page and each of its form
states is checked with axe and at narrow widths.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.notes import write_private_note
from engagements.actions.requests import ProposedEnabler, propose_enablers
from engagements.actions.sessions import add_action, toggle_action, write_shared_note
from engagements.models import (
    Action,
    ChemistryConversation,
    CloseOutReview,
    EnablerChange,
    Engagement,
    Offer,
    Proposal,
    SharedNote,
    SupportRequest,
)
from engagements.notes import PrivateNote
from frontend.dates import long_date
from sites.models import Site
from tests.helpers.engagements import ask_for_support

# Words only the two parties may ever read: searched for in every page the central team and the admin can open.
CANARY = "Marigold-canary-7Q3X"
WORDS = f"We hoped for more challenge at board level, and it did not come. {CANARY}"
LINK = "https://meet.example.test/ashvale-chemistry"
ADDRESS = "Ashvale Civic Centre, Meeting Room 4"


def follow(person: object, selector: str, label: str) -> None:
    with person.page.expect_navigation():
        person.click(selector)
    person.look(label)


def type_date(person: object, name: str, day: datetime.date) -> None:
    person.fill(f"#id_{name}_day", str(day.day))
    person.fill(f"#id_{name}_month", str(day.month))
    person.fill(f"#id_{name}_year", str(day.year))


def in_form(step: str, name: str, value: str | None = None) -> str:
    """A field (or, with a value, one radio button) of one of the chemistry page's forms (offer, pick, plan), found
    by its form and the end of its name, so that it is found whether or not the forms carry a prefix."""
    choice = f'[value="{value}"]' if value is not None else ""
    return f'main form:has(input[name="step"][value="{step}"]) [name$="{name}"]{choice}'


def type_date_in(person: object, step: str, name: str, day: datetime.date) -> None:
    person.fill(in_form(step, f"{name}_day"), str(day.day))
    person.fill(in_form(step, f"{name}_month"), str(day.month))
    person.fill(in_form(step, f"{name}_year"), str(day.year))


DUPLICATE_IDS = """() => {
  const counts = {};
  for (const element of document.querySelectorAll('[id]')) counts[element.id] = (counts[element.id] || 0) + 1;
  return Object.keys(counts).filter(id => counts[id] > 1);
}"""


def assert_no_duplicate_ids(person: object) -> None:
    """A label's `for`, a hint's aria-describedby and an error summary's link each name one id; given twice, they
    lead to the wrong form's field. axe 4.14 no longer reports duplicate ids (WCAG 2.2 dropped 4.1.1), so this
    page is checked for them here: the conversation page shows up to three forms, each with ids of its own."""
    duplicated = person.page.evaluate(DUPLICATE_IDS)
    assert duplicated == [], f"{person.name}: {person.page.url} gives these ids twice: {', '.join(sorted(duplicated))}"


def body(person: object) -> str:
    """The whole page's text, with the messages above <main>."""
    return person.page.locator("body").inner_text()


def agree(engagement: Engagement, enabler: User, site_lead: User, goals: str) -> None:
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="Coaching for the programme director.",
        goals=goals,
        confidentiality="Between us.",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)


def london(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def proposed(
    themes: object,
    site_a: Site,
    site_lead: User,
    site_member: User,
    offer: Offer,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
) -> SupportRequest:
    """A request sent by a member of the site (so that the lead's name has no reason at all to reach the central
    team), with two enablers proposed to it by the programme lead."""
    request = ask_for_support(site_a, offer, site_member)
    propose_enablers(
        request=request,
        proposals=[
            ProposedEnabler(enabler.enabler_profile, "A coach who knows councils well.", []),
            ProposedEnabler(other_enabler.enabler_profile, "A former NHS provider director.", []),
        ],
        by=programme_lead,
    )
    return request


@pytest.mark.django_db(transaction=True)
def test_chemistry_conversations_a_change_of_enabler_and_the_next_pairing_closed(
    people: object,
    proposed: SupportRequest,
    site_lead: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    administrator: User,
) -> None:
    request_path = reverse("engagements:request_detail", args=[proposed.pk])
    first_offer = proposed.proposals.get(enabler=enabler)
    second_offer = proposed.proposals.get(enabler=other_enabler)
    # Several pages here hold more than one form, and `submit` presses the last button: a form is sent by its own.

    # The site's lead asks to talk with both proposed enablers (sent once with nobody ticked).
    lead = people(site_lead, "site lead")
    lead.go(request_path, "proposals, with the ask for conversations")
    assert "Talk with them before you choose" in lead.text()
    follow(lead, "main button:has-text('Ask for conversations')", "ask for conversations, with errors")
    assert "Choose at least one enabler to talk with" in body(lead)
    assert not ChemistryConversation.objects.exists()
    lead.click("main label:has-text('Emery Enabler')")
    lead.click("main label:has-text('Orin Enabler')")
    follow(lead, "main button:has-text('Ask for conversations')", "conversations asked for")
    assert "have been asked to offer times" in body(lead)
    assert "Talk with them before you choose" not in lead.text()  # nobody is left to ask
    first_talk = ChemistryConversation.objects.get(proposal=first_offer)
    second_talk = ChemistryConversation.objects.get(proposal=second_offer)
    assert {first_talk.state, second_talk.state} == {ChemistryConversation.State.ASKED}
    assert first_talk.asked_by == site_lead

    # The first enabler offers two times: first with no date, then properly.
    emery = people(enabler, "enabler")
    emery.go(request_path, "request (proposed enabler)")
    follow(emery, "main a:has-text('The chemistry conversation')", "chemistry conversation, asked for")
    assert emery.page.url.endswith(reverse("engagements:chemistry_detail", args=[first_talk.pk]))
    assert "Offer times" in emery.text() and "Plan a time you have agreed" in emery.text()
    assert_no_duplicate_ids(emery)
    emery.fill(in_form("offer", "start_time"), "09:30")
    follow(emery, "main button:has-text('Offer these times')", "offer times, with errors")
    assert "There is a problem" in emery.text() and "Enter the first time: date" in emery.text()
    first_talk.refresh_from_db()
    assert first_talk.state == ChemistryConversation.State.ASKED
    first_day = timezone.localdate() + datetime.timedelta(days=7)
    second_day = first_day + datetime.timedelta(days=1)
    type_date_in(emery, "offer", "starts_on", first_day)
    emery.fill(in_form("offer", "start_time"), "09:30")
    type_date_in(emery, "offer", "second_on", second_day)
    emery.fill(in_form("offer", "second_time"), "14:15")
    emery.click(in_form("offer", "minutes", "45"))
    emery.click(in_form("offer", "place", "online"))
    emery.fill(in_form("offer", "meeting_link"), LINK)
    follow(emery, "main button:has-text('Offer these times')", "times offered")
    assert "The times are offered" in body(emery)
    assert_no_duplicate_ids(emery)
    first_talk.refresh_from_db()
    assert first_talk.state == ChemistryConversation.State.OFFERED
    assert first_talk.times == [london(first_day, 9, 30), london(second_day, 14, 15)]
    assert (first_talk.minutes, first_talk.place, first_talk.meeting_link) == (45, "online", LINK)

    # The site's lead picks the second time offered.
    lead.go(request_path, "proposals, times offered")
    follow(lead, "main a:has-text('The chemistry conversation with Emery Enabler')", "chemistry conversation, pick")
    assert "Pick a time" in lead.text()
    assert_no_duplicate_ids(lead)
    follow(lead, "main button:has-text('Pick this time')", "pick a time, with errors")
    assert "Choose one of the times offered" in lead.text()
    lead.click(f"main label:has-text('{long_date(second_day)} at 14:15')")
    follow(lead, "main button:has-text('Pick this time')", "a time picked")
    assert "The conversation is planned" in body(lead)
    assert_no_duplicate_ids(lead)
    first_talk.refresh_from_db()
    assert first_talk.state == ChemistryConversation.State.PLANNED
    assert first_talk.starts_at == london(second_day, 14, 15) and first_talk.planned_by == site_lead
    assert LINK in lead.text() and "Move the conversation" in lead.text()

    # The site's lead plans the second conversation, agreed with the enabler by telephone (sent empty first).
    lead.go(request_path, "proposals, one conversation planned")
    follow(lead, "main a:has-text('The chemistry conversation with Orin Enabler')", "chemistry conversation, plan")
    assert "Pick a time" not in lead.text() and "Offer times" not in lead.text()
    assert_no_duplicate_ids(lead)
    lead.submit("plan a conversation, with errors")
    assert "There is a problem" in lead.text() and "Enter the start time" in lead.text()
    second_talk.refresh_from_db()
    assert second_talk.state == ChemistryConversation.State.ASKED
    planned_day = first_day + datetime.timedelta(days=2)
    type_date_in(lead, "plan", "starts_on", planned_day)
    lead.fill(in_form("plan", "start_time"), "11:00")
    lead.click(in_form("plan", "minutes", "30"))
    lead.click(in_form("plan", "place", "on-site"))
    lead.fill(in_form("plan", "address"), ADDRESS)
    lead.submit("conversation planned")
    assert "The conversation is planned" in body(lead)
    second_talk.refresh_from_db()
    assert second_talk.state == ChemistryConversation.State.PLANNED
    assert (second_talk.starts_at, second_talk.place, second_talk.address) == (
        london(planned_day, 11, 0),
        "on-site",
        ADDRESS,
    )

    # The central team learns that conversations were asked for, and nothing of when or where.
    centre = people(programme_lead, "programme lead")
    centre.go(request_path, "request (central team), conversations planned")
    assert "A chemistry conversation was asked for" in centre.text()
    assert LINK not in centre.page.content() and ADDRESS not in centre.page.content()
    assert centre.page.goto(centre.base + reverse("engagements:chemistry_detail", args=[first_talk.pk])).status == 404

    # The lead chooses the first enabler; the other conversation is cancelled; the first enabler confirms.
    lead.go(request_path, "proposals, both conversations planned")
    follow(lead, "main button:has-text('Choose Emery Enabler')", "enabler chosen after the conversations")
    second_talk.refresh_from_db()
    assert second_talk.state == ChemistryConversation.State.CANCELLED
    orin = people(other_enabler, "other enabler")
    orin.go(reverse("engagements:chemistry_detail", args=[second_talk.pk]), "chemistry conversation, cancelled")
    assert "Cancelled" in orin.text() and "Plan it" not in orin.text() and "Offer these times" not in orin.text()
    assert_no_duplicate_ids(orin)
    emery.go(reverse("engagements:chemistry_detail", args=[first_talk.pk]), "chemistry conversation, site chose")
    assert "The site is no longer choosing" in emery.text() and "Offer these times" not in emery.text()
    emery.go(request_path, "chosen: confirm")
    follow(emery, "main button:has-text('Confirm and begin')", "first pairing begins")
    first = Engagement.objects.get(request=proposed)
    assert first.enabler == enabler
    agree(first, enabler, site_lead, "Trust between the partners.")
    first.refresh_from_db()
    assert first.state == Engagement.State.ACTIVE

    # Work of the first pairing, some of it to carry over later.
    note = write_shared_note(engagement=first, by=site_lead, body="The board meets on the first Tuesday.")
    for_enabler = add_action(
        engagement=first, by=site_lead, description="Draft the neighbourhood charter", owner=enabler, due_on=None
    )
    for_lead = add_action(
        engagement=first, by=enabler, description="Invite the council's director", owner=site_lead, due_on=None
    )
    done = add_action(engagement=first, by=enabler, description="Book the first workshop", owner=site_lead, due_on=None)
    toggle_action(action=done, by=site_lead)
    write_private_note(engagement=first, by=enabler, text="Private: the first enabler's own reflection")

    # The site's lead ends the pairing, by keyboard alone: sent first without the tick.
    first_path = reverse("engagements:engagement_detail", args=[first.pk])
    keys = people(site_lead, "site lead (keyboard)", keyboard_only=True)
    keys.go(first_path, "first pairing, active")
    follow(keys, "main a:has-text('This pairing is not working for us')", "end the pairing")
    assert keys.page.url.endswith(reverse("engagements:engagement_end", args=[first.pk]))
    keys.fill("#id_words", WORDS)
    keys.submit("end the pairing, with errors")
    assert "There is a problem" in keys.text()
    assert "Tick to confirm that you want to end the pairing now" in keys.text()
    assert keys.page.locator("#id_words").input_value() == WORDS  # what was typed is kept
    first.refresh_from_db()
    assert first.state == Engagement.State.ACTIVE and not EnablerChange.objects.exists()
    keys.click("#id_understood")
    assert keys.page.locator("#id_understood").is_checked()
    keys.submit("pairing ended")
    assert "The pairing has ended" in body(keys)
    assert "Ended early: a change of enabler" in keys.text() and "What you wrote" in keys.text()
    first.refresh_from_db()
    proposed.refresh_from_db()
    assert first.state == Engagement.State.ENDED
    assert proposed.state == SupportRequest.State.CHANGE
    change = EnablerChange.objects.get(engagement=first)
    assert (change.asked_by, change.words) == (site_lead, WORDS)

    # The enabler, the other party, reads the words.
    emery.go(first_path, "first pairing, ended (enabler)")
    assert CANARY in emery.text() and "What Avery Lead wrote" in emery.text()
    assert "This pairing is not working for us" not in emery.text()
    assert emery.page.goto(emery.base + reverse("engagements:engagement_end", args=[first.pk])).url.endswith(
        first_path
    )  # an ended pairing cannot be ended again

    # The central team: the request is back in the queue; never the words, never who asked.
    centre.go(reverse("engagements:queue"), "queue, a change of enabler")
    row = centre.page.locator("main table tr", has_text="Ashvale")
    assert "Asked for a different enabler" in row.inner_text()
    follow(centre, "main table a:has-text('Ashvale')", "request back for a change (central team)")
    assert "Asked for a different enabler: back in the queue" in centre.text()
    assert "A different enabler was asked for" in centre.text()
    match_path = reverse("engagements:request_match", args=[proposed.pk])
    # The request page leads the central team to propose again.
    assert centre.page.locator(f"main a[href='{match_path}']:has-text('Propose enablers')").count() == 1
    seen_by_centre, leaked_to_centre, served_to_centre = {}, [], {}
    for path, label in (
        (reverse("engagements:queue"), "queue after the change"),
        (request_path, "request after the change (central team)"),
        (first_path, "ended pairing (central team)"),
        (reverse("engagements:overview"), "overview after the change"),
        ("/", "home after the change (central team)"),
        (reverse("accounts:notification_list"), "notifications after the change (central team)"),
    ):
        centre.go(path, label)
        html, seen_by_centre[path] = centre.page.content(), centre.text()
        served_to_centre[path] = html
        leaked_to_centre += [f"{what} on {path}" for what in (CANARY, site_lead.full_name) if what in html]
    assert leaked_to_centre == []
    assert "Ended early: a change of enabler" in seen_by_centre[first_path]
    # A row whose figures are all hidden is folded away under a details summary, so it is read in the page as served.
    assert "Changes of enabler asked for" in served_to_centre[reverse("engagements:overview")]

    # The administrator: the admin pages of the ended pairing and of the request show neither. Django's own admin
    # is no page of Alongside's design (no journey checks it with axe, and the CSP refuses its inline styles), so
    # it is read in a second tab of the administrator's signed-in browser, without the page checks.
    admin = people(administrator, "administrator")
    admin_tab = admin.page.context.new_page()
    engagement_admin = reverse("admin:engagements_engagement_change", args=[first.pk])
    request_admin = reverse("admin:engagements_supportrequest_change", args=[proposed.pk])
    seen_in_admin, leaked_to_admin = {}, []
    for path in (
        engagement_admin,
        reverse("admin:engagements_engagement_changelist"),
        request_admin,
        reverse("admin:engagements_supportrequest_changelist"),
    ):
        response = admin_tab.goto(admin.base + path)
        assert response.ok and admin_tab.url.endswith(path), f"{path} answered {response.status} at {admin_tab.url}"
        seen_in_admin[path] = html = admin_tab.content()
        leaked_to_admin += [f"{what} on {path}" for what in (CANARY, site_lead.full_name) if what in html]
    assert leaked_to_admin == []
    assert "Ended early: a change of enabler" in seen_in_admin[engagement_admin]
    assert "Asked for a different enabler: back in the queue" in seen_in_admin[request_admin]
    admin_tab.close()

    # A different enabler is proposed: the first is left out, and says why.
    centre.go(match_path, "propose enablers after a change, the first left out")
    exclusions = centre.page.locator("main h2:has-text('Not shown') + ul").inner_text()
    assert "Emery Enabler" in exclusions and "change of enabler" in exclusions
    assert centre.page.locator("main label:has-text('Emery Enabler')").count() == 0
    centre.click("main label:has-text('Orin Enabler')")
    centre.fill(f"#id_introduction_{other_enabler.enabler_profile.pk}", "A former NHS provider director.")
    centre.submit("a different enabler proposed")
    assert "The site has been told about the proposed enablers" in body(centre)
    proposed.refresh_from_db()
    assert proposed.state == SupportRequest.State.PROPOSED
    new_offer = proposed.proposals.get(enabler=other_enabler, outcome=Proposal.Outcome.PENDING)

    # The lead chooses them, they confirm, and the lead carries the shared work over.
    lead.go(request_path, "proposals after the change")
    follow(lead, "main button:has-text('Choose Orin Enabler')", "a different enabler chosen")
    orin.go(request_path, "chosen after a change: confirm")
    follow(orin, "main button:has-text('Confirm and begin')", "the next pairing begins")
    second = Engagement.objects.get(request=proposed, state=Engagement.State.AGREEMENT)
    assert (second.enabler, second.previous) == (other_enabler, first)
    new_offer.refresh_from_db()
    assert new_offer.outcome == Proposal.Outcome.ACCEPTED
    second_path = reverse("engagements:engagement_detail", args=[second.pk])
    assert CANARY not in orin.page.content()
    assert orin.page.goto(orin.base + first_path).status == 404  # the earlier pairing is not theirs
    orin.go(second_path, "the next pairing (enabler)")
    assert "Carry over the shared notes and open actions" not in orin.text()  # the site's lead alone chooses

    lead.go(second_path, "the next pairing, carry over offered")
    assert "Carry on from your earlier pairing?" in lead.text()
    follow(lead, "main button:has-text('Carry over the shared notes and open actions')", "shared work carried over")
    assert "Carried over from the earlier pairing" in body(lead)
    assert "Carry over the shared notes and open actions" not in lead.text()
    second.refresh_from_db()
    assert second.shared_work_carried_at is not None
    assert list(SharedNote.objects.filter(engagement=second).values_list("body", flat=True)) == [note.body]
    carried = dict(Action.objects.filter(engagement=second).values_list("description", "owner"))
    assert carried == {for_enabler.description: other_enabler.pk, for_lead.description: site_lead.pk}
    assert not PrivateNote.objects.filter(engagement=second).exists()
    assert SharedNote.objects.filter(engagement=first).count() == 1  # the earlier record stays as it was
    orin.go(reverse("engagements:shared_notes", args=[second.pk]), "carried-over shared notes (enabler)")
    assert note.body in orin.text() and for_enabler.description in orin.text()
    assert done.description not in orin.text() and CANARY not in orin.page.content()

    # The next pairing becomes active and is closed with a close-out review (sent with errors first).
    agree(second, other_enabler, site_lead, "Trust between the partners.")
    lead.go(second_path, "the next pairing, active")
    follow(lead, "main a:has-text('Start closing')", "start closing the next pairing")
    type_date(lead, "follow_up_on", timezone.localdate() + datetime.timedelta(days=30))
    lead.submit("the next pairing closing")
    assert "Closing" in lead.text()
    follow(lead, "main a:has-text('The close-out review')", "close-out review of the next pairing")
    lead.submit("close-out review, with errors")
    assert "There is a problem" in lead.text() and "Choose how this goal went" in lead.text()
    lead.click("#id_goal_0_0")  # met
    lead.fill("#id_goal_0_words", "The partners now plan together.")
    lead.fill("#id_what_next", "Keep the joint planning meeting.")
    lead.submit("close-out review of the next pairing saved")
    assert "The close-out review is recorded" in lead.text()
    lead.go(second_path, "the next pairing, review recorded")
    follow(lead, "main button:has-text('Close the engagement')", "the next pairing closed")
    second.refresh_from_db()
    assert second.state == Engagement.State.CLOSED
    review = CloseOutReview.objects.get(engagement=second)
    assert review.goals.get().outcome == "met" and review.what_next == "Keep the joint planning meeting."
    first.refresh_from_db()
    assert first.state == Engagement.State.ENDED  # the earlier pairing stays ended early, not closed
