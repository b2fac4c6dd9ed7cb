"""The personas' password and authenticator, and signing them in: a test client signed in as someone, as after a
real sign-in, or through the log-in page itself."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import two_factor
from accounts.models import User

PASSWORD = "a-long-test-password-for-personas"
DEMO_TOTP_SECRET = "MHRGFUMJ6GE73XHHBW5P5MZ47JTHHNYC"

# The personas tests/conftest.py makes, by fixture name (its `personas` fixture maps each to its account).
PERSONAS = [
    "anonymous",
    "site_lead",
    "site_member",
    "other_site_lead",
    "enabler",
    "other_enabler",
    "programme_lead",
    "administrator",
    "account_manager",
]


def new_person(email: str, full_name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=full_name, **extra)


def client_for(user: User | None) -> Client:
    """A client signed in as the person. Those who must use two-factor (the central team, administrators) get an
    authenticator and a session that has used it, as after a real sign-in; tests of the sign-in itself log in
    through the pages instead."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if two_factor.is_required_for(user):
            verify_two_factor(client, user)
    return client


def verify_two_factor(client: Client, user: User) -> None:
    device = two_factor.authenticator_for(user) or two_factor.set_up_known_secret(user, DEMO_TOTP_SECRET)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def log_in(user: User) -> Client:
    """A client that has logged in through the log-in page with the password alone (no second factor yet)."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client
