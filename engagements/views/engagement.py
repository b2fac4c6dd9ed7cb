"""The engagement's pages: the engagement, its agreement, pause, resume, closing, extra days, and its diagnostic."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

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
