"""Changes' pages: chemistry conversations before a site chooses, a change of enabler, and what carries over."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted
from sites import access as site_access

from .. import access
from ..actions.changes import (
    carry_over_shared_work,
    end_pairing,
    offer_chemistry_times,
    pick_chemistry_time,
    plan_chemistry,
)
from ..forms.changes import ChemistryOfferForm, ChemistryPickForm, ChemistryPlanForm, EndPairingForm
from ..models import ChemistryConversation, EnablerChange, Engagement, Proposal, SupportRequest

STEPS = ("offer", "pick", "plan")


def chemistry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The conversation's page: the enabler offers times, the site's lead picks one, either plans one agreed."""
    conversation = get_object_or_404(
        ChemistryConversation.objects.visible_to(request.user).select_related(
            "proposal__enabler", "proposal__request__site", "proposal__request__offer"
        ),
        pk=pk,
    )
    proposal, support_request = conversation.proposal, conversation.proposal.request
    is_enabler = proposal.enabler_id == request.user.pk
    is_site_lead = site_access.is_site_lead(request.user, support_request.site_id)
    choosing = (
        conversation.is_live
        and support_request.state == SupportRequest.State.PROPOSED
        and proposal.outcome == Proposal.Outcome.PENDING
    )
    step = request.POST.get("step") if request.method == "POST" else None
    if step is not None and step not in STEPS:
        raise Http404
    forms: dict[str, Any] = {}
    if choosing and is_enabler and conversation.state != ChemistryConversation.State.PLANNED:
        forms["offer"] = ChemistryOfferForm(
            request.POST if step == "offer" else None, initial=_where(conversation), auto_id="offer-%s"
        )
    if choosing and is_site_lead and conversation.state == ChemistryConversation.State.OFFERED:
        forms["pick"] = ChemistryPickForm(
            request.POST if step == "pick" else None, conversation=conversation, auto_id="pick-%s"
        )
    if choosing:
        # Each form its own ids, as up to three share the page.
        forms["plan"] = ChemistryPlanForm(
            request.POST if step == "plan" else None, initial=_where(conversation), auto_id="plan-%s"
        )
    if step is not None:
        form = forms.get(step)
        if form is None:
            messages.error(request, "That cannot be done now: the page shows where the conversation stands.")
            return redirect("engagements:chemistry_detail", pk=pk)
        if form.is_valid():
            try:
                done = _take(step, form, conversation, request)
            except NotAllowed as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, done)
                return redirect("engagements:chemistry_detail", pk=pk)
    context = {
        "conversation": conversation,
        "support_request": support_request,
        "is_enabler": is_enabler,
        "is_site_lead": is_site_lead,
        "choosing": choosing,
        "offer_form": forms.get("offer"),
        "pick_form": forms.get("pick"),
        "plan_form": forms.get("plan"),
        "has_errors": any(form.is_bound and form.errors for form in forms.values()),
    }
    return render(request, "engagements/chemistry_detail.html", context)


def _where(conversation: ChemistryConversation) -> dict[str, Any]:
    return {
        "minutes": conversation.minutes,
        "place": conversation.place or None,
        "address": conversation.address,
        "meeting_link": conversation.meeting_link,
    }


def _take(step: str, form: Any, conversation: ChemistryConversation, request: AuthenticatedHttpRequest) -> str:
    data = form.cleaned_data
    if step == "offer":
        offer_chemistry_times(
            conversation=conversation,
            by=request.user,
            times=data["times"],
            minutes=data["minutes"],
            place=data["place"],
            address=data.get("address") or "",
            meeting_link=data.get("meeting_link") or "",
        )
        return "The times are offered. The site's lead has been told."
    if step == "pick":
        pick_chemistry_time(conversation=conversation, by=request.user, starts_at=form.moment())
        return "The conversation is planned. You both have the invitation for your calendars."
    where = form.where()
    plan_chemistry(
        conversation=conversation,
        by=request.user,
        starts_at=where["starts_at"],
        minutes=data["minutes"],
        place=where["place"],
        address=where["address"],
        meeting_link=where["meeting_link"],
    )
    return "The conversation is planned. You both have the invitation for your calendars."


def engagement_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ending a pairing early, without blame: for the enabler or the site's lead."""
    engagement = access.engagement_for(  # ending a pairing is for the enabler or the site's lead
        request.user, pk, as_=access.As.ONE_WHO_STEERS, related=("site", "offer", "enabler")
    )
    if not engagement.can_end_early():
        messages.info(request, "Only an active or paused pairing can be ended early.")
        return redirect("engagements:engagement_detail", pk=pk)
    form = EndPairingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            end_pairing(engagement=engagement, by=request.user, words=form.cleaned_data["words"])
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(
                request, "The pairing has ended. The request is back with the central team, and the days used are kept."
            )
            return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/engagement_end.html", {"engagement": engagement, "form": form})


@require_POST
def engagement_carry_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = access.engagement_for(request.user, pk, related=())
    try:
        notes, actions = carry_over_shared_work(engagement=engagement, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(
            request, f"Carried over from the earlier pairing: {notes} shared note(s) and {actions} open action(s)."
        )
    return redirect("engagements:engagement_detail", pk=pk)


def change_of(engagement: Engagement, user: User) -> EnablerChange | None:
    """The change that ended this pairing, if the person may read it (its two parties: EnablerChange.visible_to)."""
    return EnablerChange.objects.visible_to(user).select_related("asked_by").filter(engagement=engagement).first()
