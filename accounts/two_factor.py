"""Two-factor sign-in: an authenticator app (TOTP, django-otp) and single-use recovery codes.

Programme leads and administrators must use it; everyone else may. A person is "verified" for the rest of a session
once they have given a current code from their app, or one of their recovery codes, after their password.

Recovery codes are shown once and stored only as a SHA-256 digest in django-otp's static tokens, so a copy of the
database does not hold usable codes. Both kinds of device throttle repeated wrong codes (django-otp doubles the wait
after each failure).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from base64 import b32decode
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from core.http import AuthenticatedHttpRequest

from . import notices
from .models import AuditEvent, User

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
security_log = logging.getLogger("alongside.security")
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt


def is_required_for(user: User) -> bool:
    """The central team and administrators see across every site: their accounts must have two-factor."""
    return bool(user.is_programme_lead or user.is_staff or user.is_superuser)


def has_authenticator(user: User) -> bool:
    """An authenticator app or a passkey: either asks for itself after the password."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def keep_verified(request: AuthenticatedHttpRequest) -> None:
    """The device that verified this session was just removed (a passkey, a provider's link), by the person, who has
    confirmed it is them in the last few minutes (with a code too, if they have an authenticator app): the session
    stays verified on their authenticator app if they have one. With none left, nothing is verified, and the rules
    of two-factor apply at the next page as at sign-in."""
    app = authenticator_for(request.user)
    if app is not None:
        django_otp.login(request, app)


def has_authenticator_app(user: User) -> bool:
    """An authenticator app (TOTP): what the codes asked for when a person confirms it is them come from."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))


def authenticator_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _digest(code: str) -> str:
    normalised = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device per person, kept until it is confirmed, so reloading
    the set-up page does not change the secret they have just scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def confirm_authenticator(request: AuthenticatedHttpRequest, device: TOTPDevice, code: str) -> Enrolment | None:
    """Confirms a pending authenticator with a code from it, replacing any earlier one, and issues new recovery
    codes. The session counts as verified from here on. None if the code is wrong."""
    if device.confirmed or device.user_id != request.user.pk or not device.verify_token(_only_digits(code)):
        return None
    TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_recovery_codes(request.user)
    django_otp.login(request, device)
    AuditEvent.record(actor=request.user, verb=AuditEvent.Verb.SET_UP_TWO_FACTOR, target=request.user)
    notices.tell(
        request.user,
        subject="Two-factor was set up on your Alongside account",
        happened="A new authenticator app was set up",
    )
    return Enrolment(device, codes)


def issue_recovery_codes(user: User) -> list[str]:
    """New single-use codes, replacing any left. Returned once, to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(settings.RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(code)) for code in codes)
    return codes


@transaction.atomic
def renew_recovery_codes(user: User) -> list[str]:
    """New recovery codes at the person's own request: the old ones stop working, and they are told."""
    codes = issue_recovery_codes(user)
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.MADE_NEW_RECOVERY_CODES, target=user)
    notices.tell(user, subject="New recovery codes for your Alongside account", happened="New recovery codes were made")
    return codes


def _only_digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def verify(request: AuthenticatedHttpRequest, code: str) -> str | None:
    """Checks a code from the person's authenticator, or one of their recovery codes (which is then used up).
    Marks the session verified and returns which kind was used, or None."""
    user = request.user
    code = (code or "").strip()
    authenticator = authenticator_for(user)
    digits = _only_digits(code)
    if authenticator is not None and len(digits) == authenticator.digits == len(code.replace(" ", "")):
        if authenticator.verify_token(digits):
            django_otp.login(request, authenticator)
            return AUTHENTICATOR
        _log_refused(user, AUTHENTICATOR)
        return None
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and code and recovery.verify_token(_digest(code)):
        django_otp.login(request, recovery)
        AuditEvent.record(actor=user, verb=AuditEvent.Verb.USED_A_RECOVERY_CODE, target=user)
        return RECOVERY
    _log_refused(user, RECOVERY)
    return None


def _log_refused(user: User, kind: str) -> None:
    """Which person and which kind of code, never the code."""
    security_log.warning(
        "Two-factor code refused", extra={"event": "two_factor.failed", "user_id": user.pk, "kind": kind}
    )


@transaction.atomic
def turn_off(user: User, *, by: User) -> None:
    """Removes a person's authenticator and recovery codes (refused for those who must have two-factor, when they
    ask themselves; an administrator may remove them, and the person sets up a new one at their next sign-in).
    The person is told either way."""
    if is_required_for(user) and by == user:
        raise PermissionError("Two-factor is required for your role.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if by != user:  # an administrator's reset is for a lost phone or key: every device goes, passkeys too
        WebAuthnCredential.objects.filter(user=user).delete()
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.TURNED_OFF_TWO_FACTOR, target=user)
    if by == user:
        notices.tell(
            user, subject="Two-factor was turned off on your Alongside account", happened="Two-factor was turned off"
        )
    else:
        notices.tell(
            user,
            subject="Your two-factor was removed by an administrator",
            happened="An administrator removed the authenticator app and recovery codes of your Alongside account",
        )


def remove_every_device(user: User) -> None:
    """For an account being anonymised: its authenticator and recovery codes, with no notice (nobody to tell)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def set_up_known_secret(user: User, base32_secret: str) -> TOTPDevice:
    """For the demo data only: an authenticator with a published secret, so the demo accounts can sign in."""
    TOTPDevice.objects.filter(user=user).delete()
    key = b32decode(base32_secret.upper()).hex()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key, confirmed=True)


def is_verified(user: User) -> bool:
    """Whether this session has used the person's two-factor (django_otp's OTPMiddleware sets `is_verified`)."""
    return bool(user.is_verified())  # type: ignore[attr-defined]
