"""Reminders the day before a planned session, and the prompt to log or cancel one left open, with the clock frozen:
who gets them (the enabler and the invitees who want them, never the central team), what they say (never a note),
once each; and a planned session counts as activity for the nudges."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Notification, User
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.planning import cancel_planned_session
from engagements.actions.planning import send_session_reminders as send_session_reminders_at
from engagements.actions.sessions import log_session, nudge_if_quiet
from engagements.models import Engagement, PlannedSession, Session
from engagements.tasks import prompt_unlogged_sessions, send_session_reminders
from tests.helpers.engagements import DAY_BEFORE, PLANNED_ON, PRIVATE, STARTS, plan

LONDON = ZoneInfo("Europe/London")


def _reminded() -> set[str]:
    return set(Notification.objects.filter(kind="session reminder").values_list("recipient__email", flat=True))


def _active(engagement: Engagement, site_lead: User) -> Engagement:
    revise_agreement(
        engagement=engagement, by=site_lead, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement, by=engagement.enabler)
    confirm_agreement(engagement=engagement, by=site_lead)
    engagement.refresh_from_db()
    return engagement


def test_the_day_before_the_enabler_and_the_invitees_are_reminded_by_the_task(
    engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    planned = plan(engagement_a, [site_lead, site_member])

    with time_machine.travel(DAY_BEFORE, tick=False):
        reminded = send_session_reminders()

    assert reminded == 1
    assert _reminded() == {engagement_a.enabler.email, site_lead.email, site_member.email}
    planned.refresh_from_db()
    assert planned.reminder_sent_at == DAY_BEFORE


def test_two_days_before_and_on_the_day_no_reminder_is_sent(engagement_a: Engagement, site_lead: User) -> None:
    plan(engagement_a, [site_lead])

    with time_machine.travel(DAY_BEFORE - datetime.timedelta(days=1), tick=False):
        early = send_session_reminders()
    with time_machine.travel(STARTS - datetime.timedelta(hours=2), tick=False):
        on_the_day = send_session_reminders()

    assert (early, on_the_day) == (0, 0)
    assert _reminded() == set()


def test_tomorrow_is_tomorrow_in_london(engagement_a: Engagement, site_lead: User) -> None:
    """A session at 00:30 on 3 June in London is on 2 June in UTC: at 23:30 on 1 June (London) it is not tomorrow's
    yet, though it is in UTC; an hour later, in London, it is."""
    plan(engagement_a, [site_lead], starts_at=datetime.datetime(2026, 6, 3, 0, 30, tzinfo=LONDON))

    late_on_the_first = send_session_reminders_at(now=datetime.datetime(2026, 6, 1, 23, 30, tzinfo=LONDON))
    just_after_midnight = send_session_reminders_at(now=datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON))

    assert (late_on_the_first, just_after_midnight) == (0, 1)


def test_no_reminder_for_an_invitee_or_enabler_who_turned_them_off(
    engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    plan(engagement_a, [site_lead, site_member])
    User.objects.filter(pk__in=[site_member.pk, engagement_a.enabler_id]).update(session_reminders=False)

    with time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()

    assert _reminded() == {site_lead.email}


def test_a_programme_lead_is_never_reminded_even_if_invited(
    engagement_a: Engagement, site_lead: User, site_member: User, programme_lead: User
) -> None:
    planned = plan(engagement_a, [site_lead, site_member])
    planned.invitees.add(programme_lead)
    User.objects.filter(pk=site_member.pk).update(is_programme_lead=True)  # a member who joined the central team

    with time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()

    assert _reminded() == {engagement_a.enabler.email, site_lead.email}
    assert not Notification.objects.filter(kind="session reminder", recipient__is_programme_lead=True).exists()


def test_a_reminder_is_sent_once_however_often_the_task_runs(engagement_a: Engagement, site_lead: User) -> None:
    plan(engagement_a, [site_lead])

    with time_machine.travel(DAY_BEFORE, tick=False):
        first = send_session_reminders()
    with time_machine.travel(DAY_BEFORE + datetime.timedelta(hours=1), tick=False):
        again = send_session_reminders()

    assert (first, again) == (1, 0)
    assert Notification.objects.filter(kind="session reminder").count() == 2  # the enabler and the site's lead


def test_no_reminder_for_a_cancelled_or_logged_session(engagement_a: Engagement, site_lead: User) -> None:
    cancelled = plan(engagement_a, [site_lead])
    logged = plan(engagement_a, [site_lead], starts_at=STARTS + datetime.timedelta(hours=3))
    with time_machine.travel(PLANNED_ON, tick=False):
        cancel_planned_session(planned=cancelled, by=engagement_a.enabler)
    session = Session.objects.create(
        engagement=engagement_a,
        held_on=STARTS.date(),
        hours=Decimal("1"),
        format="one-to-one",
        place="on-site",
        logged_by=engagement_a.enabler,
    )
    PlannedSession.objects.filter(pk=logged.pk).update(session=session)

    with time_machine.travel(DAY_BEFORE, tick=False):
        reminded = send_session_reminders()

    assert reminded == 0
    assert _reminded() == set()


def test_the_reminder_says_when_and_where_and_never_a_note(
    engagement_a: Engagement, site_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    with time_machine.travel(PLANNED_ON - datetime.timedelta(days=7), tick=False):
        log_session(
            engagement=engagement_a,
            by=engagement_a.enabler,
            held_on=(PLANNED_ON - datetime.timedelta(days=7)).date(),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="",
            private_note=PRIVATE,
        )
    plan(engagement_a, [site_lead], place="online", address="", meeting_link="https://meet.example.test/abc")
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DAY_BEFORE, tick=False):
        send_session_reminders()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([site_lead.email, engagement_a.enabler.email])
    for message in mail.outbox:
        text = message.subject + message.body + "".join(str(part[0]) for part in message.alternatives)
        assert "3 June 2026" in text and "14:30" in text and "1.5 hours" in text
        assert "https://meet.example.test/abc" in text
        assert "One-to-one" in text
        assert reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}) in message.body
        assert PRIVATE not in text and "Worried" not in text


def test_a_session_left_open_two_days_prompts_its_enabler_only_once(
    engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    planned = plan(engagement_a, [site_lead, site_member])

    with time_machine.travel(STARTS + datetime.timedelta(days=1, hours=23), tick=False):
        too_soon = prompt_unlogged_sessions()
    with time_machine.travel(STARTS + datetime.timedelta(days=2, hours=1), tick=False):
        prompted = prompt_unlogged_sessions()
    with time_machine.travel(STARTS + datetime.timedelta(days=5), tick=False):
        again = prompt_unlogged_sessions()

    assert (too_soon, prompted, again) == (0, 1, 0)
    prompt = Notification.objects.get(kind="planned session prompt")
    assert prompt.recipient == engagement_a.enabler
    assert "Was this session held? Log it, or cancel it" in prompt.body
    url = reverse("engagements:session_create", kwargs={"pk": engagement_a.pk})
    assert prompt.link == f"{url}?planned={planned.pk}"
    planned.refresh_from_db()
    assert planned.prompt_sent_at is not None


def test_a_logged_or_cancelled_session_brings_no_prompt(engagement_a: Engagement, site_lead: User) -> None:
    logged = plan(engagement_a, [site_lead])
    cancelled = plan(engagement_a, [site_lead], starts_at=STARTS + datetime.timedelta(hours=3))
    with time_machine.travel(STARTS + datetime.timedelta(hours=2), tick=False):
        log_session(
            engagement=engagement_a,
            by=engagement_a.enabler,
            held_on=STARTS.date(),
            length=Decimal("1.5"),
            format="one-to-one",
            place="on-site",
            participants="",
            planned=logged,
        )
    with time_machine.travel(PLANNED_ON, tick=False):
        cancel_planned_session(planned=cancelled, by=engagement_a.enabler)

    with time_machine.travel(STARTS + datetime.timedelta(days=3), tick=False):
        prompted = prompt_unlogged_sessions()

    assert prompted == 0
    assert not Notification.objects.filter(kind="planned session prompt").exists()


@pytest.mark.parametrize(("plans", "nudged"), [(True, False), (False, True)])
def test_a_planned_session_is_activity_so_the_engagement_is_not_nudged(
    engagement_a: Engagement, site_lead: User, plans: bool, nudged: bool
) -> None:
    with time_machine.travel(PLANNED_ON - datetime.timedelta(days=20), tick=False):
        engagement = _active(engagement_a, site_lead)
    if plans:
        plan(engagement, [site_lead], starts_at=PLANNED_ON + datetime.timedelta(days=10))

    with time_machine.travel(PLANNED_ON + datetime.timedelta(days=1), tick=False):
        result = nudge_if_quiet(engagement=engagement, today=(PLANNED_ON + datetime.timedelta(days=1)).date())

    assert result is nudged
    assert Notification.objects.filter(kind="nudge").exists() is nudged


def test_beat_runs_the_reminders_through_the_day_and_the_prompts_daily(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]

    reminders, prompts = schedule["send-session-reminders"], schedule["prompt-unlogged-sessions"]

    assert reminders["task"] == send_session_reminders.name == "engagements.tasks.send_session_reminders"
    assert prompts["task"] == prompt_unlogged_sessions.name == "engagements.tasks.prompt_unlogged_sessions"
    assert reminders["schedule"].hour == set(range(7, 22)) and reminders["schedule"].minute == {5}
    assert len(prompts["schedule"].hour) == 1
