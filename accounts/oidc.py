"""Signing in with an organisation's own account: OpenID Connect, for several providers at once (NHSmail's Microsoft
Entra ID, a council's own), configured in settings.OIDC_PROVIDERS.

The flow is the authorization code flow with PKCE (S256), through Authlib's Django client: the state, the nonce and
the code verifier are kept in the person's session between the two legs; the ID token's signature (against the
provider's published keys), issuer, audience, expiry and nonce are checked before anything is read from it.

No account is ever made by signing in. A first sign-in links the provider's (issuer, subject) to the account, or to
the pending invitation, with the same e-mail address, and only when the provider vouches for that address's domain
and says the address is verified; afterwards the person is found by (issuer, subject) alone. Everyone else is told
to ask for an invitation.

Nothing here touches the network until a person presses a provider's button: a provider that is down, slow or
answering errors gives a plain message, and password sign-in goes on working for those allowed it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import django_otp
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import login
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.module_loading import import_string
from joserfc.errors import JoseError

from . import actions, addresses
from .models import ExternalIdentity, User

security_log = logging.getLogger("alongside.security")
BACKEND = "config.people.PersonBackend"
SESSION_KEY = "alongside_oidc"  # the provider signed in with, and its ID token for signing out there
# Algorithms an ID token may be signed with: never "none", never a shared secret.
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
# Authentication methods (RFC 8176) that are a factor beyond a password. Not "pin" or "kba": something else
# known is not a second factor.
SECOND_FACTORS = {"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris", "retina", "vbm", "sc"}
FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, TypeError, RuntimeError)


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    domains: tuple[str, ...]
    mfa: bool

    def vouches_for(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domains


class Refused(Exception):
    """A sign-in through a provider that Alongside refuses: `reason` for the security log, `message` for the
    person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        self.reason, self.message = reason, message


class Unavailable(Exception):
    """The provider is down, slow, or answered with an error."""


def providers() -> list[Provider]:
    return [
        Provider(
            slug=entry["slug"],
            name=entry["name"],
            discovery_url=entry["discovery_url"],
            client_id=entry["client_id"],
            client_secret=entry["client_secret"],
            domains=tuple(entry["domains"]),
            mfa=entry["mfa"],
        )
        for entry in settings.OIDC_PROVIDERS
    ]


def provider(slug: str) -> Provider | None:
    return next((each for each in providers() if each.slug == slug), None)


def sso_required(email: str) -> bool:
    """Whether people with this address sign in only through their organisation's provider."""
    return email.rpartition("@")[2].lower() in settings.SSO_REQUIRED_DOMAINS


def sso_required_for_provider(each: Provider) -> bool:
    """Whether every domain the provider vouches for signs in through it alone (so no password to fall back on)."""
    return all(domain in settings.SSO_REQUIRED_DOMAINS for domain in each.domains)


def provider_for(email: str) -> Provider | None:
    return next((each for each in providers() if each.vouches_for(email)), None)


# The Authlib client of each provider ----------------------------------------------------------------------------

_registry: OAuth | None = None


@receiver(setting_changed)
def _forget_clients(setting: str, **kwargs: Any) -> None:
    global _registry
    if setting in {"OIDC_PROVIDERS", "OIDC_TIMEOUT"}:
        _registry = None


def _client(each: Provider) -> Any:
    """The provider's client, its discovery document (and with it its keys) loaded and no older than
    OIDC_METADATA_MAX_AGE; Unavailable if the provider cannot be reached or its document is not for itself."""
    global _registry
    if _registry is None:
        _registry = OAuth()
    client = _registry.create_client(each.slug)
    if client is None:
        client = _registry.register(
            each.slug,
            client_id=each.client_id,
            client_secret=each.client_secret,
            server_metadata_url=each.discovery_url,
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": settings.OIDC_TIMEOUT,
            },
        )
    metadata = client.server_metadata
    loaded_at = metadata.get("_loaded_at")
    if loaded_at is not None and time.time() - loaded_at > settings.OIDC_METADATA_MAX_AGE:
        metadata.clear()  # fetched afresh below, keys and all
    try:
        client.load_server_metadata()
    except FAILURES as error:
        metadata.clear()
        raise Unavailable(str(error)) from error
    issuer = str(metadata.get("issuer", ""))
    if not issuer or issuer.rstrip("/") + "/.well-known/openid-configuration" != each.discovery_url:
        metadata.clear()
        raise Unavailable("the discovery document names another issuer")
    metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS
    return client


def callback_url(request: HttpRequest, each: Provider) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc_callback", args=[each.slug]))


def begin(request: HttpRequest, each: Provider, *, again: bool = False) -> HttpResponse:
    """To the provider's own sign-in page, with a fresh state, nonce and PKCE challenge kept in the session;
    `again` asks the provider to have the person sign in afresh (to confirm it is them), not reuse its session."""
    extra = {"prompt": "login", "max_age": 0} if again else {}
    try:
        return _client(each).authorize_redirect(request, callback_url(request, each), **extra)
    except FAILURES as error:
        raise Unavailable(str(error)) from error


def finish(request: HttpRequest, each: Provider) -> dict[str, Any]:
    """The provider sent the person back: exchange the code (with the PKCE verifier) for tokens and return the
    ID token's claims, once its signature, issuer, audience, expiry and nonce are checked."""
    if request.GET.get("error"):
        raise Refused("provider_error", f"{each.name} did not sign you in. Try again, or log in another way.")
    client = _client(each)
    issuer = client.server_metadata["issuer"]
    try:
        token = client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": each.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
            },
            leeway=60,
        )
    except (requests.RequestException, RuntimeError) as error:
        raise Unavailable(str(error)) from error
    except FAILURES as error:
        raise Refused(type(error).__name__, _TRY_AGAIN.format(name=each.name)) from error
    claims = token.get("userinfo")
    if not claims:
        raise Refused("no_id_token", _TRY_AGAIN.format(name=each.name))
    return {**dict(claims), "_id_token": token.get("id_token", "")}


_TRY_AGAIN = "Signing in with {name} did not work this time. Please try again."


def used_more_than_a_password(each: Provider, claims: dict[str, Any]) -> bool:
    """The provider's word that this sign-in used multi-factor: always, for a provider configured so, or its
    token's `amr` naming a factor beyond a password."""
    methods = claims.get("amr")
    return each.mfa or (isinstance(methods, list) and bool(SECOND_FACTORS & {str(m).lower() for m in methods}))


# Who the person is -----------------------------------------------------------------------------------------------


@transaction.atomic
def account_for(each: Provider, claims: dict[str, Any]) -> User:
    """The account this sign-in is for: by (issuer, subject) once linked; at a first sign-in, the account or the
    pending invitation with the same verified e-mail address, in a domain the provider vouches for."""
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        if not user.is_active:
            raise Refused("deactivated", "This account is deactivated. Ask your programme lead if you need it again.")
        actions.note_external_sign_in(identity=identity)
        return user
    # The same rule as every other way in (accounts.addresses): normalised, and refused with hidden characters,
    # two alphabets, or the look of another account's address, whatever the provider says it verified.
    email = addresses.normalised(str(claims.get("email") or ""))
    # Microsoft Entra ID says so with its optional claim xms_edov (the e-mail's domain owner verified it).
    if not email or not (claims.get("email_verified") is True or claims.get("xms_edov") is True):
        raise Refused(
            "email_not_verified",
            f"{each.name} did not confirm your e-mail address, so Alongside cannot tell which account is yours.",
        )
    if addresses.problem(email) or User.objects.look_alike_of_someone(email):
        raise Refused("address_refused", _ADDRESS_REFUSED.format(name=each.name))
    if not each.vouches_for(email):
        raise Refused("foreign_domain", _STRANGER)
    found: User | None = User.objects.with_address(email)
    if found is None:
        found = import_string(settings.OIDC_INVITATION_HOOK)(email=email)
    if found is None:
        raise Refused("no_account", _STRANGER)
    user = found
    if user.external_identities.filter(issuer=issuer).exists():
        # Already linked to another account of this provider: a mailbox given to someone else must not take over.
        raise Refused(
            "linked_to_another",
            f"Your Alongside account is already linked to another {each.name} account. Ask your programme lead.",
        )
    if not user.is_active:
        raise Refused("deactivated", "This account is deactivated. Ask your programme lead if you need it again.")
    actions.link_external_identity(user=user, provider=each.name, issuer=issuer, subject=subject)
    return user


_ADDRESS_REFUSED = (
    "The e-mail address {name} gave Alongside has hidden characters, or letters that look like others, so "
    "Alongside cannot tell which account is yours. Ask your programme lead."
)
_STRANGER = "Alongside has no account for you yet. Ask your programme lead or your site's lead for an invitation."


def sign_in(request: HttpRequest, each: Provider, claims: dict[str, Any]) -> User:
    """Signs the person in (a new session key, its clocks started) and, when the provider vouches for more than a
    password, counts the session as having used two-factor."""
    user = account_for(each, claims)
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = {"provider": each.slug, "id_token": claims.get("_id_token", "")}
    mfa = used_more_than_a_password(each, claims)
    if mfa:
        django_otp.login(request, actions.provider_sign_in_device(user=user, provider=each.name))
    security_log.info(
        "Signed in through a provider",
        extra={"event": "oidc.signed_in", "provider": each.slug, "user_id": user.pk, "mfa": mfa},
    )
    return user


def providers_linked_to(user: User) -> list[Provider]:
    """The configured providers the person has a linked account at, to confirm it is them through."""
    linked = set(user.external_identities.values_list("provider", flat=True))
    return [each for each in providers() if each.name in linked]


def confirm_it_is_them(request: HttpRequest, each: Provider, claims: dict[str, Any]) -> None:
    """A signed-in person signed in at their provider again: it must be the account linked to theirs."""
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    if not ExternalIdentity.objects.filter(user=request.user.pk, issuer=issuer, subject=subject).exists():
        raise Refused("confirmed_as_someone_else", f"That {each.name} account is not the one linked to yours.")
    security_log.info(
        "Confirmed it is them through a provider",
        extra={"event": "oidc.reauthenticated", "provider": each.slug, "user_id": request.user.pk},
    )


def refused(request: HttpRequest, each: Provider | None, reason: str) -> None:
    security_log.warning(
        "Sign-in through a provider refused",
        extra={"event": "oidc.refused", "provider": each.slug if each else None, "reason": reason},
    )


def logout_url(request: HttpRequest) -> str | None:
    """Where to send the browser to end the provider's session too (RP-initiated logout), if the person signed in
    through one that supports it; None to sign out of Alongside alone. Read before the session is flushed."""
    signed_in = request.session.get(SESSION_KEY) or {}
    each = provider(str(signed_in.get("provider", "")))
    if each is None:
        return None
    try:
        client = _client(each)
        if not client.server_metadata.get("end_session_endpoint"):
            return None
        result = client.create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login")),
            id_token_hint=signed_in.get("id_token") or None,
            client_id=each.client_id,
        )
    except (Unavailable, *FAILURES):
        return None
    return str(result["url"])
