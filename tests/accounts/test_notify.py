"""E-mail through GOV.UK Notify, against a fake Notify run as its own process (tests/fake_notify): what is sent, what a
refusal means, how a try after an uncertain outcome avoids a second copy, and what a delivery receipt changes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.notify import UNANSWERED_KEY, reference
from accounts.tasks import MAX_ATTEMPTS, deliver_notification
from tests.fake_notify.fixtures import CALLBACK_TOKEN, TEMPLATE_ID, FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.processes import ROOT


@pytest.fixture
def through_notify(fake_notify: FakeNotify, settings: object) -> FakeNotify:
    fake_notify.configure(settings)
    return fake_notify


def _notification(person: User, subject: str = "Your request was answered") -> Notification:
    return Notification.objects.create(
        recipient=person, kind="test", subject=subject, body="Open Alongside to read it.", link="/requests/1/"
    )


def _receipt(notification: Notification, status: str, *, token: str = CALLBACK_TOKEN) -> object:
    return Client().post(
        reverse("accounts:notify_receipt"),
        json.dumps({"id": notification.provider_id, "reference": reference(notification), "status": status}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_an_email_goes_through_notify_with_its_reference_and_is_recorded_once(
    through_notify: FakeNotify, site_lead: User
) -> None:
    notification = _notification(site_lead)

    results = [deliver_notification.apply(args=[notification.pk]).get() for _ in range(2)]

    notification.refresh_from_db()
    (message,) = through_notify.messages()
    assert results == ["sent", "skipped"]
    assert (
        message["reference"]
        == reference(notification)
        == f"alongside-{notification.pk}-" + (f"{notification.created_at:%Y%m%d%H%M%S}")
    )
    assert message["email_address"] == site_lead.email and message["template_id"] == TEMPLATE_ID
    assert message["personalisation"]["subject"] == "Your request was answered"
    assert message["personalisation"]["body"].startswith("Open Alongside to read it.")
    assert message["personalisation"]["body"].rstrip().endswith("/requests/1/")
    assert (notification.status, notification.provider_id) == (Notification.Status.SENT, message["id"])


@pytest.mark.parametrize("answer", ["429", "500"])
def test_a_rate_limit_or_a_server_error_is_tried_again_with_the_back_off(
    through_notify: FakeNotify, site_lead: User, answer: str
) -> None:
    notification = _notification(site_lead)
    through_notify.answers(answer)

    first = deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()
    assert first == "will retry"
    assert (notification.status, notification.attempts, notification.sending_since) == ("pending", 1, None)
    assert f"GOV.UK Notify answered {answer}" in notification.last_error

    assert deliver_notification.apply(args=[notification.pk]).get() == "sent"
    assert len(through_notify.messages()) == 1


def test_a_bad_request_is_a_permanent_failure_shown_to_administrators(
    through_notify: FakeNotify, site_lead: User, administrator: User
) -> None:
    from tests.helpers.people import client_for

    notification = _notification(site_lead)
    through_notify.answers("400")

    assert deliver_notification.apply(args=[notification.pk]).get() == "failed"

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED and notification.attempts == 1
    listed = client_for(administrator).get(reverse("admin:accounts_notification_changelist") + "?status__exact=failed")
    shown = client_for(administrator).get(reverse("admin:accounts_notification_change", args=[notification.pk]))
    assert listed.status_code == 200 and f"/{notification.pk}/change/" in listed.content.decode()
    assert "GOV.UK Notify answered 400" in shown.content.decode()


def test_after_an_uncertain_answer_notify_is_asked_first_and_no_second_copy_is_sent(
    through_notify: FakeNotify, site_lead: User, settings: object
) -> None:
    """Notify kept the message and then did not answer: the try cannot know. The next one asks Notify for the
    reference, finds the message, and records it without sending again."""
    settings.OUTBOX_SWEEP_AFTER = 0  # the next try is not kept waiting for the first's claim to run out
    notification = _notification(site_lead)
    through_notify.answers("accept-then-hang")

    assert deliver_notification.apply(args=[notification.pk]).get() == "will retry"
    notification.refresh_from_db()
    assert notification.sending_since is not None and notification.status == "pending"

    assert deliver_notification.apply(args=[notification.pk]).get() == "found at Notify"
    notification.refresh_from_db()
    (message,) = through_notify.messages()
    assert (notification.status, notification.provider_id) == (Notification.Status.SENT, message["id"])


def test_a_try_that_finds_the_row_being_handed_over_leaves_it(through_notify: FakeNotify, site_lead: User) -> None:
    from django.utils import timezone

    notification = _notification(site_lead)
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now())

    assert deliver_notification.apply(args=[notification.pk]).get() == "skipped"
    assert through_notify.messages() == []


def test_receipts_mark_delivered_and_a_wrong_address_fails_for_good(
    through_notify: FakeNotify, site_lead: User
) -> None:
    delivered, bounced = _notification(site_lead, "Delivered one"), _notification(site_lead, "Bounced one")
    for notification in (delivered, bounced):
        deliver_notification.apply(args=[notification.pk]).get()
        notification.refresh_from_db()

    assert _receipt(delivered, "delivered").json() == {"done": "delivered"}
    assert _receipt(bounced, "permanent-failure").json() == {"done": "failed"}

    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert delivered.delivery == "delivered" and delivered.delivered_at is not None
    assert (bounced.delivery, bounced.status) == ("permanent-failure", Notification.Status.FAILED)
    assert "address is wrong" in bounced.last_error


def test_a_temporary_failure_sends_again_after_the_back_off(through_notify: FakeNotify, site_lead: User) -> None:
    notification = _notification(site_lead)
    deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()
    through_notify.set_status(notification.provider_id, "temporary-failure")

    assert _receipt(notification, "temporary-failure").json() == {"done": "will retry"}
    notification.refresh_from_db()
    assert notification.status == "pending" and notification.provider_id == ""

    assert deliver_notification.apply(args=[notification.pk]).get() == "sent"
    assert len(through_notify.messages()) == 2 and notification.attempts < MAX_ATTEMPTS


def test_a_receipt_with_a_wrong_token_or_for_an_unknown_message_changes_nothing(
    through_notify: FakeNotify, site_lead: User, caplog: pytest.LogCaptureFixture
) -> None:
    notification = _notification(site_lead)
    deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()

    wrong_token = _receipt(notification, "delivered", token="not-the-token")
    no_token = Client().post(reverse("accounts:notify_receipt"), "{}", content_type="application/json")
    foreign = Client().post(
        reverse("accounts:notify_receipt"),
        json.dumps({"id": "0f0e", "reference": "another-service-1", "status": "delivered"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}",
    )
    garbled = Client().post(
        reverse("accounts:notify_receipt"),
        "not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}",
    )

    notification.refresh_from_db()
    assert (wrong_token.status_code, no_token.status_code) == (401, 401)
    assert foreign.status_code == 200 and foreign.json() == {"done": "ignored"}
    assert garbled.status_code == 400
    assert notification.delivery == ""
    assert any("does not know was ignored" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({"NOTIFY_API_KEY": "too-short"}, "is not a GOV.UK Notify API key"),
        (
            {"NOTIFY_API_KEY": "name-" + "a" * 36 + "-" + "b" * 36, "NOTIFY_CALLBACK_TOKEN": "t"},
            "NOTIFY_EMAIL_TEMPLATE_ID is not",
        ),
        (
            {"NOTIFY_API_KEY": "name-" + "a" * 36 + "-" + "b" * 36, "NOTIFY_EMAIL_TEMPLATE_ID": TEMPLATE_ID},
            "NOTIFY_CALLBACK_TOKEN is not",
        ),
    ],
)
def test_a_missing_notify_setting_stops_alongside_at_start_with_one_line(environment: dict, says: str) -> None:
    import os

    env = {**os.environ, "SECRET_KEY": "alongside-tests-only", **environment}
    run = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert run.returncode != 0
    assert says in run.stderr and "Alongside will not start" in run.stderr


def test_a_wrong_address_is_told_to_the_person_in_the_app_and_listed_for_the_administrator(
    through_notify: FakeNotify, site_lead: User, administrator: User
) -> None:
    from tests.helpers.people import client_for

    notification = _notification(site_lead, "A message that bounced")
    deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()
    _receipt(notification, "permanent-failure")

    page = client_for(site_lead).get(reverse("accounts:notification_list")).content.decode()
    admin = client_for(administrator).get(
        reverse("admin:accounts_notification_changelist") + "?delivery__exact=permanent-failure"
    )

    assert "E-mail to you is not arriving" in page and "not e-mailed, the address is wrong" in page
    assert site_lead.email in page
    assert f"/{notification.pk}/change/" in admin.content.decode()
    assert "Not delivered: the address is wrong" in admin.content.decode()


def test_a_calendar_invitation_cannot_go_through_notify_so_the_email_points_to_the_calendar_feed(
    through_notify: FakeNotify, site_lead: User
) -> None:
    notification = Notification.objects.create(
        recipient=site_lead,
        kind="session planned",
        subject="A session is planned",
        body="A session is planned for 3 December 2026 at 10:00.",
        calendar="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
    )

    deliver_notification.apply(args=[notification.pk]).get()

    (message,) = through_notify.messages()
    assert "BEGIN:VCALENDAR" not in json.dumps(message)
    assert "Your sessions in your calendar" in message["personalisation"]["body"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested too deep for the parser: a RecursionError, not a 500
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"id": "\xff\xfe", "reference": "alongside-1-2", "status": "delivered"}',  # not UTF-8
        b'["alongside-1-2", "an-id", "delivered"]',
        b'"a string"',
        b"42",
        b'{"id": {"nested": 1}, "reference": "alongside-1-2", "status": "delivered"}',
        b'{"id": "an-id", "reference": ["alongside-1-2"], "status": "delivered"}',
        b'{"id": "an-id", "reference": "alongside-1-2"}',
    ],
)
def test_a_receipt_that_cannot_be_read_is_answered_400_whatever_it_holds(
    through_notify: FakeNotify, body: bytes
) -> None:
    response = Client().post(
        reverse("accounts:notify_receipt"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}",
    )

    assert response.status_code == 400


def _receipt_before_the_answer(monkeypatch: pytest.MonkeyPatch, status: str) -> None:
    """Notify sends its receipt before the worker has recorded Notify's answer (a slow answer, or a worker killed
    just after Notify accepted the message): the receipt is posted while the row is still being handed over."""
    from accounts import notify

    send = notify.send_email

    def send_and_receipt_at_once(notification: Notification, body: str) -> str:
        provider_id = send(notification, body)
        Client().post(
            reverse("accounts:notify_receipt"),
            json.dumps({"id": provider_id, "reference": reference(notification), "status": status}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}",
        )
        return provider_id

    monkeypatch.setattr(notify, "send_email", send_and_receipt_at_once)


def test_a_delivery_receipt_that_comes_before_the_row_is_marked_sent_is_kept(
    through_notify: FakeNotify, site_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _notification(site_lead)
    _receipt_before_the_answer(monkeypatch, "delivered")

    deliver_notification.apply(args=[notification.pk]).get()

    notification.refresh_from_db()
    (message,) = through_notify.messages()
    assert (notification.status, notification.provider_id) == (Notification.Status.SENT, message["id"])
    assert notification.delivery == "delivered" and notification.delivered_at is not None


def test_a_permanent_failure_that_comes_before_the_row_is_marked_sent_is_not_lost(
    through_notify: FakeNotify, site_lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _notification(site_lead)
    _receipt_before_the_answer(monkeypatch, "permanent-failure")

    deliver_notification.apply(args=[notification.pk]).get()

    notification.refresh_from_db()
    assert (notification.status, notification.delivery) == (Notification.Status.FAILED, "permanent-failure")


def test_a_receipt_for_a_row_whose_worker_was_lost_after_notify_accepted_marks_it_sent(
    through_notify: FakeNotify, site_lead: User
) -> None:
    """The worker was killed after Notify accepted the message: the row is still claimed, with no id."""
    from django.utils import timezone

    notification = _notification(site_lead)
    Notification.objects.filter(pk=notification.pk).update(sending_since=timezone.now())
    notification.refresh_from_db()
    notification.provider_id = "6b7f3c1e-2a4d-4e8f-9b0a-1c2d3e4f5a6b"

    answer = _receipt(notification, "delivered")

    notification.refresh_from_db()
    assert answer.json() == {"done": "delivered"}
    assert (notification.status, notification.delivery) == (Notification.Status.SENT, "delivered")
    assert notification.provider_id == "6b7f3c1e-2a4d-4e8f-9b0a-1c2d3e4f5a6b" and notification.sending_since is None
    assert deliver_notification.apply(args=[notification.pk]).get() == "skipped"
    assert through_notify.messages() == []


def test_a_receipt_naming_a_row_never_handed_to_notify_changes_nothing(
    through_notify: FakeNotify, site_lead: User
) -> None:
    notification = _notification(site_lead)
    notification.provider_id = "6b7f3c1e-2a4d-4e8f-9b0a-1c2d3e4f5a6b"

    answer = _receipt(notification, "delivered")

    notification.refresh_from_db()
    assert answer.json() == {"done": "ignored"}
    assert (notification.status, notification.delivery) == (Notification.Status.PENDING, "")


@pytest.fixture
def with_a_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, float]]]:
    """Deliveries as a worker runs them, with a broker (not inline), and what they hand over again kept here."""
    from config import celery_app

    handed_over: list[tuple[int, float]] = []

    def enqueue(notification_id: int, *, countdown: float = 0) -> bool:
        handed_over.append((notification_id, countdown))
        return True

    monkeypatch.setattr("accounts.tasks.enqueue_delivery", enqueue)
    celery_app.conf.task_always_eager = False
    cache.delete(UNANSWERED_KEY)
    try:
        yield handed_over
    finally:
        celery_app.conf.task_always_eager = True  # as tests/conftest.py set it
        cache.delete(UNANSWERED_KEY)


def test_after_notify_left_a_send_unanswered_the_next_sends_wait_instead_of_holding_a_worker(
    through_notify: FakeNotify, site_lead: User, with_a_broker: list[tuple[int, float]], settings: object
) -> None:
    hung, waiting = _notification(site_lead, "Hung"), _notification(site_lead, "Waiting")
    through_notify.answers("hang")  # the first send hears nothing; the next would be accepted, if it were asked

    first = deliver_notification.apply(args=[hung.pk]).get()
    second = deliver_notification.apply(args=[waiting.pk]).get()

    waiting.refresh_from_db()
    assert (first, second) == ("will retry", "waiting for Notify")
    assert through_notify.messages() == []
    assert (waiting.status, waiting.attempts, waiting.sending_since) == (Notification.Status.PENDING, 0, None)
    (countdown,) = [countdown for pk, countdown in with_a_broker if pk == waiting.pk]
    assert 0 < countdown <= settings.NOTIFY_PAUSE_SECONDS


def test_once_the_pause_after_an_unanswered_send_is_over_sends_ask_notify_again(
    through_notify: FakeNotify, site_lead: User, with_a_broker: list[tuple[int, float]], settings: object
) -> None:
    from django.utils import timezone

    hung, waiting = _notification(site_lead, "Hung"), _notification(site_lead, "Waiting")
    through_notify.answers("hang")
    deliver_notification.apply(args=[hung.pk]).get()
    cache.set(UNANSWERED_KEY, (timezone.now() - timedelta(seconds=1)).timestamp())  # the pause has run out

    result = deliver_notification.apply(args=[waiting.pk]).get()

    assert result == "sent"
    assert [message["personalisation"]["subject"] for message in through_notify.messages()] == ["Waiting"]


def test_notify_is_given_a_few_seconds_to_answer_by_default() -> None:
    import os

    env = {key: value for key, value in os.environ.items() if key != "NOTIFY_TIMEOUT"}
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.NOTIFY_TIMEOUT)"],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "alongside-tests-only"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert 0 < float(run.stdout) <= 5, run.stderr


def test_a_send_notify_left_unanswered_is_tried_again_after_its_back_off_not_left_for_later_sweeps(
    through_notify: FakeNotify, site_lead: User, with_a_broker: list[tuple[int, float]], settings: object
) -> None:
    """The try that heard nothing is over: the next one (handed over when the back-off ends) asks Notify for the
    reference and sends, rather than taking the row for one still being handed over and leaving it."""
    notification = _notification(site_lead)
    through_notify.answers("hang")

    first = deliver_notification.apply(args=[notification.pk]).get()
    notification.refresh_from_db()
    handed_over_again = [countdown for pk, countdown in with_a_broker if pk == notification.pk]
    cache.delete(UNANSWERED_KEY)  # the pause is over by the time the back-off is
    again = deliver_notification.apply(args=[notification.pk]).get()

    assert (first, again) == ("will retry", "sent")
    assert handed_over_again == [settings.NOTIFY_PAUSE_SECONDS]  # a first hang is tried again soon
    assert len(through_notify.messages()) == 1
