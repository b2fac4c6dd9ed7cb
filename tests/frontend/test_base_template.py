from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import User


def test_messages_show_as_notification_banners_and_the_page_has_a_skip_link(site_lead: User) -> None:
    request = RequestFactory().get("/")
    request.user = site_lead
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Your request has been sent")

    html = render_to_string("engagements/home.html", {"memberships": []}, request=request)

    assert 'class="nhsuk-notification-banner nhsuk-notification-banner--success"' in html
    assert "Your request has been sent" in html
    assert '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">' in html
    assert 'id="maincontent"' in html
    assert "Log out" in html


def test_dates_read_in_full_as_the_nhs_style_guide_asks() -> None:
    import datetime

    from django.template import Context, Template

    html = Template("{{ day|date }}").render(Context({"day": datetime.date(2026, 11, 26)}))

    assert html == "26 November 2026"
