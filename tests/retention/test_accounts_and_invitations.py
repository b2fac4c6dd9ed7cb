"""The schedule's rules for people: an unused account is told, then deactivated; a deactivated one is anonymised a
year later, so what others wrote with the person reads "A former enabler". Invitations, imported files and
expired sign-in sessions go too."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts import actions as account_actions
from accounts.models import AccountSession, AuditEvent, ExternalIdentity, MobileNumber, User
from engagements.actions.engagement import (
    close_engagement,
    confirm_agreement,
    revise_agreement,
    start_closing_engagement,
)
from engagements.actions.notes import write_private_note
from engagements.actions.sessions import turn_on_calendar_feed, write_shared_note
from engagements.models import CalendarFeed, EnablerProfile, Engagement, SharedNote
from engagements.notes import PrivateNote
from onboarding import actions as onboarding_actions
from onboarding import imports
from onboarding.models import ImportJob, Invitation
from retention.actions import apply_schedule
from sites.models import Organisation
from tests.helpers.people import PASSWORD
from tests.onboarding.imports import ORGANISATIONS, csv_file


def later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def run_on(moment: datetime.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return apply_schedule().destroyed


# Unused accounts ----------------------------------------------------------------------------------------------


def test_an_unused_account_is_told_thirty_days_ahead_then_deactivated(
    site_member: User, django_capture_on_commit_callbacks: Callable
) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(later(699), tick=False):
            early = apply_schedule().notices["unused accounts"]
        with time_machine.travel(later(701), tick=False):
            told = apply_schedule().notices["unused accounts"]
        not_yet = run_on(later(729))
        deactivated = run_on(later(732))

    assert (early, told) == (0, 1)
    assert (not_yet["unused_accounts"], deactivated["unused_accounts"]) == (0, 1)
    notice = next(message for message in mail.outbox if message.to == [site_member.email])
    assert "will be deactivated unless you sign in" in notice.subject and "A year after" in notice.body
    site_member.refresh_from_db()
    assert not site_member.is_active and site_member.deactivated_at is not None
    event = AuditEvent.objects.get(verb="deactivated account", target_id=site_member.pk)
    assert (event.actor, event.detail) == (None, {"via": "retention schedule"})


def test_signing_in_after_the_notice_keeps_the_account(site_member: User) -> None:
    with time_machine.travel(later(701), tick=False):
        apply_schedule()
    with time_machine.travel(later(710), tick=False):
        Client().force_login(site_member)

    kept = run_on(later(735))

    site_member.refresh_from_db()
    assert kept["unused_accounts"] == 0 and site_member.is_active


def test_an_enabler_with_work_under_way_and_an_administrator_are_never_deactivated(
    engagement_a: Engagement, administrator: User
) -> None:
    with time_machine.travel(later(701), tick=False):
        told = apply_schedule().notices["unused accounts"]
    run_on(later(800))

    assert User.objects.get(pk=engagement_a.enabler_id).is_active and User.objects.get(pk=administrator.pk).is_active
    # Those told: the site's lead and the programme lead, who had not signed in either; not the enabler or admin.
    assert told == User.objects.filter(inactivity_notice_sent_at__isnull=False).count() == 2
    assert not User.objects.filter(pk__in=[engagement_a.enabler_id, administrator.pk], is_active=False).exists()


# Deactivated accounts -----------------------------------------------------------------------------------------


def test_a_year_after_deactivation_the_person_is_anonymised_and_shared_records_read_a_former_enabler(
    engagement_a: Engagement, enabler: User, site_lead: User, administrator: User
) -> None:
    revise_agreement(
        engagement=engagement_a, by=enabler, cadence="Weekly", ways_of_working="A", goals="B", confidentiality="C"
    )
    confirm_agreement(engagement=engagement_a, by=enabler)
    confirm_agreement(engagement=engagement_a, by=site_lead)
    write_shared_note(engagement=engagement_a, by=enabler, body="Our plan for the board")
    write_private_note(engagement=engagement_a, by=enabler, text="Mine alone")
    turn_on_calendar_feed(user=enabler)
    EnablerProfile.objects.filter(user=enabler).update(biography="Twenty years in adult social care")
    enabler.enabler_profile.worked_for.add(Organisation.objects.create(name="Eastmoor Trust", sector="nhs-trust"))
    MobileNumber.objects.create(person=enabler, number="+447700900982", confirmed_at=timezone.now())
    ExternalIdentity.objects.create(user=enabler, provider="NHSmail", issuer="https://id.example", subject="s")
    start_closing_engagement(engagement=engagement_a, by=site_lead, follow_up_on=timezone.localdate())
    close_engagement(engagement=engagement_a, by=site_lead)
    account_actions.deactivate_account(user=enabler, by=administrator)
    address = enabler.email

    kept = run_on(later(364))
    anonymised = run_on(later(366))

    enabler.refresh_from_db()
    assert (kept["deactivated_accounts"], anonymised["deactivated_accounts"]) == (0, 1)
    assert enabler.full_name == "A former enabler" and enabler.email == f"former-person-{enabler.pk}@alongside.invalid"
    assert not enabler.has_usable_password() and enabler.job_title == "" and enabler.anonymised_at is not None
    assert not User.objects.filter(email=address).exists()
    assert not MobileNumber.objects.filter(person=enabler).exists()
    assert not ExternalIdentity.objects.filter(user=enabler).exists()
    assert not WebAuthnCredential.objects.filter(user=enabler).exists()
    assert not CalendarFeed.objects.filter(user=enabler).exists()
    profile = EnablerProfile.objects.get(user=enabler)
    assert (profile.biography, profile.available_for_new_work, profile.worked_for.count()) == ("", False, 0)
    assert not PrivateNote.objects.filter(author=enabler).exists()
    assert str(SharedNote.objects.get(engagement=engagement_a).author) == "A former enabler"
    event = AuditEvent.objects.get(verb="anonymised account")
    assert (event.target_id, event.actor, event.detail) == (enabler.pk, None, {})
    assert not enabler.check_password(PASSWORD) and not enabler.is_active


def test_a_site_member_reads_a_former_site_member_and_reactivation_restarts_the_clock(
    site_member: User, site_lead: User, administrator: User
) -> None:
    account_actions.deactivate_account(user=site_lead, by=administrator)
    account_actions.deactivate_account(user=site_member, by=administrator)
    with time_machine.travel(later(200), tick=False):
        account_actions.reactivate_account(user=site_lead, by=administrator)

    run_on(later(366))

    site_member.refresh_from_db()
    site_lead.refresh_from_db()
    assert site_member.full_name == "A former site member"
    assert site_lead.is_active and site_lead.anonymised_at is None and site_lead.deactivated_at is None


def test_an_active_account_is_never_anonymised(site_member: User) -> None:
    with time_machine.travel(later(1), tick=False):
        Client().force_login(site_member)  # signs in now and then: never unused

    run_on(later(400))

    site_member.refresh_from_db()
    assert site_member.is_active and site_member.anonymised_at is None


# Invitations, imported files, sign-in sessions ----------------------------------------------------------------


def test_invitations_go_a_year_after_they_were_accepted_revoked_or_expired(
    site_a: object, programme_lead: User, site_lead: User
) -> None:
    revoked = onboarding_actions.invite(
        email="revoked@example.test", full_name="Rene Revoked", role="enabler", by=programme_lead
    )
    onboarding_actions.revoke_invitation(invitation=revoked, by=programme_lead)
    waiting = onboarding_actions.invite(
        email="waiting@example.test", full_name="Wren Waiting", role="enabler", by=programme_lead
    )
    expires = Invitation.objects.get(pk=waiting.pk).expires_at

    a_year_on = run_on(later(366))
    left = set(Invitation.objects.values_list("email", flat=True))
    after_expiry = run_on(expires + datetime.timedelta(days=366))

    assert (a_year_on["invitations"], after_expiry["invitations"]) == (1, 1)
    assert left == {"waiting@example.test"} and not Invitation.objects.exists()


def test_an_imported_file_goes_after_ninety_days(programme_lead: User) -> None:
    imports.import_file(
        kind="organisations",
        filename="o.csv",
        content=csv_file(ORGANISATIONS + "Eastmoor Trust,NHS trust,\n"),
        by=programme_lead,
    )

    kept = run_on(later(89))
    gone = run_on(later(91))

    assert (kept["import_files"], gone["import_files"]) == (0, 1) and not ImportJob.objects.exists()


def test_expired_sign_in_sessions_go(site_member: User) -> None:
    client = Client()
    client.force_login(site_member)
    client.get(reverse("home"))

    kept = run_on(later(0))
    gone = run_on(later(2))

    assert (kept["sign_in_sessions"], gone["sign_in_sessions"]) == (0, 1) and not AccountSession.objects.exists()
