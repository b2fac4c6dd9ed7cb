"""Feedback on the support: a site member gives it, the enabler and its author read it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.http import AuthenticatedHttpRequest
from frontend.forms import chosen, posted
from sites import access as site_access

from .. import access
from ..actions.closeout import give_feedback
from ..forms.closeout import FeedbackForm
from ..models import Engagement, Feedback


def feedback_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A site member says how useful the support was: after a session, or at the close."""
    engagement = get_object_or_404(
        Engagement.objects.working_with(request.user).filter(site__in=site_access.sites_of(request.user)), pk=pk
    )
    session = chosen(engagement.sessions.all(), request.GET.get("session"))  # the session the feedback follows
    may_share = access.is_site_lead_of(request.user, engagement)  # a lead of the site may share what helped
    form = FeedbackForm(posted(request), may_share=may_share)
    if request.method == "POST" and form.is_valid():
        feedback = give_feedback(engagement=engagement, by=request.user, session=session, **form.cleaned_data)
        if feedback.share_what_helped:  # nothing is shared until they approve the words, checked on this page
            messages.success(request, "Thank you. Now check the words the central team would read.")
            return redirect("lessons:shared_words_check", pk=feedback.pk)
        messages.success(
            request,
            "Thank you. Your feedback goes to your enabler, and to the central team only as "
            "part of totals from many sites.",
        )
        return redirect("engagements:engagement_detail", pk=pk)
    context = {"form": form, "engagement": engagement, "may_share": may_share}
    return render(request, "engagements/feedback_create.html", context)


def feedback_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The enabler reads all feedback on their engagement; a site member reads their own."""
    engagement = get_object_or_404(Engagement.objects.working_with(request.user), pk=pk)
    feedback = Feedback.objects.visible_to(request.user).filter(engagement=engagement).select_related("session")
    return render(request, "engagements/feedback_list.html", {"engagement": engagement, "feedback": feedback})
