from __future__ import annotations

from base64 import b32decode
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from accounts import two_factor
from accounts.models import User
from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from sites.models import Organisation, Programme, Site, SiteMembership
from tests.helpers.people import DEMO_TOTP_SECRET as TESTS_TOTP_SECRET


def _counts() -> dict[str, int]:
    models = (User, Site, Organisation, Programme, SiteMembership)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_runs_twice_without_duplicating_anything(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    first = _counts()

    call_command("seed_demo", stdout=StringIO())

    assert _counts() == first
    assert first["Site"] == 20
    assert Site.objects.filter(programme__kind=Programme.Kind.PIONEER).count() == 14


def test_seed_demo_if_empty_leaves_an_existing_database_alone(db: None) -> None:
    User.objects.create_user("someone@example.test", "x", full_name="Someone")
    output = StringIO()

    call_command("seed_demo", "--if-empty", stdout=output)

    assert Site.objects.count() == 0
    assert "site.lead@example.org" in output.getvalue()


def _log_in(client: Client, email: str) -> object:
    return client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD})


def test_demo_accounts_log_in_with_their_roles(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    client = Client()

    assert _log_in(client, "site.lead@example.org").status_code == 302
    assert client.get(reverse("sites:my_site")).status_code == 302
    assert User.objects.get(email="programme.lead@example.org").is_programme_lead
    assert User.objects.get(email="admin@example.org").is_staff
    assert SiteMembership.objects.get(user__email="site.lead@example.org").role == "lead"
    assert SiteMembership.objects.get(user__email="other.site@example.org").site.name == "Leeds"


def test_demo_central_team_signs_in_with_the_published_two_factor_secret(db: None) -> None:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    code = TOTP(b32decode(DEMO_TOTP_SECRET)).token()
    client = Client()

    _log_in(client, "programme.lead@example.org")
    asked = client.get(reverse("engagements:queue"))
    answered = client.post(asked["Location"], {"code": f"{code:06d}"})

    assert DEMO_TOTP_SECRET in output.getvalue()
    assert asked["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert answered["Location"] == reverse("engagements:queue")
    assert client.get(reverse("engagements:queue")).status_code == 200


def test_the_published_demo_two_factor_key_is_160_bits_as_authenticator_apps_expect() -> None:
    # RFC 4226 recommends 160 bits; current authenticator libraries refuse shorter keys by default.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()

    assert len(DEMO_TOTP_SECRET) == 32
    assert len(b32decode(DEMO_TOTP_SECRET)) * 8 == 160
    assert DEMO_TOTP_SECRET == TESTS_TOTP_SECRET
    assert f"`oathtool --totp -b {DEMO_TOTP_SECRET}`" in readme


def test_seeding_again_replaces_the_short_key_an_older_demo_was_given(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    lead = User.objects.get(email="programme.lead@example.org")
    two_factor.set_up_known_secret(lead, "JBSWY3DPEHPK3PXP")

    call_command("seed_demo", stdout=StringIO())

    device = two_factor.authenticator_for(lead)
    assert device is not None
    assert device.key == b32decode(DEMO_TOTP_SECRET).hex()
