"""Which records are a person's, one function per kind, each one query (or two) whatever the number of rows.

A record is the person's when it is about them (their account, memberships, sign-ins, notifications), when they
wrote or did it (requests they made, notes and actions they wrote or own, feedback, lessons they wrote or approved,
pairings they ended early, audit events they caused), or when they took part in it (engagements they are a party to
as a site member or as the enabler, those engagements' sessions and requests, proposals made to them or for their
requests, chemistry conversations they asked for or were asked to as the proposed enabler). Other records of their
site are the site's, not theirs.

The filters here are deliberately not the `visible_to` rules: those answer "who may look now" and are empty for a
deactivated account, whose data is still theirs to ask for. Where a role narrows what a person may read (the access
log is the site lead's and the enabler's, private notes are their author's), the same narrowing applies here.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import AuditEvent, ExternalIdentity, MobileNumber, Notification, User
from engagements import notes
from engagements.models import (
    AccessRecord,
    Action,
    Agreement,
    BudgetExtension,
    CalendarFeed,
    ChemistryConversation,
    Diagnostic,
    DiagnosticShare,
    EnablerChange,
    EnablerProfile,
    Engagement,
    Feedback,
    GoalReview,
    PlannedSession,
    Proposal,
    Session,
    SharedNote,
    SupportRequest,
)
from engagements.notes import PrivateNote
from lessons.models import DigestSubscription, Lesson
from onboarding.models import Invitation
from sites import access as site_access
from sites.models import SiteMembership

# engagements.tasks warns an enabler with this kind before their notes are destroyed. Its subject names the site
# whose engagement has notes, so it goes only where the notes themselves go.
NOTES_RETENTION_KIND = "notes-retention"
UNREADABLE_NOTE = notes.UNREADABLE  # as the enabler's download

Row = dict[str, Any]


def _name(user: User | None) -> str | None:
    return str(user) if user is not None else None


@dataclass(frozen=True)
class Scope:
    """The engagements and requests that are the person's, worked out once and shared by every kind of record."""

    user: User
    memberships: list[SiteMembership]
    engagement_ids: list[int]
    access_log_engagement_ids: list[int]
    request_ids: list[int]
    include_private_notes: bool

    @classmethod
    def of(cls, user: User, *, include_private_notes: bool) -> Scope:
        # Not Engagement.objects.working_with(): that answers "who may look now" and is empty for a deactivated
        # account, whose data is still theirs to ask for.
        memberships = list(SiteMembership.objects.filter(user=user).select_related("site__programme"))
        party = Engagement.objects.filter(Q(site__memberships__user=user) | Q(enabler=user))
        engagements = list(party.values_list("pk", "site_id", "enabler_id").distinct())
        lead_sites = site_access.led_site_ids(memberships)
        requests = SupportRequest.objects.filter(
            Q(created_by=user) | Q(proposals__enabler=user) | Q(engagements__in=[pk for pk, _, _ in engagements])
        )
        return cls(
            user=user,
            memberships=memberships,
            engagement_ids=[pk for pk, _, _ in engagements],
            # The access log is the site lead's and the enabler's to read, not a site member's.
            access_log_engagement_ids=[
                pk for pk, site_id, enabler_id in engagements if enabler_id == user.pk or site_id in lead_sites
            ],
            request_ids=list(requests.values_list("pk", flat=True).distinct()),
            include_private_notes=include_private_notes,
        )


# One function per kind of record ------------------------------------------------------------------------------


def _profile(scope: Scope) -> Row:
    user = scope.user
    feed = CalendarFeed.objects.filter(user=user).values_list("created_at", flat=True).first()
    digest = DigestSubscription.objects.filter(user=user).values_list("created_at", flat=True).first()
    mobile = MobileNumber.objects.filter(person=user).values("number", "confirmed_at", "text_reminders").first()
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "programme_lead": user.is_programme_lead,
        "account_manager": user.is_account_manager,
        "account_manager_for_sites": list(user.managed_sites.values_list("name", flat=True)),
        "administrator": user.is_staff,
        "superuser": user.is_superuser,
        "groups": list(user.groups.values_list("name", flat=True)),
        "active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "gentle_nudges": user.nudges_enabled,
        "two_factor_authenticator_set_up": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
        "calendar_feed_turned_on_at": feed,
        "lesson_digest_since": digest,
        "mobile_number": mobile["number"] if mobile else None,
        "mobile_number_confirmed_at": mobile["confirmed_at"] if mobile else None,
        "text_reminders": bool(mobile and mobile["text_reminders"] and mobile["confirmed_at"]),
    }


def _enabler_profile(scope: Scope) -> Row | None:
    profile = EnablerProfile.objects.filter(user=scope.user).prefetch_related("worked_for").first()
    if profile is None:
        return None
    return {
        "biography": profile.biography,
        "years_in_health": profile.years_in_health,
        "years_in_social_care": profile.years_in_social_care,
        "sectors": profile.sector_labels(),
        "approaches": profile.approach_labels(),
        "regions": profile.region_labels(),
        "capacity": profile.capacity,
        "worked_for": [organisation.name for organisation in profile.worked_for.all()],
    }


def _site_memberships(scope: Scope) -> list[Row]:
    return [
        {
            "site": m.site.name,
            "programme": str(m.site.programme),
            "role": m.get_role_display(),
            "since": m.created_at,
        }
        for m in scope.memberships
    ]


def _support_requests(scope: Scope) -> list[Row]:
    requests = SupportRequest.objects.filter(pk__in=scope.request_ids).select_related("site", "offer", "created_by")
    return [
        {
            "id": r.pk,
            "site": r.site.name,
            "offer": r.offer.name,
            "made_by": _name(r.created_by),
            "made_by_this_person": r.created_by_id == scope.user.pk,
            "state": r.get_state_display(),
            "why_now": r.why_now,
            "help_wanted": r.help_wanted,
            "who_is_involved": r.who_is_involved,
            "approaches_wanted": r.approach_labels(),
            "preferred_start": r.preferred_start,
            "submitted_at": r.submitted_at,
            "decided_at": r.decided_at,
            "decline_reason": r.decline_reason,
        }
        for r in requests.order_by("submitted_at", "pk")
    ]


def _proposals(scope: Scope) -> list[Row]:
    user = scope.user
    proposals = Proposal.objects.filter(
        Q(enabler=user) | Q(proposed_by=user) | Q(request__in=scope.request_ids)
    ).select_related("request__site", "enabler", "proposed_by")
    return [
        {
            "id": p.pk,
            "request_id": p.request_id,
            "site": p.request.site.name,
            "enabler": _name(p.enabler),
            "introduction": p.introduction,
            "reasons": p.reasons,
            "proposed_by": _name(p.proposed_by),
            "proposed_at": p.proposed_at,
            "outcome": p.get_outcome_display(),
        }
        for p in proposals.order_by("proposed_at", "pk")
    ]


def _chemistry_conversations(scope: Scope) -> list[Row]:
    """Conversations before a site chose its enabler that the person asked for, or was asked to as the proposed
    enabler: what became of each, the times offered, when, and where or the link."""
    user = scope.user
    conversations = ChemistryConversation.objects.filter(Q(asked_by=user) | Q(proposal__enabler=user)).select_related(
        "proposal__request__site", "proposal__enabler", "asked_by", "planned_by"
    )
    return [
        {
            "id": c.pk,
            "request_id": c.proposal.request_id,
            "site": c.proposal.request.site.name,
            "enabler": _name(c.proposal.enabler),
            "asked_by": _name(c.asked_by),
            "asked_by_this_person": c.asked_by_id == user.pk,
            "asked_at": c.asked_at,
            "state": c.get_state_display(),
            "times_offered": c.offered_times,
            "starts_at": c.starts_at,
            "minutes": c.minutes,
            "place": c.get_place_display(),
            "address": c.address,
            "meeting_link": c.meeting_link,
            "planned_by": _name(c.planned_by),
            "cancelled_at": c.cancelled_at,
        }
        for c in conversations.order_by("asked_at", "pk")
    ]


def _agreement(engagement: Engagement) -> Row | None:
    try:
        agreement = engagement.agreement
    except Agreement.DoesNotExist:
        return None
    return {
        "cadence": agreement.cadence,
        "ways_of_working": agreement.ways_of_working,
        "goals": agreement.goals,
        "confidentiality": agreement.confidentiality,
        "site_confirmed_by": _name(agreement.site_confirmed_by),
        "site_confirmed_at": agreement.site_confirmed_at,
        "enabler_confirmed_at": agreement.enabler_confirmed_at,
    }


def _engagements(scope: Scope) -> list[Row]:
    roles = {m.site_id: m.get_role_display() for m in scope.memberships}
    engagements = (
        Engagement.objects.filter(pk__in=scope.engagement_ids)
        .select_related("site", "offer", "enabler", "agreement__site_confirmed_by")
        .prefetch_related(Prefetch("budget_extensions", queryset=BudgetExtension.objects.select_related("agreed_by")))
    )
    return [
        {
            "id": e.pk,
            "request_id": e.request_id,
            "site": e.site.name,
            "offer": e.offer.name,
            "enabler": _name(e.enabler),
            "this_persons_part": "Enabler" if e.enabler_id == scope.user.pk else roles.get(e.site_id, ""),
            "state": e.get_state_display(),
            "created_at": e.created_at,
            "started_on": e.started_on,
            "follow_up_on": e.follow_up_on,
            "closed_on": e.closed_on,
            "day_allowance": e.day_allowance,
            "days_used": e.days_used,
            "extra_days_agreed": [
                {"days": x.days, "reason": x.reason, "agreed_by": _name(x.agreed_by), "agreed_at": x.agreed_at}
                for x in e.budget_extensions.all()
            ],
            "agreement": _agreement(e),
        }
        for e in engagements.order_by("created_at", "pk")
    ]


def _close_out_reviews(scope: Scope) -> list[Row]:
    """The close-out reviews of the person's engagements, a row for each goal: how it went, in whose words, and
    what the site will do next."""
    goals = GoalReview.objects.filter(review__engagement__in=scope.engagement_ids).select_related(
        "review__engagement__site", "review__recorded_by"
    )
    return [
        {
            "engagement_id": g.review.engagement_id,
            "site": g.review.engagement.site.name,
            "goal": g.goal,
            "outcome": g.get_outcome_display(),
            "words": g.words,
            "what_next": g.review.what_next,
            "recorded_by": _name(g.review.recorded_by),
            "recorded_at": g.review.recorded_at,
        }
        for g in goals.order_by("review__recorded_at", "review_id", "pk")
    ]


def _changes_of_enabler(scope: Scope) -> list[Row]:
    """The pairings the person ended early (a change of enabler): the site, when, and the words they wrote."""
    changes = EnablerChange.objects.filter(asked_by=scope.user).select_related("engagement__site")
    return [
        {
            "engagement_id": c.engagement_id,
            "site": c.engagement.site.name,
            "asked_at": c.asked_at,
            "words": c.words,
        }
        for c in changes.order_by("asked_at", "pk")
    ]


def _sessions(scope: Scope) -> list[Row]:
    sessions = Session.objects.filter(engagement__in=scope.engagement_ids).select_related(
        "engagement__site", "logged_by"
    )
    return [
        {
            "id": s.pk,
            "engagement_id": s.engagement_id,
            "site": s.engagement.site.name,
            "held_on": s.held_on,
            "hours": s.hours,
            "days": s.days,
            "format": s.get_format_display(),
            "place": s.get_place_display(),
            "who_took_part_by_role": s.participants,
            "logged_by": _name(s.logged_by),
            "logged_at": s.created_at,
        }
        for s in sessions.order_by("held_on", "pk")
    ]


def _planned_sessions(scope: Scope) -> list[Row]:
    """The sessions planned ahead in those engagements: when, where, who was invited, and what became of each."""
    planned = (
        PlannedSession.objects.filter(engagement__in=scope.engagement_ids)
        .select_related("engagement__site", "planned_by", "series")
        .prefetch_related("invitees")
    )
    return [
        {
            "id": p.pk,
            "engagement_id": p.engagement_id,
            "site": p.engagement.site.name,
            "starts_at": p.starts_at,
            "length": p.length,
            "format": p.get_format_display(),
            "place": p.get_place_display(),
            "address": p.address,
            "meeting_link": p.meeting_link,
            "invited": [_name(person) for person in p.invitees.all()],
            "repeats": p.series.get_frequency_display() if p.series else "",
            "planned_by": _name(p.planned_by),
            "cancelled_at": p.cancelled_at,
            "logged_as_session": p.session_id,
        }
        for p in planned.order_by("starts_at", "pk")
    ]


def _diagnostics(scope: Scope) -> list[Row]:
    diagnostics = Diagnostic.objects.filter(recorded_by=scope.user).select_related("engagement__site")
    return [
        {
            "engagement_id": d.engagement_id,
            "site": d.engagement.site.name,
            "version": d.version,
            "stage": d.get_stage_display(),
            "strengths": d.strengths,
            "development_areas": d.development_areas,
            "recorded_at": d.recorded_at,
        }
        for d in diagnostics.order_by("recorded_at", "pk")
    ]


def _diagnostic_shares(scope: Scope) -> list[Row]:
    user = scope.user
    shares = DiagnosticShare.objects.filter(
        Q(shared_with=user) | Q(shared_by=user) | Q(stopped_by=user)
    ).select_related("engagement__site", "shared_with", "shared_by", "stopped_by")
    return [
        {
            "engagement_id": s.engagement_id,
            "site": s.engagement.site.name,
            "shared_with": _name(s.shared_with),
            "shared_by": _name(s.shared_by),
            "shared_at": s.shared_at,
            "stopped_by": _name(s.stopped_by),
            "stopped_at": s.stopped_at,
        }
        for s in shares.order_by("shared_at", "pk")
    ]


def _shared_notes(scope: Scope) -> list[Row]:
    notes = SharedNote.objects.filter(author=scope.user).select_related("engagement__site")
    return [
        {"engagement_id": n.engagement_id, "site": n.engagement.site.name, "written_at": n.created_at, "text": n.body}
        for n in notes.order_by("created_at", "pk")
    ]


def _actions(scope: Scope) -> list[Row]:
    user = scope.user
    actions = Action.objects.filter(Q(owner=user) | Q(created_by=user)).select_related(
        "engagement__site", "owner", "created_by", "session"
    )
    return [
        {
            "engagement_id": a.engagement_id,
            "site": a.engagement.site.name,
            "description": a.description,
            "owner": _name(a.owner),
            "due_on": a.due_on,
            "done_at": a.done_at,
            "session_held_on": a.session.held_on if a.session else None,
            "added_by": _name(a.created_by),
            "added_at": a.created_at,
        }
        for a in actions.order_by("created_at", "pk")
    ]


def _feedback(scope: Scope) -> list[Row]:
    feedback = Feedback.objects.filter(given_by=scope.user).select_related("engagement__site", "session")
    return [
        {
            "engagement_id": f.engagement_id,
            "site": f.engagement.site.name,
            "moment": f.get_moment_display(),
            "session_held_on": f.session.held_on if f.session else None,
            "usefulness_1_to_5": f.usefulness,
            "what_helped": f.what_helped,
            "could_be_better": f.could_be_better,
            "given_at": f.given_at,
            "central_team_may_read_what_helped": f.share_what_helped,
            "shared_words_approved": f.shared_words if f.shared_words_approved else "",
            "shared_words_approved_at": f.shared_words_approved_at if f.shared_words_approved else None,
        }
        for f in feedback.order_by("given_at", "pk")
    ]


def _lessons(scope: Scope) -> list[Row]:
    user = scope.user
    lessons = (
        Lesson.objects.filter(
            Q(created_by=user)
            | Q(site_approved_by=user)
            | Q(engagement__enabler=user, enabler_approved_version__isnull=False)
        )
        .select_related("engagement", "programme")
        .prefetch_related("themes")
    )
    rows = []
    for lesson in lessons.order_by("created_at", "pk"):
        if lesson.site_approved_by_id == user.pk:
            approved_version = lesson.site_approved_version
        elif lesson.engagement.enabler_id == user.pk:
            approved_version = lesson.enabler_approved_version
        else:
            approved_version = None
        rows.append(
            {
                "id": lesson.pk,
                "engagement_id": lesson.engagement_id,
                "title": lesson.title,
                "text": lesson.body,
                "audience": lesson.get_audience_display(),
                "themes": [theme.name for theme in lesson.themes.all()],
                "programme": str(lesson.programme),
                "state": lesson.get_state_display(),
                "version": lesson.version,
                "written_by_this_person": lesson.created_by_id == user.pk,
                "version_approved_by_this_person": approved_version,
                "created_at": lesson.created_at,
                "published_at": lesson.published_at,
            }
        )
    return rows


def _notifications(scope: Scope) -> list[Row]:
    notifications = Notification.objects.filter(recipient=scope.user)
    if not scope.include_private_notes:
        notifications = notifications.exclude(kind=NOTES_RETENTION_KIND)
    return [
        {
            "kind": n.kind,
            "subject": n.subject,
            "text": n.body,
            "link": n.link,
            "created_at": n.created_at,
            "delivery": n.get_status_display(),
            "sent_at": n.sent_at,
            "read_at": n.read_at,
        }
        for n in notifications.order_by("created_at", "pk")
    ]


def _invitations(scope: Scope) -> list[Row]:
    """Invitations to the person's address (whoever sent them), and those the person sent."""
    user = scope.user
    invitations = Invitation.objects.filter(Q(email__iexact=user.email) | Q(invited_by=user)).select_related(
        "site", "invited_by"
    )
    return [
        {
            "to": i.email,
            "name": i.full_name,
            "job_title": i.job_title,
            "as": i.role_words,
            "invited_by": _name(i.invited_by) if i.invited_by_id else "an operator's import",
            "sent_by_this_person": i.invited_by_id == user.pk,
            "sent_at": i.sent_at,
            "times_sent": i.send_count,
            "state": i.get_state_display(),
            "accepted_at": i.accepted_at,
        }
        for i in invitations.order_by("created_at", "pk")
    ]


def _audit_events(scope: Scope) -> list[Row]:
    user = scope.user
    about_account = Q(target_type=ContentType.objects.get_for_model(User), target_id=user.pk)
    events = AuditEvent.objects.filter(Q(actor=user) | about_account).select_related("actor", "target_type")
    return [
        {
            "at": e.at,
            "by": _name(e.actor) if e.actor_id else "Alongside itself",
            "by_this_person": e.actor_id == user.pk,
            "what": e.verb,
            "record_kind": f"{e.target_type.app_label}.{e.target_type.model}",
            "record_id": e.target_id,
            "detail": e.detail,
        }
        for e in events.order_by("at", "pk")
    ]


def _access_records(scope: Scope) -> list[Row]:
    user = scope.user
    records = AccessRecord.objects.filter(
        Q(engagement__in=scope.access_log_engagement_ids) | Q(user=user)
    ).select_related("engagement__site", "user")
    return [
        {
            "engagement_id": r.engagement_id,
            "site": r.engagement.site.name,
            "who": _name(r.user),
            "what": r.get_kind_display(),
            "at": r.at,
        }
        for r in records.order_by("at", "pk")
    ]


def _ways_to_sign_in(scope: Scope) -> list[Row]:
    """The organisation accounts linked to the person's (a provider's name, when linked and last used; the
    provider's own identifier for them too) and their passkeys (a name and dates; never a key)."""
    rows: list[Row] = [
        {
            "what": f"Signs in with {identity.provider}",
            "provider_issuer": identity.issuer,
            "provider_subject": identity.subject,
            "since": identity.linked_at,
            "last_used_at": identity.last_used_at,
        }
        for identity in ExternalIdentity.objects.filter(user=scope.user).order_by("linked_at", "pk")
    ]
    rows += [
        {
            "what": f"Passkey: {passkey.name}" if passkey.name else "Passkey",
            "provider_issuer": "",
            "provider_subject": "",
            "since": passkey.created_at,
            "last_used_at": passkey.last_used_at,
        }
        for passkey in WebAuthnCredential.objects.filter(user=scope.user).order_by("created_at", "pk")
    ]
    return rows


def _sign_in_records(scope: Scope) -> list[Row]:
    """django-axes keeps sign-ins and failed attempts by the e-mail address typed, so earlier addresses of the
    account are not found. The session hash and the attempt's submitted data are left out."""
    email = scope.user.email
    rows = [
        {"what": "Signed in", "at": log.attempt_time, "signed_out_at": log.logout_time, "failures": None, **_seen(log)}
        for log in AccessLog.objects.filter(username__iexact=email)
    ]
    rows += [
        {
            "what": "Locked out after failed sign-ins" if log.locked_out else "Failed sign-in",
            "at": log.attempt_time,
            "signed_out_at": None,
            "failures": None,
            **_seen(log),
        }
        for log in AccessFailureLog.objects.filter(username__iexact=email)
    ]
    rows += [
        {
            "what": "Failed sign-ins counted towards a lockout",
            "at": attempt.attempt_time,
            "signed_out_at": None,
            "failures": attempt.failures_since_start,
            **_seen(attempt),
        }
        for attempt in AccessAttempt.objects.filter(username__iexact=email)
    ]
    return sorted(rows, key=lambda row: row["at"])


def _seen(record: AccessLog | AccessFailureLog | AccessAttempt) -> Row:
    return {"ip_address": record.ip_address, "browser": record.user_agent, "page": record.path_info}


def _admin_changes(scope: Scope) -> list[Row]:
    entries = LogEntry.objects.filter(user=scope.user).select_related("content_type")
    return [
        {
            "at": e.action_time,
            "what": {1: "Added", 2: "Changed", 3: "Deleted"}.get(e.action_flag, str(e.action_flag)),
            "record_kind": f"{e.content_type.app_label}.{e.content_type.model}" if e.content_type else "",
            "record_id": e.object_id,
            "record": e.object_repr,
            "change": e.get_change_message(),
        }
        for e in entries.order_by("action_time", "pk")
    ]


@sensitive_variables()
def _private_notes(scope: Scope) -> list[Row]:
    """The notes this person wrote, and only those, read as the author's own list and download read them
    (engagements.notes.read_notes, each engagement's key opened once). A note sealed in the author's browser
    cannot be opened here by anyone: it goes as its ciphertext, which the author alone can open (README)."""
    written = PrivateNote.objects.filter(author=scope.user).select_related(
        "engagement__site", "engagement__notes_key", "session"
    )
    in_browser: set[int] = set()
    by_engagement: dict[int, list[PrivateNote]] = defaultdict(list)
    for note in written.order_by("created_at", "pk"):
        by_engagement[note.engagement_id].append(note)
        key = getattr(note.engagement, "notes_key", None)  # none once the notes were destroyed
        if key is not None and key.sealed_in_browser:
            in_browser.add(note.engagement_id)
    ordered = [note for engagement_notes in by_engagement.values() for note in engagement_notes]
    server_sealed = [note for note in ordered if note.engagement_id not in in_browser]
    texts = {note.pk: text for note, text in notes.read_notes(server_sealed, unreadable=UNREADABLE_NOTE)}
    return [
        {
            "engagement_id": note.engagement_id,
            "site": note.engagement.site.name,
            "session_held_on": note.session.held_on if note.session else None,
            "written_at": note.created_at,
            "changed_at": note.updated_at,
            "sealed_in_browser": note.engagement_id in in_browser,
            "text": texts.get(note.pk, ""),
            "ciphertext": base64.b64encode(bytes(note.ciphertext)).decode() if note.engagement_id in in_browser else "",
        }
        for engagement_notes in by_engagement.values()
        for note in engagement_notes
    ]


@dataclass(frozen=True)
class Kind:
    """One kind of record: its file name stem, the README's line about it, and whether it is a list (with a CSV)."""

    name: str
    description: str
    rows: Callable[[Scope], Any]
    tabular: bool = True


KINDS = [
    Kind(
        "profile",
        "The account: name, e-mail address, job title, roles, dates, preferences, mobile number for text reminders.",
        _profile,
        False,
    ),
    Kind(
        "enabler_profile", "The enabler profile, if the person is an enabler (null otherwise).", _enabler_profile, False
    ),
    Kind("site_memberships", "The sites the person belongs to, and as what.", _site_memberships),
    Kind(
        "support_requests",
        "Requests for support the person made, was proposed for, or that led to an engagement they are part of.",
        _support_requests,
    ),
    Kind(
        "proposals",
        "Proposals of an enabler made to the person, made by them, or made for the requests above.",
        _proposals,
    ),
    Kind(
        "chemistry_conversations",
        "Conversations before a site chose its enabler that the person asked for, or was asked to as the proposed "
        "enabler: what became of each, the times offered, when, and where or the link.",
        _chemistry_conversations,
    ),
    Kind(
        "engagements",
        "Engagements the person is a party to, as a member of the site or as its enabler, with the agreement.",
        _engagements,
    ),
    Kind(
        "close_out_reviews",
        "The close-out reviews of those engagements: how each goal went, and what the site will do next.",
        _close_out_reviews,
    ),
    Kind(
        "changes_of_enabler",
        "Pairings the person ended early (a change of enabler): the site, when, and the words they wrote.",
        _changes_of_enabler,
    ),
    Kind("sessions", "The session log of those engagements: date, length, format, place, who took part.", _sessions),
    Kind(
        "planned_sessions",
        "Sessions planned ahead in those engagements: when, where, who was invited, and what became of each.",
        _planned_sessions,
    ),
    Kind("diagnostics", "Diagnostics the person recorded for their site.", _diagnostics),
    Kind(
        "diagnostic_shares",
        "Diagnostics shared with the person, or that they shared or stopped sharing.",
        _diagnostic_shares,
    ),
    Kind("shared_notes", "Shared notes the person wrote.", _shared_notes),
    Kind("actions", "Actions the person owns or added.", _actions),
    Kind("feedback", "Feedback the person gave on the support their site received.", _feedback),
    Kind("lessons", "Lessons the person wrote or approved (their anonymised text).", _lessons),
    Kind("notifications", "Messages Alongside sent to the person, and whether they were delivered.", _notifications),
    Kind("invitations", "Invitations to the person's e-mail address, and those the person sent.", _invitations),
    Kind(
        "audit_events",
        "What the person did (the audit trail), and what others did to their account.",
        _audit_events,
    ),
    Kind(
        "access_records",
        "Who read the records of engagements whose access log the person may read (as its enabler or the site's "
        "lead), and every read the person made of an engagement's records.",
        _access_records,
    ),
    Kind(
        "ways_to_sign_in",
        "Organisation accounts linked to the person's and their passkeys (names and dates, never a key).",
        _ways_to_sign_in,
    ),
    Kind("sign_in_records", "Sign-ins and failed sign-ins with the person's e-mail address.", _sign_in_records),
    Kind("admin_changes", "Changes the person made in the Django admin, if they are an administrator.", _admin_changes),
]
PRIVATE_NOTES = Kind(
    "private_notes",
    "The private notes the person wrote themselves: decrypted, or, for notes sealed in their browser, as ciphertext "
    "only (sealed_in_browser is true, text is empty). Alongside holds no key that opens those: the author opens "
    "them in their own browser, on Download your notes, with their notes passphrase.",
    _private_notes,
)
