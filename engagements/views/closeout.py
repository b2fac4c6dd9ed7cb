"""Close-out's pages: the close-out review, and feedback on the support.

The close-out review: the site's lead records it, the two parties read it, nobody else knows it exists.
Feedback on the support: a site member gives it, the enabler and its author read it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import chosen, posted

from .. import access
from ..actions.closeout import give_feedback, record_close_out_review
from ..forms.closeout import CloseOutReviewForm, FeedbackForm
from ..models import CloseOutReview, Engagement, Feedback
from ..models.closeout import goals_of


def close_out_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The site's lead edits; the enabler and the site's other people read; anyone else is answered 404."""
    engagement = access.engagement_for(request.user, pk)
    review = CloseOutReview.objects.visible_to(request.user).filter(engagement=engagement).first()
    ready = engagement.state in (Engagement.State.CLOSING, Engagement.State.CLOSED)
    may_edit = ready and access.is_site_lead_of(request.user, engagement)
    form = None
    if may_edit:
        form = CloseOutReviewForm(posted(request), goals=goals_of(engagement.agreement.goals), initial=_initial(review))
        if request.method == "POST" and form.is_valid():
            try:
                record_close_out_review(
                    engagement=engagement,
                    by=request.user,
                    outcomes=form.outcomes(),
                    what_next=form.cleaned_data["what_next"],
                )
            except NotAllowed as error:
                form.add_error(None, error.text())
            else:
                messages.success(request, "The close-out review is recorded. Both of you can look back at it.")
                return redirect("engagements:close_out_review", pk=pk)
    context = {"engagement": engagement, "review": review, "ready": ready, "form": form}
    return render(request, "engagements/close_out_review.html", context)


def _initial(review: CloseOutReview | None) -> dict[str, Any]:
    if review is None:
        return {}
    initial: dict[str, Any] = {"what_next": review.what_next}
    for index, goal in enumerate(review.goals.all()):
        initial[f"goal_{index}"] = goal.outcome
        initial[f"goal_{index}_words"] = goal.words
    return initial


def feedback_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A site member says how useful the support was: after a session, or at the close."""
    engagement = access.engagement_for(request.user, pk, as_=access.As.SITE_MEMBER, related=())
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
    engagement = access.engagement_for(request.user, pk, related=())
    feedback = Feedback.objects.visible_to(request.user).filter(engagement=engagement).select_related("session")
    return render(request, "engagements/feedback_list.html", {"engagement": engagement, "feedback": feedback})
