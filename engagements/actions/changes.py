"""Changes' actions: chemistry conversations before a site chooses, a change of enabler, and what carries over.

Beginnings and changes without blame: the actions for chemistry conversations (a site's lead and a proposed
enabler talk before the site chooses) and for a change of enabler (either party ends a pairing early; the request
goes back to the queue). Each is one transaction with its audit event, its e-mails saved through the outbox.

What the central team learns: that a chemistry conversation was asked for, and that a request came back to the
queue asking for a different enabler. Never the words of a change, never who asked for it: the e-mails about a
change go alike to both parties, and the request's own audit event names nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from frontend.dates import LONDON, long_date
from sites import access as site_access

from .. import access
from ..calendar import chemistry_invitation
from ..models import (
    Action,
    ChemistryConversation,
    EnablerChange,
    Engagement,
    PlannedSession,
    Proposal,
    SharedNote,
    SupportRequest,
)
from ..models.planning import new_uid
from .planning import _check_place, _check_when, cancel_what_is_planned

Verb = AuditEvent.Verb
WORDS_AT_MOST = 2000


# Chemistry conversations ---------------------------------------------------------------------------------------


def _page(conversation: ChemistryConversation) -> str:
    return reverse("engagements:chemistry_detail", kwargs={"pk": conversation.pk})


def _moment(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment, LONDON)
    return f"{long_date(local.date())} at {local:%H:%M}"


@transaction.atomic
def ask_for_chemistry(
    *, request: SupportRequest, proposals: Sequence[Proposal], by: User
) -> list[ChemistryConversation]:
    """The site's lead asks to talk with one or more of the proposed enablers before choosing. The request's wait
    is untouched: it is still measured from when the site asked."""
    request = SupportRequest.objects.select_for_update().select_related("site", "offer").get(pk=request.pk)
    if not site_access.is_site_lead(by, request.site_id):
        raise NotAllowed("Only the site's lead can ask for a conversation with a proposed enabler.")
    if request.state != SupportRequest.State.PROPOSED:
        raise NotAllowed("Conversations are asked for while the proposals are waiting for the site to choose.")
    if not proposals:
        raise NotAllowed("Choose at least one of the proposed enablers to talk with.")
    wanted = {proposal.pk for proposal in proposals}
    live = {
        proposal.pk: proposal
        for proposal in request.proposals.filter(pk__in=wanted, outcome=Proposal.Outcome.PENDING).select_related(
            "enabler"
        )
    }
    if set(live) != wanted:
        raise NotAllowed("Choose from the enablers proposed for this request.")
    asked_already = set(ChemistryConversation.objects.filter(proposal__in=wanted).values_list("proposal", flat=True))
    created = []
    for pk in sorted(wanted - asked_already):
        proposal = live[pk]
        conversation = ChemistryConversation.objects.create(proposal=proposal, asked_by=by, uid=new_uid("chemistry"))
        created.append(conversation)
        notify(
            recipients=[proposal.enabler],
            kind="chemistry-asked",
            subject=f"{request.site} would like a short conversation with you",
            body=f"Before choosing an enabler for “{request.offer}”, {request.site} would like to talk with you. "
            "Offer a few times that suit you, or agree one with the site's lead.",
            link=_page(conversation),
        )
    if not created:
        raise NotAllowed("You have already asked to talk with each of them.")
    AuditEvent.record(
        actor=by, verb=Verb.ASKED_FOR_CHEMISTRY, target=request, proposals=[c.proposal_id for c in created]
    )
    return created


def _locked_conversation(conversation: ChemistryConversation) -> ChemistryConversation:
    return (
        ChemistryConversation.objects.select_for_update(of=("self",))
        .select_related("proposal__enabler", "proposal__request__site", "proposal__request__offer")
        .get(pk=conversation.pk)
    )


def _still_choosing(conversation: ChemistryConversation) -> None:
    request = conversation.proposal.request
    if conversation.state == ChemistryConversation.State.CANCELLED:
        raise NotAllowed("This conversation was cancelled: the site has chosen, declined or withdrawn its request.")
    if request.state != SupportRequest.State.PROPOSED or conversation.proposal.outcome != Proposal.Outcome.PENDING:
        raise NotAllowed("The site is no longer choosing between the proposed enablers.")


def _set_how_long_and_where(
    conversation: ChemistryConversation, minutes: int, place: str, address: str, meeting_link: str
) -> None:
    """The length (30, 45 or 60 minutes) and the place: an address on site, or an https link online (the planned
    sessions' rule), the other left blank. Saved by the caller."""
    if minutes not in ChemistryConversation.LENGTHS:
        raise NotAllowed("A chemistry conversation lasts 30, 45 or 60 minutes.")
    _check_place(place, address, meeting_link)
    conversation.minutes, conversation.place = minutes, place
    conversation.address = address.strip() if place == PlannedSession.Place.ON_SITE else ""
    conversation.meeting_link = meeting_link.strip() if place == PlannedSession.Place.ONLINE else ""


@transaction.atomic
def offer_chemistry_times(
    *,
    conversation: ChemistryConversation,
    by: User,
    times: Sequence[datetime.datetime],
    minutes: int,
    place: str,
    address: str = "",
    meeting_link: str = "",
) -> ChemistryConversation:
    """The proposed enabler offers up to three times, for the site's lead to pick one."""
    conversation = _locked_conversation(conversation)
    if by.pk != conversation.proposal.enabler_id:
        raise NotAllowed("Times are offered by the proposed enabler.")
    _still_choosing(conversation)
    if conversation.state == ChemistryConversation.State.PLANNED:
        raise NotAllowed("A time is already planned. Plan a different time instead.")
    # Compared as instants: on the night the clocks change, two wall-clock times of Europe/London can be one moment.
    moments = sorted({moment.astimezone(datetime.UTC) for moment in times})
    if not 1 <= len(moments) <= ChemistryConversation.MOST_TIMES_OFFERED:
        raise NotAllowed("Offer between one and three different times.")
    for moment in moments:
        _check_when(moment)
    _set_how_long_and_where(conversation, minutes, place, address, meeting_link)
    conversation.offered_times = [moment.astimezone(datetime.UTC).isoformat() for moment in moments]
    conversation.state = ChemistryConversation.State.OFFERED
    conversation.save(update_fields=["offered_times", "minutes", "place", "address", "meeting_link", "state"])
    request = conversation.proposal.request
    AuditEvent.record(actor=by, verb=Verb.OFFERED_CHEMISTRY_TIMES, target=request, times=len(moments))
    listed = "\n".join(f"- {_moment(moment)}" for moment in moments)
    notify(
        recipients=site_access.site_leads(request.site_id),
        kind="chemistry-times",
        subject=f"{by} has offered times for a conversation",
        body=f"{by} has offered these times for a {minutes}-minute conversation:\n{listed}\n\nPick the one that "
        "suits you.",
        link=_page(conversation),
    )
    return conversation


def _plan(conversation: ChemistryConversation, by: User, starts_at: datetime.datetime) -> ChemistryConversation:
    moved = conversation.state == ChemistryConversation.State.PLANNED
    conversation.starts_at, conversation.planned_by = starts_at, by
    conversation.state = ChemistryConversation.State.PLANNED
    conversation.sequence += 1 if moved else 0
    conversation.save(
        update_fields=["starts_at", "planned_by", "state", "sequence", "minutes", "place", "address", "meeting_link"]
    )
    request = conversation.proposal.request
    enabler = conversation.proposal.enabler
    leads = site_access.site_leads(request.site_id)
    AuditEvent.record(actor=by, verb=Verb.PLANNED_A_CHEMISTRY_CONVERSATION, target=request, moved=moved)
    where = conversation.address if conversation.place == PlannedSession.Place.ON_SITE else "online"
    notify(
        recipients=[*leads, enabler],
        kind="chemistry-planned",
        subject="A chemistry conversation is " + ("moved" if moved else "planned"),
        body=f"A {conversation.minutes}-minute conversation between {request.site} and {enabler}: "
        f"{_moment(starts_at)}, {where}.\n\nThe invitation is attached for your calendar.",
        link=_page(conversation),
        calendar=chemistry_invitation(
            conversation, method="REQUEST", organiser=enabler, attendees=leads, site_name=request.site.name
        ),
    )
    return conversation


@transaction.atomic
def pick_chemistry_time(
    *, conversation: ChemistryConversation, by: User, starts_at: datetime.datetime
) -> ChemistryConversation:
    """The site's lead picks one of the times the enabler offered."""
    conversation = _locked_conversation(conversation)
    if not site_access.is_site_lead(by, conversation.proposal.request.site_id):
        raise NotAllowed("The site's lead picks the time.")
    _still_choosing(conversation)
    offered = {moment.astimezone(datetime.UTC) for moment in conversation.times}
    if conversation.state != ChemistryConversation.State.OFFERED or starts_at.astimezone(datetime.UTC) not in offered:
        raise NotAllowed("Pick one of the times the enabler offered.")
    _check_when(starts_at)
    return _plan(conversation, by, starts_at)


@transaction.atomic
def plan_chemistry(
    *,
    conversation: ChemistryConversation,
    by: User,
    starts_at: datetime.datetime,
    minutes: int,
    place: str,
    address: str = "",
    meeting_link: str = "",
) -> ChemistryConversation:
    """Either of the two plans a time they have agreed between them (or moves the one planned)."""
    conversation = _locked_conversation(conversation)
    request = conversation.proposal.request
    if by.pk != conversation.proposal.enabler_id and not site_access.is_site_lead(by, request.site_id):
        raise NotAllowed("The conversation is planned by the site's lead or the proposed enabler.")
    _still_choosing(conversation)
    _check_when(starts_at)
    _set_how_long_and_where(conversation, minutes, place, address, meeting_link)
    return _plan(conversation, by, starts_at)


def cancel_chemistry(*, request: SupportRequest, by: User, keeping: Proposal | None = None) -> int:
    """The site has chosen, declined or withdrawn: the conversations not with the chosen enabler are cancelled,
    and any still to come leaves the calendars. Called inside that action's transaction. How many."""
    conversations = (
        ChemistryConversation.objects.select_for_update(of=("self",))
        .filter(proposal__request=request)
        .exclude(state=ChemistryConversation.State.CANCELLED)
        .select_related("proposal__enabler")
    )
    if keeping is not None:
        conversations = conversations.exclude(proposal=keeping)
    now = timezone.now()
    cancelled = 0
    leads = site_access.site_leads(request.site_id)
    for conversation in conversations:
        conversation.state, conversation.cancelled_at = ChemistryConversation.State.CANCELLED, now
        still_to_come = conversation.starts_at is not None and conversation.starts_at > now
        conversation.sequence += 1 if still_to_come else 0
        conversation.save(update_fields=["state", "cancelled_at", "sequence"])
        cancelled += 1
        if still_to_come:
            enabler = conversation.proposal.enabler
            notify(
                recipients=[*leads, enabler],
                kind="chemistry-cancelled",
                subject="A chemistry conversation is cancelled",
                body=f"The conversation planned for {_moment(conversation.starts_at)} is no longer needed: "  # type: ignore[arg-type]
                "the site has made its choice. Thank you for your time.",
                link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
                calendar=chemistry_invitation(
                    conversation, method="CANCEL", organiser=enabler, attendees=leads, site_name=request.site.name
                ),
            )
    if cancelled:
        AuditEvent.record(actor=by, verb=Verb.CANCELLED_A_CHEMISTRY_CONVERSATION, target=request, count=cancelled)
    return cancelled


# A change of enabler -------------------------------------------------------------------------------------------


@transaction.atomic
def end_pairing(*, engagement: Engagement, by: User, words: str = "") -> EnablerChange:
    """Either party ends an active or paused pairing early ("this pairing is not working for us"), with words for
    the other party if they wish. The request goes back to the queue asking for a different enabler; the days
    used are kept for the next pairing; what is planned is cancelled. Both parties get the same e-mail, so that
    nobody else can tell from the outbox who asked."""
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("site", "offer", "enabler")
        .get(pk=engagement.pk)
    )
    if not access.steers(by, engagement):
        raise NotAllowed("A pairing is ended by its enabler or the site's lead.")
    words = words.strip()
    if len(words) > WORDS_AT_MOST:
        raise NotAllowed(f"Keep the words to {WORDS_AT_MOST} characters or fewer.")
    engagement.end_early()
    change = EnablerChange.objects.create(engagement=engagement, asked_by=by, words=words)
    request = SupportRequest.objects.select_for_update().get(pk=engagement.request_id)
    request.back_for_a_change()
    cancel_what_is_planned(engagement=engagement, by=by)
    AuditEvent.record(actor=by, verb=Verb.ENDED_THE_PAIRING, target=engagement, with_words=bool(words))
    AuditEvent.record(actor=None, verb=Verb.CAME_BACK_FOR_A_CHANGE, target=request)
    notify(
        recipients=[engagement.enabler, *site_access.site_leads(engagement.site_id)],
        kind="pairing-ended",
        subject=f"The pairing of {engagement.site} and {engagement.enabler} has ended",
        body=f"The pairing for “{engagement.offer}” has ended early. It is nobody's fault and nobody is judged "
        "for it: some pairings do not work, and saying so early is the right thing. The request is back with the "
        "central team, who will propose other enablers; the days used so far are kept.",
        link=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )
    notify(
        recipients=User.objects.central_team(),
        kind="change-of-enabler",
        subject=f"A request from {engagement.site} is back in the queue",
        body=f"The request for “{engagement.offer}” is back in the queue after a change of enabler. Propose other "
        "enablers when you can.",
        link=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    return change


@transaction.atomic
def carry_over_shared_work(*, engagement: Engagement, by: User) -> tuple[int, int]:
    """The site's lead brings the shared notes and the actions still open from the earlier pairing into this one.
    Copies: the earlier pairing's record stays as it was. Private notes never move. (notes, actions) copied."""
    engagement = Engagement.objects.select_for_update(of=("self",)).select_related("previous").get(pk=engagement.pk)
    if not access.is_site_lead_of(by, engagement):
        raise NotAllowed("Only the site's lead chooses what is carried over from an earlier pairing.")
    previous = engagement.previous
    if previous is None:
        raise NotAllowed("This engagement follows no earlier pairing.")
    if engagement.shared_work_carried_at is not None:
        raise NotAllowed("The shared notes and actions have already been carried over.")
    if engagement.is_finished:
        raise NotAllowed("This engagement has ended: nothing more can be carried into it.")
    notes = [
        SharedNote(
            engagement=engagement,
            author_id=note.author_id,
            body=note.body,
            created_at=note.created_at,
            carried_over=True,
        )
        for note in previous.shared_notes.all()
    ]
    actions = [
        Action(
            engagement=engagement,
            description=action.description,
            # What the earlier enabler was to do passes to the new one; the site's people keep their own.
            owner_id=engagement.enabler_id if action.owner_id == previous.enabler_id else action.owner_id,
            due_on=action.due_on,
            created_by_id=action.created_by_id,
            created_at=action.created_at,
            carried_over=True,
        )
        for action in previous.actions.filter(done_at=None)
    ]
    SharedNote.objects.bulk_create(notes)
    Action.objects.bulk_create(actions)
    engagement.shared_work_carried_at = timezone.now()
    engagement.save(update_fields=["shared_work_carried_at"])
    AuditEvent.record(
        actor=by, verb=Verb.CARRIED_OVER_SHARED_WORK, target=engagement, notes=len(notes), actions=len(actions)
    )
    return len(notes), len(actions)
