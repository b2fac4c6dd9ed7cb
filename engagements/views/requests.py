"""Requests' pages: each person's home, requests for support, the queue, matching, proposals, asking to talk first."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Exists, F, OuterRef, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import central_team_required, is_central_team, sees_every_site
from accounts.models import User
from core import memo
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import chosen, posted
from sites import access as site_access
from sites.models import Site, SiteMembership

from ..actions.changes import ask_for_chemistry
from ..actions.requests import (
    ProposedEnabler,
    choose_enabler,
    confirm_engagement,
    decline_proposals,
    enabler_cannot_take_on,
    propose_enablers,
    submit_request,
    withdraw_request,
)
from ..forms.requests import ChemistryAskForm, DeclineForm, ProposalForm, SupportRequestForm
from ..matching import rank_enablers
from ..models import ChemistryConversation, EnablerProfile, Engagement, Offer, Proposal, SupportRequest
from ..working_days import working_days_between
from .common import _refused


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each person's starting page, with a section for each role their account has."""
    user = request.user
    # The person's roles came with them (config.people): a section they have no role for costs no query.
    memberships = []
    if user.roles.is_site_member:
        memberships = list(SiteMembership.objects.filter(user=user).select_related("site", "site__programme"))
    my_sites = [m.site for m in memberships]
    context: dict[str, object] = {
        "memberships": memberships,
        # The sites this person leads: only a site's lead confirms its agreement (the shortcut on their home).
        "led_site_ids": site_access.led_site_ids(memberships),
        "site_requests": SupportRequest.objects.filter(site__in=my_sites).select_related("site", "offer")[:20]
        if my_sites
        else [],
        "site_engagements": Engagement.objects.filter(site__in=my_sites).select_related(
            "site", "offer", "enabler", "agreement"
        )
        if my_sites
        else [],
        "enabler_profile": EnablerProfile.objects.filter(user=user).first() if user.roles.is_enabler else None,
    }
    if context["enabler_profile"]:
        context["enabler_engagements"] = (
            Engagement.objects.filter(enabler=user).select_related("site", "offer", "agreement").order_by("state")
        )
        context["waiting_for_me"] = Proposal.objects.filter(
            enabler=user, outcome=Proposal.Outcome.CHOSEN
        ).select_related("request__site", "request__offer")
        context["proposed_to"] = (
            Proposal.objects.filter(enabler=user, outcome=Proposal.Outcome.PENDING)
            .select_related("request__site", "request__offer")
            .annotate(conversation_pk=F("chemistry"))  # a site that would like to talk first
        )
    if is_central_team(user):
        queue = SupportRequest.objects.in_queue().select_related("site", "offer")
        context["queue"] = _with_waits(queue[:10])
        context["queue_count"] = queue.count()
        context["capacity"], context["capacity_in_use"] = memo.remembered(("capacity",), _capacity)
    if user.is_account_manager:
        context["shared_diagnostics"] = Engagement.objects.filter(
            diagnostic_shares__shared_with=user, diagnostic_shares__stopped_at=None
        ).select_related("site")
    return render(request, "engagements/home.html", context)


def _capacity() -> tuple[dict[str, int | None], int]:
    """Enablers' total capacity and the engagements open now: programme figures, kept for a few minutes."""
    total = EnablerProfile.objects.filter(user__is_active=True).aggregate(total=Sum("capacity"))
    return total, Engagement.objects.open().count()


def _with_waits(requests: QuerySet[SupportRequest]) -> list[tuple[SupportRequest, int]]:
    today = timezone.localdate()
    return [(item, working_days_between(timezone.localdate(item.waiting_since), today)) for item in requests]


def request_create(request: AuthenticatedHttpRequest, site_pk: int) -> HttpResponse:
    site = get_object_or_404(
        Site.objects.visible_to(request.user).filter(pk__in=site_access.sites_of(request.user)), pk=site_pk
    )
    form = SupportRequestForm(posted(request), site=site)
    if request.method == "POST" and form.is_valid():
        try:
            support_request = submit_request(site=site, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            repeat = _just_sent(site, form.cleaned_data["offer"], request.user)
            if repeat:  # a double-click: the first click already sent it
                return redirect("engagements:request_detail", pk=repeat.pk)
            form.add_error(None, error.text())
        else:
            messages.success(request, "Your request has been sent to the central team.")
            return redirect("engagements:request_detail", pk=support_request.pk)
    return render(request, "engagements/request_create.html", {"form": form, "site": site})


def _just_sent(site: Site, offer: Offer, user: User) -> SupportRequest | None:
    recent = timezone.now() - datetime.timedelta(seconds=30)
    return (
        SupportRequest.objects.open().filter(site=site, offer=offer, created_by=user, submitted_at__gte=recent).first()
    )


def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user).select_related("site", "offer", "created_by"), pk=pk
    )
    return _request_page(request, support_request)


def _ask_form(support_request: SupportRequest, data: Any = None) -> ChemistryAskForm:
    """The proposed enablers the site's lead may still ask to talk with: waiting for the site, not yet asked."""
    waiting = support_request.proposals.filter(outcome=Proposal.Outcome.PENDING, chemistry__isnull=True)
    return ChemistryAskForm(data, proposals=waiting.select_related("enabler"))


@require_POST
def chemistry_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """From the proposals: the site's lead ticks whom to talk with first. A refusal shows the request's page again
    with the form and its message."""
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user)
        .filter(site__in=site_access.sites_led_by(request.user))
        .select_related("site", "offer", "created_by"),
        pk=pk,
    )
    form = _ask_form(support_request, request.POST)
    if form.is_valid():
        try:
            asked = ask_for_chemistry(
                request=support_request, proposals=list(form.cleaned_data["proposals"]), by=request.user
            )
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            names = " and ".join(str(conversation.proposal.enabler) for conversation in asked)
            messages.success(request, f"{names} {'have' if len(asked) > 1 else 'has'} been asked to offer times.")
            return redirect("engagements:request_detail", pk=pk)
    return _request_page(request, support_request, chemistry_form=form)


def _request_page(
    request: AuthenticatedHttpRequest, support_request: SupportRequest, chemistry_form: ChemistryAskForm | None = None
) -> HttpResponse:
    proposals = support_request.proposals.select_related("enabler", "enabler__enabler_profile").annotate(
        chemistry_asked=Exists(ChemistryConversation.objects.filter(proposal=OuterRef("pk")))
    )
    role = site_access.site_role(request.user, support_request.site_id)
    is_site_member = role is not None
    if not (is_site_member or sees_every_site(request.user)):
        proposals = proposals.filter(enabler=request.user)  # an enabler sees their own proposal only
    shown = list(proposals)
    conversations = _chemistry_of(support_request, request.user)
    for proposal in shown:
        proposal.conversation = conversations.get(proposal.pk)  # type: ignore[attr-defined]
    is_site_lead = site_access.is_lead_role(role)
    # While it is choosing, the site's lead may ask to talk with those not yet asked.
    not_asked = [p for p in shown if p.outcome == Proposal.Outcome.PENDING and not p.__dict__["chemistry_asked"]]
    if chemistry_form is None and is_site_lead and support_request.state == SupportRequest.State.PROPOSED and not_asked:
        chemistry_form = _ask_form(support_request)
    context = {
        "support_request": support_request,
        "proposals": shown,
        "is_site_member": is_site_member,
        "is_site_lead": is_site_lead,
        "chemistry_form": chemistry_form,
        # Each pairing born from the request, for those who may see it (an earlier enabler sees their own only).
        "engagements": list(
            Engagement.objects.visible_to(request.user)
            .filter(request=support_request)
            .select_related("enabler")
            .order_by("created_at", "pk")
        ),
    }
    return render(request, "engagements/request_detail.html", context)


def _chemistry_of(support_request: SupportRequest, user: User) -> dict[int, ChemistryConversation]:
    """The request's chemistry conversations by proposal: those the person may open (the site's lead, the proposed
    enabler). The central team learns only that one was asked for (the proposal's chemistry_asked)."""
    return {
        conversation.proposal_id: conversation
        for conversation in ChemistryConversation.objects.visible_to(user).filter(proposal__request=support_request)
    }


@require_POST
def request_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user).filter(site__in=site_access.sites_of(request.user)), pk=pk
    )
    try:
        withdraw_request(request=support_request, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:request_detail", pk=pk)
    messages.success(request, "Your request has been withdrawn.")
    return redirect("engagements:request_detail", pk=pk)


@central_team_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests waiting for enablers to be proposed, oldest first, with how long each has waited."""
    waiting = (
        SupportRequest.objects.visible_to(request.user).in_queue().select_related("site", "offer", "site__programme")
    )
    return render(request, "engagements/queue.html", {"waiting": _with_waits(waiting[:200])})


@central_team_required
def request_match(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user).select_related("site", "offer", "site__programme"), pk=pk
    )
    matches, exclusions = rank_enablers(support_request)
    form = ProposalForm(posted(request), candidates=[match.profile for match in matches])
    if request.method == "POST" and form.is_valid():
        reasons = {match.profile.pk: match.reasons for match in matches}
        chosen = [ProposedEnabler(profile, intro, reasons[profile.pk]) for profile, intro in form.chosen()]
        try:
            propose_enablers(request=support_request, proposals=chosen, by=request.user)
        except NotAllowed as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, "The site has been told about the proposed enablers.")
            return redirect("engagements:request_detail", pk=pk)
    context = {"support_request": support_request, "matches": matches, "exclusions": exclusions, "form": form}
    return render(request, "engagements/request_match.html", context)


@require_POST
def request_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user).filter(site__in=site_access.sites_of(request.user)), pk=pk
    )
    proposal = chosen(support_request.proposals.all(), request.POST.get("proposal"))
    if proposal is None:
        return _refused(
            request, NotAllowed("Choose one of the enablers proposed."), "engagements:request_detail", pk=pk
        )
    try:
        choose_enabler(request=support_request, proposal=proposal, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:request_detail", pk=pk)
    messages.success(request, f"You chose {proposal.enabler}. They have been asked to confirm.")
    return redirect("engagements:request_detail", pk=pk)


def request_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    support_request = get_object_or_404(
        SupportRequest.objects.visible_to(request.user).filter(site__in=site_access.sites_led_by(request.user)), pk=pk
    )
    form = DeclineForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decline_proposals(request=support_request, reason=form.cleaned_data["reason"], by=request.user)
        except NotAllowed as error:
            return _refused(request, error, "engagements:request_detail", pk=pk)
        messages.success(request, "The proposals are declined and your request is back with the central team.")
        return redirect("engagements:request_detail", pk=pk)
    return render(request, "engagements/request_decline.html", {"form": form, "support_request": support_request})


@require_POST
def proposal_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.filter(enabler=request.user), pk=pk)
    try:
        engagement = confirm_engagement(proposal=proposal, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:request_detail", pk=proposal.request_id)
    messages.success(request, "The engagement has begun. Agree with the site how you will work together.")
    return redirect("engagements:engagement_detail", pk=engagement.pk)


@require_POST
def proposal_cannot_take_on(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.filter(enabler=request.user), pk=pk)
    try:
        enabler_cannot_take_on(proposal=proposal, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:request_detail", pk=proposal.request_id)
    messages.success(request, "The site and the central team have been told. Thank you for saying so early.")
    return redirect("home")
