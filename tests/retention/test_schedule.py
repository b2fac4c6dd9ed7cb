"""The retention schedule, kind by kind, with the clock moved on: nothing goes before its time, everything goes at
it, the parties are told first, what stays for the figures stays, and a legal hold stops all of it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent, Notification, User
from engagements.actions.changes import ask_for_chemistry, end_pairing
from engagements.actions.closeout import give_feedback, record_close_out_review
from engagements.actions.engagement import (
    close_engagement,
    confirm_agreement,
    record_diagnostic,
    revise_agreement,
    share_diagnostic,
    start_closing_engagement,
)
from engagements.actions.planning import plan_series, plan_session
from engagements.actions.requests import ProposedEnabler, choose_enabler, propose_enablers, withdraw_request
from engagements.actions.sessions import log_session, record_access, write_shared_note
from engagements.models import (
    AccessRecord,
    Action,
    Agreement,
    ChemistryConversation,
    CloseOutReview,
    Diagnostic,
    DiagnosticShare,
    EnablerChange,
    Engagement,
    Feedback,
    GoalReview,
    PlannedSession,
    Proposal,
    Session,
    SessionSeries,
    SharedNote,
    SupportRequest,
)
from engagements.notes import PrivateNote
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from retention.actions import apply_schedule, place_legal_hold, preview
from retention.models import LegalHold
from tests.helpers.engagements import ask_for_support, start_engagement

CANARY = "words-the-pair-wrote-to-each-other"
GOALS = "Build trust between the partners\n\nAgree a shared plan"


def day(closed_on: datetime.date, days: int) -> datetime.datetime:
    """03:00 UK time, `days` after the engagement closed: when the nightly task would run."""
    moment = datetime.datetime.combine(closed_on + datetime.timedelta(days=days), datetime.time(3))
    return timezone.make_aware(moment)


def run_on(moment: datetime.datetime, **kwargs: object) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return apply_schedule(**kwargs).destroyed


@pytest.fixture
def closed(
    engagement_a: Engagement, enabler: User, site_lead: User, site_member: User, account_manager: User, themes: list
) -> Engagement:
    """An engagement with one of every record a pair keeps, closed today."""
    engagement = engagement_a
    revise_agreement(
        engagement=engagement, by=enabler, cadence="Weekly", ways_of_working=CANARY, goals=GOALS, confidentiality="Ours"
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    record_diagnostic(engagement=engagement, by=site_lead, stage=2, strengths=CANARY, development_areas="Trust")
    share_diagnostic(engagement=engagement, person=account_manager, by=site_lead)
    session = log_session(
        engagement=engagement,
        by=enabler,
        held_on=timezone.localdate(),
        length=Decimal("2"),
        format="one-to-one",
        place="remote",
        participants="The programme director",
        private_note=CANARY,
        action_description=CANARY,
        action_owner=site_lead,
    )
    write_shared_note(engagement=engagement, by=site_lead, body=CANARY)
    give_feedback(
        engagement=engagement, by=site_member, session=session, usefulness=4, what_helped=CANARY, could_be_better=""
    )
    record_access(engagement=engagement, user=site_lead, kind=AccessRecord.Kind.SESSIONS)
    plan_session(
        engagement=engagement,
        by=enabler,
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        length=Decimal("1"),
        format="one-to-one",
        place="on-site",
        address=CANARY,
        invitees=[site_member],
    )
    lesson_actions.draft_lesson(
        engagement=engagement, by=enabler, title="Time", body="Allow time.", audience="providers", themes=themes[:1]
    )
    start_closing_engagement(engagement=engagement, by=site_lead, follow_up_on=timezone.localdate())
    record_close_out_review(
        engagement=engagement,
        by=site_lead,
        outcomes=[(goal, "met", CANARY) for goal in GOALS.split("\n\n")],
        what_next=CANARY,
    )
    close_engagement(engagement=engagement, by=site_lead)
    return Engagement.objects.get(pk=engagement.pk)


@pytest.fixture
def told(closed: Engagement, django_capture_on_commit_callbacks: Callable) -> Iterator[Engagement]:
    """The closed engagement, its parties told on the day the notice is due (700 days on)."""
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        run_on(day(closed.closed_on, 700))
    yield Engagement.objects.get(pk=closed.pk)


def _left(engagement: Engagement) -> dict[str, int]:
    return {
        "agreements": Agreement.objects.filter(engagement=engagement).count(),
        "diagnostics": Diagnostic.objects.filter(engagement=engagement).count(),
        "shares": DiagnosticShare.objects.filter(engagement=engagement).count(),
        "shared notes": SharedNote.objects.filter(engagement=engagement).count(),
        "actions": Action.objects.filter(engagement=engagement).count(),
        "sessions": Session.objects.filter(engagement=engagement).count(),
    }


# The parties are told first ------------------------------------------------------------------------------------


def test_the_parties_are_told_thirty_days_before_the_first_records_go_and_only_once(
    closed: Engagement, enabler: User, site_lead: User, django_capture_on_commit_callbacks: Callable
) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        too_soon = run_on(day(closed.closed_on, 699))
        on_time = apply_notices_on(day(closed.closed_on, 700))
        again = apply_notices_on(day(closed.closed_on, 701))

    assert too_soon["agreements"] == 0 and (on_time, again) == (1, 0)
    notices = [message for message in mail.outbox if "records of your engagement" in message.subject]
    assert sorted(message.to[0] for message in notices) == sorted([enabler.email, site_lead.email])
    body = notices[0].body
    goes_on = closed.closed_on + datetime.timedelta(days=730)
    assert f"{goes_on.day} {goes_on:%B %Y}: agreements, diagnostics" in body
    assert "closed engagements with their sessions" in body
    assert CANARY not in body and CANARY not in notices[0].subject


def apply_notices_on(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return apply_schedule().notices["engagement records"]


def test_records_wait_thirty_days_after_a_late_notice(
    closed: Engagement, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = run_on(day(closed.closed_on, 900))  # the schedule came in long after the engagement closed
        still = run_on(day(closed.closed_on, 929))
        gone = run_on(day(closed.closed_on, 931))

    assert (first["agreements"], still["agreements"], gone["agreements"]) == (0, 0, 1)


# An engagement's records --------------------------------------------------------------------------------------


def test_nothing_of_the_engagement_goes_the_day_before_its_time(told: Engagement) -> None:
    run_on(day(told.closed_on, 729))

    assert _left(told) == {
        "agreements": 1,
        "diagnostics": 1,
        "shares": 1,
        "shared notes": 1,
        "actions": 1,
        "sessions": 1,
    }
    assert not CloseOutReview.objects.filter(engagement=told, words_removed_at__isnull=False).exists()


def test_the_words_of_an_engagement_go_two_years_after_it_closed_and_its_figures_stay(told: Engagement) -> None:
    destroyed = run_on(day(told.closed_on, 731))

    assert {name: destroyed[name] for name in ("agreements", "diagnostics", "shared_notes", "actions")} == {
        "agreements": 1,
        "diagnostics": 1,
        "shared_notes": 1,
        "actions": 1,
    }
    assert _left(told) == {
        "agreements": 0,
        "diagnostics": 0,
        "shares": 0,
        "shared notes": 0,
        "actions": 0,
        "sessions": 1,
    }
    review = CloseOutReview.objects.get(engagement=told)
    assert (review.what_next, review.recorded_by, destroyed["close_out_reviews"]) == ("", None, 1)
    assert list(GoalReview.objects.filter(review=review).values_list("goal", "words", "outcome")) == [
        ("", "", "met"),
        ("", "", "met"),
    ]
    feedback = Feedback.objects.get(engagement=told)  # given the day it closed: its words went too
    assert (feedback.what_helped, feedback.usefulness, destroyed["feedback_words"]) == ("", 4, 1)


def test_the_session_log_goes_after_six_years_and_the_engagement_stays_as_counts(told: Engagement) -> None:
    run_on(day(told.closed_on, 731))
    five_years = run_on(day(told.closed_on, 2189))
    six_years = run_on(day(told.closed_on, 2191))

    assert (five_years["engagement_sessions"], six_years["engagement_sessions"]) == (0, 1)
    engagement = Engagement.objects.get(pk=told.pk)
    assert not Session.objects.filter(engagement=engagement).exists()
    assert (engagement.state, engagement.days_used, engagement.closed_on) == ("closed", told.days_used, told.closed_on)
    assert engagement.days_used > 0
    request = SupportRequest.objects.get(pk=engagement.request_id)
    assert (request.why_now, request.help_wanted, request.who_is_involved) == ("", "", "")
    assert Proposal.objects.get(request=request).introduction == ""
    assert Feedback.objects.get(engagement=engagement).usefulness == 4  # its session is gone, its score is not


def test_the_private_notes_go_first_a_year_after_closing(closed: Engagement) -> None:
    kept = run_on(day(closed.closed_on, 364))
    gone = run_on(day(closed.closed_on, 366))

    assert (kept["private_notes"], gone["private_notes"]) == (0, 1)
    assert not PrivateNote.objects.filter(engagement=closed).exists()
    assert Session.objects.filter(engagement=closed).exists()


def test_the_words_of_a_change_of_enabler_go_and_that_it_happened_stays(
    site_a: object, offer: object, site_lead: User, enabler: User, programme_lead: User
) -> None:
    engagement = start_engagement(ask_for_support(site_a, offer, site_lead), enabler, site_lead, programme_lead)
    revise_agreement(
        engagement=engagement, by=enabler, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    end_pairing(engagement=engagement, by=site_lead, words=CANARY)
    ended = Engagement.objects.get(pk=engagement.pk)
    run_on(day(ended.closed_on, 700))

    destroyed = run_on(day(ended.closed_on, 731))

    change = EnablerChange.objects.get(engagement=ended)
    assert (destroyed["change_words"], change.words, change.asked_by) == (1, "", None)
    assert change.words_removed_at is not None


# Records that go by their own dates ----------------------------------------------------------------------------


def test_a_planned_session_goes_a_year_after_its_time(closed: Engagement) -> None:
    planned_at = PlannedSession.objects.get(engagement=closed).starts_at

    kept = run_on(planned_at + datetime.timedelta(days=364))
    gone = run_on(planned_at + datetime.timedelta(days=366))

    assert (kept["planned_sessions"], gone["planned_sessions"]) == (0, 1)
    assert not PlannedSession.objects.exists()


def test_a_series_goes_when_none_of_it_is_left(engagement_a: Engagement, enabler: User, site_lead: User) -> None:
    revise_agreement(
        engagement=engagement_a, by=enabler, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement_a, by=enabler)
    confirm_agreement(engagement=engagement_a, by=site_lead)
    first = timezone.now() + datetime.timedelta(days=1)
    plan_series(
        engagement=engagement_a,
        by=enabler,
        first_starts_at=first,
        frequency="weekly",
        until=timezone.localdate(first) + datetime.timedelta(days=14),
        length=Decimal("1"),
        format="one-to-one",
        place="remote",
    )

    partway = run_on(first + datetime.timedelta(days=373))
    left_partway = (PlannedSession.objects.count(), SessionSeries.objects.count())
    run_on(first + datetime.timedelta(days=381))

    assert (partway["planned_sessions"], left_partway) == (2, (1, 1))
    assert (PlannedSession.objects.count(), SessionSeries.objects.count()) == (0, 0)


def test_a_withdrawn_request_keeps_its_row_for_the_figures_and_loses_its_words(
    site_a: object, offer: object, site_lead: User, enabler: User, programme_lead: User
) -> None:
    request = ask_for_support(site_a, offer, site_lead)
    proposal = propose_enablers(
        request=request,
        proposals=[ProposedEnabler(enabler.enabler_profile, CANARY, [])],
        by=programme_lead,
    )[0]
    ask_for_chemistry(request=request, proposals=[proposal], by=site_lead)
    withdraw_request(request=request, by=site_lead)
    withdrawn_at = SupportRequest.objects.get(pk=request.pk).decided_at

    kept = run_on(withdrawn_at + datetime.timedelta(days=729))
    gone = run_on(withdrawn_at + datetime.timedelta(days=731))

    assert (kept["requests_not_accepted"], gone["requests_not_accepted"]) == (0, 1)
    request.refresh_from_db()
    assert (request.state, request.why_now, request.help_wanted, request.who_is_involved) == ("withdrawn", "", "", "")
    assert Proposal.objects.get(pk=proposal.pk).introduction == ""
    assert not ChemistryConversation.objects.exists()  # its own year had passed too


def test_a_chemistry_conversation_goes_a_year_after_the_site_chose(
    site_a: object, offer: object, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    request = ask_for_support(site_a, offer, site_lead)
    proposals = propose_enablers(
        request=request,
        proposals=[
            ProposedEnabler(enabler.enabler_profile, "One", []),
            ProposedEnabler(other_enabler.enabler_profile, "Two", []),
        ],
        by=programme_lead,
    )
    ask_for_chemistry(request=request, proposals=proposals, by=site_lead)
    asked_at = ChemistryConversation.objects.first().asked_at
    still_choosing = run_on(asked_at + datetime.timedelta(days=400))
    choose_enabler(request=request, proposal=proposals[0], by=site_lead)

    chosen = run_on(asked_at + datetime.timedelta(days=400))

    assert (still_choosing["chemistry_conversations"], chosen["chemistry_conversations"]) == (0, 2)


def test_lesson_drafts_and_withdrawn_lessons_go_a_year_on_and_published_ones_stay(
    closed: Engagement, enabler: User, site_lead: User, themes: list[Theme]
) -> None:
    draft = Lesson.objects.get(engagement=closed)
    published = lesson_actions.draft_lesson(
        engagement=closed, by=enabler, title="Trust", body="Trust first.", audience="sites", themes=themes[:1]
    )
    withdrawn = lesson_actions.draft_lesson(
        engagement=closed, by=enabler, title="Pull", body="Ask when ready.", audience="sites", themes=themes[:1]
    )
    for lesson in (published, withdrawn):
        lesson_actions.approve_lesson(lesson=lesson, by=enabler, version=1)
        lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=100), tick=False):
        lesson_actions.withdraw_consent(lesson=withdrawn, by=site_lead)

    a_year = run_on(timezone.now() + datetime.timedelta(days=366))
    later = run_on(timezone.now() + datetime.timedelta(days=467))

    assert (a_year["lesson_drafts"], a_year["withdrawn_lessons"], later["withdrawn_lessons"]) == (1, 0, 1)
    assert list(Lesson.objects.values_list("pk", flat=True)) == [published.pk]
    assert not Lesson.objects.filter(pk=draft.pk).exists()


def test_access_records_notifications_and_audit_events_go_by_their_own_dates(closed: Engagement) -> None:
    Notification.objects.update(status=Notification.Status.SENT)
    events_before = AuditEvent.objects.count()

    kept = run_on(timezone.now() + datetime.timedelta(days=364))
    year = run_on(timezone.now() + datetime.timedelta(days=366))
    six_years = run_on(timezone.now() + datetime.timedelta(days=2191))

    assert (kept["access_records"], kept["notifications"], kept["audit_events"]) == (0, 0, 0)
    assert year["access_records"] == 1 and not AccessRecord.objects.exists()
    assert year["notifications"] > 0
    assert six_years["audit_events"] >= events_before
    assert not AuditEvent.objects.filter(at__lt=timezone.now() + datetime.timedelta(days=1)).exists()


def test_a_pending_notification_is_never_destroyed(closed: Engagement) -> None:
    pending = set(Notification.objects.filter(status=Notification.Status.PENDING).values_list("pk", flat=True))

    run_on(timezone.now() + datetime.timedelta(days=400))

    assert pending and pending <= set(Notification.objects.values_list("pk", flat=True))


# Legal holds --------------------------------------------------------------------------------------------------


def test_a_legal_hold_keeps_everything_of_the_engagement_and_its_peoples_names(
    closed: Engagement, administrator: User, enabler: User
) -> None:
    told = closed
    place_legal_hold(engagement=told, by=administrator, reason="A claim about the support, received by letter")
    User.objects.filter(pk=enabler.pk).update(is_active=False, deactivated_at=timezone.now())
    events = AuditEvent.objects.filter(target_id=told.pk, target_type__model="engagement").count()

    destroyed = run_on(day(told.closed_on, 3000))

    assert _left(told) == {
        "agreements": 1,
        "diagnostics": 1,
        "shares": 1,
        "shared notes": 1,
        "actions": 1,
        "sessions": 1,
    }
    assert PrivateNote.objects.filter(engagement=told).exists()
    assert Lesson.objects.filter(engagement=told).exists() and AccessRecord.objects.filter(engagement=told).exists()
    assert PlannedSession.objects.filter(engagement=told).exists()
    assert Feedback.objects.get(engagement=told).what_helped == CANARY
    assert AuditEvent.objects.filter(target_id=told.pk, target_type__model="engagement").count() == events
    assert User.objects.get(pk=enabler.pk).anonymised_at is None
    assert destroyed["deactivated_accounts"] == 0


def test_once_the_hold_is_lifted_the_schedule_applies_again(told: Engagement, administrator: User) -> None:
    from retention.actions import lift_legal_hold

    hold = place_legal_hold(engagement=told, by=administrator, reason="An investigation")
    run_on(day(told.closed_on, 800))
    lift_legal_hold(hold=hold, by=administrator)

    destroyed = run_on(day(told.closed_on, 801))

    assert destroyed["agreements"] == 1 and LegalHold.objects.get().lifted_at is not None
    verbs = set(AuditEvent.objects.filter(target_id=told.pk).values_list("verb", flat=True))
    assert {"placed a legal hold", "lifted a legal hold"} <= verbs


def test_only_an_administrator_places_a_hold_with_a_reason_and_only_one_at_a_time(
    closed: Engagement, administrator: User, programme_lead: User
) -> None:
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed, match="Only an administrator"):
        place_legal_hold(engagement=closed, by=programme_lead, reason="Because")
    with pytest.raises(NotAllowed, match="Say why"):
        place_legal_hold(engagement=closed, by=administrator, reason="   ")
    place_legal_hold(engagement=closed, by=administrator, reason="A claim")
    with pytest.raises(NotAllowed, match="held already"):
        place_legal_hold(engagement=closed, by=administrator, reason="Another")

    assert LegalHold.objects.count() == 1


# The report and the dry run ------------------------------------------------------------------------------------


def test_each_run_leaves_a_report_of_counts_and_an_audit_event_without_any_words(told: Engagement) -> None:
    with time_machine.travel(day(told.closed_on, 731), tick=False):
        run = apply_schedule()

    assert run.destroyed["agreements"] == 1 and run.finished_at is not None
    assert set(run.destroyed) == set(run.due_soon)
    event = AuditEvent.objects.get(verb="applied the retention schedule", target_id=run.pk)
    assert event.target == run and event.actor is None
    assert event.detail["destroyed"] == run.destroyed
    assert CANARY not in str(event.detail) and CANARY not in str(run.destroyed) + str(run.due_soon)


def test_the_report_counts_what_falls_due_in_the_next_thirty_days(told: Engagement) -> None:
    with time_machine.travel(day(told.closed_on, 710), tick=False):
        run = apply_schedule()

    assert run.destroyed["agreements"] == 0
    assert run.due_soon["agreements"] == 1 and run.due_soon["engagement_sessions"] == 0


def test_a_dry_run_counts_what_is_due_and_changes_nothing(told: Engagement) -> None:
    with time_machine.travel(day(told.closed_on, 731), tick=False):
        due = preview()
        after = preview()

    assert due.due["agreements"] == 1 and due.due["diagnostics"] == 1 and due.due["engagement_sessions"] == 0
    assert after.due == due.due and Agreement.objects.filter(engagement=told).exists()


def test_a_hold_placed_after_the_task_read_what_is_due_still_wins(told: Engagement, administrator: User) -> None:
    """The task reads a batch's ids, then locks their engagements and reads again: a hold placed in between (here,
    from inside that first read) keeps the records. On PostgreSQL the lock also waits for a hold being placed."""
    import dataclasses

    from retention.actions import _apply
    from retention.schedule import KINDS

    agreements = next(kind for kind in KINDS if kind.name == "agreements")
    reads = []

    def due_then_held(at: datetime.datetime, days: int) -> object:
        reads.append(at)
        if len(reads) == 2:  # after the ids were read, before the batch locks its engagements
            place_legal_hold(engagement=told, by=administrator, reason="Held while the task ran")
        return agreements.due(at, days)

    racing = dataclasses.replace(agreements, due=due_then_held)
    with time_machine.travel(day(told.closed_on, 731), tick=False):
        destroyed = _apply(racing, timezone.now(), 1000)

    assert destroyed == 0 and Agreement.objects.filter(engagement=told).exists() and len(reads) >= 3


def test_every_record_pointing_at_a_session_is_let_go_before_the_session_log_goes() -> None:
    """The session log goes in one DELETE (retention.schedule._destroy_sessions): whatever points at a session must be
    cleared first, so a new relation to Session fails here until the schedule handles it."""
    pointing = {
        f"{relation.related_model.__name__}.{relation.field.name}" for relation in Session._meta.related_objects
    }

    assert pointing == {"Action.session", "Feedback.session", "PlannedSession.session", "PrivateNote.session"}
