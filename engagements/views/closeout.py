"""The close-out review: the site's lead records it, the two parties read it, nobody else knows it exists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from .. import access
from ..actions.closeout import record_close_out_review
from ..forms.closeout import CloseOutReviewForm
from ..models import CloseOutReview, Engagement
from ..models.closeout import goals_of


def close_out_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The site's lead edits; the enabler and the site's other people read; anyone else is answered 404."""
    engagement = get_object_or_404(Engagement.objects.working_with(request.user).select_related("site", "offer"), pk=pk)
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
