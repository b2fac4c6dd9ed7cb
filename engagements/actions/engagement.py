"""The engagement's actions: the agreement, the diagnostic and its shares, pause, resume, extra days and close."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from sites import access as site_access

from .. import access
from ..models import Agreement, BudgetExtension, Diagnostic, DiagnosticShare, Engagement

Verb = AuditEvent.Verb


def _locked(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update().get(pk=engagement.pk)


def _require_steering(engagement: Engagement, by: User) -> None:
    if not access.steers(by, engagement):
        raise NotAllowed("Only the enabler or the site's lead can change this.")


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
def stop_sharing_diagnostic(*, share: DiagnosticShare, by: User) -> None:
    share = DiagnosticShare.objects.select_for_update().select_related("engagement").get(pk=share.pk)
    if not access.is_site_lead_of(by, share.engagement):
        raise NotAllowed("Only the site's lead can stop sharing.")
    share.stop(by=by)
    AuditEvent.record(
        actor=by, verb=Verb.STOPPED_SHARING_THE_DIAGNOSTIC, target=share.engagement, person=share.shared_with_id
    )


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
