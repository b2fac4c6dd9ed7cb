"""A change of enabler: either party ends an active or paused pairing early, without blame. The request goes back to
the queue asking for a different enabler, the days used are kept, the previous enabler is left out of the next
proposals, what was planned is cancelled, and the site's lead chooses whether shared work is carried over."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification, User
from core.errors import NotAllowed
from engagements.actions.changes import WORDS_AT_MOST, carry_over_shared_work, end_pairing
from engagements.actions.engagement import (
    agree_extra_days,
    confirm_agreement,
    pause_engagement,
    revise_agreement,
    start_closing_engagement,
)
from engagements.actions.notes import write_private_note
from engagements.actions.planning import plan_series, plan_session
from engagements.actions.requests import ProposedEnabler, propose_enablers
from engagements.actions.sessions import add_action, log_session, toggle_action, write_shared_note
from engagements.matching import rank_enablers
from engagements.models import (
    Action,
    EnablerChange,
    EnablerProfile,
    Engagement,
    Offer,
    PlannedSession,
    SharedNote,
    SupportRequest,
)
from engagements.models.notes import PrivateNote
from retention.actions import apply_schedule
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import client_for

WORDS = "words-for-the-other-party-only"


def active(engagement: Engagement, enabler: User, site_lead: User) -> Engagement:
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="Online",
        goals="Trust\nA plan",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    return Engagement.objects.get(pk=engagement.pk)


@pytest.fixture
def pairing(engagement_a: Engagement, enabler: User, site_lead: User) -> Engagement:
    return active(engagement_a, enabler, site_lead)


def test_the_site_lead_ends_a_pairing_and_the_request_goes_back_to_the_queue(
    pairing: Engagement, site_lead: User, enabler: User, programme_lead: User, django_capture_on_commit_callbacks
) -> None:
    asked_on = pairing.request.submitted_at

    with django_capture_on_commit_callbacks(execute=True):
        change = end_pairing(engagement=pairing, by=site_lead, words=f"  {WORDS}  ")

    pairing.refresh_from_db()
    request = SupportRequest.objects.get(pk=pairing.request_id)
    assert pairing.state == Engagement.State.ENDED and pairing.closed_on == timezone.localdate()
    assert (change.asked_by, change.words) == (site_lead, WORDS)
    assert request.state == SupportRequest.State.CHANGE and request.change_asked_at is not None
    assert request.submitted_at == asked_on  # when the site first asked stays as it was
    assert request in SupportRequest.objects.in_queue()
    # The engagement's event names who ended it; the request's (which the central team's records hold) nobody.
    ended = AuditEvent.objects.get(verb=AuditEvent.Verb.ENDED_THE_PAIRING)
    assert (ended.actor, ended.target_id, ended.detail) == (site_lead, pairing.pk, {"with_words": True})
    back = AuditEvent.objects.get(verb=AuditEvent.Verb.CAME_BACK_FOR_A_CHANGE)
    assert (back.actor, back.target_id) == (None, request.pk)
    # Both parties get the same e-mail, so no outbox row tells who asked; nobody's e-mail carries the words.
    to_parties = Notification.objects.filter(kind="pairing-ended")
    assert {n.recipient for n in to_parties} == {site_lead, enabler}
    assert len({(n.subject, n.body, n.link) for n in to_parties}) == 1
    to_centre = Notification.objects.get(kind="change-of-enabler")
    assert to_centre.recipient == programme_lead
    for message in mail.outbox:
        assert WORDS not in message.body + message.subject
    assert site_lead.full_name not in to_centre.subject + to_centre.body


def test_the_enabler_can_end_it_too_and_words_are_optional(pairing: Engagement, enabler: User) -> None:
    change = end_pairing(engagement=pairing, by=enabler)

    assert change.words == "" and change.asked_by == enabler
    assert AuditEvent.objects.get(verb=AuditEvent.Verb.ENDED_THE_PAIRING).detail == {"with_words": False}


@pytest.mark.parametrize("who", ["site_member", "programme_lead", "other_enabler", "other_site_lead"])
def test_only_the_enabler_or_the_site_lead_ends_a_pairing(pairing: Engagement, who: str, request) -> None:
    with pytest.raises(NotAllowed):
        end_pairing(engagement=pairing, by=request.getfixturevalue(who), words=WORDS)

    assert Engagement.objects.get(pk=pairing.pk).state == Engagement.State.ACTIVE
    assert not EnablerChange.objects.exists()


def test_a_pairing_still_agreeing_or_closing_cannot_be_ended_early(
    engagement_a: Engagement, enabler: User, site_lead: User
) -> None:
    with pytest.raises(NotAllowed):  # still agreeing how to work
        end_pairing(engagement=engagement_a, by=site_lead)
    engagement = active(engagement_a, enabler, site_lead)
    start_closing_engagement(engagement=engagement, by=site_lead, follow_up_on=timezone.localdate())
    with pytest.raises(NotAllowed):
        end_pairing(engagement=engagement, by=site_lead)

    assert SupportRequest.objects.get(pk=engagement.request_id).state == SupportRequest.State.ACCEPTED


def test_a_paused_pairing_can_be_ended(pairing: Engagement, enabler: User) -> None:
    pause_engagement(engagement=pairing, by=enabler)

    end_pairing(engagement=pairing, by=enabler)

    assert Engagement.objects.get(pk=pairing.pk).state == Engagement.State.ENDED


def test_words_longer_than_the_limit_are_refused_and_nothing_changes(pairing: Engagement, site_lead: User) -> None:
    with pytest.raises(NotAllowed):
        end_pairing(engagement=pairing, by=site_lead, words="x" * (WORDS_AT_MOST + 1))

    assert Engagement.objects.get(pk=pairing.pk).state == Engagement.State.ACTIVE


def test_sessions_planned_from_now_on_are_cancelled_and_calendars_told(
    pairing: Engagement, enabler: User, site_lead: User, django_capture_on_commit_callbacks
) -> None:
    soon = timezone.now() + datetime.timedelta(days=3)
    planned = plan_session(
        engagement=pairing,
        by=enabler,
        starts_at=soon,
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/a",
        invitees=[site_lead],
    )
    series = plan_series(
        engagement=pairing,
        by=enabler,
        first_starts_at=soon + datetime.timedelta(hours=4),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/b",
        invitees=[site_lead],
        frequency="weekly",
        until=(soon + datetime.timedelta(days=21)).date(),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        end_pairing(engagement=pairing, by=site_lead)

    assert not PlannedSession.objects.live().filter(engagement=pairing).exists()
    planned.refresh_from_db()
    series.refresh_from_db()
    assert planned.cancelled_at is not None and series.ended_at is not None
    cancellations = [m for m in mail.outbox if any("METHOD:CANCEL" in str(a[1]) for a in m.attachments)]
    assert len(cancellations) >= 2  # the one-off and the series, to the enabler and the invitee


def test_the_previous_enabler_is_left_out_of_the_next_proposals(
    pairing: Engagement, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    end_pairing(engagement=pairing, by=site_lead)
    request = SupportRequest.objects.get(pk=pairing.request_id)

    matches, exclusions = rank_enablers(request)

    assert enabler not in [match.profile.user for match in matches]
    assert [e.reason for e in exclusions if e.profile.user == enabler] == [
        "Left out after a change of enabler: their pairing for this request ended early"
    ]
    assert other_enabler in [match.profile.user for match in matches]
    with pytest.raises(NotAllowed, match="ended early"):
        propose_enablers(
            request=request,
            proposals=[ProposedEnabler(enabler.enabler_profile, "Again?", [])],
            by=programme_lead,
        )


def test_the_next_pairing_keeps_the_days_already_used(
    site_a: Site, days_offer: Offer, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    first = active(
        start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead),
        enabler,
        site_lead,
    )
    log_session(
        engagement=first,
        by=enabler,
        held_on=timezone.localdate(),
        length=Decimal("2"),
        format="one-to-one",
        place="on-site",
        participants="",
        private_note="",
        action_description="",
        action_owner=None,
        action_due_on=None,
    )
    agree_extra_days(engagement=first, by=site_lead, days=Decimal("1"), reason="A longer diagnostic")
    end_pairing(engagement=first, by=enabler)

    second = start_engagement(SupportRequest.objects.get(pk=first.request_id), other_enabler, site_lead, programme_lead)

    # 5 days of the offer and 1 agreed extra, 2 used with the first enabler: 4 left for the next.
    assert (second.previous, second.day_allowance, second.days_carried, second.days_used) == (
        first,
        Decimal("4"),
        Decimal("2"),
        Decimal("0"),
    )
    assert second.request_id == first.request_id
    assert SupportRequest.objects.get(pk=first.request_id).state == SupportRequest.State.ACCEPTED
    page = client_for(site_lead).get(reverse("engagements:engagement_detail", kwargs={"pk": second.pk}))
    assert "Days used in an earlier pairing" in page.content.decode()


def test_a_second_open_engagement_from_one_request_is_refused_by_the_database(pairing: Engagement) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.create(
            request=pairing.request, site=pairing.site, offer=pairing.offer, enabler=pairing.enabler
        )


def test_the_site_lead_chooses_to_carry_over_shared_notes_and_open_actions(
    pairing: Engagement, site_lead: User, site_member: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    write_shared_note(engagement=pairing, by=enabler, body="What we agreed at the board")
    mine = add_action(engagement=pairing, by=enabler, description="Send the charter", owner=enabler, due_on=None)
    theirs = add_action(engagement=pairing, by=site_lead, description="Book the room", owner=site_lead, due_on=None)
    done = add_action(engagement=pairing, by=site_lead, description="Done already", owner=site_lead, due_on=None)
    toggle_action(action=done, by=site_lead)
    write_private_note(engagement=pairing, by=enabler, text="My own reflection")
    end_pairing(engagement=pairing, by=site_lead)
    second = start_engagement(
        SupportRequest.objects.get(pk=pairing.request_id), other_enabler, site_lead, programme_lead
    )

    for refused in (site_member, other_enabler):
        with pytest.raises(NotAllowed):
            carry_over_shared_work(engagement=second, by=refused)
    assert carry_over_shared_work(engagement=second, by=site_lead) == (1, 2)

    assert list(SharedNote.objects.filter(engagement=second).values_list("body", "carried_over")) == [
        ("What we agreed at the board", True)
    ]
    carried = {a.description: a.owner for a in Action.objects.filter(engagement=second)}
    assert carried == {"Send the charter": other_enabler, "Book the room": site_lead}  # the new enabler takes theirs
    assert not PrivateNote.objects.filter(engagement=second).exists()
    # The earlier pairing keeps its own record.
    assert SharedNote.objects.filter(engagement=pairing).count() == 1
    assert set(Action.objects.filter(engagement=pairing)) == {mine, theirs, done}
    with pytest.raises(NotAllowed, match="already"):
        carry_over_shared_work(engagement=second, by=site_lead)
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.CARRIED_OVER_SHARED_WORK)
    assert event.detail == {"notes": 1, "actions": 2}


def test_nothing_is_carried_over_unless_the_site_lead_chooses(
    pairing: Engagement, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    write_shared_note(engagement=pairing, by=enabler, body="Stays where it was")
    end_pairing(engagement=pairing, by=enabler)

    second = start_engagement(
        SupportRequest.objects.get(pk=pairing.request_id), other_enabler, site_lead, programme_lead
    )

    assert not SharedNote.objects.filter(engagement=second).exists()
    lead_page = client_for(site_lead).get(reverse("engagements:engagement_detail", kwargs={"pk": second.pk}))
    enabler_page = client_for(other_enabler).get(reverse("engagements:engagement_detail", kwargs={"pk": second.pk}))
    assert "Carry over the shared notes" in lead_page.content.decode()
    assert "Carry over the shared notes" not in enabler_page.content.decode()


def test_the_previous_enablers_private_notes_stay_theirs_and_follow_the_retention_rule(
    pairing: Engagement, site_lead: User, enabler: User, settings
) -> None:
    write_private_note(engagement=pairing, by=enabler, text="Mine alone")
    end_pairing(engagement=pairing, by=site_lead)
    assert PrivateNote.objects.visible_to(enabler).filter(engagement=pairing).count() == 1
    assert not PrivateNote.objects.visible_to(site_lead).exists()

    Engagement.objects.filter(pk=pairing.pk).update(
        closed_on=timezone.localdate() - datetime.timedelta(days=settings.NOTES_RETENTION_DAYS + 1)
    )
    run = apply_schedule()

    assert run.destroyed["private_notes"] == 1 and not PrivateNote.objects.filter(engagement=pairing).exists()


def test_an_ended_pairing_takes_no_more_sessions(pairing: Engagement, site_lead: User, enabler: User) -> None:
    end_pairing(engagement=pairing, by=site_lead)

    with pytest.raises(NotAllowed, match="ended early"):
        log_session(
            engagement=pairing,
            by=enabler,
            held_on=timezone.localdate(),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="",
            private_note="",
            action_description="",
            action_owner=None,
            action_due_on=None,
        )


def test_the_words_and_who_asked_are_for_the_two_parties_alone(
    pairing: Engagement, site_lead: User, site_member: User, enabler: User, programme_lead: User
) -> None:
    end_pairing(engagement=pairing, by=site_lead, words=WORDS)
    url = reverse("engagements:engagement_detail", kwargs={"pk": pairing.pk})

    for party in (site_lead, site_member, enabler):
        page = client_for(party).get(url).content.decode()
        assert WORDS in page and "ended early" in page
    enabler_page = client_for(enabler).get(url).content.decode()
    assert f"when {site_lead.full_name} said it was not working" in enabler_page
    central = client_for(programme_lead).get(url).content.decode()
    assert "Ended early: a change of enabler" in central  # that it happened: the engagement's state
    assert WORDS not in central and "said it was not working" not in central
    request_page = (
        client_for(programme_lead)
        .get(reverse("engagements:request_detail", kwargs={"pk": pairing.request_id}))
        .content.decode()
    )
    assert "A different enabler was asked for" in request_page and WORDS not in request_page


def test_the_end_page_refuses_without_the_tick_and_keeps_the_words(pairing: Engagement, site_lead: User) -> None:
    url = reverse("engagements:engagement_end", kwargs={"pk": pairing.pk})
    client = client_for(site_lead)

    refused = client.post(url, {"words": WORDS})

    assert refused.status_code == 200
    assert "Tick to confirm that you want to end the pairing now" in refused.content.decode()
    assert WORDS in refused.content.decode()  # what was typed is not lost
    assert Engagement.objects.get(pk=pairing.pk).state == Engagement.State.ACTIVE
    done = client.post(url, {"words": WORDS, "understood": "on"})
    assert done.status_code == 302
    assert Engagement.objects.get(pk=pairing.pk).state == Engagement.State.ENDED


def test_the_end_page_is_for_the_enabler_and_the_site_lead(
    pairing: Engagement, site_member: User, programme_lead: User
) -> None:
    url = reverse("engagements:engagement_end", kwargs={"pk": pairing.pk})
    for person in (site_member, programme_lead):
        assert client_for(person).get(url).status_code == 404


def test_an_enabler_profile_of_the_previous_pairing_is_still_readable_by_the_site(
    pairing: Engagement, site_lead: User, enabler: User
) -> None:
    end_pairing(engagement=pairing, by=site_lead)

    assert EnablerProfile.objects.visible_to(site_lead).filter(user=enabler).exists()


def test_the_queue_counts_the_new_wait_from_the_change_and_reminds_again(
    pairing: Engagement, site_lead: User, programme_lead: User
) -> None:
    from engagements.tasks import remind_waiting_requests

    SupportRequest.objects.filter(pk=pairing.request_id).update(
        submitted_at=timezone.now() - datetime.timedelta(days=60), waiting_reminder_sent_at=timezone.now()
    )
    end_pairing(engagement=pairing, by=site_lead)

    page = client_for(programme_lead).get(reverse("engagements:queue")).content.decode()
    assert "Asked for a different enabler" in page and "0 working days" in page
    assert remind_waiting_requests() == 0  # a new wait, not yet long
    SupportRequest.objects.filter(pk=pairing.request_id).update(
        change_asked_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert remind_waiting_requests() == 1


def test_an_earlier_enabler_does_not_learn_who_came_next(
    pairing: Engagement, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    end_pairing(engagement=pairing, by=site_lead)
    start_engagement(SupportRequest.objects.get(pk=pairing.request_id), other_enabler, site_lead, programme_lead)

    page = client_for(enabler).get(reverse("engagements:request_detail", kwargs={"pk": pairing.request_id}))

    assert other_enabler.full_name not in page.content.decode()
