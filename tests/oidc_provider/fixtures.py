"""The test OpenID provider as a pytest fixture, and a stand-in for the person's browser at it.

`oidc_provider` (one per test run) makes an RS256 key, a SQLite database in a temporary directory and the test
people, starts tests/oidc_provider under gunicorn on 127.0.0.1 and a free port, waits for its discovery document,
and stops it at the end. Alongside's own database and settings are never touched: the provider is another process
with its own settings module, given only the environment it needs.

A test configures Alongside with `settings.OIDC_PROVIDERS = oidc_provider.setting()`, then plays the browser:

    start = client.get(reverse("accounts:oidc_start", args=[SLUG]))        # Alongside: to the provider
    callback = oidc_provider.authorize(start["Location"], "robin")          # the person signs in there
    response = client.get(callback)                                       # back to Alongside, code and state

Import the fixture into a conftest.py (`from tests.oidc_provider.fixtures import oidc_provider`).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tests.helpers.processes import GUNICORN, GUNICORN_OPTIONS, ROOT, free_port, stop_process_group, wait_until

CLIENT_ID = "alongside-test"
NAME = "Test NHSmail"
SLUG = "test-nhsmail"
MFA_NAME = "Test NHSmail MFA"  # the same provider, configured as always multi-factor
MFA_SLUG = "test-nhsmail-mfa"
DOMAIN = "nhs.test"
# Where Alongside runs in tests: Django's test client, and a browser test's live server (localhost, any port).
ALONGSIDE_ORIGINS = ("http://testserver", "http://localhost")
TIMEOUT = 10  # seconds, for each request the stand-in browser makes
START_TIMEOUT = 30


@dataclass(frozen=True)
class Person:
    """Someone with an account at the provider. `quirk` is a fault of their ID token: "expired", "forged" (signed
    with a key the provider never published under the provider's key id), "wrong_audience", "wrong_issuer" or
    "wrong_nonce"."""

    username: str
    email: str
    name: str
    email_verified: bool | None = True  # None: the claim is not sent, as Microsoft Entra ID does not send it
    xms_edov: bool | None = None  # Entra ID's optional claim: the e-mail's domain owner verified the address
    amr: tuple[str, ...] = ("pwd",)
    quirk: str = ""

    @property
    def password(self) -> str:
        return f"provider-password-of-{self.username}"

    def as_setting(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "password": self.password,
            "email": self.email,
            "name": self.name,
            "email_verified": self.email_verified,
            "xms_edov": self.xms_edov,
            "amr": list(self.amr),
            "quirk": self.quirk,
        }


PEOPLE = {
    person.username: person
    for person in [
        Person("robin", f"robin.ashdown@{DOMAIN}", "Robin Ashdown"),
        Person("casey", f"casey.invited@{DOMAIN}", "Casey Invited"),
        Person("jordan", f"jordan.returning@{DOMAIN}", "Jordan Returning"),
        Person("drew", f"drew.stranger@{DOMAIN}", "Drew Stranger"),
        Person("quinn", f"quinn.unverified@{DOMAIN}", "Quinn Unverified", email_verified=False),
        Person("emery", f"emery.entra@{DOMAIN}", "Emery Entra", email_verified=None, xms_edov=True),
        Person("blake", f"blake.unsaid@{DOMAIN}", "Blake Unsaid", email_verified=None),
        Person("morgan", "morgan.elsewhere@council.test", "Morgan Elsewhere"),
        Person("ellis", f"ellis.expired@{DOMAIN}", "Ellis Expired", quirk="expired"),
        Person("frankie", f"frankie.forged@{DOMAIN}", "Frankie Forged", quirk="forged"),
        Person("aubrey", f"aubrey.audience@{DOMAIN}", "Aubrey Audience", quirk="wrong_audience"),
        Person("isla", f"isla.issuer@{DOMAIN}", "Isla Issuer", quirk="wrong_issuer"),
        Person("noor", f"noor.nonce@{DOMAIN}", "Noor Nonce", quirk="wrong_nonce"),
        Person("sam", f"sam.lead@{DOMAIN}", "Sam Lead", amr=("pwd", "mfa")),
        Person("pat", f"pat.lead@{DOMAIN}", "Pat Lead", amr=("pwd",)),
        Person("dale", f"dale.deactivated@{DOMAIN}", "Dale Deactivated"),
    ]
}


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


@dataclass
class LocalProvider:
    """The running provider: where it is, Alongside's registration with it, and its people."""

    base_url: str
    client_secret: str
    subjects: dict[str, str]  # username: the `sub` the provider gives them
    env: dict[str, str] = field(repr=False)
    client_id: str = CLIENT_ID
    people: dict[str, Person] = field(default_factory=lambda: dict(PEOPLE))

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.issuer}/authorize/"

    @property
    def end_session_endpoint(self) -> str:
        return f"{self.issuer}/logout/"

    def entry(self, *, name: str = NAME, mfa: bool = False, **overrides: Any) -> dict[str, Any]:
        """One provider as OIDC_PROVIDERS holds it before Alongside's settings check it."""
        return {
            "name": name,
            "discovery_url": self.discovery_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "domains": [DOMAIN],
            "mfa": mfa,
            **overrides,
        }

    def mfa_entry(self) -> dict[str, Any]:
        """The same provider, configured so that its every sign-in counts as multi-factor."""
        return self.entry(name=MFA_NAME, mfa=True)

    def setting(self, *entries: dict[str, Any]) -> list[dict[str, Any]]:
        """OIDC_PROVIDERS as Alongside's settings make it from the environment (checked, each given its slug);
        "Test NHSmail" alone unless entries are given."""
        from config.settings import _oidc_providers

        return _oidc_providers(json.dumps(list(entries) or [self.entry()]))

    def authorize(self, authorization_url: str, username: str, *, browser: requests.Session | None = None) -> str:
        """Plays the person's browser from Alongside's redirect to the provider: signs in at its log-in page (with
        its CSRF token) when the browser has no session there yet, and returns where the provider then sends the
        browser, which is Alongside's callback with the code and the state. Pass `browser` to keep the provider's
        session (for its logout)."""
        person = self.people[username]
        browser = browser if browser is not None else requests.Session()
        response = browser.get(authorization_url, allow_redirects=False, timeout=TIMEOUT)
        if _redirects_to(response, f"{self.base_url}/login/"):
            login_url = urljoin(response.url, response.headers["Location"])
            page = browser.get(login_url, timeout=TIMEOUT)
            page.raise_for_status()
            response = browser.post(
                login_url,
                data={
                    "csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken"),
                    "next": _hidden(page.text, "next"),
                    "username": person.username,
                    "password": person.password,
                },
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            assert response.status_code == 302, f"the provider did not accept {username}'s password"
            response = browser.get(
                urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=TIMEOUT
            )
        assert response.status_code == 302, f"the provider did not send the browser back: {response.text[:2000]}"
        return urljoin(response.url, response.headers["Location"])

    def change_email(self, username: str, email: str) -> None:
        """The person's address changes at the provider: their next ID token carries the new one."""
        subprocess.run(
            [sys.executable, "-m", "django", "change_email", username, email], env=self.env, cwd=ROOT, check=True
        )

    def signed_in_at_provider(self, browser: requests.Session) -> bool:
        """Whether the browser still has a session at the provider (its authorize page would not ask for a
        password)."""
        response = browser.get(self.authorization_endpoint, allow_redirects=False, timeout=TIMEOUT)
        return not _redirects_to(response, f"{self.base_url}/login/")


def _redirects_to(response: requests.Response, prefix: str) -> bool:
    if not response.is_redirect:
        return False
    return urljoin(response.url, response.headers["Location"]).startswith(prefix)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} on the provider's log-in page"
    return html.unescape(found.group(1))


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


def _environment(directory: Path, base_url: str, client_secret: str) -> dict[str, str]:
    callbacks = [
        f"{origin}/accounts/sign-in/{slug}/callback/" for origin in ALONGSIDE_ORIGINS for slug in (SLUG, MFA_SLUG)
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "TEST_IDP_DATABASE": str(directory / "provider.sqlite3"),
        "TEST_IDP_SECRET_KEY": secrets.token_urlsafe(32),
        "TEST_IDP_ISSUER": f"{base_url}/o",
        "TEST_IDP_RSA_KEY": _private_key_pem(),
        "TEST_IDP_ROGUE_RSA_KEY": _private_key_pem(),
        "TEST_IDP_PEOPLE": json.dumps([person.as_setting() for person in PEOPLE.values()]),
        "TEST_IDP_CLIENT_ID": CLIENT_ID,
        "TEST_IDP_CLIENT_SECRET": client_secret,
        "TEST_IDP_REDIRECT_URIS": " ".join(callbacks),
        "TEST_IDP_POST_LOGOUT_REDIRECT_URIS": " ".join(f"{origin}/accounts/login/" for origin in ALONGSIDE_ORIGINS),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "OIDC_PROVIDERS"):  # Alongside's, not its
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProvider]:
    directory = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client_secret = secrets.token_urlsafe(32)
    env = _environment(directory, base_url, client_secret)
    seeded = subprocess.run(
        [sys.executable, "-m", "django", "seed_idp"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert seeded.returncode == 0, f"the test OpenID provider could not be set up:\n{seeded.stdout}{seeded.stderr}"
    subjects = json.loads(seeded.stdout.strip().splitlines()[-1])["subjects"]
    log = directory / "gunicorn.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                GUNICORN,
                "tests.oidc_provider.wsgi:application",
                *GUNICORN_OPTIONS,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        provider = LocalProvider(base_url=base_url, client_secret=client_secret, subjects=subjects, env=env)
        started = wait_until(lambda: _answers(provider.discovery_url), timeout=START_TIMEOUT)
        assert started, f"the test OpenID provider did not start:\n{log.read_text(errors='replace')}"
        yield provider
    finally:
        stop_process_group(process)


def unused_discovery_url() -> str:
    """A provider that is down: nothing listens on the port."""
    return f"http://127.0.0.1:{free_port()}/o/.well-known/openid-configuration"
