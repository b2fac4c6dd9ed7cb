"""Close-out's actions: the close-out review, its follow-up check-in, and a site's feedback."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from sites import access as site_access

from .. import access
from ..models import CloseOutReview, Engagement, Feedback, GoalReview, Session
from .engagement import _locked

Verb = AuditEvent.Verb


@transaction.atomic
def record_close_out_review(
    *, engagement: Engagement, by: User, outcomes: list[tuple[str, str, str]], what_next: str
) -> CloseOutReview:
    """The site's lead records, for each goal (goal, outcome, words), how it went, and what the site will do next.
    Recording again replaces the earlier review. Only once the engagement is closing or closed."""
    engagement = _locked(engagement)
    if not access.is_site_lead_of(by, engagement):
        raise NotAllowed("Only the site's lead can record the close-out review.")
    if engagement.state not in (Engagement.State.CLOSING, Engagement.State.CLOSED):
        raise NotAllowed("The close-out review is recorded once the engagement is closing.")
    if any(outcome not in GoalReview.Outcome.values for _, outcome, _ in outcomes):
        raise NotAllowed("Each goal needs one of the outcomes offered.")
    now = timezone.now()
    review, created = CloseOutReview.objects.update_or_create(
        engagement=engagement,
        defaults={"what_next": what_next, "recorded_by": by, "updated_at": now},
        create_defaults={"what_next": what_next, "recorded_by": by, "recorded_at": now, "updated_at": now},
    )
    review.goals.all().delete()
    GoalReview.objects.bulk_create(
        GoalReview(review=review, goal=goal, outcome=outcome, words=words, position=position)
        for position, (goal, outcome, words) in enumerate(outcomes)
    )
    verb = Verb.RECORDED_A_CLOSE_OUT_REVIEW if created else Verb.REVISED_A_CLOSE_OUT_REVIEW
    AuditEvent.record(actor=by, verb=verb, target=engagement, goals=len(outcomes))
    return review


def send_close_out_check_ins(*, today: datetime.date) -> int:
    """At the follow-up date, a gentle e-mail to the enabler and the site's leads (never the central team) with a
    link to look back at the close-out review; once per review, and never the review's words."""
    sent = 0
    due = CloseOutReview.objects.filter(engagement__follow_up_on__lte=today, follow_up_sent_at=None)
    for review_id in due.values_list("pk", flat=True):
        sent += _send_close_out_check_in(review_id=review_id)
    return sent


@transaction.atomic
def _send_close_out_check_in(*, review_id: int) -> bool:
    review = (
        CloseOutReview.objects.select_for_update(of=("self",))
        .select_related("engagement__site", "engagement__offer", "engagement__enabler")
        .get(pk=review_id)
    )
    if review.follow_up_sent_at is not None:
        return False
    engagement = review.engagement
    notify(
        recipients=[engagement.enabler, *site_access.site_leads(engagement.site_id)],
        kind="close-out-check-in",
        subject=f"Looking back at your work with {engagement.site}",
        body=f"Today is the follow-up date you chose when “{engagement.offer}” came to an end. You may like to look "
        "back at the close-out review: how the goals went, and what the site planned to do next.",
        link=reverse("engagements:close_out_review", kwargs={"pk": engagement.pk}),
    )
    review.follow_up_sent_at = timezone.now()
    review.save(update_fields=["follow_up_sent_at"])
    return True


@transaction.atomic
def give_feedback(
    *,
    engagement: Engagement,
    by: User,
    session: Session | None,
    usefulness: int,
    what_helped: str,
    could_be_better: str,
    share_what_helped: bool = False,
) -> Feedback:
    """A site member says how useful the support was: after a session, or at the close. A lead of the site may
    also say yes to the central team reading "what helped", anonymised: nothing is shared until they approve the
    exact anonymised words (lessons.actions.approve_shared_words)."""
    if not access.is_site_member_of(by, engagement):
        raise NotAllowed("Feedback on the support is given by the site's people.")
    if share_what_helped and not access.is_site_lead_of(by, engagement):
        raise NotAllowed("Only a lead of the site can let the central team read its words.")
    if share_what_helped and not what_helped.strip():
        raise NotAllowed("There are no words in what helped to share. Write what helped, or choose not to share.")
    moment = (
        Feedback.Moment.AT_CLOSE
        if engagement.state in (Engagement.State.CLOSING, Engagement.State.CLOSED)
        else Feedback.Moment.AFTER_SESSION
    )
    feedback = Feedback.objects.create(
        engagement=engagement,
        session=session,
        moment=moment,
        given_by=by,
        usefulness=usefulness,
        what_helped=what_helped,
        could_be_better=could_be_better,
        share_what_helped=share_what_helped,
    )
    AuditEvent.record(
        actor=by, verb=Verb.GAVE_FEEDBACK, target=engagement, feedback=feedback.pk, share=share_what_helped
    )
    return feedback
