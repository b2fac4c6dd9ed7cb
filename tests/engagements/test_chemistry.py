"""Chemistry conversations: before choosing, the site's lead asks to talk with one or more proposed enablers; the
enabler offers times or the two plan one; choosing happens afterwards as before. Never counted against a budget,
never moving the request's wait, and for the site's lead and that enabler alone."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.changes import ask_for_chemistry, offer_chemistry_times, pick_chemistry_time, plan_chemistry
from engagements.actions.requests import ProposedEnabler, choose_enabler, confirm_engagement, propose_enablers
from engagements.models import ChemistryConversation, EnablerProfile, Proposal, SupportRequest
from sites.models import Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for

LONDON = datetime.UTC


def soon(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def two_proposed(
    site_a: Site, offer, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> list[Proposal]:
    request = ask_for_support(site_a, offer, site_lead)
    return propose_enablers(
        request=request,
        proposals=[
            ProposedEnabler(EnablerProfile.objects.get(user=enabler), "A coach of boards.", []),
            ProposedEnabler(EnablerProfile.objects.get(user=other_enabler), "A facilitator.", []),
        ],
        by=programme_lead,
    )


def test_the_site_lead_asks_to_talk_with_two_proposed_enablers(
    two_proposed: list[Proposal],
    site_lead: User,
    enabler: User,
    other_enabler: User,
    django_capture_on_commit_callbacks,
) -> None:
    request = two_proposed[0].request
    asked_on = request.submitted_at

    with django_capture_on_commit_callbacks(execute=True):
        asked = ask_for_chemistry(request=request, proposals=two_proposed, by=site_lead)

    assert [c.proposal.enabler for c in asked] == [enabler, other_enabler]
    assert all(c.state == ChemistryConversation.State.ASKED for c in asked)
    request.refresh_from_db()
    assert request.state == SupportRequest.State.PROPOSED and request.submitted_at == asked_on  # the wait is the ask's
    assert sorted(m.to[0] for m in mail.outbox) == sorted([enabler.email, other_enabler.email])
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.ASKED_FOR_CHEMISTRY)
    assert (event.actor, event.detail) == (site_lead, {"proposals": [p.pk for p in two_proposed]})
    with pytest.raises(NotAllowed, match="already"):
        ask_for_chemistry(request=request, proposals=two_proposed, by=site_lead)


@pytest.mark.parametrize("who", ["site_member", "programme_lead", "enabler"])
def test_only_the_site_lead_asks(two_proposed: list[Proposal], who: str, request) -> None:
    with pytest.raises(NotAllowed):
        ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed, by=request.getfixturevalue(who))
    assert not ChemistryConversation.objects.exists()


def test_a_proposal_of_another_request_cannot_be_asked_for(
    two_proposed: list[Proposal], site_lead: User, engagement_b
) -> None:
    foreign = Proposal.objects.get(request=engagement_b.request)
    with pytest.raises(NotAllowed):
        ask_for_chemistry(request=two_proposed[0].request, proposals=[foreign], by=site_lead)


def test_the_enabler_offers_times_and_the_site_lead_picks_one(
    two_proposed: list[Proposal],
    site_lead: User,
    enabler: User,
    other_enabler: User,
    django_capture_on_commit_callbacks,
) -> None:
    conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
    with pytest.raises(NotAllowed):  # not theirs to offer
        offer_chemistry_times(
            conversation=conversation,
            by=other_enabler,
            times=[soon(2)],
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/x",
        )
    with pytest.raises(NotAllowed):  # a time gone by
        offer_chemistry_times(
            conversation=conversation,
            by=enabler,
            times=[timezone.now() - datetime.timedelta(hours=1)],
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/x",
        )
    with pytest.raises(NotAllowed):  # more than three
        offer_chemistry_times(
            conversation=conversation,
            by=enabler,
            times=[soon(d) for d in range(2, 6)],
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/x",
        )
    with pytest.raises(NotAllowed):  # not a short talk
        offer_chemistry_times(
            conversation=conversation,
            by=enabler,
            times=[soon(2)],
            minutes=90,
            place="online",
            meeting_link="https://meet.example.test/x",
        )

    offer_chemistry_times(
        conversation=conversation,
        by=enabler,
        times=[soon(3), soon(2)],
        minutes=45,
        place="online",
        meeting_link="https://meet.example.test/x",
    )
    conversation.refresh_from_db()
    assert conversation.state == ChemistryConversation.State.OFFERED
    assert conversation.times == [soon(2), soon(3)]
    with pytest.raises(NotAllowed):
        pick_chemistry_time(conversation=conversation, by=site_lead, starts_at=soon(4))  # not offered
    with pytest.raises(NotAllowed):
        pick_chemistry_time(conversation=conversation, by=enabler, starts_at=soon(3))  # the lead picks
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        pick_chemistry_time(conversation=conversation, by=site_lead, starts_at=soon(3))

    conversation.refresh_from_db()
    assert (conversation.state, conversation.starts_at, conversation.minutes) == ("planned", soon(3), 45)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([site_lead.email, enabler.email])
    invitation = next(a[1] for a in mail.outbox[0].attachments if a[2] == "application/ics")
    assert "METHOD:REQUEST" in invitation and conversation.uid in invitation
    assert "https://meet.example.test/x" in invitation


def test_either_of_them_plans_a_time_agreed_and_moving_it_updates_the_calendar(
    two_proposed: list[Proposal], site_lead: User, enabler: User, django_capture_on_commit_callbacks
) -> None:
    conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
    plan_chemistry(
        conversation=conversation,
        by=enabler,
        starts_at=soon(2),
        minutes=30,
        place="on-site",
        address="Room 4, Civic Centre",
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        plan_chemistry(
            conversation=conversation,
            by=site_lead,
            starts_at=soon(5),
            minutes=60,
            place="on-site",
            address="Room 4, Civic Centre",
        )

    conversation.refresh_from_db()
    assert (conversation.starts_at, conversation.minutes, conversation.sequence) == (soon(5), 60, 1)
    invitation = next(a[1] for a in mail.outbox[0].attachments if a[2] == "application/ics")
    assert "SEQUENCE:1" in invitation and "Room 4" in invitation


def test_choosing_cancels_the_other_conversations_still_to_come(
    two_proposed: list[Proposal],
    site_lead: User,
    enabler: User,
    other_enabler: User,
    django_capture_on_commit_callbacks,
) -> None:
    request = two_proposed[0].request
    first, second = ask_for_chemistry(request=request, proposals=two_proposed, by=site_lead)
    for conversation, by in ((first, enabler), (second, other_enabler)):
        plan_chemistry(
            conversation=conversation,
            by=by,
            starts_at=soon(4),
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/y",
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        choose_enabler(request=request, proposal=two_proposed[0], by=site_lead)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ChemistryConversation.State.PLANNED  # with the chosen enabler: stays
    assert second.state == ChemistryConversation.State.CANCELLED
    cancels = [m for m in mail.outbox if any("METHOD:CANCEL" in str(a[1]) for a in m.attachments)]
    assert sorted(m.to[0] for m in cancels) == sorted([site_lead.email, other_enabler.email])
    with pytest.raises(NotAllowed):
        plan_chemistry(
            conversation=second,
            by=other_enabler,
            starts_at=soon(6),
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/y",
        )


def test_a_chemistry_conversation_is_never_counted_against_a_budget(
    two_proposed: list[Proposal], site_lead: User, enabler: User
) -> None:
    request = two_proposed[0].request
    conversation = ask_for_chemistry(request=request, proposals=two_proposed[:1], by=site_lead)[0]
    plan_chemistry(
        conversation=conversation,
        by=enabler,
        starts_at=soon(1),
        minutes=60,
        place="online",
        meeting_link="https://meet.example.test/z",
    )
    choose_enabler(request=request, proposal=two_proposed[0], by=site_lead)

    engagement = confirm_engagement(proposal=two_proposed[0], by=enabler)

    assert engagement.days_used == 0 and not engagement.sessions.exists()
    assert not engagement.planned_sessions.exists()


def test_only_the_site_lead_and_that_enabler_see_a_conversation(
    two_proposed: list[Proposal],
    site_lead: User,
    site_member: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    administrator: User,
    other_site_lead: User,
) -> None:
    conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
    plan_chemistry(
        conversation=conversation,
        by=enabler,
        starts_at=soon(2),
        minutes=30,
        place="on-site",
        address="chemistry-address-canary",
    )
    url = reverse("engagements:chemistry_detail", kwargs={"pk": conversation.pk})

    for person in (site_lead, enabler):
        assert "chemistry-address-canary" in client_for(person).get(url).content.decode()
    for person in (site_member, other_enabler, programme_lead, administrator, other_site_lead):
        assert client_for(person).get(url).status_code == 404
    # The central team learns only that one was asked for.
    request_url = reverse("engagements:request_detail", kwargs={"pk": conversation.proposal.request_id})
    central = client_for(programme_lead).get(request_url).content.decode()
    assert "A chemistry conversation was asked for." in central and "chemistry-address-canary" not in central


def test_the_offer_form_refuses_with_messages_and_keeps_what_was_typed(
    two_proposed: list[Proposal], site_lead: User, enabler: User
) -> None:
    conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
    url = reverse("engagements:chemistry_detail", kwargs={"pk": conversation.pk})
    day = timezone.localdate() + datetime.timedelta(days=3)
    data = {
        "step": "offer",
        "starts_on_day": day.day,
        "starts_on_month": day.month,
        "starts_on_year": day.year,
        "start_time": "10:00",
        "second_on_day": day.day,
        "second_on_month": day.month,
        "second_on_year": day.year,
        "minutes": "30",
        "place": "online",
        "meeting_link": "https://meet.example.test/typed",
    }

    refused = client_for(enabler).post(url, data)

    page = refused.content.decode()
    assert refused.status_code == 200 and "Enter both the date and the time, or neither" in page
    assert "https://meet.example.test/typed" in page
    accepted = client_for(enabler).post(url, {**data, "second_time": "14:30"})
    assert accepted.status_code == 302
    conversation.refresh_from_db()
    assert len(conversation.times) == 2


def test_the_ask_form_on_the_request_page(two_proposed: list[Proposal], site_lead: User) -> None:
    request = two_proposed[0].request
    page_url = reverse("engagements:request_detail", kwargs={"pk": request.pk})
    ask_url = reverse("engagements:chemistry_ask", kwargs={"pk": request.pk})
    client = client_for(site_lead)
    assert "Talk with them before you choose" in client.get(page_url).content.decode()

    refused = client.post(ask_url, {}, follow=True)
    assert "Choose at least one enabler to talk with" in refused.content.decode()

    client.post(ask_url, {"proposals": [two_proposed[1].pk]})
    assert ChemistryConversation.objects.get().proposal == two_proposed[1]


def test_the_enablers_home_links_to_a_conversation_asked_for(
    two_proposed: list[Proposal], site_lead: User, enabler: User, other_enabler: User
) -> None:
    conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
    link = reverse("engagements:chemistry_detail", kwargs={"pk": conversation.pk})

    assert link in client_for(enabler).get(reverse("home")).content.decode()
    assert link not in client_for(other_enabler).get(reverse("home")).content.decode()


def test_the_request_page_costs_the_same_queries_with_one_conversation_or_three(
    site_a: Site, offer, site_lead: User, programme_lead: User, enabler: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiles = [EnablerProfile.objects.get(user=enabler)]
    for number in range(2):
        person = User.objects.create_user(f"third{number}@example.test", "x", full_name=f"Tam Third{number}")
        profiles.append(EnablerProfile.objects.create(user=person, capacity=3))
    client = client_for(site_lead)

    def queries(count: int) -> int:
        SupportRequest.objects.all().delete()
        request = ask_for_support(site_a, offer, site_lead)
        proposed = propose_enablers(
            request=request,
            proposals=[ProposedEnabler(p, "An introduction.", []) for p in profiles[:count]],
            by=programme_lead,
        )
        ask_for_chemistry(request=request, proposals=proposed, by=site_lead)
        url = reverse("engagements:request_detail", kwargs={"pk": request.pk})
        client.get(url)  # the session's first read is not the page's
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(1) == queries(3)


def test_two_wall_clock_times_that_are_one_moment_are_offered_once(
    two_proposed: list[Proposal], site_lead: User, enabler: User
) -> None:
    """On the night the clocks go forward, 01:30 does not happen and is read as 02:30: offering both is one time."""
    from zoneinfo import ZoneInfo

    import time_machine

    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime.datetime(2027, 3, 20, 9, 0, tzinfo=london)):
        conversation = ask_for_chemistry(request=two_proposed[0].request, proposals=two_proposed[:1], by=site_lead)[0]
        offer_chemistry_times(
            conversation=conversation,
            by=enabler,
            times=[
                datetime.datetime(2027, 3, 28, 1, 30, tzinfo=london),
                datetime.datetime(2027, 3, 28, 2, 30, tzinfo=london),
            ],
            minutes=30,
            place="online",
            meeting_link="https://meet.example.test/clocks",
        )

    conversation.refresh_from_db()
    assert conversation.times == [datetime.datetime(2027, 3, 28, 1, 30, tzinfo=datetime.UTC)]
