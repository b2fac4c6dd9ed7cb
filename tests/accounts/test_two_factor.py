"""Two-factor sign-in: required for the central team and administrators, optional for everyone else."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import AuditEvent, User
from tests.helpers.people import DEMO_TOTP_SECRET, PASSWORD, client_for, log_in


def _code(secret_hex: str, step_offset: int = 0) -> str:
    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = totp.time + step_offset * totp.step
    return f"{totp.token():06d}"


def _secret_on_page(html: str) -> str:
    """The key exactly as a person would type it into an authenticator app from the set-up page."""
    groups = re.search(r'class="alongside-secret">([A-Z2-7 ]+)</code>', html).group(1)
    return b32decode(groups.replace(" ", "")).hex()


def test_programme_lead_without_an_authenticator_goes_no_further_than_setting_one_up(programme_lead: User) -> None:
    client = log_in(programme_lead)

    response = client.get(reverse("engagements:queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get(reverse("engagements:overview")).status_code == 302


def test_setting_up_shows_a_qr_code_and_key_then_recovery_codes_once(programme_lead: User) -> None:
    client = log_in(programme_lead)
    setup = client.get(reverse("accounts:two_factor_setup"))
    key = _secret_on_page(setup.content.decode())

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    TOTPDevice.objects.filter(user=programme_lead).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": _code(key)})

    assert "<svg" in setup.content.decode()
    assert "Enter the 6-digit code your authenticator app shows now" in wrong.content.decode()
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("engagements:queue")).status_code == 200
    assert AuditEvent.objects.filter(actor=programme_lead, verb="set up two-factor").exists()


def test_recovery_codes_are_stored_only_as_digests(programme_lead: User) -> None:
    codes = two_factor.issue_recovery_codes(programme_lead)

    stored = set(StaticToken.objects.filter(device__user=programme_lead).values_list("token", flat=True))

    assert len(stored) == 10
    assert not stored & {code for code in codes} and not stored & {code.replace("-", "") for code in codes}


def test_reloading_the_set_up_page_keeps_the_key_already_scanned(programme_lead: User) -> None:
    client = log_in(programme_lead)

    first = _secret_on_page(client.get(reverse("accounts:two_factor_setup")).content.decode())
    second = _secret_on_page(client.get(reverse("accounts:two_factor_setup")).content.decode())

    assert first == second


def test_sign_in_asks_for_a_code_and_refuses_a_wrong_or_reused_one(programme_lead: User) -> None:
    device = two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    client = log_in(programme_lead)
    asked = client.get(reverse("engagements:queue"))

    wrong = client.post(
        reverse("accounts:two_factor_verify"), {"code": "123456" if _code(device.key) != "123456" else "654321"}
    )
    still_locked = client.get(reverse("engagements:queue"))
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above slowed further tries down; this test moves on
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(reverse("accounts:two_factor_verify"), {"code": _code(device.key), "next": "/queue/"})
    other = log_in(programme_lead)
    reused = other.post(reverse("accounts:two_factor_verify"), {"code": _code(device.key)})

    assert asked["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert "Enter the 6-digit code" in wrong.content.decode()
    assert still_locked.status_code == 302
    assert right["Location"] == "/queue/"
    assert client.get(reverse("engagements:queue")).status_code == 200
    assert reused.status_code == 200  # a code is good once only: the same code from a second browser is refused


def test_wrong_codes_are_throttled(programme_lead: User) -> None:
    device = two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    client = log_in(programme_lead)
    for _ in range(3):
        client.post(reverse("accounts:two_factor_verify"), {"code": "000001"})

    late_right = client.post(reverse("accounts:two_factor_verify"), {"code": _code(device.key)})

    assert late_right.status_code == 200  # refused while throttled, even though the code is right
    assert client.get(reverse("engagements:queue")).status_code == 302


def test_a_recovery_code_signs_in_once(programme_lead: User) -> None:
    two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    code = two_factor.issue_recovery_codes(programme_lead)[0]
    first = log_in(programme_lead)
    second = log_in(programme_lead)

    used = first.post(reverse("accounts:two_factor_verify"), {"code": code.upper()}, follow=True)
    again = second.post(reverse("accounts:two_factor_verify"), {"code": code})

    assert used.status_code == 200 and "You have 9 left" in used.content.decode()
    assert first.get(reverse("engagements:queue")).status_code == 200
    assert again.status_code == 200 and second.get(reverse("engagements:queue")).status_code == 302
    assert AuditEvent.objects.filter(actor=programme_lead, verb="used a recovery code").count() == 1


def test_administrator_reaches_the_admin_only_after_two_factor(administrator: User) -> None:
    two_factor.set_up_known_secret(administrator, DEMO_TOTP_SECRET)
    client = log_in(administrator)

    before = client.get(reverse("admin:index"))
    client.post(reverse("accounts:two_factor_verify"), {"code": _code(two_factor.authenticator_for(administrator).key)})
    after = client.get(reverse("admin:index"))

    assert before.status_code == 302 and before["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert after.status_code == 200


def test_the_admin_has_no_log_in_of_its_own_that_skips_two_factor(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/admin/"


def test_site_lead_may_use_two_factor_and_is_then_asked_for_it(site_lead: User) -> None:
    without = log_in(site_lead).get(reverse("home"))
    two_factor.set_up_known_secret(site_lead, DEMO_TOTP_SECRET)
    with_it = log_in(site_lead)

    assert without.status_code == 200
    assert with_it.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_site_lead_may_turn_two_factor_off_but_the_central_team_may_not(site_lead: User, programme_lead: User) -> None:
    two_factor.set_up_known_secret(site_lead, DEMO_TOTP_SECRET)
    lead = client_for(site_lead)
    lead.session  # noqa: B018 - the session exists
    from django_otp import DEVICE_ID_SESSION_KEY

    session = lead.session
    session[DEVICE_ID_SESSION_KEY] = two_factor.authenticator_for(site_lead).persistent_id
    session.save()
    central = client_for(programme_lead)

    lead.post(reverse("accounts:two_factor_turn_off"))
    refused = central.post(reverse("accounts:two_factor_turn_off"), follow=True)

    assert not TOTPDevice.objects.filter(user=site_lead).exists()
    assert TOTPDevice.objects.filter(user=programme_lead, confirmed=True).exists()
    assert "Two-factor stays on: your role needs it" in refused.content.decode()


@pytest.mark.parametrize("url_name", ["accounts:email_change", "accounts:password_change", "accounts:two_factor_setup"])
def test_changes_to_how_one_signs_in_ask_for_the_password_again_after_a_while(
    site_lead: User, url_name: str, time_machine: object
) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = log_in(site_lead)
    time_machine.move_to("2026-11-26 09:20", tick=False)

    asked = client.get(reverse(url_name))
    wrong = client.post(asked["Location"], {"password": "not the password"})
    confirmed = client.post(asked["Location"], {"password": PASSWORD})

    assert asked["Location"].startswith(reverse("accounts:reauthenticate"))
    assert "Enter your correct password" in wrong.content.decode()
    assert confirmed["Location"] == reverse(url_name)
    assert client.get(reverse(url_name)).status_code == 200


def test_reauthentication_asks_for_a_code_too_when_two_factor_is_on(programme_lead: User, time_machine: object) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = client_for(programme_lead)
    time_machine.move_to("2026-11-26 09:20", tick=False)

    without_code = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD})
    key = two_factor.authenticator_for(programme_lead).key
    with_code = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "code": _code(key, 1)})

    assert "Enter the code" in without_code.content.decode()
    assert with_code.status_code == 302


def test_a_change_posted_without_recent_proof_is_not_made(site_lead: User, time_machine: object) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = log_in(site_lead)
    time_machine.move_to("2026-11-26 09:20", tick=False)

    response = client.post(reverse("accounts:email_change"), {"email": "someone.else@example.test"})

    site_lead.refresh_from_db()
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert site_lead.email == "lead.a@example.test"


def test_a_refused_code_is_logged_by_person_and_kind_never_by_its_digits(
    programme_lead: User, caplog: pytest.LogCaptureFixture
) -> None:
    two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    client = log_in(programme_lead)

    with caplog.at_level("WARNING", logger="alongside.security"):
        client.post(reverse("accounts:two_factor_verify"), {"code": "271828"})

    refused = [record for record in caplog.records if getattr(record, "event", "") == "two_factor.failed"]
    assert [(record.user_id, record.kind) for record in refused] == [(programme_lead.pk, two_factor.AUTHENTICATOR)]
    assert "271828" not in caplog.text
