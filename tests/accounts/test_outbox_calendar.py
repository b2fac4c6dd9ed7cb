"""A notification that carries a calendar invitation is e-mailed with it: a text/calendar alternative whose content
type names the method (how Outlook and Google Calendar recognise a meeting request or a cancellation) and an .ics
file for the rest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Notification, User
from accounts.notifications import notify


def _calendar(method: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Alongside//EN",
            f"METHOD:{method}",
            "BEGIN:VEVENT",
            "UID:planned-test@alongside",
            "SEQUENCE:0",
            "DTSTAMP:20260601T080000Z",
            "DTSTART:20260603T133000Z",
            "DTEND:20260603T150000Z",
            "SUMMARY:One-to-one",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def _send(user: User, calendar: str, django_capture_on_commit_callbacks: object) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(
            recipients=[user],
            kind="planned session",
            subject="A session is planned",
            body="One-to-one on 3 June 2026 at 14:30.",
            calendar=calendar,
        )


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_a_calendar_notification_is_an_email_with_a_text_calendar_alternative_and_an_ics_file(
    site_lead: User, django_capture_on_commit_callbacks: object, method: str
) -> None:
    calendar = _calendar(method)

    _send(site_lead, calendar, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == [site_lead.email]
    [(content, mimetype)] = message.alternatives
    assert mimetype == f"text/calendar; method={method}"
    assert content == calendar
    [(filename, attached, attached_type)] = message.attachments
    assert filename.endswith(".ics") and attached == calendar and attached_type == "application/ics"
    [part] = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == method
    assert part["Content-Type"].count("charset") == 1  # Django adds the one charset itself
    assert Notification.objects.get().status == Notification.Status.SENT


def test_a_notification_without_a_calendar_is_plain_text_only(
    site_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    _send(site_lead, "", django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert getattr(message, "alternatives", []) == []
    assert message.attachments == []
    assert "text/calendar" not in message.message().as_string()
