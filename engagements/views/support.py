from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
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

from .. import access
from ..actions.changes import ask_for_chemistry
from ..actions.enablers import update_enabler_profile
from ..actions.engagement import (
    agree_extra_days,
    close_engagement,
    confirm_agreement,
    pause_engagement,
    record_diagnostic,
    resume_engagement,
    revise_agreement,
    share_diagnostic,
    start_closing_engagement,
    stop_sharing_diagnostic,
)
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
from ..actions.sessions import record_access
from ..forms.enablers import EnablerProfileForm
from ..forms.engagement import AgreementForm, ClosingForm, DiagnosticForm, ExtraDaysForm, ShareDiagnosticForm
from ..forms.requests import ChemistryAskForm, DeclineForm, ProposalForm, SupportRequestForm
from ..matching import rank_enablers
from ..models import (
    AccessRecord,
    ChemistryConversation,
    EnablerProfile,
    Engagement,
    Offer,
    Proposal,
    Session,
    SupportRequest,
)
from ..working_days import working_days_between
from .changes import change_of
from .planning import page_context as planned_sessions


def _refused(request: HttpRequest, error: NotAllowed, to: str, pk: int) -> HttpResponse:
    """A refused change: say why, change nothing, and go back to where the person was."""
    messages.error(request, error.text())
    return redirect(to, pk=pk)


# Home ---------------------------------------------------------------------------------------------------------


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


# Support requests ---------------------------------------------------------------------------------------------


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


# Engagements --------------------------------------------------------------------------------------------------


def engagement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The person's role at the site and the count of sessions come with the engagement, in one query.
    engagement = get_object_or_404(
        Engagement.objects.visible_to(request.user)
        .with_site_role_of(request.user)
        .select_related("site", "offer", "enabler", "request", "agreement")
        .annotate(
            session_count=Subquery(
                Session.objects.filter(engagement=OuterRef("pk"))
                .order_by()
                .values("engagement")
                .annotate(count=Count("pk"))
                .values("count")
            ),
        ),
        pk=pk,
    )
    working_with = access.is_party(request.user, engagement)
    if working_with:
        record_access(engagement=engagement, user=request.user, kind=AccessRecord.Kind.ENGAGEMENT)
    context = {
        "engagement": engagement,
        # Everyone who sees the engagement sees counts and days.
        "session_count": engagement.__dict__["session_count"] or 0,
        "recent_sessions": engagement.sessions.order_by("-held_on", "-pk")[:5] if working_with else [],
        "open_actions": engagement.actions.filter(done_at=None).select_related("owner")[:5] if working_with else [],
        "working_with": working_with,  # the agreement and diagnostic are for the two parties only
        "agreement": engagement.agreement if working_with else None,
        "is_site_lead": access.is_site_lead_of(request.user, engagement),
        "is_enabler": access.is_enabler_of(request.user, engagement),
        "is_site_member": access.is_site_member_of(request.user, engagement),
        "extensions": engagement.budget_extensions.select_related("agreed_by") if working_with else [],
        # Who ended a pairing, and their words: the two parties' alone.
        "change": change_of(engagement, request.user) if engagement.state == Engagement.State.ENDED else None,
        "carry_over_offered": engagement.previous_id is not None
        and engagement.shared_work_carried_at is None
        and not engagement.is_finished
        and access.is_site_lead_of(request.user, engagement),
        **planned_sessions(request.user, engagement, working_with=working_with),
    }
    return render(request, "engagements/engagement_detail.html", context)


def _engagement_for_party(request: AuthenticatedHttpRequest, pk: int) -> Engagement:
    return get_object_or_404(Engagement.objects.working_with(request.user).select_related("site", "offer"), pk=pk)


def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    agreement = engagement.agreement
    if agreement.is_confirmed:
        messages.info(request, "The agreement has been confirmed by both of you and can no longer be changed.")
        return redirect("engagements:engagement_detail", pk=pk)
    # Not bound to the instance: a bound ModelForm would write the new words onto it before revise() compares them.
    form = AgreementForm(posted(request), initial=model_to_dict(agreement, fields=AgreementForm.Meta.fields))
    if request.method == "POST" and form.is_valid():
        try:
            changed = revise_agreement(
                engagement=engagement, by=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except NotAllowed as error:
            return _refused(request, error, "engagements:engagement_detail", pk=pk)
        if changed:
            messages.success(request, "The agreement is saved. Any earlier confirmations have been withdrawn.")
        return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/agreement_edit.html", {"form": form, "engagement": engagement})


@require_POST
def agreement_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    try:
        confirm_agreement(engagement=engagement, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:engagement_detail", pk=pk)
    messages.success(request, "You have confirmed the agreement.")
    return redirect("engagements:engagement_detail", pk=pk)


def _lifecycle(request: AuthenticatedHttpRequest, pk: int, change: Callable[..., None], done: str) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    try:
        change(engagement=engagement, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:engagement_detail", pk=pk)
    messages.success(request, done)
    return redirect("engagements:engagement_detail", pk=pk)


@require_POST
def engagement_pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, pause_engagement, "The engagement is paused.")


@require_POST
def engagement_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, resume_engagement, "The engagement has resumed.")


@require_POST
def engagement_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(request, pk, close_engagement, "The engagement is closed.")


def engagement_start_closing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    if not access.steers(request.user, engagement):
        raise Http404  # closing is for the enabler or the site's lead
    form = ClosingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            start_closing_engagement(
                engagement=engagement, by=request.user, follow_up_on=form.cleaned_data["follow_up_on"]
            )
        except NotAllowed as error:
            form.add_error("follow_up_on", error.text())
        else:
            messages.success(request, "The engagement is closing. The follow-up date is recorded.")
            return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/engagement_start_closing.html", {"form": form, "engagement": engagement})


def engagement_extra_days(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    if not access.is_site_lead_of(request.user, engagement):
        raise Http404  # extra days are the site lead's to agree
    form = ExtraDaysForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            agree_extra_days(engagement=engagement, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "The extra days are agreed and recorded.")
            return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/engagement_extra_days.html", {"form": form, "engagement": engagement})


# The diagnostic -----------------------------------------------------------------------------------------------


def diagnostic_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The site's diagnostic and its history, for the two parties and anyone the site's lead shares it with."""
    engagement = get_object_or_404(
        Engagement.objects.diagnostic_readable_by(request.user).select_related("site", "enabler"), pk=pk
    )
    working_with = access.is_party(request.user, engagement)
    record_access(engagement=engagement, user=request.user, kind=AccessRecord.Kind.DIAGNOSTIC)
    versions = engagement.diagnostics.select_related("recorded_by")
    context = {
        "engagement": engagement,
        "versions": versions,
        "current": versions.first(),
        "working_with": working_with,
        "is_site_lead": access.is_site_lead_of(request.user, engagement),
        "shares": engagement.diagnostic_shares.select_related("shared_with", "shared_by", "stopped_by")
        if working_with
        else [],
    }
    return render(request, "engagements/diagnostic_detail.html", context)


def diagnostic_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    current = engagement.diagnostics.first()
    initial = (
        {"stage": current.stage, "strengths": current.strengths, "development_areas": current.development_areas}
        if current
        else None
    )
    form = DiagnosticForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_diagnostic(engagement=engagement, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "The diagnostic is saved. Earlier versions stay in its history.")
            return redirect("engagements:diagnostic_detail", pk=pk)
    return render(request, "engagements/diagnostic_edit.html", {"form": form, "engagement": engagement})


def diagnostic_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    if not access.is_site_lead_of(request.user, engagement):
        raise Http404  # sharing is the site lead's decision
    form = ShareDiagnosticForm(posted(request), site=engagement.site)
    if request.method == "POST" and form.is_valid():
        try:
            share_diagnostic(engagement=engagement, person=form.cleaned_data["person"], by=request.user)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"The diagnostic is shared with {form.cleaned_data['person']}.")
            return redirect("engagements:diagnostic_detail", pk=pk)
    return render(request, "engagements/diagnostic_share.html", {"form": form, "engagement": engagement})


@require_POST
def diagnostic_unshare(request: AuthenticatedHttpRequest, pk: int, share_pk: int) -> HttpResponse:
    engagement = _engagement_for_party(request, pk)
    share = get_object_or_404(engagement.diagnostic_shares, pk=share_pk)
    try:
        stop_sharing_diagnostic(share=share, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:diagnostic_detail", pk=pk)
    messages.success(request, f"{share.shared_with} can no longer see the diagnostic.")
    return redirect("engagements:diagnostic_detail", pk=pk)


# Enabler profiles ---------------------------------------------------------------------------------------------


def enabler_profile_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(
        EnablerProfile.objects.visible_to(request.user).select_related("user").prefetch_related("worked_for"), pk=pk
    )
    context = {"profile": profile, "sees_every_site": sees_every_site(request.user)}
    return render(request, "engagements/enabler_profile_detail.html", context)


def enabler_profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = get_object_or_404(EnablerProfile, user=request.user)  # one's own profile, and nobody else's
    form = EnablerProfileForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        update_enabler_profile(profile=profile, by=request.user, fields=dict(form.cleaned_data))
        messages.success(request, "Your profile is saved.")
        return redirect("engagements:enabler_profile_detail", pk=profile.pk)
    return render(request, "engagements/enabler_profile_edit.html", {"form": form, "profile": profile})
