"""The security log: log-ins, failures, lockouts, denials and admin actions are logged as structured events, and no
log line ever holds a password, a note, a session key, a CSRF token, a feed token or an e-mail address."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from time_machine import TimeMachineFixture

from accounts.models import AuditEvent, User
from accounts.security_log import LOCKED_OUT_VERB, email_hash
from config.logging import JsonFormatter, PlainFormatter
from engagements.actions.sessions import turn_on_calendar_feed
from engagements.notes import PrivateNote
from lessons.models import Theme
from tests.helpers.people import PASSWORD, client_for
from tests.helpers.sweeps import QUIET_FOR_PRIVACY

WRONG_PASSWORD = "not-the-password-of-anyone"


@pytest.mark.parametrize("name", QUIET_FOR_PRIVACY)
def test_loggers_that_quote_page_contexts_or_sql_never_write_debug_lines(name: str) -> None:
    django_logger = logging.getLogger("django")
    previous = django_logger.level
    django_logger.setLevel(logging.DEBUG)  # someone debugging Django itself
    try:
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
    finally:
        django_logger.setLevel(previous)


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "event", None) == event]


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record as production writes it (JSON), and as a developer's terminal shows it (plain)."""
    return [formatter.format(record) for record in caplog.records for formatter in (JsonFormatter(), PlainFormatter())]


def _post(client: Client, url: str, data: dict[str, str]) -> HttpResponse:
    """A form submitted as a browser does, with the CSRF token from the cookie (the client enforces CSRF here)."""
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_a_whole_journey_is_logged_as_events_without_a_single_secret(
    objects: dict, every_log_record: pytest.LogCaptureFixture
) -> None:
    enabler, administrator = objects["enabler"], objects["administrator"]
    engagement, other_site_engagement = objects["engagement_a"], objects["engagement_b"]
    note_text = f"private-note-{uuid.uuid4().hex}"
    session_note_text = f"session-note-{uuid.uuid4().hex}"
    secrets: set[str] = {PASSWORD, WRONG_PASSWORD, note_text, session_note_text, enabler.email, administrator.email}
    client = Client(enforce_csrf_checks=True)
    login = reverse("accounts:login")
    client.get(login)
    secrets.add(client.cookies["csrftoken"].value)

    wrong = _post(client, login, {"username": enabler.email, "password": WRONG_PASSWORD})
    right = _post(client, login, {"username": enabler.email, "password": PASSWORD})
    secrets |= {client.cookies["sessionid"].value, client.cookies["csrftoken"].value}
    note = _post(client, reverse("engagements:private_note_create", kwargs={"pk": engagement.pk}), {"text": note_text})
    session = _post(
        client,
        reverse("engagements:session_create", kwargs={"pk": engagement.pk}),
        {
            "held_on_day": "3",
            "held_on_month": "11",
            "held_on_year": "2026",
            "length": "1",
            "format": "one-to-one",
            "place": "remote",
            "private_note": session_note_text,
        },
    )
    own_notes = client.get(reverse("engagements:private_note_list", kwargs={"pk": engagement.pk}))
    revoked_token, feed_token = objects["feed_token"], turn_on_calendar_feed(user=enabler).token
    secrets |= {revoked_token, feed_token}
    feed = client.get(reverse("engagements:calendar_feed", kwargs={"token": feed_token}))
    revoked_feed = client.get(reverse("engagements:calendar_feed", kwargs={"token": revoked_token}))
    other_site = client.get(reverse("engagements:engagement_detail", kwargs={"pk": other_site_engagement.pk}))
    admin = client_for(administrator)
    secrets.add(admin.cookies["sessionid"].value)
    theme = Theme.objects.order_by("pk").first()
    admin_change = admin.post(
        reverse("admin:lessons_theme_change", args=[theme.pk]),
        {"name": theme.name, "slug": theme.slug, "description": "Changed by an administrator", "_save": "Save"},
    )
    logout = _post(client, reverse("accounts:logout"), {})

    assert [wrong.status_code, right.status_code, note.status_code, session.status_code] == [200, 302, 302, 302]
    assert note_text in own_notes.content.decode()  # the author reads it back, so the pages held it
    assert [feed.status_code, revoked_feed.status_code, other_site.status_code] == [200, 404, 404]
    assert [admin_change.status_code, logout.status_code] == [302, 302]
    assert PrivateNote.objects.filter(engagement=engagement, author=enabler).count() == 3  # the fixture's and these
    assert LogEntry.objects.filter(user=administrator, action_flag=2).count() == 1
    [failed] = _events(every_log_record, "login.failed")
    assert (failed.email_hash, failed.ip, failed.user_id) == (email_hash(enabler.email), "127.0.0.1", None)
    assert {(record.user_id, record.ip) for record in _events(every_log_record, "login.succeeded")} == {
        (enabler.pk, "127.0.0.1"),
        (administrator.pk, None),  # client_for's force_login: no address
    }
    assert [(record.view, record.status, record.user_id) for record in _events(every_log_record, "access.denied")] == [
        ("engagements:calendar_feed", 404, enabler.pk),
        ("engagements:engagement_detail", 404, enabler.pk),
    ]
    [admin_action] = _events(every_log_record, "admin.action")
    assert (admin_action.action, admin_action.content_type, admin_action.object_id, admin_action.user_id) == (
        "change",
        "lessons.theme",
        str(theme.pk),
        administrator.pk,
    )
    assert [record.user_id for record in _events(every_log_record, "logout")] == [enabler.pk]
    lines = _lines(every_log_record)
    assert len(lines) > 20  # the check below means nothing if the journey logged nothing
    assert [(secret, line) for line in lines for secret in secrets if secret in line] == []


def test_json_lines_of_the_journey_are_one_valid_object_each(
    site_lead: User, every_log_record: pytest.LogCaptureFixture
) -> None:
    client = Client()

    client.post(reverse("accounts:login"), {"username": site_lead.email, "password": WRONG_PASSWORD})
    client.post(reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD})

    lines = [JsonFormatter().format(record) for record in every_log_record.records]
    assert lines and all("\n" not in line for line in lines)
    security = [json.loads(line) for line in lines if '"logger":"alongside.security"' in line]
    assert [(entry["event"], entry["level"]) for entry in security] == [
        ("login.failed", "WARNING"),
        ("login.succeeded", "INFO"),
    ]
    assert security[0]["email_hash"] == email_hash(site_lead.email) == security[1]["email_hash"]


def _attempt(client: Client, email: str, times: int) -> list[HttpResponse]:
    return [
        client.post(reverse("accounts:login"), {"username": email, "password": WRONG_PASSWORD}) for _ in range(times)
    ]


def test_six_wrong_passwords_lock_the_account_out_with_a_clear_message_and_an_audit_event(
    enabler: User, every_log_record: pytest.LogCaptureFixture
) -> None:
    responses = _attempt(Client(), enabler.email, 6)

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 429, 429]
    assert "Too many attempts" in responses[5].content.decode()
    events = AuditEvent.objects.filter(
        verb=LOCKED_OUT_VERB, target_type=ContentType.objects.get_for_model(User), target_id=enabler.pk
    )
    assert events.count() == 1  # when the lockout starts, not again for each attempt while it lasts
    assert events.get().actor is None
    locked = _events(every_log_record, "login.locked_out")
    assert [(record.failures, record.user_id) for record in locked] == [(5, enabler.pk), (6, enabler.pk)]
    assert {(record.email_hash, record.ip) for record in locked} == {(email_hash(enabler.email), "127.0.0.1")}
    assert [line for line in _lines(every_log_record) if enabler.email in line or WRONG_PASSWORD in line] == []


def test_a_new_lockout_after_the_cool_off_is_a_new_audit_event(
    enabler: User, time_machine: TimeMachineFixture, every_log_record: pytest.LogCaptureFixture
) -> None:
    client = Client()
    time_machine.move_to(timezone.now(), tick=False)
    _attempt(client, enabler.email, 5)
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))

    responses = _attempt(client, enabler.email, 5)

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 429]
    assert AuditEvent.objects.filter(verb=LOCKED_OUT_VERB, target_id=enabler.pk).count() == 2


def test_a_lockout_of_an_address_with_no_account_is_logged_only(
    db: None, every_log_record: pytest.LogCaptureFixture
) -> None:
    responses = _attempt(Client(), "nobody@example.test", 6)

    assert responses[5].status_code == 429
    assert not AuditEvent.objects.filter(verb=LOCKED_OUT_VERB).exists()
    locked = _events(every_log_record, "login.locked_out")
    assert {(record.email_hash, record.user_id) for record in locked} == {(email_hash("nobody@example.test"), None)}


def test_the_address_hash_ignores_case_and_spaces_but_differs_between_addresses() -> None:
    assert email_hash(" Enabler@Example.test ") == email_hash("enabler@example.test")
    assert email_hash("enabler@example.test") != email_hash("other.enabler@example.test")
    assert len(email_hash("enabler@example.test")) == 12
    assert email_hash("") is None


def test_a_forbidden_answer_to_anyone_is_logged_by_url_name(
    db: None, every_log_record: pytest.LogCaptureFixture
) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "someone@example.test", "password": "x"})

    assert response.status_code == 403
    [denied] = _events(every_log_record, "access.denied")
    assert (denied.view, denied.status, denied.method, denied.user_id) == ("accounts:login", 403, "POST", None)


def test_a_not_found_answer_to_someone_not_signed_in_is_not_an_access_denial(
    db: None, every_log_record: pytest.LogCaptureFixture
) -> None:
    response = Client().get(reverse("engagements:calendar_feed", kwargs={"token": "no-such-feed"}))

    assert response.status_code == 404
    assert _events(every_log_record, "access.denied") == []
    assert [line for line in _lines(every_log_record) if "no-such-feed" in line] == []


def test_another_sites_engagement_is_logged_as_denied_without_its_path(
    engagement_b: object, site_lead: User, every_log_record: pytest.LogCaptureFixture
) -> None:
    url = reverse("engagements:engagement_detail", kwargs={"pk": engagement_b.pk})

    response = client_for(site_lead).get(url)

    assert response.status_code == 404
    [denied] = _events(every_log_record, "access.denied")
    assert (denied.view, denied.status, denied.user_id) == ("engagements:engagement_detail", 404, site_lead.pk)
    assert [line for line in _lines(every_log_record) if url in line] == []


def test_an_admin_deletion_is_logged_by_type_and_id_not_by_name(
    administrator: User, site_b: object, every_log_record: pytest.LogCaptureFixture
) -> None:
    response = client_for(administrator).post(reverse("admin:sites_site_delete", args=[site_b.pk]), {"post": "yes"})

    assert response.status_code == 302
    [action] = _events(every_log_record, "admin.action")
    assert (action.action, action.content_type, action.object_id) == ("delete", "sites.site", str(site_b.pk))
    assert [line for line in _lines(every_log_record) if '"admin.action"' in line and site_b.name in line] == []


# The formatters on their own.


def _record(message: str = "Something happened", *args: object, **extra: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "tests", "levelno": logging.INFO, "levelname": "INFO", "msg": message, "args": args, **extra}
    )


def test_a_json_line_has_utc_time_level_logger_message_and_the_fields_passed() -> None:
    line = JsonFormatter().format(_record("Seen %s times", 3, event="thing.seen", user_id=7))

    entry = json.loads(line)
    assert entry["time"].endswith("Z") and entry["time"][10] == "T"
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "tests", "Seen 3 times")
    assert (entry["event"], entry["user_id"]) == ("thing.seen", 7)


def test_fields_named_like_secrets_are_redacted_however_deeply_nested() -> None:
    record = _record(
        password="p1",
        csrftoken="c1",
        sessionid="s1",
        private_note="n1",
        body="b1",
        recovery_codes=["r1"],
        notes_count=2,
        status_code=404,
        nobody="kept",
        detail={"HTTP_AUTHORIZATION": "a1", "Cookie": "k1", "inner": [{"apiSecret": "x1", "mfaCode": "m1"}]},
    )

    entry = json.loads(JsonFormatter().format(record))

    for key in ("password", "csrftoken", "sessionid", "private_note", "body", "recovery_codes", "notes_count"):
        assert entry[key] == "[redacted]", key
    assert entry["detail"] == {
        "HTTP_AUTHORIZATION": "[redacted]",
        "Cookie": "[redacted]",
        "inner": [{"apiSecret": "[redacted]", "mfaCode": "[redacted]"}],
    }
    assert (entry["status_code"], entry["nobody"]) == (404, "kept")


def test_an_exception_is_one_string_field_on_the_same_line() -> None:
    try:
        raise ValueError("the thing broke")
    except ValueError:
        record = _record("Failed", exc_info=sys.exc_info())

    line = JsonFormatter().format(record)

    assert "\n" not in line
    exception = json.loads(line)["exception"]
    assert exception.startswith("Traceback") and "ValueError: the thing broke" in exception


def test_objects_that_are_not_plain_values_are_written_as_their_type_name_only() -> None:
    class Leaky:
        def __str__(self) -> str:
            return "secret-inside"

        __repr__ = __str__

    entry = json.loads(JsonFormatter().format(_record(thing=Leaky(), things={"first": Leaky()}, ratio=float("nan"))))

    assert (entry["thing"], entry["things"], entry["ratio"]) == ("[Leaky]", {"first": "[Leaky]"}, "nan")


def test_a_request_on_a_record_is_not_written_and_its_path_becomes_the_url_name() -> None:
    request = RequestFactory().get("/calendar/a-secret-feed-token.ics", HTTP_COOKIE="sessionid=a-session-key")
    request.resolver_match = resolve(request.path)
    record = _record("Not Found: %s", request.path, request=request, status_code=404)

    json_line, plain_line = JsonFormatter().format(record), PlainFormatter().format(record)

    entry = json.loads(json_line)
    assert entry["message"] == "Not Found: <engagements:calendar_feed>"
    assert (entry["view"], entry["status_code"]) == ("engagements:calendar_feed", 404)
    assert "request" not in entry
    for line in (json_line, plain_line):
        assert "a-secret-feed-token" not in line and "a-session-key" not in line


def test_plain_lines_show_the_fields_with_the_same_redaction() -> None:
    line = PlainFormatter().format(_record("Log-in failed", event="login.failed", password="p1", ip="10.0.0.1"))

    assert line.endswith('INFO tests Log-in failed event="login.failed" password="[redacted]" ip="10.0.0.1"')
