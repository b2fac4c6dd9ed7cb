"""Workflows across several records: each is one transaction, with its notifications saved in it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.notifications import notify
from sites.models import Site, SiteMembership

from .matching import exclusion_reason
from .models import (
    Action,
    Agreement,
    Diagnostic,
    DiagnosticShare,
    EnablerProfile,
    Engagement,
    NotAllowed,
    Offer,
    PrivateNote,
    Proposal,
    Session,
    SupportRequest,
    quiet_since,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


def _programme_leads() -> list[User]:
    return list(User.objects.filter(is_programme_lead=True, is_active=True))


def _site_leads(site: Site) -> list[User]:
    return [
        m.user for m in SiteMembership.objects.filter(site=site, role=SiteMembership.Role.LEAD).select_related("user")
    ]


@transaction.atomic
def submit_request(
    *,
    site: Site,
    offer: Offer,
    by: User,
    why_now: str,
    help_wanted: str,
    who_is_involved: str,
    approaches_wanted: Sequence[str],
    preferred_start: datetime.date | None,
) -> SupportRequest:
    """A site says it is ready. Only its own members can; one open request per offer."""
    if not SiteMembership.objects.filter(site=site, user=by).exists():
        raise NotAllowed("Only a member of the site can ask for support for it.")
    if offer.programme_id != site.programme_id or not offer.is_open:
        raise NotAllowed("This offer is not open to your site.")
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                site=site,
                offer=offer,
                created_by=by,
                why_now=why_now,
                help_wanted=help_wanted,
                who_is_involved=who_is_involved,
                approaches_wanted=list(approaches_wanted),
                preferred_start=preferred_start,
            )
    except IntegrityError as error:
        raise NotAllowed("Your site already has an open request for this offer.") from error
    AuditEvent.record(actor=by, verb="submitted", target=request)
    notify(
        recipients=_programme_leads(),
        kind="request-submitted",
        subject=f"{site} has asked for support",
        body=f"{site} has asked for “{offer}”. It is waiting in the queue for enablers to be proposed.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return request


@dataclass
class ProposedEnabler:
    profile: EnablerProfile
    introduction: str
    reasons: list[str]


@transaction.atomic
def propose_enablers(*, request: SupportRequest, proposals: Sequence[ProposedEnabler], by: User) -> list[Proposal]:
    """A programme lead proposes one to three enablers; the site then chooses."""
    if not by.is_programme_lead:
        raise NotAllowed("Only a programme lead can propose enablers.")
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not 1 <= len(proposals) <= 3:
        raise NotAllowed("Propose between one and three enablers.")
    for proposed in proposals:
        reason = exclusion_reason(proposed.profile, request.site)
        if reason:
            raise NotAllowed(reason)
        if not proposed.introduction.strip():
            raise NotAllowed(f"Write a short introduction to {proposed.profile.user} for the site.")
    request.mark_proposed(by=by)
    created = [
        Proposal.objects.create(
            request=request,
            enabler=proposed.profile.user,
            introduction=proposed.introduction.strip(),
            reasons=proposed.reasons,
            proposed_by=by,
        )
        for proposed in proposals
    ]
    notify(
        recipients=_site_leads(request.site),
        kind="enablers-proposed",
        subject="Enablers have been proposed for your request",
        body=f"{len(created)} enabler{'s' if len(created) != 1 else ''} have been proposed for “{request.offer}”. "
        "Read their introductions and choose the one you would like to work with.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return created


def _require_site_lead(request: SupportRequest, by: User) -> None:
    if not SiteMembership.objects.filter(site=request.site, user=by, role=SiteMembership.Role.LEAD).exists():
        raise NotAllowed("Only the site's lead can choose an enabler or decline the proposals.")


@transaction.atomic
def choose_enabler(*, request: SupportRequest, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    _require_site_lead(request, by)
    request.choose(by=by, proposal=proposal)
    notify(
        recipients=[proposal.enabler],
        kind="enabler-chosen",
        subject=f"{request.site} would like to work with you",
        body=f"{request.site} has chosen you for “{request.offer}”. Please confirm that you can take it on.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def decline_proposals(*, request: SupportRequest, reason: str, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    _require_site_lead(request, by)
    request.decline(by=by, reason=reason)
    notify(
        recipients=_programme_leads(),
        kind="proposals-declined",
        subject=f"{request.site} declined the proposed enablers",
        body="The request is back in the queue. The site's reason is on the request.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def confirm_engagement(*, proposal: Proposal, by: User) -> Engagement:
    """The chosen enabler confirms: the engagement begins, with an agreement to fill in.

    The request row is locked first, so of two confirmations at once the second finds it already accepted;
    the engagement's unique request is the database's own guarantee behind that.
    """
    request = SupportRequest.objects.select_for_update().get(pk=proposal.request_id)
    proposal = Proposal.objects.select_related("enabler").get(pk=proposal.pk)
    if proposal.enabler_id != by.pk:
        raise NotAllowed("Only the enabler the site chose can confirm.")
    if request.state == SupportRequest.State.ACCEPTED or proposal.outcome != Proposal.Outcome.CHOSEN:
        raise NotAllowed("This request has already been accepted, or you are no longer its chosen enabler.")
    request.mark_accepted(by=by)
    proposal.outcome = Proposal.Outcome.ACCEPTED
    proposal.save(update_fields=["outcome"])
    try:
        with transaction.atomic():
            engagement = Engagement.objects.create(
                request=request,
                site=request.site,
                offer=request.offer,
                enabler=by,
                day_allowance=request.offer.day_allowance,
            )
    except IntegrityError as error:
        raise NotAllowed("An engagement already exists for this request.") from error
    Agreement.objects.create(engagement=engagement, cadence=request.offer.get_cadence_display())
    AuditEvent.record(actor=by, verb="created", target=engagement, request=request.pk)
    return engagement


@transaction.atomic
def enabler_cannot_take_on(*, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=proposal.request_id)
    if proposal.enabler_id != by.pk or proposal.outcome != Proposal.Outcome.CHOSEN:
        raise NotAllowed("Only the chosen enabler can say they cannot take this on.")
    request.return_to_queue(by=by)
    notify(
        recipients=[*_programme_leads(), *_site_leads(request.site)],
        kind="enabler-unavailable",
        subject="The chosen enabler cannot take on the request",
        body=f"The enabler chosen for {request.site} cannot take it on. The request is back in the queue.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def confirm_agreement(*, engagement: Engagement, by: User) -> None:
    """One party confirms; when both have, the engagement becomes active and both are told."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    agreement = Agreement.objects.select_for_update().get(engagement=engagement)
    agreement.confirm(by=by)
    if agreement.is_confirmed:
        engagement.activate(by=by)
        notify(
            recipients=[engagement.enabler, *_site_leads(engagement.site)],
            kind="agreement-confirmed",
            subject="Your agreement is confirmed: the engagement has begun",
            body=f"The site and the enabler have both confirmed the agreement for “{engagement.offer}”.",
            link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
        )


@transaction.atomic
def record_diagnostic(
    *, engagement: Engagement, by: User, stage: int, strengths: str, development_areas: str
) -> Diagnostic:
    """A new version of the site's diagnostic; earlier versions stay."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if not Engagement.objects.working_with(by).filter(pk=engagement.pk).exists():
        raise NotAllowed("Only the site and its enabler fill in the diagnostic.")
    latest = engagement.diagnostics.order_by("-version").first()
    diagnostic = Diagnostic.objects.create(
        engagement=engagement,
        version=(latest.version + 1) if latest else 1,
        stage=stage,
        strengths=strengths,
        development_areas=development_areas,
        recorded_by=by,
    )
    AuditEvent.record(actor=by, verb="recorded the diagnostic", target=engagement, version=diagnostic.version)
    return diagnostic


@transaction.atomic
def share_diagnostic(*, engagement: Engagement, person: User, by: User) -> DiagnosticShare:
    if not SiteMembership.objects.filter(site=engagement.site, user=by, role=SiteMembership.Role.LEAD).exists():
        raise NotAllowed("Only the site's lead can share the diagnostic.")
    if not engagement.site.account_managers.filter(pk=person.pk).exists():
        raise NotAllowed("The diagnostic can be shared with an account manager linked to your site.")
    if engagement.diagnostic_shares.filter(shared_with=person, stopped_at=None).exists():
        raise NotAllowed(f"The diagnostic is already shared with {person}.")
    share = DiagnosticShare.objects.create(engagement=engagement, shared_with=person, shared_by=by)
    AuditEvent.record(actor=by, verb="shared the diagnostic", target=engagement, person=person.pk)
    return share


@transaction.atomic
def log_session(
    *,
    engagement: Engagement,
    by: User,
    held_on: datetime.date,
    length: Decimal,
    format: str,
    place: str,
    participants: str,
    private_note: str = "",
    action_description: str = "",
    action_owner: User | None = None,
    action_due_on: datetime.date | None = None,
) -> Session:
    """The enabler logs a session: it counts against the day budget, and may carry a private note and an action.

    Length is in days for offers counted in on-site days, in hours otherwise.
    """
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if by.pk != engagement.enabler_id:
        raise NotAllowed("Sessions are logged by the engagement's enabler.")
    if engagement.state == Engagement.State.CLOSED:
        raise NotAllowed("This engagement is closed, so no more sessions can be logged.")
    if held_on > timezone.localdate():
        raise NotAllowed("A session is logged once it has happened: its date must be today or earlier.")
    if held_on < engagement.earliest_session_date():
        raise NotAllowed("A session of this engagement can be logged from a year ago at the earliest.")
    counted_in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
    session = Session.objects.create(
        engagement=engagement,
        held_on=held_on,
        days=length if counted_in_days else None,
        hours=None if counted_in_days else length,
        format=format,
        place=place,
        participants=participants,
        logged_by=by,
    )
    engagement.use_days(session.counted_days, by=by)
    if private_note.strip():
        PrivateNote.write(engagement=engagement, author=by, text=private_note, session=session)
    if action_description.strip():
        add_action(
            engagement=engagement,
            by=by,
            description=action_description,
            owner=action_owner,
            due_on=action_due_on,
            session=session,
        )
    AuditEvent.record(actor=by, verb="logged a session", target=engagement, session=session.pk)
    return session


def parties(engagement: Engagement) -> list[User]:
    """The people on both sides of an engagement: the enabler and the site's members."""
    members = [m.user for m in SiteMembership.objects.filter(site=engagement.site).select_related("user")]
    return [engagement.enabler, *members]


def add_action(
    *,
    engagement: Engagement,
    by: User,
    description: str,
    owner: User | None,
    due_on: datetime.date | None,
    session: Session | None = None,
) -> Action:
    if owner is None or owner.pk not in {person.pk for person in parties(engagement)}:
        raise NotAllowed("An action's owner is the enabler or a member of the site.")
    action = Action.objects.create(
        engagement=engagement,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        session=session,
        created_by=by,
    )
    AuditEvent.record(actor=by, verb="added an action", target=engagement, action=action.pk)
    return action


@transaction.atomic
def nudge_if_quiet(*, engagement: Engagement, today: datetime.date) -> bool:
    """A gentle e-mail to the enabler and the site's leads (never the central team) after a quiet spell,
    once per spell."""
    quiet = quiet_since(engagement)
    if quiet is None or (today - quiet).days < settings.NUDGE_AFTER_DAYS:
        return False
    if engagement.last_nudged_at and timezone.localdate(engagement.last_nudged_at) >= quiet:
        return False
    recipients = [person for person in [engagement.enabler, *_site_leads(engagement.site)] if person.nudges_enabled]
    notify(
        recipients=recipients,
        kind="nudge",
        subject=f"It has been a while since your last session with {engagement.site}",
        body=f"The last session of “{engagement.offer}” was on {quiet:%d %B %Y}. If a session has happened, the "
        "enabler can log it; if you are taking a break, you can pause the engagement. You can turn these "
        "e-mails off in your preferences.",
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )
    engagement.last_nudged_at = timezone.now()
    engagement.save(update_fields=["last_nudged_at"])
    return True
