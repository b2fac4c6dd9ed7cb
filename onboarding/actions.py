"""Invitations: how every person comes into Alongside, each change one transaction with its audit event.

The central team invites enablers, other programme leads and a site's first lead; a site's lead invites its
members. The link is sent through the outbox, works once and expires after INVITATION_LIFETIME. Accepting it makes
the account (with a password the person sets) or, for an address that already has an account, adds the role once
that person has signed in. The e-mail says who Alongside is and what the role is: never anything a site or an
enabler wrote.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts import addresses
from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from accounts.notifications import notify_address, notify_addresses
from core.errors import NotAllowed
from core.records import save_changed, set_links
from engagements.models import EnablerProfile, Offer
from lessons.models import Lesson
from sites import access as site_access
from sites import actions as site_actions
from sites.models import Programme, Site

from .models import Invitation, token_digest

Verb = AuditEvent.Verb
Role = Invitation.Role


def may_invite(by: User | None, role: str, site: Site | None) -> bool:
    """Programme leads invite enablers, programme leads and site leads; a site's lead invites the site's members.
    `by` is None for an operator's import (manage.py import_csv)."""
    if by is None:
        return True
    if role == Role.SITE_MEMBER:
        return site is not None and (site_access.is_site_lead(by, site) or is_central_team(by))
    return is_central_team(by)


def has_role(user: User, role: str, site: Site | None) -> bool:
    """Whether the account already has what the invitation would give."""
    if role == Role.PROGRAMME_LEAD:
        return user.is_programme_lead
    if role == Role.ENABLER:
        return EnablerProfile.objects.filter(user=user).exists()
    held = site_access.site_role(user, site) if site is not None else None
    return held is not None and (role == Role.SITE_MEMBER or site_access.is_lead_role(held))


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_digest = token_digest(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + settings.INVITATION_LIFETIME
    return token


SUBJECT = "You are invited to join Alongside"


@sensitive_variables("token")
def _message(invitation: Invitation, token: str, *, has_account: bool) -> tuple[str, str, str, str]:
    """The invitation's e-mail: (address, subject, body, link). Only the role: nothing anyone wrote."""
    days = settings.INVITATION_LIFETIME.days
    how = (
        "Open this link and sign in with your Alongside account to accept."
        if has_account
        else "Open this link to set your password and sign in."
    )
    body = (
        f"You are invited to join Alongside, the service for leadership support programmes in health and care, "
        f"as {invitation.role_words}. {how} The link works once, for {days} days.\n\n"
        "If you did not expect this, ignore this message: nothing happens unless you open the link."
    )
    return invitation.email, SUBJECT, body, reverse("onboarding:invitation_accept", kwargs={"token": token})


@sensitive_variables("token")
def _send(invitation: Invitation, token: str) -> None:
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    address, subject, body, link = _message(invitation, token, has_account=has_account)
    notify_address(address=address, kind="invitation", subject=subject, body=body, link=link)


@transaction.atomic
def invite(
    *,
    email: str,
    full_name: str,
    role: str,
    by: User | None,
    site: Site | None = None,
    job_title: str = "",
    profile: dict[str, Any] | None = None,
) -> Invitation:
    """Invites one person with one role. An invitation still waiting for the same person and role is sent again
    rather than doubled. The address is normalised, and refused with hidden characters, two alphabets, or the look
    of someone else's address (accounts.addresses)."""
    email = addresses.normalised(email)
    refusal = User.objects.address_refusal(email)
    if refusal:
        raise NotAllowed(refusal)
    if role not in Role.values:
        raise NotAllowed("Choose a role.")
    if (role in Invitation.SITE_ROLES) != (site is not None):
        raise NotAllowed("A site lead or site member is invited to a site; other roles are not.")
    if not may_invite(by, role, site):
        raise NotAllowed("You cannot invite someone with that role.")
    existing = User.objects.with_address(email)
    if existing is not None and has_role(existing, role, site):
        raise NotAllowed(f"{email} already has an account as {Invitation(role=role, site=site).role_words}.")
    waiting = Invitation.objects.select_for_update().pending().filter(email=email, role=role, site=site).first()
    if waiting is not None:
        return resend_invitation(invitation=waiting, by=by)
    invitation = Invitation(
        email=email, full_name=full_name.strip(), job_title=job_title.strip(), role=role, site=site, invited_by=by
    )
    invitation.profile = profile or {}
    token = _new_token(invitation)
    invitation.save()
    AuditEvent.record(actor=by, verb=Verb.INVITED, target=invitation, role=role, site=site.pk if site else None)
    _send(invitation, token)
    return invitation


@transaction.atomic
def invite_many(*, invitations: list[Invitation], by: User | None) -> list[Invitation]:
    """Many new invitations at once, for an import of thousands of people: saved, audited and e-mailed (after
    commit) in a few statements. The caller has planned them in this transaction (onboarding.imports.people): no
    account already has the role, and no invitation for it is waiting, so each is new."""
    for role, site in {(invitation.role, invitation.site) for invitation in invitations}:
        if not may_invite(by, role, site):
            raise NotAllowed("You cannot invite someone with that role.")
    tokens = []
    for invitation in invitations:
        invitation.email = addresses.normalised(invitation.email)  # the plan refused any address the rule refuses
        invitation.invited_by = by
        tokens.append(_new_token(invitation))
    saved = Invitation.objects.bulk_create(invitations)
    AuditEvent.record_many(
        actor=by,
        verb=Verb.INVITED,
        targets=saved,
        detail_of=lambda invitation: {"role": invitation.role, "site": invitation.site_id},  # type: ignore[attr-defined]
    )
    with_accounts = set(
        User.objects.filter(email__in=[invitation.email for invitation in saved]).values_list("email", flat=True)
    )
    messages = [
        _message(invitation, token, has_account=invitation.email in with_accounts)
        for invitation, token in zip(saved, tokens, strict=True)
    ]
    notify_addresses(messages=messages, kind="invitation")
    return saved


def _may_manage(invitation: Invitation, by: User | None) -> None:
    if by is not None and not Invitation.objects.visible_to(by).filter(pk=invitation.pk).exists():
        raise NotAllowed("That invitation is not yours to change.")
    if by is not None and not may_invite(by, invitation.role, invitation.site):
        raise NotAllowed("You cannot invite someone with that role.")


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by: User | None) -> Invitation:
    """A new link with a new week: the old link stops working."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("site").get(pk=invitation.pk)
    _may_manage(invitation, by)
    if not invitation.can_resend():
        raise NotAllowed(f"This invitation was {invitation.state.label.lower()}: it cannot be sent again.")
    token = _new_token(invitation)
    invitation.send_count += 1
    invitation.save(update_fields=["token_digest", "sent_at", "expires_at", "send_count"])
    AuditEvent.record(actor=by, verb=Verb.RESENT_AN_INVITATION, target=invitation)
    _send(invitation, token)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("site").get(pk=invitation.pk)
    _may_manage(invitation, by)
    if not invitation.can_revoke():
        raise NotAllowed(f"This invitation was {invitation.state.label.lower()} already.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    AuditEvent.record(actor=by, verb=Verb.REVOKED_AN_INVITATION, target=invitation)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state; None for a link Alongside never made (or made before it
    was sent again)."""
    return Invitation.objects.select_related("site").filter(token_digest=token_digest(token)).first()


def _grant(invitation: Invitation, user: User) -> None:
    if invitation.role == Role.PROGRAMME_LEAD and not user.is_programme_lead:
        user.is_programme_lead = True
        user.save(update_fields=["is_programme_lead"])
    elif invitation.role == Role.ENABLER:
        start = invitation.profile or {}
        EnablerProfile.objects.get_or_create(
            user=user,
            defaults={"sectors": list(start.get("sectors", [])), "capacity": int(start.get("capacity", 2))},
        )
    elif invitation.site is not None:
        site_actions.add_to_site(user=user, site=invitation.site, lead=invitation.role == Role.SITE_LEAD)


@transaction.atomic
def accept_invitations_by_sign_in(*, email: str) -> User | None:
    """A first sign-in through an organisation's provider (accounts.oidc), for an address with no account yet:
    its pending invitations are accepted, an account made for it (with no password: it signs in through its
    provider), and every role they bring is granted. None when no invitation is waiting for the address; the
    provider has already vouched for the address and its domain (and accounts.oidc applied the address rule)."""
    email = addresses.normalised(email)
    waiting = list(
        Invitation.objects.pending()
        .select_for_update(of=("self",))
        .select_related("site")
        .filter(email__iexact=email)
        .order_by("created_at", "pk")
    )
    if not waiting or User.objects.holder(email) is not None:
        return None
    first = waiting[0]
    account = User.objects.create_user(
        first.email, None, full_name=first.full_name, job_title=first.job_title
    )  # no password: create_user sets an unusable one
    for invitation in waiting:
        _grant(invitation, account)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        AuditEvent.record(
            actor=account,
            verb=Verb.ACCEPTED_AN_INVITATION,
            target=invitation,
            role=invitation.role,
            new_account=invitation is first,
            by_sign_in=True,
        )
    account.forget_roles()
    return account


@transaction.atomic
@sensitive_variables("password", "token")
def accept_invitation(*, token: str, user: User | None = None, password: str = "") -> User:
    """Accepts the invitation the link names. With no account for its address, one is made with `password`; with
    one, the role is added to `user`, who must be signed in to that account."""
    found = invitation_for_token(token)
    if found is None:
        raise NotAllowed("This invitation link does not work.")
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("site").get(pk=found.pk)
    if invitation.state != Invitation.State.PENDING:
        raise NotAllowed(f"This invitation was {invitation.state.label.lower()}: ask for a new one.")
    account = User.objects.with_address(invitation.email)
    if account is None:
        if user is not None:
            raise NotAllowed("This invitation is for someone else: sign out first.")
        refusal = User.objects.address_refusal(invitation.email)  # an invitation sent before the rule
        if refusal:
            raise NotAllowed(f"This invitation link does not work. {refusal} Ask for a new invitation.")
        account = User.objects.create_user(
            invitation.email, password, full_name=invitation.full_name, job_title=invitation.job_title
        )
        made = True
    else:
        if user is None or user.pk != account.pk:
            raise NotAllowed("This invitation is for an account that already exists: sign in to it to accept.")
        if not account.is_active:
            raise NotAllowed("This account is deactivated.")
        made = False
    _grant(invitation, account)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    AuditEvent.record(
        actor=account, verb=Verb.ACCEPTED_AN_INVITATION, target=invitation, role=invitation.role, new_account=made
    )
    account.forget_roles()
    return account


OFFER_FIELDS = ("name", "description", "provider", "cadence", "day_allowance", "starts_with_diagnostic")


def _central_team_only(by: User) -> None:
    if not is_central_team(by):
        raise NotAllowed("Only the central team shapes a programme's offers.")


def _published(lessons: list[Lesson]) -> list[Lesson]:
    if any(lesson.state != Lesson.State.PUBLISHED for lesson in lessons):
        raise NotAllowed("An offer cites published lessons only.")
    return lessons


@transaction.atomic
def create_offer(*, programme: Programme, by: User, lessons: list[Lesson], **fields: Any) -> Offer:
    """A new offer of a programme year, open to requests, citing the published lessons that shaped it."""
    _central_team_only(by)
    offer = Offer.objects.create(programme=programme, **{name: fields[name] for name in OFFER_FIELDS if name in fields})
    offer.shaping_lessons.set(_published(list(lessons)))
    AuditEvent.record(actor=by, verb=Verb.CREATED_AN_OFFER, target=offer, lessons=len(lessons))
    return offer


@transaction.atomic
def update_offer(*, offer: Offer, by: User, lessons: list[Lesson] | None = None, **fields: Any) -> bool:
    _central_team_only(by)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    changed = save_changed(offer, fields, OFFER_FIELDS)
    if lessons is not None and set_links(offer.shaping_lessons, _published(list(lessons))):
        changed.append("lessons")
    if changed:
        AuditEvent.record(actor=by, verb=Verb.EDITED_AN_OFFER, target=offer, fields=changed)
    return bool(changed)


@transaction.atomic
def retire_offer(*, offer: Offer, by: User) -> Offer:
    """No new requests for the offer; requests already made and engagements under way go on as they are."""
    _central_team_only(by)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not offer.is_open:
        raise NotAllowed(f"{offer} was retired already.")
    offer.is_open = False
    offer.save(update_fields=["is_open"])
    AuditEvent.record(actor=by, verb=Verb.RETIRED_AN_OFFER, target=offer)
    return offer
