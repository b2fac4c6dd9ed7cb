"""The engagement's pages: the engagement, its agreement, pause, resume, closing, extra days, and its diagnostic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from .. import access
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
from ..actions.sessions import record_access
from ..forms.engagement import AgreementForm, ClosingForm, DiagnosticForm, ExtraDaysForm, ShareDiagnosticForm
from ..models import AccessRecord, Engagement, Session
from .changes import change_of
from .common import _refused
from .planning import page_context as planned_sessions


@dataclass(frozen=True)
class EngagementPage:
    """What the person may do, and read, on the engagement's page: decided here, from the access module's rules
    and the engagement's guards, so that the template only shows what it is told. Each link or button still
    leads to a page or an action that asks again."""

    see_shared_records: bool  # the agreement, the diagnostic, sessions, planned sessions, shared notes: the parties
    log_session: bool
    log_planned_sessions: bool  # "log this session" beside a planned session that was held
    read_private_notes: bool
    read_feedback: bool  # all the feedback on the support: the enabler
    give_feedback: bool  # and read one's own: a member of the site who is not its enabler
    read_close_out_review: bool
    see_access_log: bool
    change_agreement: bool
    confirm_agreement: bool
    agree_extra_days: bool
    plan_session: bool
    change_planned_sessions: bool
    steer: bool  # the part of the page that changes the engagement: its enabler or its site's lead
    pause: bool
    resume: bool
    start_closing: bool
    end_pairing: bool
    close: bool
    carry_over: bool  # bring the earlier pairing's shared notes and open actions into this one


def engagement_page(user: User, engagement: Engagement) -> EngagementPage:
    """What this person may do on this engagement's page. Without a query for an engagement that came through
    `access.engagement_for` (the person's role at its site comes with it) with its agreement."""
    party = access.is_party(user, engagement)  # its enabler, its site's lead and members alike
    enabler = access.is_enabler_of(user, engagement)
    site_lead = access.is_site_lead_of(user, engagement)
    steers = access.steers(user, engagement)  # its enabler or its site's lead
    agreement = engagement.agreement if party else None
    return EngagementPage(
        see_shared_records=party,
        log_session=enabler and not engagement.is_finished,
        log_planned_sessions=enabler,
        read_private_notes=enabler,
        read_feedback=enabler,
        give_feedback=access.is_site_member_of(user, engagement) and not enabler,
        read_close_out_review=party and engagement.state in (Engagement.State.CLOSING, Engagement.State.CLOSED),
        see_access_log=steers,
        change_agreement=agreement is not None and not agreement.is_confirmed,
        confirm_agreement=agreement is not None
        and (
            (enabler and agreement.awaits_confirmation(for_site=False))
            or (site_lead and agreement.awaits_confirmation(for_site=True))
        ),
        agree_extra_days=site_lead and engagement.day_allowance is not None,
        plan_session=steers and engagement.state != Engagement.State.CLOSING and not engagement.is_finished,
        change_planned_sessions=steers,
        steer=steers,
        pause=steers and engagement.can_pause(),
        resume=steers and engagement.can_resume(),
        start_closing=steers and engagement.can_start_closing(),
        end_pairing=steers and engagement.can_end_early(),
        close=steers and engagement.can_close(),
        carry_over=site_lead
        and engagement.previous_id is not None
        and engagement.shared_work_carried_at is None
        and not engagement.is_finished,
    )


def engagement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The person's role at the site and the count of sessions come with the engagement, in one query.
    sessions = Session.objects.filter(engagement=OuterRef("pk")).order_by().values("engagement")
    engagement = access.engagement_for(
        request.user,
        pk,
        as_=access.As.ONE_WHO_SEES,
        related=("site", "offer", "enabler", "request", "agreement"),
        rows=Engagement.objects.annotate(session_count=Subquery(sessions.annotate(count=Count("pk")).values("count"))),
    )
    may = engagement_page(request.user, engagement)
    working_with = may.see_shared_records
    if working_with:
        record_access(engagement=engagement, user=request.user, kind=AccessRecord.Kind.ENGAGEMENT)
    context = {
        "engagement": engagement,
        "may": may,
        # Everyone who sees the engagement sees counts and days.
        "session_count": engagement.__dict__["session_count"] or 0,
        "recent_sessions": engagement.sessions.order_by("-held_on", "-pk")[:5] if working_with else [],
        "open_actions": engagement.actions.filter(done_at=None).select_related("owner")[:5] if working_with else [],
        "agreement": engagement.agreement if working_with else None,  # for the two parties only
        "extensions": engagement.budget_extensions.select_related("agreed_by") if working_with else [],
        # Who ended a pairing, and their words: the two parties' alone.
        "change": change_of(engagement, request.user) if engagement.state == Engagement.State.ENDED else None,
        **planned_sessions(request.user, engagement, working_with=working_with),
    }
    return render(request, "engagements/engagement_detail.html", context)


def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = access.engagement_for(request.user, pk)
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
    engagement = access.engagement_for(request.user, pk)
    try:
        confirm_agreement(engagement=engagement, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:engagement_detail", pk=pk)
    messages.success(request, "You have confirmed the agreement.")
    return redirect("engagements:engagement_detail", pk=pk)


def _lifecycle(request: AuthenticatedHttpRequest, pk: int, change: Callable[..., None], done: str) -> HttpResponse:
    engagement = access.engagement_for(request.user, pk)
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
    engagement = access.engagement_for(request.user, pk, as_=access.As.ONE_WHO_STEERS)  # closing is theirs
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
    engagement = access.engagement_for(request.user, pk, as_=access.As.SITE_LEAD)  # extra days are theirs to agree
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


def diagnostic_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The site's diagnostic and its history, for the two parties and anyone the site's lead shares it with."""
    engagement = access.engagement_for(request.user, pk, as_=access.As.DIAGNOSTIC_READER, related=("site", "enabler"))
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
    engagement = access.engagement_for(request.user, pk)
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
    engagement = access.engagement_for(request.user, pk, as_=access.As.SITE_LEAD)  # sharing is their decision
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
    engagement = access.engagement_for(request.user, pk)
    share = get_object_or_404(engagement.diagnostic_shares, pk=share_pk)
    try:
        stop_sharing_diagnostic(share=share, by=request.user)
    except NotAllowed as error:
        return _refused(request, error, "engagements:diagnostic_detail", pk=pk)
    messages.success(request, f"{share.shared_with} can no longer see the diagnostic.")
    return redirect("engagements:diagnostic_detail", pk=pk)
