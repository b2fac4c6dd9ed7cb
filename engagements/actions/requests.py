"""Requests' actions: a site asks for support, enablers are proposed, the site chooses, the enabler confirms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from sites import access as site_access
from sites.models import Site

from ..matching import exclusion_reason
from ..models import Agreement, EnablerProfile, Engagement, Offer, Proposal, SupportRequest
from .changes import cancel_chemistry

if TYPE_CHECKING:
    from collections.abc import Sequence


Verb = AuditEvent.Verb


def _programme_leads() -> list[User]:
    return list(User.objects.central_team())


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
    if not site_access.is_site_member(by, site):
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
    AuditEvent.record(actor=by, verb=Verb.SUBMITTED, target=request)
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
    if not is_central_team(by):
        raise NotAllowed("Only a programme lead can propose enablers.")
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not 1 <= len(proposals) <= 3:
        raise NotAllowed("Propose between one and three enablers.")
    if len({proposed.profile.pk for proposed in proposals}) != len(proposals):
        raise NotAllowed("Propose each enabler once.")
    for proposed in proposals:
        reason = exclusion_reason(proposed.profile, request.site, request=request)
        if reason:
            raise NotAllowed(reason)
        if not proposed.introduction.strip():
            raise NotAllowed(f"Write a short introduction to {proposed.profile.user} for the site.")
    request.mark_proposed()
    AuditEvent.record(actor=by, verb=Verb.PROPOSED_ENABLERS, target=request)
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
        recipients=site_access.site_leads(request.site_id),
        kind="enablers-proposed",
        subject="Enablers have been proposed for your request",
        body=f"{len(created)} enabler{'s' if len(created) != 1 else ''} have been proposed for “{request.offer}”. "
        "Read their introductions and choose the one you would like to work with.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return created


def _require_site_lead(request: SupportRequest, by: User) -> None:
    if not site_access.is_site_lead(by, request.site_id):
        raise NotAllowed("Only the site's lead can choose an enabler or decline the proposals.")


@transaction.atomic
def choose_enabler(*, request: SupportRequest, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    _require_site_lead(request, by)
    request.choose(proposal=proposal)
    AuditEvent.record(actor=by, verb=Verb.CHOSE_AN_ENABLER, target=request, proposal=proposal.pk)
    cancel_chemistry(request=request, by=by, keeping=proposal)
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
    request.decline(reason=reason)
    AuditEvent.record(actor=by, verb=Verb.DECLINED_THE_PROPOSALS, target=request)
    cancel_chemistry(request=request, by=by)
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
    request.mark_accepted()
    AuditEvent.record(actor=by, verb=Verb.ACCEPTED, target=request)
    proposal.outcome = Proposal.Outcome.ACCEPTED
    proposal.save(update_fields=["outcome"])
    # After a change of enabler, the next pairing follows the last: the days already used stay used.
    previous = request.engagements.filter(state=Engagement.State.ENDED).order_by("-created_at", "-pk").first()
    allowance = request.offer.day_allowance
    if previous is not None and previous.days_available is not None:
        allowance = previous.days_available - previous.days_used
    try:
        with transaction.atomic():
            engagement = Engagement.objects.create(
                request=request,
                site=request.site,
                offer=request.offer,
                enabler=by,
                day_allowance=allowance,
                previous=previous,
                days_carried=previous.days_carried + previous.days_used if previous else Decimal("0"),
            )
    except IntegrityError as error:
        raise NotAllowed("An engagement is already under way for this request.") from error
    Agreement.objects.create(engagement=engagement, cadence=request.offer.get_cadence_display())
    AuditEvent.record(actor=by, verb=Verb.CREATED, target=engagement, request=request.pk)
    return engagement


@transaction.atomic
def enabler_cannot_take_on(*, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=proposal.request_id)
    if proposal.enabler_id != by.pk or proposal.outcome != Proposal.Outcome.CHOSEN:
        raise NotAllowed("Only the chosen enabler can say they cannot take this on.")
    request.return_to_queue()
    AuditEvent.record(actor=by, verb=Verb.RETURNED_TO_THE_QUEUE, target=request)
    notify(
        recipients=[*_programme_leads(), *site_access.site_leads(request.site_id)],
        kind="enabler-unavailable",
        subject="The chosen enabler cannot take on the request",
        body=f"The enabler chosen for {request.site} cannot take it on. The request is back in the queue.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def withdraw_request(*, request: SupportRequest, by: User) -> None:
    """A member of the site withdraws its request while it is open. The request row is locked first, as
    `confirm_engagement` locks it, so of a withdrawal and a confirmation at the same moment exactly one wins and
    the other is refused with a reason."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not site_access.is_site_member(by, request.site_id):
        raise NotAllowed("Only a member of the site can withdraw its request.")
    request.withdraw()
    AuditEvent.record(actor=by, verb=Verb.WITHDREW, target=request)
    cancel_chemistry(request=request, by=by)


@transaction.atomic
def note_reminder_sent(*, request: SupportRequest, leads: list[User], waited: int) -> None:
    """Tell the central team a request has waited too long; once per request."""
    request = SupportRequest.objects.select_for_update().select_related("site", "offer").get(pk=request.pk)
    if request.waiting_reminder_sent_at is not None:
        return
    notify(
        recipients=leads,
        kind="request-waiting",
        subject=f"{request.site} has waited {waited} working days",
        body=f"The request from {request.site} for “{request.offer}” has waited "
        f"{waited} working days for enablers to be proposed.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    request.mark_reminder_sent()
