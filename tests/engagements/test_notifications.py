from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.tasks import MAX_ATTEMPTS, deliver_notification, retry_delay, sweep_outbox
from engagements.models import Offer, SupportRequest
from engagements.tasks import remind_waiting_requests
from engagements.working_days import working_days_between
from sites.models import Site
from tests.conftest import ask_for_support, client_for


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

    monkeypatch.setattr("accounts.tasks.send_mail", refuse)
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
