"""Passkeys: registering one needs the person to have confirmed it is them; a passkey then asks for itself after
the password (it is a second factor) and can be removed, each recorded and told. The ceremonies themselves run in a
real browser with a virtual authenticator (tests/e2e/test_sign_in_journey.py)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import AuditEvent, Notification, User
from accounts.signals import REAUTHENTICATED_AT
from config.people import PasskeyBackend
from tests.helpers.people import client_for


def passkey(person: User) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=person, name="Work laptop", credential_id=b"credential-1", public_key=b"key", sign_count=0
    )


def stale(client) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[REAUTHENTICATED_AT] = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    session.save()


def test_registering_a_passkey_needs_the_person_to_confirm_it_is_them(site_member: User) -> None:
    client = client_for(site_member)
    stale(client)

    page = client.get(reverse("accounts:passkey_add"))
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"), content_type="application/json")

    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:reauthenticate"))
    assert begin.status_code == 403 and begin.json()["code"] == "reauthentication_required"
    assert not WebAuthnCredential.objects.exists()


def test_a_fresh_sign_in_is_offered_the_ceremony(site_member: User) -> None:
    client = client_for(site_member)

    page = client.get(reverse("accounts:passkey_add"))
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"), content_type="application/json")

    assert page.status_code == 200 and 'id="passkey-register-button"' in page.content.decode()
    options = begin.json()
    assert begin.status_code == 200 and options["rp"]["name"] == "Alongside" and options["challenge"]


def test_a_passkey_asks_for_itself_after_the_password(site_member: User) -> None:
    passkey(site_member)
    client = client_for(site_member)

    home = client.get(reverse("home"))
    verify = client.get(reverse("accounts:two_factor_verify"))

    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_verify"))
    page = verify.content.decode()
    assert "Use your passkey" in page and 'name="code"' not in page  # no authenticator app: no code to type


def test_confirming_it_is_you_with_only_a_passkey_asks_for_the_password_alone(site_member: User) -> None:
    key = passkey(site_member)
    client = client_for(site_member)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = key.persistent_id  # the passkey was used after the password
    session.save()

    page = client.get(reverse("accounts:reauthenticate")).content.decode()

    assert 'name="password"' in page and 'name="code"' not in page


def test_removing_a_passkey_is_recorded_and_told(programme_lead: User, django_capture_on_commit_callbacks) -> None:
    key = passkey(programme_lead)
    client = client_for(programme_lead)
    assert "Work laptop" in client.get(reverse("accounts:security")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:passkey_remove", kwargs={"pk": key.pk}))

    assert response.status_code == 302 and not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.REMOVED_A_PASSKEY, actor=programme_lead).count() == 1
    assert Notification.objects.filter(recipient=programme_lead, subject__contains="passkey was removed").exists()


def test_nobody_removes_another_persons_passkey(programme_lead: User, administrator: User) -> None:
    key = passkey(programme_lead)

    response = client_for(administrator).post(reverse("accounts:passkey_remove", kwargs={"pk": key.pk}))

    assert response.status_code == 404 and WebAuthnCredential.objects.filter(pk=key.pk).exists()


@pytest.mark.parametrize("active", [True, False])
def test_signing_in_with_a_passkey_loads_an_active_person_with_their_roles(site_member: User, active: bool) -> None:
    key = passkey(site_member)
    User.objects.filter(pk=site_member.pk).update(is_active=active)
    key.refresh_from_db()

    found = PasskeyBackend().authenticate(None, webauthn_credential=key)

    assert (found is not None) is active
    if active:
        loaded = PasskeyBackend().get_user(site_member.pk)
        assert loaded is not None and loaded.roles.is_site_member and loaded.roles.has_authenticator


def test_an_administrators_two_factor_reset_removes_passkeys_too(site_member: User, administrator: User) -> None:
    from accounts import two_factor

    passkey(site_member)

    two_factor.turn_off(site_member, by=administrator)

    assert not WebAuthnCredential.objects.filter(user=site_member).exists()
