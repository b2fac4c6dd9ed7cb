"""Signing in, in a real browser, the two ways that need one: through an organisation's provider, on the provider's
own log-in page (tests/oidc_provider, a real OpenID provider in its own process), and with a passkey made and used
by Chromium's virtual authenticator. Every state of Alongside's pages on the way is checked with axe and at phone
widths (tests/e2e/conftest.py); the provider's page is the provider's, not Alongside's, and is only filled in.

- An invited person signs in with their organisation's account and lands on their home with the invitation's role;
  signing out ends the provider's session too. A stranger is told to ask for an invitation. With the provider down,
  the log-in page says so and the password still works.
- A site's member registers a passkey and signs in with it alone; a programme lead uses theirs instead of a code on
  the two-factor page, then removes it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts import two_factor
from accounts.models import ExternalIdentity, User
from onboarding import actions as onboarding_actions
from onboarding.models import Invitation
from sites import access as site_access
from sites.models import Site, SiteMembership
from tests.helpers.browser import Person, current_code
from tests.helpers.people import PASSWORD
from tests.oidc_provider.fixtures import NAME, SLUG, LocalProvider, oidc_provider, unused_discovery_url

__all__ = ["oidc_provider"]  # the test run's provider (started once, stopped at the end), for the journeys below

PROVIDER_BUTTON = f"main a:has-text('Sign in with {NAME}')"
LOG_OUT = "header button:has-text('Log out')"
WAIT = 15_000  # milliseconds: a step through the provider is three or four requests to two servers
VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",  # the computer's own lock: a platform authenticator
    "hasResidentKey": True,  # discoverable, so it can sign in with no e-mail address typed
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def _alongside_uses(settings: Any, entries: list[dict[str, Any]]) -> None:
    """OIDC_PROVIDERS as a test sets it, with what config/settings.py derives from it when Alongside starts: the
    Content Security Policy's form-action also allows each provider's host, since signing out (a form) is sent on
    to the provider's end-session endpoint."""
    settings.OIDC_PROVIDERS = entries
    policy = settings.CONTENT_SECURITY_POLICY
    directives = policy["DIRECTIVES"]
    hosts = sorted(
        {entry.get("end_session_origin") or "/".join(entry["discovery_url"].split("/")[:3]) for entry in entries}
    )
    form_action = [*directives["form-action"], *(host for host in hosts if host not in directives["form-action"])]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": {**directives, "form-action": form_action}}


@pytest.fixture
def provider(oidc_provider: LocalProvider, settings: Any) -> LocalProvider:
    """Alongside with the one provider "Test NHSmail", which vouches for nhs.test."""
    _alongside_uses(settings, oidc_provider.setting())
    return oidc_provider


@pytest.fixture
def passkeys_on_localhost(settings: Any, live_server: Any) -> None:
    """A passkey is bound to its site: here the live server, on http://localhost and whatever port it has."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def _sign_in_at_provider(person: Person, provider: LocalProvider, username: str) -> None:
    """On the provider's own log-in page (the browser was sent there): the person's username and password there."""
    page = person.page
    _wait_for(person, f"{provider.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", provider.people[username].password)
    page.click("button[type=submit]")


def _asks_for_password_at_provider(person: Person, provider: LocalProvider) -> bool:
    """Whether the provider's authorize address, opened in another tab of the person's browser, shows its log-in
    page: the browser has no session at the provider."""
    tab = person.page.context.new_page()
    tab.goto(provider.authorization_endpoint)
    asks = tab.url.startswith(f"{provider.base_url}/login/") and tab.locator("#id_password").count() == 1
    tab.close()
    return asks


def _wait_for(person: Person, address: str) -> None:
    """Until the browser, sent on from server to server, comes to rest at this address (with any query: the
    provider adds a state, Alongside a `next`)."""
    person.page.wait_for_url(lambda url: url == address or url.startswith(address + "?"), timeout=WAIT)


def _press_by_keyboard(person: Person, selector: str) -> None:
    """Tab to it, as someone without a mouse does, and press Enter."""
    person.focus(selector)
    person.page.keyboard.press("Enter")


def _log_out(person: Person) -> None:
    with person.page.expect_navigation():
        person.click(LOG_OUT)


def _virtual_authenticator(person: Person) -> tuple[Any, str]:
    """Chromium's virtual authenticator in the person's tab: it makes and uses passkeys as a laptop's own lock
    would, the person always present and verified."""
    devtools = person.page.context.new_cdp_session(person.page)
    devtools.send("WebAuthn.enable")
    added = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    return devtools, added["authenticatorId"]


def _credentials(devtools: Any, authenticator: str) -> list[dict[str, Any]]:
    return devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]


def _register_a_passkey(person: Person) -> None:
    """From Sign-in and security: Add a passkey, and the browser asks the authenticator to make one."""
    person.go(reverse("accounts:security"), "sign-in and security, no passkey yet")
    assert "None yet. A passkey signs you in without a password" in person.text()
    with person.page.expect_navigation():
        person.click("main a:has-text('Add a passkey')")
    person.look("add a passkey")
    assert "You have 0 passkeys now." in person.text()
    person.click("#passkey-register-button")  # the package's script puts it in place of its template
    status = person.page.locator("#passkey-register-status-message")
    status.wait_for(state="visible", timeout=WAIT)
    person.page.wait_for_function(
        "() => document.getElementById('passkey-register-status-message').dataset.statusEnum === 'success'",
        timeout=WAIT,
    )
    assert status.inner_text() == "Registration successful!"
    person.look("add a passkey, registered")


# Through the organisation's provider -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_invited_person_signs_in_on_the_providers_page_and_signing_out_ends_both_sessions(
    people: Any, provider: LocalProvider, site_a: Site, site_lead: User
) -> None:
    """By keyboard, the provider's button on Alongside's log-in page; the provider's own log-in; back on Alongside's
    home as the member the invitation made them; the linked account listed; signed out of both."""
    casey = provider.people["casey"]
    onboarding_actions.invite(
        email=casey.email, full_name=casey.name, role=Invitation.Role.SITE_MEMBER, by=site_lead, site=site_a
    )
    person = people(None, "invited person (keyboard)", keyboard_only=True)

    person.go(reverse("accounts:login"), "log in, with a provider and a passkey")
    assert person.page.locator("#passkey-verification-button").is_visible()
    _press_by_keyboard(person, PROVIDER_BUTTON)
    _sign_in_at_provider(person, provider, "casey")
    _wait_for(person, person.base + reverse("home"))
    person.look("home, signed in through the provider")

    account = User.objects.get(email__iexact=casey.email)
    assert f"Hello, {account.get_short_name()}" in person.text() and site_a.name in person.text()
    assert site_access.site_role(account, site_a) == SiteMembership.Role.MEMBER
    assert not account.has_usable_password()  # made from the invitation: it signs in through its provider
    identity = ExternalIdentity.objects.get(user=account)
    assert (identity.provider, identity.issuer, identity.subject) == (NAME, provider.issuer, provider.subjects["casey"])
    assert not Invitation.objects.pending().filter(email__iexact=casey.email).exists()

    person.go(reverse("accounts:security"), "sign-in and security, a linked account")
    assert "Accounts you sign in with" in person.text()
    assert f"{NAME}, linked on" in person.text()
    assert "None: you sign in with your organisation's account." in person.text()
    assert not _asks_for_password_at_provider(person, provider)  # signed in there too, until signing out

    passed_through: list[str] = []  # every address the tab is sent to, redirects included

    def note(request: Any) -> None:
        if request.is_navigation_request():
            passed_through.append(request.url)

    person.page.on("request", note)
    _log_out(person)
    _wait_for(person, person.base + reverse("accounts:login"))  # the provider adds the state Alongside sent it
    person.look("log in, signed out of Alongside and the provider")

    assert any(url.startswith(provider.end_session_endpoint + "?") for url in passed_through), passed_through
    assert _asks_for_password_at_provider(person, provider)
    home = person.page.goto(person.base + reverse("home"))
    assert home.ok and person.page.url.startswith(person.base + reverse("accounts:login"))
    # Pressing the button again: the provider asks for the password, since its session has ended as well.
    _press_by_keyboard(person, PROVIDER_BUTTON)
    _wait_for(person, f"{provider.base_url}/login/")
    assert person.page.locator("#id_password").is_visible()


@pytest.mark.django_db(transaction=True)
def test_a_stranger_at_the_provider_is_told_to_ask_for_an_invitation(
    people: Any, provider: LocalProvider, site_a: Site
) -> None:
    stranger = people(None, "stranger")
    stranger.go(reverse("accounts:login"), "log in, with a provider")

    with stranger.page.expect_navigation():
        stranger.click(PROVIDER_BUTTON)
    callback = stranger.base + reverse("accounts:oidc_callback", args=[SLUG])
    with stranger.page.expect_response(lambda response: response.url.startswith(callback + "?")) as answer:
        _sign_in_at_provider(stranger, provider, "drew")
    _wait_for(stranger, callback)
    stranger.look("sign-in refused: no account")

    assert answer.value.status == 403
    assert stranger.page.title().startswith(f"You cannot sign in with {NAME}")
    assert "Alongside has no account for you yet. Ask your programme lead or your site's lead" in stranger.text()
    assert not User.objects.filter(email__iexact=provider.people["drew"].email).exists()
    assert not ExternalIdentity.objects.exists()
    with stranger.page.expect_navigation():
        stranger.click("main a:has-text('Back to the log-in page')")
    home = stranger.page.goto(stranger.base + reverse("home"))
    assert home.ok and stranger.page.url.startswith(stranger.base + reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_with_the_provider_down_the_log_in_page_says_so_and_the_password_still_works(
    people: Any, oidc_provider: LocalProvider, settings: Any, site_member: User
) -> None:
    _alongside_uses(settings, oidc_provider.setting(oidc_provider.entry(discovery_url=unused_discovery_url())))
    person = people(None, "site member, provider down")
    person.go(reverse("accounts:login"), "log in, with a provider")

    with person.page.expect_navigation():
        person.click(PROVIDER_BUTTON)
    _wait_for(person, person.base + reverse("accounts:login"))
    person.look("log in, the provider not answering")

    assert (
        f"{NAME} is not answering just now, so you cannot sign in with it. Try again in a few minutes, or log in "
        "with your password." in person.text()
    )
    person.fill("#id_username", site_member.email)
    person.fill("#id_password", PASSWORD)
    person.submit("home, with the password")
    assert person.page.url == person.base + reverse("home")
    assert f"Hello, {site_member.get_short_name()}" in person.text()


# Passkeys -------------------------------------------------------------------------------------------------------


def _use_passkey(person: Person, destination: str, *, by_keyboard: bool = False) -> str:
    """Presses the page's passkey button (the authenticator answers by itself); "" once the browser is at the
    destination, else what the page says went wrong."""
    button = "#passkey-verification-button"
    if by_keyboard:
        _press_by_keyboard(person, button)
    else:
        person.click(button)
    try:
        _wait_for(person, destination)
    except PlaywrightTimeoutError:
        said = person.page.locator("#passkey-verification-status-message").inner_text()
        return f"at {person.page.url}, the page saying {said!r}"
    return ""


@pytest.mark.django_db(transaction=True)
def test_a_site_member_registers_a_passkey_and_signs_in_with_it_alone(
    people: Any, passkeys_on_localhost: None, site_member: User
) -> None:
    """By keyboard: after their password, Add a passkey; signed out, Sign in with a passkey, and no password."""
    member = people(site_member, "site member (keyboard)", keyboard_only=True)
    devtools, authenticator = _virtual_authenticator(member)

    _register_a_passkey(member)

    (credential,) = _credentials(devtools, authenticator)
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"
    (passkey,) = two_factor.passkeys_of(site_member)
    member.go(reverse("accounts:security"), "sign-in and security, a passkey")
    assert f"added on {passkey.created_at.day} " in member.text()

    _log_out(member)
    member.look("log in, signed out")
    failed = _use_passkey(member, member.base + reverse("home"), by_keyboard=True)
    assert not failed, f"Sign in with a passkey did not sign the member in: {failed}"
    member.look("home, signed in with a passkey")

    assert f"Hello, {site_member.get_short_name()}" in member.text()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert _credentials(devtools, authenticator)[0]["signCount"] >= 1


@pytest.mark.django_db(transaction=True)
def test_a_programme_lead_uses_a_passkey_instead_of_a_code_and_then_removes_it(
    people: Any, passkeys_on_localhost: None, programme_lead: User
) -> None:
    lead = people(programme_lead, "programme lead")  # the password, then the authenticator app's code
    devtools, authenticator = _virtual_authenticator(lead)
    _register_a_passkey(lead)
    assert len(_credentials(devtools, authenticator)) == 1
    assert WebAuthnCredential.objects.filter(user=programme_lead, confirmed=True).count() == 1
    _log_out(lead)

    lead.fill("#id_username", programme_lead.email)
    lead.fill("#id_password", PASSWORD)
    with lead.page.expect_navigation():
        lead.click("main button[type=submit]")
    lead.look("two-factor, a passkey or a code")
    assert lead.page.url.startswith(lead.base + reverse("accounts:two_factor_verify"))
    assert "Use your passkey" in lead.text() and lead.page.locator("#id_code").is_visible()
    failed = _use_passkey(lead, lead.base + reverse("home"))
    assert not failed, f"Use your passkey did not get the lead past the two-factor page: {failed}"
    lead.look("home, the second factor given")

    assert f"Hello, {programme_lead.get_short_name()}" in lead.text()
    lead.go(reverse("engagements:queue"), "the queue, two-factor used")  # a central-team page: verified
    assert lead.page.url == lead.base + reverse("engagements:queue")

    lead.go(reverse("accounts:security"), "sign-in and security, a passkey and an authenticator app")
    assert "On: an authenticator app" in lead.text() and "added on" in lead.text()
    with lead.page.expect_navigation():
        lead.click("main form[action*='/security/passkeys/'] button:has-text('Remove')")
    assert "The passkey is removed: it no longer signs you in." in lead.text()
    # The passkey removed had verified this session: it stays verified on the authenticator app, as the lead
    # confirmed it was them (with a code) minutes ago.
    lead.look("sign-in and security, the passkey removed")

    assert lead.page.url == lead.base + reverse("accounts:security")
    assert "None yet. A passkey signs you in without a password" in lead.text()
    assert not WebAuthnCredential.objects.filter(user=programme_lead).exists()
    _log_out(lead)
    lead.fill("#id_username", programme_lead.email)
    lead.fill("#id_password", PASSWORD)
    with lead.page.expect_navigation():
        lead.click("main button[type=submit]")
    assert "Use your passkey" not in lead.text() and lead.page.locator("#id_code").is_visible()  # a code, only
    lead.fill("#id_code", current_code(programme_lead))
    with lead.page.expect_navigation():
        lead.click("main form[method=post] button[type=submit] >> nth=0")
    assert lead.page.url == lead.base + reverse("home")
