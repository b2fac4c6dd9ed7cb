"""Sessions as an iCalendar feed (RFC 5545): dates, formats and places only, never what anyone wrote."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User

from .models import Engagement, Session


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def sessions_as_icalendar(user: User) -> str:
    engagements = Engagement.objects.working_with(user)
    sessions = (
        Session.objects.filter(engagement__in=engagements)
        .select_related("engagement__site", "engagement__enabler")
        .order_by("-held_on")[:500]
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Alongside//Sessions//EN", "X-WR-CALNAME:Alongside sessions"]
    for session in sessions:
        engagement = session.engagement
        other_side = engagement.site.name if user.pk == engagement.enabler_id else str(engagement.enabler)
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@alongside",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{session.held_on:%Y%m%d}",
            f"SUMMARY:{_escape(f'{session.get_format_display()} with {other_side}')}",
            f"LOCATION:{_escape(session.get_place_display())}",
            f"DESCRIPTION:{_escape(f'{session.length}. Alongside session log.')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
