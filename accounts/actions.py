"""Changes to a person's account, each in one transaction with its audit event and its notice to the person.

An administrator runs the service; they never hold a person's password. They may send the person a link to set a
new one (to the person's own address), deactivate or reactivate the account, or remove its two-factor devices,
and the person is told of each. A person changes their own e-mail address only by opening a link sent to the new
address (`request_email_change`, `confirm_email_change`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp_webauthn.models import WebAuthnCredential

from core.errors import NotAllowed
from frontend.dates import long_date

from . import addresses, notices, phones, two_factor
from .access import is_central_team
from .models import AuditEvent, ExternalIdentity, MobileNumber, Notification, ProviderSignIn, User
from .notifications import notify, notify_address, notify_text
from .notify import texts_available

EMAIL_CHANGE_SALT = "alongside.accounts.email-change"


class EmailChangeLinkInvalid(Exception):
    """The link is not one Alongside made, is for another account, has expired, or was used already."""


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def password_reset_path(user: User) -> str:
    """The path of a single-use link to set a new password, valid for PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def welcome_new_account(*, user: User, by: User) -> None:
    """An administrator made the account (saved by the admin's form, without a password): it is recorded, and the
    person is sent a link to set their own password."""
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.CREATED_ACCOUNT, target=user, via="admin")
    send_password_reset_link(user=user, by=by)


@transaction.atomic
def send_password_reset_link(*, user: User, by: User) -> None:
    """An administrator sends the person a link to set a new password, to the person's own address."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.SENT_PASSWORD_RESET_LINK, target=user, via="admin")
    notify(
        recipients=[user],
        kind="password reset by administrator",
        subject="Your password was reset by an administrator",
        body=(
            "An administrator of Alongside sent you this link to set a new password for your account. It works once, "
            f"for {hours} hours. Your current password keeps working until you set a new one.\n\n{notices.NOT_YOU}"
        ),
        link=password_reset_path(user),
    )


@transaction.atomic
def send_own_password_reset_link(*, user: User) -> None:
    """The person asked, signed out, for a link to choose a new password. It goes through the outbox (and GOV.UK
    Notify, when configured) like every e-mail Alongside sends: kept when the mail server or Notify is away and
    tried again, with Notify's delivery receipt. It carries the link and nothing else of the account, and the row
    is kept as an invitation's is: for the mailbox alone, never listed in the app nor in the person's records."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    notify_address(
        address=user.email,
        kind="password reset",
        subject="Reset your Alongside password",
        body=(
            "Someone asked to reset the password of your Alongside account. To choose a new password, open this "
            f"link within {hours} hours. It works once.\n\n"
            "If it was not you, ignore this email: your password stays as it is."
        ),
        link=password_reset_path(user),
    )


ENABLER_POOL = "enabler pool"


def _who_did_it(via: str) -> str:
    return "The central team" if via == ENABLER_POOL else "An administrator"


def _may_change_from_the_pool(user: User, by: User, via: str) -> None:
    """The central team deactivates and reactivates enablers' accounts from the enabler pool, never their own nor
    another programme lead's or an administrator's (those are an administrator's, through the admin)."""
    if via != ENABLER_POOL:
        return
    if not is_central_team(by):
        raise NotAllowed("Only the central team changes accounts from the enabler pool.")
    if user.pk == by.pk:
        raise NotAllowed("You cannot deactivate or reactivate your own account.")
    if user.is_programme_lead or user.is_superuser:
        raise NotAllowed(f"{user} is a programme lead or an administrator: an administrator changes their account.")


@transaction.atomic
def deactivate_account(*, user: User, by: User, via: str = "admin") -> bool:
    """Signs the person out everywhere at once (User.save deletes the account's sessions) and stops them signing
    in; their records stay. False if the account was already inactive. `via`: "admin" or "enabler pool"."""
    user = _locked(user)
    _may_change_from_the_pool(user, by, via)
    if not user.is_active:
        return False
    notices.tell(  # before the account is inactive: the outbox writes to active accounts only
        user,
        subject="Your Alongside account was deactivated",
        happened=f"{_who_did_it(via)} deactivated your Alongside account: you cannot sign in until it is reactivated",
    )
    user.is_active, user.deactivated_at = False, timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.DEACTIVATED_ACCOUNT, target=user, via=via)
    return True


@transaction.atomic
def reactivate_account(*, user: User, by: User, via: str = "admin") -> bool:
    """The person may sign in again (with a new session: none of the old ones survived the deactivation)."""
    user = _locked(user)
    _may_change_from_the_pool(user, by, via)
    if user.is_active:
        return False
    user.is_active, user.deactivated_at, user.inactivity_notice_sent_at = True, None, None
    user.save(update_fields=["is_active", "deactivated_at", "inactivity_notice_sent_at"])
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.REACTIVATED_ACCOUNT, target=user, via=via)
    notices.tell(
        user,
        subject="Your Alongside account was reactivated",
        happened=f"{_who_did_it(via)} reactivated your Alongside account",
    )
    return True


# The retention schedule's changes to accounts (retention/schedule.py decides which accounts and when) ----------

RETENTION = "retention schedule"


@transaction.atomic
def warn_of_inactivity(*, user: User, deactivate_on: date) -> bool:
    """Tell the person, once for each spell of disuse, that their unused account will be deactivated; signing in
    before then keeps it. False if they were told already since they last signed in."""
    user = _locked(user)
    last_seen = user.last_login or user.date_joined
    if not user.is_active or (user.inactivity_notice_sent_at and user.inactivity_notice_sent_at >= last_seen):
        return False
    notify(
        recipients=[user],
        kind="account-retention",
        subject="Your Alongside account will be deactivated unless you sign in",
        body=(
            f"Nobody has signed in to your Alongside account since {long_date(timezone.localtime(last_seen))}. "
            "Alongside keeps unused accounts for a set time only, so it will deactivate yours on "
            f"{long_date(deactivate_on)} unless you sign in before then. Nothing is lost by deactivating: what you "
            "wrote stays where it was, and an administrator can reactivate the account. A year after it is "
            "deactivated, your name and e-mail address are removed from it."
        ),
        link=reverse("accounts:login"),
    )
    user.inactivity_notice_sent_at = timezone.now()
    user.save(update_fields=["inactivity_notice_sent_at"])
    return True


@transaction.atomic
def deactivate_unused_account(*, user: User, told_before: datetime) -> bool:
    """Deactivated by the retention schedule: only when the person was told at or before `told_before` and has not
    signed in since. The event has no actor. False if any of that no longer holds."""
    user = _locked(user)
    told = user.inactivity_notice_sent_at
    if not user.is_active or told is None or told > told_before or told < (user.last_login or user.date_joined):
        return False
    user.is_active, user.deactivated_at = False, timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    AuditEvent.record(actor=None, verb=AuditEvent.Verb.DEACTIVATED_ACCOUNT, target=user, via=RETENTION)
    return True


@transaction.atomic
def anonymise_account(*, user: User, described_as: str) -> bool:
    """The name becomes `described_as` ("A former enabler"), so what others wrote with the person still reads
    sensibly; the e-mail address one that reaches nobody; the job title, password, mobile number, linked sign-in
    accounts, passkeys, authenticators and unsent notifications go. Only for an account deactivated (by anyone);
    False if it is active or was anonymised already."""
    user = _locked(user)
    if user.is_active or user.anonymised_at is not None:
        return False
    user.full_name, user.email, user.job_title = described_as, f"former-person-{user.pk}@alongside.invalid", ""
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.save(update_fields=["full_name", "email", "job_title", "password", "anonymised_at"])
    MobileNumber.objects.filter(person=user).delete()
    ExternalIdentity.objects.filter(user=user).delete()
    ProviderSignIn.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    two_factor.remove_every_device(user)
    Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).delete()
    AuditEvent.record(actor=None, verb=AuditEvent.Verb.ANONYMISED_ACCOUNT, target=user)
    return True


def remove_two_factor(*, user: User, by: User) -> None:
    """An administrator removes the person's authenticator and recovery codes (a lost phone); they are told."""
    two_factor.turn_off(user, by=by)


def email_change_link_lifetime() -> timedelta:
    return settings.EMAIL_CHANGE_LINK_TIMEOUT


@transaction.atomic
def request_email_change(*, user: User, new_email: str) -> None:
    """Sends a link to the new address; the address changes only when the link is opened by the person signed in.
    If another account already has the address, that account's owner is told instead, and nothing else happens:
    the person asking sees the same answer either way, so the form tells nobody which addresses have accounts. An
    address that only looks like another account's (accounts.addresses: a Cyrillic letter, a hidden character) is
    treated as that account's, with the same answer."""
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.ASKED_TO_CHANGE_EMAIL, target=user)
    owner = User.objects.holder(new_email)
    if owner is not None and owner.pk != user.pk:
        notify(
            recipients=[owner],
            kind="e-mail address already in use",
            subject="Someone tried to use your e-mail address on Alongside",
            body=(
                "Someone signed in to another Alongside account asked to move that account to this e-mail address. "
                "This address already belongs to your account, so nothing was changed. You need do nothing."
            ),
        )
        return
    token = email_change_token(user, new_email)
    hours = int(email_change_link_lifetime().total_seconds() // 3600)
    notify(
        recipients=[user],
        kind="confirm e-mail address",
        subject="Confirm your new e-mail address for Alongside",
        body=(
            "Open this link, signed in to Alongside, to start using this e-mail address for your account. It works "
            f"once, for {hours} hours. If you did not ask for this, ignore this message: nothing changes."
        ),
        link=reverse("accounts:email_change_confirm", kwargs={"token": token}),
        address=new_email,
    )


def _signer() -> signing.TimestampSigner:
    """Signs with dots between the parts, so the token is one plain segment of a path (no ":" to encode)."""
    return signing.TimestampSigner(salt=EMAIL_CHANGE_SALT, sep=".")


def email_change_token(user: User, new_email: str) -> str:
    """What the confirmation link carries, signed: whose account, its address now (so the link works once: after
    the change, or any other change of address, it no longer matches), and the new address."""
    return _signer().sign_object({"user": user.pk, "from": user.email, "to": new_email})


def email_change_in_link(*, user: User, token: str) -> str:
    """The new address a confirmation link carries, if the link is valid for this person now."""
    try:
        payload = _signer().unsign_object(token, max_age=email_change_link_lifetime())
    except signing.BadSignature as error:  # expired links raise SignatureExpired, a BadSignature
        raise EmailChangeLinkInvalid from error
    if not isinstance(payload, dict) or payload.get("user") != user.pk or payload.get("from") != user.email:
        raise EmailChangeLinkInvalid  # another person's link, or one used already (the address has changed since)
    new_email = payload.get("to")
    if not isinstance(new_email, str) or addresses.problem(addresses.normalised(new_email)):
        raise EmailChangeLinkInvalid
    owner = User.objects.holder(new_email)
    if owner is not None and owner.pk != user.pk:  # the address, or one like it, is another account's now
        raise EmailChangeLinkInvalid
    return new_email


@transaction.atomic
def confirm_email_change(*, user: User, token: str) -> str:
    """Makes the change a valid link asks for; the old address is told (accounts.notices)."""
    user = _locked(user)
    new_email = email_change_in_link(user=user, token=token)
    user.email = new_email
    user.save(update_fields=["email"])
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.CHANGED_EMAIL, target=user)
    return new_email


def mark_notifications_read(*, user: User) -> int:
    """Opening the list of one's notifications marks them read. Returns how many were unread."""
    return Notification.objects.visible_to(user).filter(read_at=None).update(read_at=timezone.now())


@transaction.atomic
def update_preferences(*, user: User, nudges_enabled: bool, session_reminders: bool) -> None:
    """The person's own preferences: whether they get the gentle nudge, and a reminder the day before a session."""
    user.nudges_enabled = nudges_enabled
    user.session_reminders = session_reminders
    user.save(update_fields=["nudges_enabled", "session_reminders"])


# Signing in through an organisation's provider (accounts.oidc) -------------------------------------------------


@transaction.atomic
def link_external_identity(*, user: User, provider: str, issuer: str, subject: str) -> ExternalIdentity:
    """A first sign-in through a provider links its (issuer, subject) to the account; the person is told."""
    identity = ExternalIdentity.objects.create(user=user, provider=provider, issuer=issuer, subject=subject)
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.LINKED_A_SIGN_IN_ACCOUNT, target=user, provider=provider)
    notices.tell(
        user,
        subject=f"Your {provider} account now signs you in to Alongside",
        happened=f"You signed in to Alongside with {provider}, and that account was linked to yours",
    )
    return identity


def note_external_sign_in(*, identity: ExternalIdentity) -> None:
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())


def provider_sign_in_device(*, user: User, provider: str) -> ProviderSignIn:
    """The django-otp device standing for a provider's own multi-factor sign-in (it takes no codes)."""
    device, _ = ProviderSignIn.objects.get_or_create(user=user, name=provider, defaults={"confirmed": True})
    return device


@transaction.atomic
def remove_external_identity(*, identity: ExternalIdentity, by: User) -> None:
    """The person removes a provider's link: it no longer signs them in (a new sign-in there would link it again
    only through their e-mail address, as at first)."""
    if identity.user_id != by.pk:
        raise NotAllowed("Only the person can remove their own linked sign-in.")
    ExternalIdentity.objects.filter(pk=identity.pk).delete()
    ProviderSignIn.objects.filter(user=by, name=identity.provider).delete()
    AuditEvent.record(actor=by, verb=AuditEvent.Verb.REMOVED_A_SIGN_IN_ACCOUNT, target=by, provider=identity.provider)
    notices.tell(
        by,
        subject=f"Your {identity.provider} account no longer signs you in to Alongside",
        happened=f"The link between your {identity.provider} account and Alongside was removed",
    )


# Passkeys (accounts.passkeys) ------------------------------------------------------------------------------------


@transaction.atomic
def passkey_registered(*, user: User, passkey: WebAuthnCredential) -> None:
    """django-otp-webauthn has saved a new passkey: recorded, and the person told."""
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.REGISTERED_A_PASSKEY, target=user, passkey=passkey.pk)
    notices.tell(user, subject="A passkey was added to your account", happened="A passkey was added to your account")


@transaction.atomic
def remove_passkey(*, user: User, passkey: WebAuthnCredential) -> None:
    if passkey.user_id != user.pk:
        raise NotAllowed("Only the person can remove their own passkey.")
    WebAuthnCredential.objects.filter(pk=passkey.pk).delete()
    AuditEvent.record(actor=user, verb=AuditEvent.Verb.REMOVED_A_PASSKEY, target=user, passkey=passkey.pk)
    notices.tell(
        user, subject="A passkey was removed from your account", happened="A passkey was removed from your account"
    )


# Delivery receipts from GOV.UK Notify ------------------------------------------------------------------------------


def record_delivery_receipt(*, reference: str, provider_id: str, status: str) -> str:
    """What Notify's delivery receipt says of one message: delivered; not delivered for good (the address is
    wrong: the notification fails, the person sees it in the app, and the admin's delivery list shows it); or not
    yet (a full inbox, a problem at Notify: the row is pending again, due after the usual back-off, and the next
    try sends again, since Notify will not). Returns what was done; a receipt for a message Alongside does not know
    (another service's reference, an unknown id) changes nothing and says so.

    A receipt may come before the row is marked sent: Notify answered slowly, or the worker went after Notify had
    accepted the message. The row is then still being handed over (`sending_since`, no id yet), and the receipt,
    found by its reference, is the proof that Notify has the message: the row is marked sent with Notify's id, then
    the receipt applied. The try still handing it over finds the row recorded and leaves it as it is."""
    from .notify import notification_id_of
    from .notify import reference as reference_of
    from .tasks import MAX_ATTEMPTS, retry_delay

    notification_id = notification_id_of(reference)
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(pk=notification_id).first()
            if notification_id is not None and provider_id
            else None
        )
        if notification is None or reference_of(notification) != reference:
            return "ignored"
        if notification.provider_id != provider_id:
            if notification.provider_id or notification.sending_since is None:
                return "ignored"  # another message's receipt: one sent before, or one Notify never had from here
            notification.mark_sent(provider_id)
        now = timezone.now()
        if status == Notification.Delivery.DELIVERED:
            notification.delivery, notification.delivered_at = status, now
            notification.save(update_fields=["delivery", "delivered_at"])
            return "delivered"
        if status == Notification.Delivery.PERMANENT_FAILURE:
            notification.delivery, notification.status = status, Notification.Status.FAILED
            notification.last_error = "GOV.UK Notify could not deliver it: the e-mail address is wrong or closed"
            notification.save(update_fields=["delivery", "status", "last_error"])
            return "failed"
        if status in (Notification.Delivery.TEMPORARY_FAILURE, Notification.Delivery.TECHNICAL_FAILURE):
            final = notification.attempts >= MAX_ATTEMPTS
            notification.delivery = status
            notification.status = Notification.Status.FAILED if final else Notification.Status.PENDING
            notification.provider_id, notification.sending_since = "", None
            notification.last_error = f"GOV.UK Notify reported a {status}"
            notification.next_attempt_at = now + retry_delay(notification.attempts)
            notification.save(
                update_fields=["delivery", "status", "provider_id", "sending_since", "last_error", "next_attempt_at"]
            )
            return "failed" if final else "will retry"
    return "ignored"


# A mobile number for text reminders ------------------------------------------------------------------------------


def ask_to_confirm_mobile(*, user: User, number: str) -> MobileNumber:
    """Keep the number (UK, in international form: accounts.phones) and text it a code to confirm it. Until it is
    confirmed no reminder is texted to it; a new number replaces the old one and waits for its own code."""
    if not texts_available():
        raise NotAllowed("Text messages are not available in this service.")
    now = timezone.now()
    with transaction.atomic():
        _locked(user)  # one request of the person's at a time, so two at once cannot both pass the limits
        mobile = MobileNumber.objects.select_for_update().filter(person=user).first() or MobileNumber(person=user)
        # Counted from the texts themselves, per person and per number: alternating numbers gains nothing.
        codes = Notification.objects.filter(
            channel=Notification.Channel.TEXT, kind=phones.CODE_KIND, created_at__gt=now - timedelta(hours=1)
        )
        too_soon = phones.too_soon(
            to_person=list(codes.filter(recipient=user).values_list("created_at", flat=True)),
            to_number=list(codes.filter(phone=number).values_list("created_at", flat=True)),
            now=now,
        )
        if too_soon:
            raise NotAllowed(too_soon)
        code = phones.new_code()
        mobile.number, mobile.confirmed_at, mobile.text_reminders = number, None, False
        mobile.code_digest, mobile.code_sent_at, mobile.code_attempts = phones.digest(code, number), now, 0
        mobile.save()
        notify_text(
            recipient=user,
            phone=number,
            kind=phones.CODE_KIND,
            body=f"Your Alongside code is {code}. It works for {phones.CODE_MINUTES} minutes. "
            "If you did not ask for it, you can ignore this message.",
        )
    return mobile


def confirm_mobile(*, user: User, code: str) -> None:
    """The code texted to the number, typed back: the number is confirmed and text reminders start. A wrong code
    counts against five tries; a code older than ten minutes is refused."""
    now = timezone.now()
    with transaction.atomic():
        mobile = MobileNumber.objects.select_for_update().filter(person=user).first()
        if mobile is None or not mobile.code_digest or mobile.code_sent_at is None:
            problem = "Ask for a code first: enter your mobile number."
        elif now - mobile.code_sent_at > timedelta(minutes=phones.CODE_MINUTES):
            problem = "That code has expired. Ask for a new one."
        elif mobile.code_attempts >= phones.CODE_TRIES:
            problem = "That code has had too many wrong tries. Ask for a new one."
        elif not phones.matches(code, mobile.number, mobile.code_digest):
            mobile.code_attempts += 1
            mobile.save(update_fields=["code_attempts"])
            problem = "That code is not right. Check the text message and try again."
        else:
            problem = ""
            mobile.confirmed_at, mobile.text_reminders = now, True
            mobile.code_digest, mobile.code_attempts = "", 0
            mobile.save(update_fields=["confirmed_at", "text_reminders", "code_digest", "code_attempts"])
            AuditEvent.record(actor=user, verb=AuditEvent.Verb.CONFIRMED_A_MOBILE_NUMBER, target=user)
    if problem:  # raised after the transaction, so that a wrong try is counted
        raise NotAllowed(problem)


def set_text_reminders(*, user: User, on: bool) -> None:
    MobileNumber.objects.filter(person=user, confirmed_at__isnull=False).update(text_reminders=on)


@transaction.atomic
def remove_mobile(*, user: User) -> None:
    if MobileNumber.objects.filter(person=user).delete()[0]:
        AuditEvent.record(actor=user, verb=AuditEvent.Verb.REMOVED_A_MOBILE_NUMBER, target=user)
