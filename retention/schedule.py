"""The retention schedule: every kind of record Alongside keeps, how long, and what happens to it then.

`KINDS` is the one table. Each kind says which rows are due at a moment (`due`, counted in the rows the report
counts) and how a batch of them is destroyed (`destroy`, inside the transaction the runner in retention/actions.py
opens). The periods are settings (`NOTES_RETENTION_DAYS`, `RETENTION_DAYS`), read at each run. Rows of an engagement
under a legal hold are never due, nor the names of its parties. docs/privacy.md shows this table for a data
protection impact assessment, and tests/retention/test_schedule_doc.py holds the two together.

"Which rows" lives here rather than as a QuerySet method on each model because the rule that matters is the whole
schedule, read in one place by the person who signs it off.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import AccountSession, AuditEvent, Notification, User
from engagements.actions.notes import destroy_private_notes
from engagements.models import (
    AccessRecord,
    Action,
    Agreement,
    BudgetExtension,
    CalendarFeed,
    ChemistryConversation,
    CloseOutReview,
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
    SessionSeries,
    SharedNote,
    SupportRequest,
)
from lessons.models import DigestSubscription, Lesson
from onboarding.models import ImportJob, Invitation
from sites.models import SiteMembership

from .models import LegalHold

Due = Callable[[datetime.datetime, int], QuerySet[Any]]


@dataclass(frozen=True)
class Kind:
    """One row of the schedule."""

    name: str  # the report's key, and the key of RETENTION_DAYS
    record: str  # what it is, as the report and docs/privacy.md call it
    counts_from: str  # the moment the period runs from
    happens: str  # what "destroyed" means for it
    due: Due
    destroy: Callable[[list[Any]], int]  # a batch of the rows `due` gave; returns how many were destroyed
    engagement: str | None = None  # the way from a row to its engagement's id, to lock it against a new hold
    period: str = ""  # the key of RETENTION_DAYS, when it is not the name

    @property
    def days(self) -> int:
        if self.name == "private_notes":
            return settings.NOTES_RETENTION_DAYS
        if self.name == "sign_in_sessions":
            return 0
        return settings.RETENTION_DAYS[self.period or self.name]


# Moments ------------------------------------------------------------------------------------------------------


def before(at: datetime.datetime, days: int) -> datetime.datetime:
    return at - datetime.timedelta(days=days)


def day_before(at: datetime.datetime, days: int) -> datetime.date:
    """For the dates an engagement keeps (closed_on), counted in UK days."""
    return timezone.localdate(before(at, days))


def told_before(at: datetime.datetime) -> datetime.datetime:
    """Whoever is told before a record goes has been told at least RETENTION_NOTICE_DAYS earlier."""
    return before(at, settings.RETENTION_NOTICE_DAYS)


def held_engagements() -> QuerySet[Any]:
    return LegalHold.objects.in_force().values("engagement_id")


def finished_engagements(at: datetime.datetime, days: int) -> QuerySet[Engagement]:
    """Engagements closed or ended at least `days` ago whose parties were told in time, and not held."""
    return Engagement.objects.filter(
        state__in=Engagement.FINISHED_STATES,
        closed_on__lte=day_before(at, days),
        records_notice_sent_at__lte=told_before(at),
    ).exclude(pk__in=held_engagements())


def _now() -> datetime.datetime:
    return timezone.now()


# Private notes --------------------------------------------------------------------------------------------------


def _private_notes_due(at: datetime.datetime, days: int) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        state__in=Engagement.FINISHED_STATES, notes_destroyed_at=None, closed_on__lte=day_before(at, days)
    ).exclude(pk__in=held_engagements())


def _shred_notes(engagement_ids: list[int]) -> int:
    """Crypto-shredding through the notes' own action (one audit event an engagement, with how many notes)."""
    engagements = list(Engagement.objects.filter(pk__in=engagement_ids).only("pk"))
    if engagements:
        destroy_private_notes(engagements=engagements, by=None)
    return len(engagements)


# Requests and chemistry conversations -----------------------------------------------------------------------------


def _requests_due(at: datetime.datetime, days: int) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(
        state=SupportRequest.State.WITHDRAWN, decided_at__lte=before(at, days), words_removed_at=None
    ).exclude(engagements__in=held_engagements())


def _remove_request_words(request_ids: list[int]) -> int:
    """The site's words and the central team's introductions go; the row stays, counted in the overview."""
    Proposal.objects.filter(request__in=request_ids).update(introduction="", reasons=[])
    ChemistryConversation.objects.filter(proposal__request__in=request_ids).delete()
    return SupportRequest.objects.filter(pk__in=request_ids).update(
        why_now="",
        help_wanted="",
        who_is_involved="",
        approaches_wanted=[],
        decline_reason="",
        words_removed_at=_now(),
    )


def _chemistry_due(at: datetime.datetime, days: int) -> QuerySet[ChemistryConversation]:
    return (
        ChemistryConversation.objects.exclude(proposal__outcome=Proposal.Outcome.PENDING)
        .alias(moment=Coalesce("starts_at", "asked_at"))
        .filter(moment__lte=before(at, days))
        .exclude(proposal__request__engagements__in=held_engagements())
    )


def _delete(model: Any) -> Callable[[list[Any]], int]:
    def delete(ids: list[Any]) -> int:
        return model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)

    return delete


# An engagement's records, after it closed or ended ---------------------------------------------------------------


def _of_finished(model: Any, **more: Any) -> Due:
    def due(at: datetime.datetime, days: int) -> QuerySet[Any]:
        return model.objects.filter(engagement__in=finished_engagements(at, days), **more)

    return due


def _delete_diagnostics(ids: list[int]) -> int:
    engagements = Diagnostic.objects.filter(pk__in=ids).values("engagement_id")
    DiagnosticShare.objects.filter(engagement__in=engagements).delete()
    return _delete(Diagnostic)(ids)


def _remove_change_words(ids: list[int]) -> int:
    """That a change of enabler happened stays (the overview counts them); the words and who asked go."""
    return EnablerChange.objects.filter(pk__in=ids).update(words="", asked_by=None, words_removed_at=_now())


def _remove_review_words(ids: list[int]) -> int:
    """Each goal's outcome stays (the overview counts goals met); the goals' words and what next go."""
    GoalReview.objects.filter(review__in=ids).update(goal="", words="")
    return CloseOutReview.objects.filter(pk__in=ids).update(what_next="", recorded_by=None, words_removed_at=_now())


def _sessions_due(at: datetime.datetime, days: int) -> QuerySet[Engagement]:
    return finished_engagements(at, days).filter(sessions_destroyed_at=None)


def _destroy_sessions(engagement_ids: list[int]) -> int:
    """The session log, the reasons for extra days and, once every pairing of its request has gone this far, the
    request's own words. The engagement stays as counts: its site, offer, dates and days, for the figures."""
    unshredded = list(Engagement.objects.filter(pk__in=engagement_ids, notes_destroyed_at=None).values_list("pk"))
    _shred_notes([pk for (pk,) in unshredded])
    sessions = Session.objects.filter(engagement__in=engagement_ids)
    Action.objects.filter(session__in=sessions).update(session=None)
    Feedback.objects.filter(session__in=sessions).update(session=None)
    PlannedSession.objects.filter(session__in=sessions).update(session=None)
    # Nothing points at these sessions any more, so one DELETE does it (the ORM would load a million of them).
    sessions._raw_delete(sessions.db)
    BudgetExtension.objects.filter(engagement__in=engagement_ids).delete()
    destroyed = Engagement.objects.filter(pk__in=engagement_ids).update(sessions_destroyed_at=_now())
    requests = (
        SupportRequest.objects.filter(engagements__in=engagement_ids, words_removed_at=None)
        .exclude(state__in=SupportRequest.OPEN_STATES)
        .exclude(engagements__sessions_destroyed_at=None)
        .values_list("pk", flat=True)
    )
    _remove_request_words(list(requests.distinct()))
    return destroyed


# Records that go by their own date ------------------------------------------------------------------------------


def _planned_due(at: datetime.datetime, days: int) -> QuerySet[PlannedSession]:
    return PlannedSession.objects.filter(starts_at__lte=before(at, days)).exclude(engagement__in=held_engagements())


def _delete_planned(ids: list[int]) -> int:
    engagements = list(PlannedSession.objects.filter(pk__in=ids).values_list("engagement_id", flat=True).distinct())
    deleted = _delete(PlannedSession)(ids)
    SessionSeries.objects.filter(engagement__in=engagements, occurrences__isnull=True).delete()
    return deleted


def _feedback_due(at: datetime.datetime, days: int) -> QuerySet[Feedback]:
    return Feedback.objects.filter(given_at__lte=before(at, days), words_removed_at=None).exclude(
        engagement__in=held_engagements()
    )


def _remove_feedback_words(ids: list[int]) -> int:
    return Feedback.objects.filter(pk__in=ids).update(
        what_helped="",
        could_be_better="",
        # Shared words go with the words they were approved from.
        share_what_helped=False,
        shared_words="",
        shared_words_approved_at=None,
        shared_words_source="",
        words_removed_at=_now(),
    )


def _lesson_drafts_due(at: datetime.datetime, days: int) -> QuerySet[Lesson]:
    return Lesson.objects.filter(
        state__in=[Lesson.State.DRAFT, Lesson.State.AWAITING], updated_at__lte=before(at, days)
    ).exclude(engagement__in=held_engagements())


def _withdrawn_lessons_due(at: datetime.datetime, days: int) -> QuerySet[Lesson]:
    return Lesson.objects.filter(state=Lesson.State.WITHDRAWN, withdrawn_at__lte=before(at, days)).exclude(
        engagement__in=held_engagements()
    )


def _access_records_due(at: datetime.datetime, days: int) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(at__lte=before(at, days)).exclude(engagement__in=held_engagements())


def _audit_events_due(at: datetime.datetime, days: int) -> QuerySet[AuditEvent]:
    about_held = Q(target_type=ContentType.objects.get_for_model(Engagement), target_id__in=held_engagements())
    return AuditEvent.objects.filter(at__lte=before(at, days)).exclude(about_held)


def _notifications_due(at: datetime.datetime, days: int) -> QuerySet[Notification]:
    return Notification.objects.filter(
        status__in=[Notification.Status.SENT, Notification.Status.FAILED], created_at__lte=before(at, days)
    )


def _invitations_due(at: datetime.datetime, days: int) -> QuerySet[Invitation]:
    moment = before(at, days)
    return Invitation.objects.filter(
        Q(accepted_at__lte=moment)
        | Q(revoked_at__lte=moment)
        | Q(accepted_at=None, revoked_at=None, expires_at__lte=moment)
    )


def _import_files_due(at: datetime.datetime, days: int) -> QuerySet[ImportJob]:
    return ImportJob.objects.exclude(state__in=ImportJob.RUNNING_STATES).filter(created_at__lte=before(at, days))


def _sign_in_sessions_due(at: datetime.datetime, days: int) -> QuerySet[AccountSession]:
    return AccountSession.objects.filter(expire_date__lte=before(at, days))


# Accounts -----------------------------------------------------------------------------------------------------


def _people_of_held_engagements() -> QuerySet[Any]:
    held = Engagement.objects.filter(pk__in=held_engagements())
    return User.objects.filter(
        Q(pk__in=held.values("enabler_id")) | Q(site_memberships__site__in=held.values("site_id"))
    ).values("pk")


def _enablers_at_work() -> QuerySet[Any]:
    return Engagement.objects.filter(state__in=Engagement.OPEN_STATES).values("enabler_id")


def unused_accounts(at: datetime.datetime, days: int) -> QuerySet[User]:
    """Active accounts nobody has signed in to for `days` (administrators', and enablers' with work under way,
    never): each person is told first (retention.actions), and a later run deactivates them."""
    return (
        User.objects.filter(is_active=True, is_superuser=False, anonymised_at=None)
        .alias(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lte=before(at, days))
        .exclude(pk__in=_enablers_at_work())
    )


def _unused_accounts_due(at: datetime.datetime, days: int) -> QuerySet[User]:
    return unused_accounts(at, days).filter(
        inactivity_notice_sent_at__lte=told_before(at), inactivity_notice_sent_at__gte=F("last_seen")
    )


def _deactivate(ids: list[int]) -> int:
    told_by = told_before(_now())
    return sum(account_actions.deactivate_unused_account(user=user, told_before=told_by) for user in _users(ids))


def _deactivated_accounts_due(at: datetime.datetime, days: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=False, is_superuser=False, anonymised_at=None, deactivated_at__lte=before(at, days)
    ).exclude(pk__in=_people_of_held_engagements())


def described_as(user: User) -> str:
    """What an anonymised person is called where others still read what they wrote with them."""
    if EnablerProfile.objects.filter(user=user).exists():
        return "A former enabler"
    if user.is_programme_lead:
        return "A former programme lead"
    if user.is_account_manager:
        return "A former account manager"
    if SiteMembership.objects.filter(user=user).exists():
        return "A former site member"
    return "A former member of Alongside"


def _anonymise(ids: list[int]) -> int:
    """Their private notes can never be opened again by their author, so they are shredded now; their calendar
    feed and lessons digest go, and an enabler's own words about themselves (biography, past employers); then the
    account itself (accounts.actions.anonymise_account)."""
    anonymised = 0
    for user in _users(ids):
        notes_left = Engagement.objects.filter(enabler=user, notes_destroyed_at=None).values_list("pk", flat=True)
        _shred_notes(list(notes_left))
        CalendarFeed.objects.filter(user=user).delete()
        DigestSubscription.objects.filter(user=user).delete()
        for profile in EnablerProfile.objects.filter(user=user):
            EnablerProfile.objects.filter(pk=profile.pk).update(biography="", available_for_new_work=False)
            profile.worked_for.clear()
        anonymised += account_actions.anonymise_account(user=user, described_as=described_as(user))
    return anonymised


def _users(ids: list[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


# The schedule -------------------------------------------------------------------------------------------------

CLOSED = "the engagement closed or ended"

KINDS: tuple[Kind, ...] = (
    Kind(
        "private_notes",
        "Private notes",
        CLOSED,
        "crypto-shredded: the data key and every ciphertext deleted; the enabler is told 30 days before",
        _private_notes_due,
        _shred_notes,
        engagement="pk",
    ),
    Kind(
        "requests_not_accepted",
        "Support requests never accepted",
        "the site withdrew it",
        "anonymised: why now, what help, who is involved, approaches and any decline reason cleared, the proposals' "
        "introductions too, chemistry conversations deleted; the row stays for the overview's counts",
        _requests_due,
        _remove_request_words,
    ),
    Kind(
        "chemistry_conversations",
        "Chemistry conversations",
        "their time, or their asking if no time was agreed; once the site chose",
        "deleted, with the times offered, the place and the link",
        _chemistry_due,
        _delete(ChemistryConversation),
    ),
    Kind(
        "agreements",
        "Agreements",
        CLOSED,
        "deleted",
        _of_finished(Agreement),
        _delete(Agreement),
        engagement="engagement_id",
    ),
    Kind(
        "diagnostics",
        "Diagnostics",
        CLOSED,
        "deleted, every version, with the record of whom they were shared with",
        _of_finished(Diagnostic),
        _delete_diagnostics,
        engagement="engagement_id",
    ),
    Kind(
        "shared_notes",
        "Shared notes",
        CLOSED,
        "deleted",
        _of_finished(SharedNote),
        _delete(SharedNote),
        engagement="engagement_id",
        period="shared_notes_and_actions",
    ),
    Kind(
        "actions",
        "Actions",
        CLOSED,
        "deleted",
        _of_finished(Action),
        _delete(Action),
        engagement="engagement_id",
        period="shared_notes_and_actions",
    ),
    Kind(
        "change_words",
        "Changes of enabler",
        CLOSED,
        "anonymised: the words and who asked cleared; that a change happened stays for the overview's counts",
        _of_finished(EnablerChange, words_removed_at=None),
        _remove_change_words,
        engagement="engagement_id",
    ),
    Kind(
        "close_out_reviews",
        "Close-out reviews",
        CLOSED,
        "anonymised: each goal's words, what was said of it and what next cleared, and who recorded it; each "
        "goal's outcome stays for the overview's counts",
        _of_finished(CloseOutReview, words_removed_at=None),
        _remove_review_words,
        engagement="engagement_id",
    ),
    Kind(
        "engagement_sessions",
        "Closed engagements with their sessions",
        CLOSED,
        "kept as counts: every session (date, length, format, who took part), the reasons for extra days and the "
        "request's own words deleted; the engagement keeps its site, offer, enabler, dates and days for the figures",
        _sessions_due,
        _destroy_sessions,
        engagement="pk",
    ),
    Kind(
        "planned_sessions",
        "Planned sessions",
        "their time",
        "deleted, with the place, the link and who was invited; a series once none of it is left",
        _planned_due,
        _delete_planned,
        engagement="engagement_id",
    ),
    Kind(
        "feedback_words",
        "Feedback",
        "it was given",
        "anonymised: what helped, what could be better and any shared words cleared; the score stays for the figures",
        _feedback_due,
        _remove_feedback_words,
        engagement="engagement_id",
    ),
    Kind(
        "lesson_drafts",
        "Lesson drafts never published",
        "their last change",
        "deleted",
        _lesson_drafts_due,
        _delete(Lesson),
        engagement="engagement_id",
    ),
    Kind(
        "withdrawn_lessons",
        "Withdrawn lessons",
        "they left the library",
        "deleted (a published lesson stays while both parties' consent stands)",
        _withdrawn_lessons_due,
        _delete(Lesson),
        engagement="engagement_id",
    ),
    Kind(
        "access_records",
        "Access records (who looked at an engagement)",
        "the look",
        "deleted",
        _access_records_due,
        _delete(AccessRecord),
        engagement="engagement_id",
    ),
    Kind(
        "audit_events",
        "Audit events",
        "the event",
        "deleted (those about an engagement under a legal hold stay)",
        _audit_events_due,
        _delete(AuditEvent),
    ),
    Kind(
        "notifications",
        "Notifications (e-mails and texts)",
        "they were made, once sent or failed",
        "deleted, with their words and the address",
        _notifications_due,
        _delete(Notification),
    ),
    Kind(
        "invitations",
        "Invitations",
        "they were accepted, revoked or expired",
        "deleted, with the name, the e-mail address and the role offered",
        _invitations_due,
        _delete(Invitation),
    ),
    Kind(
        "import_files",
        "Imported files",
        "the upload",
        "deleted, with the file and the messages about its rows",
        _import_files_due,
        _delete(ImportJob),
    ),
    Kind(
        "sign_in_sessions",
        "Sign-in sessions",
        "they expired (12 hours at most)",
        "deleted",
        _sign_in_sessions_due,
        _delete(AccountSession),
    ),
    Kind(
        "unused_accounts",
        "Accounts nobody signs in to",
        "the last sign-in, or the account's making",
        "deactivated, after the person is told 30 days before; signing in keeps the account",
        _unused_accounts_due,
        _deactivate,
    ),
    Kind(
        "deactivated_accounts",
        "Deactivated accounts",
        "the deactivation",
        "anonymised: the name becomes “A former enabler” (or site member, programme lead), the e-mail address one "
        "that reaches nobody; job title, an enabler's biography and past employers, password, mobile number, linked "
        "sign-in accounts, passkeys, authenticators, calendar feed, unsent notifications and the person's private "
        "notes deleted",
        _deactivated_accounts_due,
        _anonymise,
    ),
)

# The kinds that go with an engagement once it closed: its parties are told before the first of them.
ENGAGEMENT_RECORDS = tuple(kind for kind in KINDS if kind.counts_from == CLOSED and kind.name != "private_notes")


def engagements_to_tell(at: datetime.datetime) -> QuerySet[Engagement]:
    """Finished engagements whose first records go within the notice period, and whose parties were not told."""
    first = min(kind.days for kind in ENGAGEMENT_RECORDS)
    return Engagement.objects.filter(
        state__in=Engagement.FINISHED_STATES,
        records_notice_sent_at=None,
        sessions_destroyed_at=None,
        closed_on__lte=day_before(at, first - settings.RETENTION_NOTICE_DAYS),
    ).exclude(pk__in=held_engagements())


def enablers_to_tell_of_notes(at: datetime.datetime) -> QuerySet[Engagement]:
    """Engagements with private notes that go within the notice period, whose enabler was not told."""
    return (
        _private_notes_due(at, settings.NOTES_RETENTION_DAYS - settings.RETENTION_NOTICE_DAYS)
        .filter(retention_notice_sent_at=None, private_notes__isnull=False)
        .distinct()
    )


def accounts_to_tell(at: datetime.datetime) -> QuerySet[User]:
    """Unused accounts to be deactivated within the notice period whose owner was not told since last signing in."""
    days = settings.RETENTION_DAYS["unused_accounts"] - settings.RETENTION_NOTICE_DAYS
    return unused_accounts(at, days).filter(
        Q(inactivity_notice_sent_at=None) | Q(inactivity_notice_sent_at__lt=F("last_seen"))
    )
