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


def test_a_missing_page_is_explained_in_the_service_look(site_lead: User) -> None:
    from tests.helpers.people import client_for

    response = client_for(site_lead).get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "nhsuk-header" in response.content.decode()


def test_an_expired_form_says_what_happened(site_lead: User) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(site_lead)

    response = client.post("/accounts/preferences/", {})

    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()
