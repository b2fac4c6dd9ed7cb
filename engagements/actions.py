"""Workflows across several records: each is one transaction, with its notifications saved in it."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts import notices
from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from core.records import save_changed
from sites import access as site_access
from sites.models import Site

from . import access, notes
from .changes import cancel_chemistry
from .matching import exclusion_reason
from .models import (
    AccessRecord,
    Action,
    Agreement,
    BudgetExtension,
    CalendarFeed,
    CloseOutReview,
    Diagnostic,
    DiagnosticShare,
    EnablerProfile,
    Engagement,
    Feedback,
    GoalReview,
    Offer,
    PlannedSession,
    Proposal,
    Session,
    SharedNote,
    SupportRequest,
)
from .models.sessions import quiet_since
from .notes import sealed as notes_sealed

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence

    from .notes import PrivateNote
    from .notes.sealed import Moved, Wrapping

Verb = AuditEvent.Verb


def _programme_leads() -> list[User]:
    return list(User.objects.central_team())


@transaction.atomic
def submit_request(
    *,
    site: Site,
    offer: Offer,
    by: User,
    why_now: str,
    help_wanted: str,
    who_is_involved: str,
    approaches_wanted: Sequence[str],
    preferred_start: datetime.date | None,
) -> SupportRequest:
    """A site says it is ready. Only its own members can; one open request per offer."""
    if not site_access.is_site_member(by, site):
        raise NotAllowed("Only a member of the site can ask for support for it.")
    if offer.programme_id != site.programme_id or not offer.is_open:
        raise NotAllowed("This offer is not open to your site.")
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                site=site,
                offer=offer,
                created_by=by,
                why_now=why_now,
                help_wanted=help_wanted,
                who_is_involved=who_is_involved,
                approaches_wanted=list(approaches_wanted),
                preferred_start=preferred_start,
            )
    except IntegrityError as error:
        raise NotAllowed("Your site already has an open request for this offer.") from error
    AuditEvent.record(actor=by, verb=Verb.SUBMITTED, target=request)
    notify(
        recipients=_programme_leads(),
        kind="request-submitted",
        subject=f"{site} has asked for support",
        body=f"{site} has asked for “{offer}”. It is waiting in the queue for enablers to be proposed.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return request


@dataclass
class ProposedEnabler:
    profile: EnablerProfile
    introduction: str
    reasons: list[str]


@transaction.atomic
def propose_enablers(*, request: SupportRequest, proposals: Sequence[ProposedEnabler], by: User) -> list[Proposal]:
    """A programme lead proposes one to three enablers; the site then chooses."""
    if not is_central_team(by):
        raise NotAllowed("Only a programme lead can propose enablers.")
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not 1 <= len(proposals) <= 3:
        raise NotAllowed("Propose between one and three enablers.")
    if len({proposed.profile.pk for proposed in proposals}) != len(proposals):
        raise NotAllowed("Propose each enabler once.")
    for proposed in proposals:
        reason = exclusion_reason(proposed.profile, request.site, request=request)
        if reason:
            raise NotAllowed(reason)
        if not proposed.introduction.strip():
            raise NotAllowed(f"Write a short introduction to {proposed.profile.user} for the site.")
    request.mark_proposed()
    AuditEvent.record(actor=by, verb=Verb.PROPOSED_ENABLERS, target=request)
    created = [
        Proposal.objects.create(
            request=request,
            enabler=proposed.profile.user,
            introduction=proposed.introduction.strip(),
            reasons=proposed.reasons,
            proposed_by=by,
        )
        for proposed in proposals
    ]
    notify(
        recipients=site_access.site_leads(request.site_id),
        kind="enablers-proposed",
        subject="Enablers have been proposed for your request",
        body=f"{len(created)} enabler{'s' if len(created) != 1 else ''} have been proposed for “{request.offer}”. "
        "Read their introductions and choose the one you would like to work with.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return created


def _require_site_lead(request: SupportRequest, by: User) -> None:
    if not site_access.is_site_lead(by, request.site_id):
        raise NotAllowed("Only the site's lead can choose an enabler or decline the proposals.")


@transaction.atomic
def choose_enabler(*, request: SupportRequest, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    _require_site_lead(request, by)
    request.choose(proposal=proposal)
    AuditEvent.record(actor=by, verb=Verb.CHOSE_AN_ENABLER, target=request, proposal=proposal.pk)
    cancel_chemistry(request=request, by=by, keeping=proposal)
    notify(
        recipients=[proposal.enabler],
        kind="enabler-chosen",
        subject=f"{request.site} would like to work with you",
        body=f"{request.site} has chosen you for “{request.offer}”. Please confirm that you can take it on.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def decline_proposals(*, request: SupportRequest, reason: str, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    _require_site_lead(request, by)
    request.decline(reason=reason)
    AuditEvent.record(actor=by, verb=Verb.DECLINED_THE_PROPOSALS, target=request)
    cancel_chemistry(request=request, by=by)
    notify(
        recipients=_programme_leads(),
        kind="proposals-declined",
        subject=f"{request.site} declined the proposed enablers",
        body="The request is back in the queue. The site's reason is on the request.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def confirm_engagement(*, proposal: Proposal, by: User) -> Engagement:
    """The chosen enabler confirms: the engagement begins, with an agreement to fill in.

    The request row is locked first, so of two confirmations at once the second finds it already accepted;
    the engagement's unique request is the database's own guarantee behind that.
    """
    request = SupportRequest.objects.select_for_update().get(pk=proposal.request_id)
    proposal = Proposal.objects.select_related("enabler").get(pk=proposal.pk)
    if proposal.enabler_id != by.pk:
        raise NotAllowed("Only the enabler the site chose can confirm.")
    if request.state == SupportRequest.State.ACCEPTED or proposal.outcome != Proposal.Outcome.CHOSEN:
        raise NotAllowed("This request has already been accepted, or you are no longer its chosen enabler.")
    request.mark_accepted()
    AuditEvent.record(actor=by, verb=Verb.ACCEPTED, target=request)
    proposal.outcome = Proposal.Outcome.ACCEPTED
    proposal.save(update_fields=["outcome"])
    # After a change of enabler, the next pairing follows the last: the days already used stay used.
    previous = request.engagements.filter(state=Engagement.State.ENDED).order_by("-created_at", "-pk").first()
    allowance = request.offer.day_allowance
    if previous is not None and previous.days_available is not None:
        allowance = previous.days_available - previous.days_used
    try:
        with transaction.atomic():
            engagement = Engagement.objects.create(
                request=request,
                site=request.site,
                offer=request.offer,
                enabler=by,
                day_allowance=allowance,
                previous=previous,
                days_carried=previous.days_carried + previous.days_used if previous else Decimal("0"),
            )
    except IntegrityError as error:
        raise NotAllowed("An engagement is already under way for this request.") from error
    Agreement.objects.create(engagement=engagement, cadence=request.offer.get_cadence_display())
    AuditEvent.record(actor=by, verb=Verb.CREATED, target=engagement, request=request.pk)
    return engagement


@transaction.atomic
def enabler_cannot_take_on(*, proposal: Proposal, by: User) -> None:
    request = SupportRequest.objects.select_for_update().get(pk=proposal.request_id)
    if proposal.enabler_id != by.pk or proposal.outcome != Proposal.Outcome.CHOSEN:
        raise NotAllowed("Only the chosen enabler can say they cannot take this on.")
    request.return_to_queue()
    AuditEvent.record(actor=by, verb=Verb.RETURNED_TO_THE_QUEUE, target=request)
    notify(
        recipients=[*_programme_leads(), *site_access.site_leads(request.site_id)],
        kind="enabler-unavailable",
        subject="The chosen enabler cannot take on the request",
        body=f"The enabler chosen for {request.site} cannot take it on. The request is back in the queue.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )


@transaction.atomic
def confirm_agreement(*, engagement: Engagement, by: User) -> None:
    """One party confirms; when both have, the engagement becomes active and both are told."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    agreement = Agreement.objects.select_for_update().get(engagement=engagement)
    if access.is_enabler_of(by, engagement):
        agreement.confirm(by=by, for_site=False)
    elif access.is_site_lead_of(by, engagement):
        agreement.confirm(by=by, for_site=True)
    else:
        raise NotAllowed("The agreement is confirmed by the site's lead and by the enabler.")
    AuditEvent.record(actor=by, verb=Verb.CONFIRMED_THE_AGREEMENT, target=engagement)
    if agreement.is_confirmed:
        engagement.activate()
        AuditEvent.record(actor=by, verb=Verb.ACTIVATED, target=engagement)
        notify(
            recipients=[engagement.enabler, *site_access.site_leads(engagement.site_id)],
            kind="agreement-confirmed",
            subject="Your agreement is confirmed: the engagement has begun",
            body=f"The site and the enabler have both confirmed the agreement for “{engagement.offer}”.",
            link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
        )


@transaction.atomic
def record_diagnostic(
    *, engagement: Engagement, by: User, stage: int, strengths: str, development_areas: str
) -> Diagnostic:
    """A new version of the site's diagnostic; earlier versions stay."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if not access.is_party(by, engagement):
        raise NotAllowed("Only the site and its enabler fill in the diagnostic.")
    latest = engagement.diagnostics.order_by("-version").first()
    diagnostic = Diagnostic.objects.create(
        engagement=engagement,
        version=(latest.version + 1) if latest else 1,
        stage=stage,
        strengths=strengths,
        development_areas=development_areas,
        recorded_by=by,
    )
    AuditEvent.record(actor=by, verb=Verb.RECORDED_THE_DIAGNOSTIC, target=engagement, version=diagnostic.version)
    return diagnostic


@transaction.atomic
def share_diagnostic(*, engagement: Engagement, person: User, by: User) -> DiagnosticShare:
    engagement = Engagement.objects.select_for_update().select_related("site").get(pk=engagement.pk)
    if not access.is_site_lead_of(by, engagement):
        raise NotAllowed("Only the site's lead can share the diagnostic.")
    if not site_access.is_account_manager_of(person, engagement.site):
        raise NotAllowed("The diagnostic can be shared with an account manager linked to your site.")
    if engagement.diagnostic_shares.filter(shared_with=person, stopped_at=None).exists():
        raise NotAllowed(f"The diagnostic is already shared with {person}.")
    share = DiagnosticShare.objects.create(engagement=engagement, shared_with=person, shared_by=by)
    AuditEvent.record(actor=by, verb=Verb.SHARED_THE_DIAGNOSTIC, target=engagement, person=person.pk)
    return share


@transaction.atomic
@sensitive_variables("private_note")
def log_session(
    *,
    engagement: Engagement,
    by: User,
    held_on: datetime.date,
    length: Decimal,
    format: str,
    place: str,
    participants: str,
    private_note: str = "",
    action_description: str = "",
    action_owner: User | None = None,
    action_due_on: datetime.date | None = None,
    planned: PlannedSession | None = None,
) -> Session:
    """The enabler logs a session: it counts against the day budget, and may carry a private note and an action.
    Logging a planned session (`planned`) makes it that session: it leaves the plans and the reminders.

    Length is in days for offers counted in on-site days, in hours otherwise.
    """
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if planned is not None:
        planned = PlannedSession.objects.select_for_update().get(pk=planned.pk)
        if planned.engagement_id != engagement.pk or not planned.may_be_logged():
            raise NotAllowed(
                "That planned session cannot be logged: it is cancelled, logged already, or still to come."
            )
    if by.pk != engagement.enabler_id:
        raise NotAllowed("Sessions are logged by the engagement's enabler.")
    if engagement.is_finished:
        raise NotAllowed(
            f"This engagement is {engagement.get_state_display().lower()}: no more sessions can be logged."
        )
    if held_on > timezone.localdate():
        raise NotAllowed("A session is logged once it has happened: its date must be today or earlier.")
    if held_on < engagement.earliest_session_date():
        raise NotAllowed("A session of this engagement can be logged from a year ago at the earliest.")
    counted_in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
    session = Session.objects.create(
        engagement=engagement,
        held_on=held_on,
        days=length if counted_in_days else None,
        hours=None if counted_in_days else length,
        format=format,
        place=place,
        participants=participants,
        logged_by=by,
    )
    engagement.use_days(session.counted_days)
    AuditEvent.record(actor=by, verb=Verb.USED_DAYS, target=engagement, days=str(session.counted_days))
    if private_note.strip():
        notes.write_note(engagement=engagement, author=by, text=private_note, session=session)
    if action_description.strip():
        add_action(
            engagement=engagement,
            by=by,
            description=action_description,
            owner=action_owner,
            due_on=action_due_on,
            session=session,
        )
    if planned is not None:
        planned.session = session
        planned.save(update_fields=["session"])
    AuditEvent.record(actor=by, verb=Verb.LOGGED_A_SESSION, target=engagement, session=session.pk)
    return session


@transaction.atomic
def add_action(
    *,
    engagement: Engagement,
    by: User,
    description: str,
    owner: User | None,
    due_on: datetime.date | None,
    session: Session | None = None,
) -> Action:
    if not access.is_party(by, engagement):
        raise NotAllowed("Actions are added by the site and its enabler.")
    if owner is None or owner.pk not in {person.pk for person in access.parties(engagement)}:
        raise NotAllowed("An action's owner is the enabler or a member of the site.")
    action = Action.objects.create(
        engagement=engagement,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        session=session,
        created_by=by,
    )
    AuditEvent.record(actor=by, verb=Verb.ADDED_AN_ACTION, target=engagement, action=action.pk)
    return action


@transaction.atomic
def nudge_if_quiet(*, engagement: Engagement, today: datetime.date) -> bool:
    """A gentle e-mail to the enabler and the site's leads (never the central team) after a quiet spell,
    once per spell."""
    quiet = quiet_since(engagement)
    if quiet is None or (today - quiet).days < settings.NUDGE_AFTER_DAYS:
        return False
    if engagement.last_nudged_at and timezone.localdate(engagement.last_nudged_at) >= quiet:
        return False
    leads = site_access.site_leads(engagement.site_id)
    recipients = [person for person in [engagement.enabler, *leads] if person.nudges_enabled]
    notify(
        recipients=recipients,
        kind="nudge",
        subject=f"It has been a while since your last session with {engagement.site}",
        body=f"The last session of “{engagement.offer}” was on {quiet:%d %B %Y}. If a session has happened, the "
        "enabler can log it; if you are taking a break, you can pause the engagement. You can turn these "
        "e-mails off in your preferences.",
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )
    engagement.last_nudged_at = timezone.now()
    engagement.save(update_fields=["last_nudged_at"])
    return True


# Requests -------------------------------------------------------------------------------------------------------


@transaction.atomic
def withdraw_request(*, request: SupportRequest, by: User) -> None:
    """A member of the site withdraws its request while it is open. The request row is locked first, as
    `confirm_engagement` locks it, so of a withdrawal and a confirmation at the same moment exactly one wins and
    the other is refused with a reason."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not site_access.is_site_member(by, request.site_id):
        raise NotAllowed("Only a member of the site can withdraw its request.")
    request.withdraw()
    AuditEvent.record(actor=by, verb=Verb.WITHDREW, target=request)
    cancel_chemistry(request=request, by=by)


@transaction.atomic
def note_reminder_sent(*, request: SupportRequest, leads: list[User], waited: int) -> None:
    """Tell the central team a request has waited too long; once per request."""
    request = SupportRequest.objects.select_for_update().select_related("site", "offer").get(pk=request.pk)
    if request.waiting_reminder_sent_at is not None:
        return
    notify(
        recipients=leads,
        kind="request-waiting",
        subject=f"{request.site} has waited {waited} working days",
        body=f"The request from {request.site} for “{request.offer}” has waited "
        f"{waited} working days for enablers to be proposed.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    request.mark_reminder_sent()


# Engagements ----------------------------------------------------------------------------------------------------


def _locked(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update().get(pk=engagement.pk)


def _require_steering(engagement: Engagement, by: User) -> None:
    if not access.steers(by, engagement):
        raise NotAllowed("Only the enabler or the site's lead can change this.")


@transaction.atomic
def revise_agreement(
    *, engagement: Engagement, by: User, cadence: str, ways_of_working: str, goals: str, confidentiality: str
) -> bool:
    """New words for the agreement, by either party. Returns whether anything changed; a change withdraws both
    confirmations, so each party confirms exactly the same words."""
    engagement = _locked(engagement)
    if not access.is_party(by, engagement):
        raise NotAllowed("The agreement is written by the site and its enabler.")
    agreement = Agreement.objects.select_for_update().get(engagement=engagement)
    changed = agreement.revise(
        cadence=cadence, ways_of_working=ways_of_working, goals=goals, confidentiality=confidentiality
    )
    if changed:
        AuditEvent.record(actor=by, verb=Verb.REVISED_THE_AGREEMENT, target=engagement)
    return changed


@transaction.atomic
def pause_engagement(*, engagement: Engagement, by: User) -> None:
    engagement = _locked(engagement)
    _require_steering(engagement, by)
    engagement.pause()
    AuditEvent.record(actor=by, verb=Verb.PAUSED, target=engagement)


@transaction.atomic
def resume_engagement(*, engagement: Engagement, by: User) -> None:
    engagement = _locked(engagement)
    _require_steering(engagement, by)
    engagement.resume()
    AuditEvent.record(actor=by, verb=Verb.RESUMED, target=engagement)


@transaction.atomic
def start_closing_engagement(*, engagement: Engagement, by: User, follow_up_on: datetime.date) -> None:
    engagement = _locked(engagement)
    _require_steering(engagement, by)
    engagement.start_closing(follow_up_on=follow_up_on)
    AuditEvent.record(actor=by, verb=Verb.STARTED_CLOSING, target=engagement)


@transaction.atomic
def close_engagement(*, engagement: Engagement, by: User) -> None:
    """The engagement ends. Locked first, so of two closes at once the second finds it closed and is told so."""
    engagement = _locked(engagement)
    _require_steering(engagement, by)
    engagement.close()
    AuditEvent.record(actor=by, verb=Verb.CLOSED, target=engagement)


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
def agree_extra_days(*, engagement: Engagement, by: User, days: Decimal, reason: str) -> BudgetExtension:
    """The site's lead agrees days beyond the allowance; the agreement is recorded."""
    engagement = _locked(engagement)
    engagement.check_extra_days(days)
    if not access.is_site_lead_of(by, engagement):
        raise NotAllowed("Only the site's lead can agree extra days.")
    extension = BudgetExtension.objects.create(engagement=engagement, days=days, reason=reason, agreed_by=by)
    Engagement.objects.filter(pk=engagement.pk).update(days_extra=F("days_extra") + days)
    AuditEvent.record(actor=by, verb=Verb.AGREED_EXTRA_DAYS, target=engagement, days=str(days))
    return extension


@transaction.atomic
def stop_sharing_diagnostic(*, share: DiagnosticShare, by: User) -> None:
    share = DiagnosticShare.objects.select_for_update().select_related("engagement").get(pk=share.pk)
    if not access.is_site_lead_of(by, share.engagement):
        raise NotAllowed("Only the site's lead can stop sharing.")
    share.stop(by=by)
    AuditEvent.record(
        actor=by, verb=Verb.STOPPED_SHARING_THE_DIAGNOSTIC, target=share.engagement, person=share.shared_with_id
    )


@transaction.atomic
def toggle_action(*, action: Action, by: User) -> bool:
    """Mark an action done, or open it again when it was done. Returns whether it is done now."""
    action = Action.objects.select_for_update().select_related("engagement").get(pk=action.pk)
    if not access.is_party(by, action.engagement):
        raise NotAllowed("Actions are kept by the site and its enabler.")
    if action.is_done:
        action.reopen()
        AuditEvent.record(actor=by, verb=Verb.REOPENED_AN_ACTION, target=action.engagement, action=action.pk)
    else:
        action.mark_done()
        AuditEvent.record(actor=by, verb=Verb.COMPLETED_AN_ACTION, target=action.engagement, action=action.pk)
    return action.is_done


@transaction.atomic
def write_shared_note(*, engagement: Engagement, by: User, body: str) -> SharedNote:
    """A note for both parties to read. Never for the central team."""
    if not access.is_party(by, engagement):
        raise NotAllowed("Shared notes are written by the site and its enabler.")
    note = SharedNote.objects.create(engagement=engagement, author=by, body=body)
    AuditEvent.record(actor=by, verb=Verb.WROTE_A_SHARED_NOTE, target=engagement, note=note.pk)
    return note


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


def record_access(*, engagement: Engagement, user: User, kind: str) -> None:
    """Who looked at an engagement's records: one row in its access log, for its site's lead and its enabler."""
    AccessRecord.objects.create(engagement=engagement, user=user, kind=kind)


@transaction.atomic
def update_enabler_profile(*, profile: EnablerProfile, by: User, fields: dict[str, object]) -> EnablerProfile:
    """An enabler's own profile: their words, experience, capacity and the organisations they worked for."""
    if profile.user_id != by.pk:
        raise NotAllowed("An enabler's profile is changed by the enabler alone.")
    profile = EnablerProfile.objects.select_for_update().get(pk=profile.pk)
    worked_for = fields.pop("worked_for", None)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save(update_fields=list(fields))
    if worked_for is not None:
        profile.worked_for.set(worked_for)  # type: ignore[arg-type]
    return profile


MANAGED_PROFILE_FIELDS = (
    "biography",
    "years_in_health",
    "years_in_social_care",
    "sectors",
    "approaches",
    "regions",
    "capacity",
    "available_for_new_work",
)


@transaction.atomic
def manage_enabler_profile(*, profile: EnablerProfile, by: User, fields: dict[str, object]) -> bool:
    """The central team keeps the enabler pool up to date: an enabler's profile, their capacity and whether they are
    proposed for new work (work under way goes on either way). Saves what changed; False if nothing did."""
    if not is_central_team(by):
        raise NotAllowed("Only the central team manages the enabler pool.")
    profile = EnablerProfile.objects.select_for_update().get(pk=profile.pk)
    changed = save_changed(profile, fields, MANAGED_PROFILE_FIELDS)
    if changed:
        AuditEvent.record(actor=by, verb=Verb.EDITED_AN_ENABLER_PROFILE, target=profile, fields=changed)
        # Nothing about an enabler changes behind their back: they are told what was changed (never by whom).
        what = ", ".join(str(getattr(EnablerProfile._meta.get_field(name), "verbose_name", name)) for name in changed)
        notify(
            recipients=[profile.user],
            kind="enabler profile changed",
            subject="The central team updated your enabler profile",
            body=f"The central team changed your enabler profile: {what}. You can see and change it on your profile.",
            link=reverse("engagements:enabler_profile_edit"),
        )
    return bool(changed)


# Calendar feeds -------------------------------------------------------------------------------------------------


@transaction.atomic
def turn_on_calendar_feed(*, user: User) -> CalendarFeed:
    """A new secret address for the person's sessions; any earlier one stops working."""
    CalendarFeed.objects.filter(user=user).delete()
    feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    AuditEvent.record(actor=user, verb=Verb.TURNED_ON_A_CALENDAR_FEED, target=user)
    return feed


@transaction.atomic
def turn_off_calendar_feed(*, user: User) -> None:
    if CalendarFeed.objects.filter(user=user).delete()[0]:
        AuditEvent.record(actor=user, verb=Verb.TURNED_OFF_A_CALENDAR_FEED, target=user)


# Private notes: their words go through engagements.notes, sealed ------------------------------------------------


@sensitive_variables("text")
def write_private_note(*, engagement: Engagement, by: User, text: str) -> PrivateNote:
    return notes.write_note(engagement=engagement, author=by, text=text)


@sensitive_variables("text")
def rewrite_private_note(*, note: PrivateNote, by: User, text: str) -> None:
    notes.rewrite_note(note=note, by=by, text=text)


def seal_private_notes(
    *, owner: User, key_id: str, wrapping: Wrapping, wrapped_by_recovery_key: bytes, moved: list[Moved]
) -> int:
    """The enabler sets up browser-sealed notes (engagements.notes.sealed): their notes move into the browser's
    keeping, recorded with how many, and they are told, as for any change to how their account is protected."""
    with transaction.atomic():
        count = notes_sealed.seal_in_browser(
            owner=owner, key_id=key_id, wrapping=wrapping, wrapped_by_recovery_key=wrapped_by_recovery_key, moved=moved
        )
        AuditEvent.record(actor=owner, verb=Verb.SEALED_PRIVATE_NOTES_IN_THE_BROWSER, target=owner, count=count)
        notices.tell(
            owner,
            subject="Your private notes are now sealed in your browser",
            happened="A notes passphrase was set up: your private notes are now encrypted in your browser",
        )
    return count


def change_notes_passphrase(*, owner: User, key_id: str, wrapping: Wrapping) -> None:
    with transaction.atomic():
        notes_sealed.change_passphrase(owner=owner, key_id=key_id, wrapping=wrapping)
        AuditEvent.record(actor=owner, verb=Verb.CHANGED_THE_NOTES_PASSPHRASE, target=owner)
        notices.tell(
            owner,
            subject="Your notes passphrase was changed",
            happened="The passphrase that unlocks your private notes was changed",
        )


def write_sealed_note(
    *,
    engagement: Engagement,
    by: User,
    key_id: str,
    uid: uuid.UUID,
    sealed: bytes,
    wrapped_key: bytes | None,
    session: Session | None = None,
) -> PrivateNote:
    return notes_sealed.write_sealed(
        engagement=engagement,
        author=by,
        key_id=key_id,
        uid=uid,
        sealed=sealed,
        wrapped_key=wrapped_key,
        session=session,
    )


def rewrite_sealed_note(
    *, note: PrivateNote, by: User, key_id: str, sealed: bytes, version: int, rebinding: bool = False
) -> None:
    notes_sealed.rewrite_sealed(note=note, by=by, key_id=key_id, sealed=sealed, version=version, rebinding=rebinding)


def destroy_private_notes(*, engagements: list[Engagement], by: User | None) -> dict[int, int]:
    """Crypto-shredding for several engagements in one transaction and a handful of statements, whatever their
    number (the retention task passes 500 at a time): their data keys and ciphertexts go, each is marked, and each
    gets its audit event (with how many notes it had, never what they said). Returns how many notes each had."""
    ids = [engagement.pk for engagement in engagements]
    with transaction.atomic():
        counted = notes.shred(ids)
        now = timezone.now()
        Engagement.objects.filter(pk__in=ids).update(notes_destroyed_at=now)
        AuditEvent.record_many(
            actor=by,
            verb=Verb.DESTROYED_PRIVATE_NOTES,
            targets=engagements,
            detail_of=lambda engagement: {"count": counted[engagement.pk]},
            at=now,
        )
    for engagement in engagements:
        engagement.notes_destroyed_at = now
    return counted


@transaction.atomic
def warn_before_destroying_notes(*, engagement: Engagement) -> bool:
    """Tell the enabler, once, that their notes on an engagement will soon be destroyed."""
    engagement = Engagement.objects.select_for_update().select_related("site", "enabler").get(pk=engagement.pk)
    if engagement.retention_notice_sent_at is not None:
        return False
    notify(
        recipients=[engagement.enabler],
        kind="notes-retention",
        subject=f"Your private notes on {engagement.site} will be destroyed in 30 days",
        body="Private notes are kept for a set time after an engagement closes. If you want a copy, "
        "download your notes before then.",
        link=reverse("engagements:private_notes_download"),
    )
    engagement.retention_notice_sent_at = timezone.now()
    engagement.save(update_fields=["retention_notice_sent_at"])
    return True
