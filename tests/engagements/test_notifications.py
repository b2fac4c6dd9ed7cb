from __future__ import annotations

import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification, User
from accounts.tasks import MAX_ATTEMPTS, deliver_notification, message_id, retry_delay, sweep_outbox
from engagements.models import Offer, SupportRequest
from engagements.tasks import remind_waiting_requests
from engagements.working_days import working_days_between
from sites.models import Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for


def test_each_person_sees_their_own_notifications_in_the_app(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User
) -> None:
    ask_for_support(site_a, offer, site_lead)

    mine = client_for(programme_lead).get(reverse("accounts:notification_list"))
    theirs = client_for(enabler).get(reverse("accounts:notification_list"))

    assert "Ashvale has asked for support" in mine.content.decode()
    assert "Ashvale has asked for support" not in theirs.content.decode()
    assert Notification.objects.get(recipient=programme_lead).read_at is not None


def test_a_request_is_saved_when_the_queue_is_down(
    site_a: Site,
    offer: Offer,
    site_lead: User,
    programme_lead: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(deliver_notification, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(site_lead).post(
            reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}),
            {"offer": offer.pk, "why_now": "Ready.", "help_wanted": "Coaching.", "who_is_involved": "The board."},
        )

    assert response.status_code == 302
    assert SupportRequest.objects.count() == 1
    assert Notification.objects.get(recipient=programme_lead).status == Notification.Status.PENDING


def test_delivering_twice_sends_once(site_a: Site, offer: Offer, site_lead: User, programme_lead: User) -> None:
    ask_for_support(site_a, offer, site_lead)  # not delivered: on_commit does not run inside the test transaction
    notification = Notification.objects.get(recipient=programme_lead)

    results = [deliver_notification.apply(args=[notification.pk]).get() for _ in range(2)]

    assert results == ["sent", "skipped"]
    assert len(mail.outbox) == 1


def test_a_failed_delivery_is_recorded_and_due_again_later_until_the_last_try(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask_for_support(site_a, offer, site_lead)
    notification = Notification.objects.get(recipient=programme_lead)

    def refuse(*args: object, **kwargs: object) -> None:
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("accounts.tasks.EmailMultiAlternatives.send", refuse)
    first = deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()
    after_first = (notification.status, notification.attempts, notification.next_attempt_at - timezone.now())
    results = [deliver_notification.apply(args=[notification.pk]).get() for _ in range(MAX_ATTEMPTS - 1)]

    notification.refresh_from_db()
    assert first == "will retry"
    assert after_first[:2] == (Notification.Status.PENDING, 1)
    assert datetime.timedelta(seconds=25) < after_first[2] <= datetime.timedelta(seconds=30)
    assert "the mail server went away" in notification.last_error
    assert results[-1] == "failed" and notification.attempts == MAX_ATTEMPTS
    assert notification.status == Notification.Status.FAILED  # an administrator can retry it from the admin


def test_every_try_of_one_notification_carries_the_same_message_id(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User
) -> None:
    """A copy sent again after an uncertain outcome (the mail server accepted it, then the worker or the database
    went before it was marked sent) carries the first copy's Message-ID, so a mail system can tell it is the same."""
    ask_for_support(site_a, offer, site_lead)
    notification = Notification.objects.get(recipient=programme_lead)
    other = Notification.objects.create(recipient=enabler, kind="test", subject="Another", body="Another message.")

    deliver_notification.apply(args=[notification.pk]).get()
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PENDING)  # as if not recorded
    deliver_notification.apply(args=[notification.pk]).get()
    deliver_notification.apply(args=[other.pk]).get()

    first, again, another = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == again == message_id(notification)
    assert another != first
    assert first.startswith(f"<notification-{notification.pk}.") and first.endswith(">")


def test_a_delivery_that_loses_its_database_is_tried_again_at_once_and_sends_once(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL restart: the delivery task fails on OperationalError and is retried with a short back-off,
    rather than acknowledged and left for the sweeper a minute later."""
    ask_for_support(site_a, offer, site_lead)
    notification = Notification.objects.get(recipient=programme_lead)
    real = Notification.objects.select_for_update
    failures = iter([OperationalError("the database system is shutting down")])

    def restarting(*args: object, **kwargs: object) -> object:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(Notification.objects, "select_for_update", restarting)
    with pytest.raises(Retry) as retried:  # run inline, the retry is raised rather than queued
        deliver_notification.apply(args=[notification.pk])
    assert retried.value.when == 1  # again in one second
    assert not mail.outbox
    again = deliver_notification.apply(args=[notification.pk], retries=1)

    notification.refresh_from_db()
    assert again.get() == "sent"
    assert notification.status == Notification.Status.SENT and len(mail.outbox) == 1
    assert deliver_notification.autoretry_for == (OperationalError, InterfaceError)
    assert deliver_notification.retry_backoff_max <= 16  # seconds, not the sweeper's minute


def test_rows_not_handed_over_while_the_broker_is_away_are_due_at_once(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the first sweep after the broker answers again (the worker asks for one as it reconnects) sends
    them, instead of waiting out their grace period as well."""
    ask_for_support(site_a, offer, site_lead)
    Notification.objects.create(recipient=programme_lead, kind="test", subject="Another", body="Another message.")
    rows = list(Notification.objects.filter(recipient=programme_lead).order_by("pk").values_list("pk", flat=True))
    later = timezone.now() + datetime.timedelta(minutes=1)
    Notification.objects.filter(pk__in=rows).update(next_attempt_at=later)
    refused = []
    monkeypatch.setattr("accounts.notifications.enqueue_delivery", lambda pk: refused.append(pk) or False)
    monkeypatch.setattr("accounts.notifications.connection.close", lambda: None)  # the test's own connection

    notifications._publish_all(rows)

    assert refused == rows[:1]  # one refusal, not one for each row
    due = Notification.objects.filter(pk__in=rows).values_list("next_attempt_at", flat=True)
    assert all(when <= timezone.now() for when in due)
    assert sweep_outbox.apply().get() == 2


def test_a_worker_asks_for_a_sweep_each_time_it_connects_to_the_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.celery import SweepOutboxOnConnect, app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, *args, **kwargs: sent.append(name))
    step = SweepOutboxOnConnect(parent=None)
    step.start(None)
    step.start(None)  # the consumer starts its steps again after it reconnects

    assert sent == ["accounts.tasks.sweep_outbox"] * 2
    assert SweepOutboxOnConnect in app.steps["consumer"]


def test_back_off_doubles_to_at_most_an_hour(settings: object) -> None:
    settings.OUTBOX_RETRY_BASE = 30

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 10)] == [30, 60, 120, 240, 3600]


def test_the_sweeper_hands_over_only_pending_rows_that_are_due(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, enabler: User
) -> None:
    ask_for_support(site_a, offer, site_lead)  # on_commit does not run in the test's transaction: never handed over
    waiting = Notification.objects.get(recipient=programme_lead)
    Notification.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    not_yet = Notification.objects.create(recipient=enabler, kind="test", subject="Later", body="Not due yet.")
    Notification.objects.filter(pk=not_yet.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    handed_over = sweep_outbox.apply().get()

    waiting.refresh_from_db()
    not_yet.refresh_from_db()
    assert handed_over == 1
    assert waiting.status == Notification.Status.SENT
    assert not_yet.status == Notification.Status.PENDING
    assert [message.subject for message in mail.outbox] == [waiting.subject]


def test_a_new_notification_is_due_for_the_sweeper_only_after_a_grace_period(
    site_a: Site, offer: Offer, site_lead: User, programme_lead: User, settings: object
) -> None:
    settings.OUTBOX_SWEEP_AFTER = 60
    before = timezone.now()

    ask_for_support(site_a, offer, site_lead)

    due = Notification.objects.get(recipient=programme_lead).next_attempt_at
    assert before + datetime.timedelta(seconds=59) <= due <= timezone.now() + datetime.timedelta(seconds=60)
    assert sweep_outbox.apply().get() == 0


def test_the_sweeper_runs_on_beat(settings: object) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["sweep-outbox"]["task"] == "accounts.tasks.sweep_outbox"


def test_working_days_leave_out_weekends() -> None:
    friday = datetime.date(2026, 11, 20)

    assert working_days_between(friday, datetime.date(2026, 11, 23)) == 1  # to Monday
    assert working_days_between(friday, datetime.date(2026, 12, 4)) == 10
    assert working_days_between(friday, friday) == 0


def test_requests_waiting_more_than_10_working_days_are_raised_once(
    site_a: Site,
    site_b: Site,
    offer: Offer,
    site_lead: User,
    other_site_lead: User,
    programme_lead: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    old = ask_for_support(site_a, offer, site_lead)
    SupportRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=21))
    ask_for_support(site_b, offer, other_site_lead)  # new: not yet
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        first = remind_waiting_requests()
        second = remind_waiting_requests()

    assert (first, second) == (1, 0)
    assert [message.to for message in mail.outbox] == [[programme_lead.email]]
    assert "Ashvale has waited" in mail.outbox[0].subject
