"""Feedback on the support, and the programme overview built from it and from the engagements."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import AuditEvent
from config import memo
from core.exports import CsvWriter
from frontend.forms import chosen, posted

from .. import overview as figures
from ..forms import FeedbackForm, PeriodForm
from ..models import Engagement, Feedback


def feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A site member says how useful the support was: after a session, or at the close."""
    engagement = get_object_or_404(
        Engagement.objects.working_with(request.user).filter(site__memberships__user=request.user), pk=pk
    )
    session = chosen(engagement.sessions.all(), request.GET.get("session"))  # the session the feedback follows
    form = FeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        moment = (
            Feedback.Moment.AT_CLOSE if engagement.state in ("closing", "closed") else Feedback.Moment.AFTER_SESSION
        )
        feedback = Feedback.objects.create(
            engagement=engagement, session=session, moment=moment, given_by=request.user, **form.cleaned_data
        )
        AuditEvent.record(actor=request.user, verb="gave feedback", target=engagement, feedback=feedback.pk)
        messages.success(
            request,
            "Thank you. Your feedback goes to your enabler, and to the central team only as "
            "part of totals from many sites.",
        )
        return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/feedback_create.html", {"form": form, "engagement": engagement})


def feedback_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The enabler reads all feedback on their engagement; a site member reads their own."""
    engagement = get_object_or_404(Engagement.objects.working_with(request.user), pk=pk)
    feedback = Feedback.objects.visible_to(request.user).filter(engagement=engagement).select_related("session")
    return render(request, "engagements/feedback_list.html", {"engagement": engagement, "feedback": feedback})


def _overview(request: HttpRequest) -> tuple[PeriodForm, figures.Overview]:
    if not (request.user.is_programme_lead or request.user.is_superuser):
        raise Http404
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    return form, memo.remembered(("overview", start, end), lambda: figures.build(start=start, end=end))


def overview(request: HttpRequest) -> HttpResponse:
    """Programme-level figures for planning: by programme and by offer, never by site or by enabler."""
    form, result = _overview(request)
    return render(request, "engagements/overview.html", {"form": form, "overview": result})


def overview_export(request: HttpRequest) -> HttpResponse:
    _, result = _overview(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="alongside-overview-{result.start}-{result.end}.csv"'
    CsvWriter(response).writerows(figures.csv_rows(result))
    return response
