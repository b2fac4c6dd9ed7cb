"""How long a session lasts: 30 idle minutes, 12 hours in all, a new key at log-in, and not a request longer than
the account is active."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.helpers.people import PASSWORD


def _log_in(user: User) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return client


def test_logging_in_gives_the_session_a_new_key(site_lead: User) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key

    client.post(reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD})

    assert client.session.session_key != before


def test_thirty_idle_minutes_end_the_session_with_a_message(site_lead: User, time_machine: object) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = _log_in(site_lead)
    time_machine.move_to("2026-11-26 09:29", tick=False)
    still_in = client.get(reverse("home"))
    time_machine.move_to("2026-11-26 10:00", tick=False)

    out = client.get(reverse("home"), follow=True)

    assert still_in.status_code == 200
    assert out.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "signed out after 30 minutes without activity" in out.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_twelve_hours_end_the_session_however_active(site_lead: User, time_machine: object) -> None:
    time_machine.move_to("2026-11-26 08:00", tick=False)
    client = _log_in(site_lead)
    for hour in range(8, 20):
        for minute in (0, 20, 40):
            time_machine.move_to(f"2026-11-26 {hour:02d}:{minute:02d}", tick=False)
            assert client.get(reverse("home")).status_code == 200, f"{hour}:{minute}"
    time_machine.move_to("2026-11-26 20:01", tick=False)

    out = client.get(reverse("home"), follow=True)

    assert "signed in more than 12 hours ago" in out.content.decode()


def test_the_session_cookie_lasts_no_longer_than_twelve_hours(site_lead: User) -> None:
    client = _log_in(site_lead)

    assert client.cookies["sessionid"]["max-age"] == 12 * 60 * 60


def test_deactivating_an_account_ends_its_sessions_at_the_next_request(site_lead: User, site_a: object) -> None:
    client = _log_in(site_lead)
    assert client.get(reverse("sites:my_site")).status_code == 302  # to their site: signed in

    User.objects.filter(pk=site_lead.pk).update(is_active=False)
    response = client.get(reverse("sites:site_detail", kwargs={"pk": site_a.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_password_change_elsewhere_ends_other_sessions(site_lead: User) -> None:
    other_browser = _log_in(site_lead)
    site_lead.set_password("a brand new long passphrase")
    site_lead.save()

    assert other_browser.get(reverse("home")).status_code == 302
