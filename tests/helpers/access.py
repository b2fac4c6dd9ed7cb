"""Who may open which page, row by row: every URL name in config.urls with the object it is opened with and the
status each persona gets (tests/test_access.py runs the rows; the privacy sweep, the log-in, the inline code and
the figures cache tests walk them too). The objects named by TARGETS are built from the `objects` fixture."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts.actions import email_change_token
from accounts.models import ExternalIdentity, Notification, User
from engagements.actions.changes import ask_for_chemistry, end_pairing
from engagements.actions.engagement import confirm_agreement, revise_agreement
from engagements.actions.planning import plan_session
from engagements.actions.requests import ProposedEnabler, propose_enablers
from engagements.models import Engagement, Feedback, Offer, PlannedSession
from onboarding import actions as onboarding_actions
from onboarding import imports as onboarding_imports
from onboarding.models import Invitation
from sites.models import Site, SiteMembership
from tests.helpers.engagements import ask_for_support, shared_feedback, start_engagement
from tests.helpers.people import PERSONAS

LOGIN = 302  # an anonymous visitor is sent to the log-in page
MOVED = 302  # a change answered with a redirect back to the page, with a message saying what happened


def everyone(status: int, anonymous: int = LOGIN) -> dict[str, int]:
    return {persona: (anonymous if persona == "anonymous" else status) for persona in PERSONAS}


def only(allowed: dict[str, int], otherwise: int = 404) -> dict[str, int]:
    return {persona: allowed.get(persona, LOGIN if persona == "anonymous" else otherwise) for persona in PERSONAS}


def these(status: int, *personas: str) -> dict[str, int]:
    return only(dict.fromkeys(personas, status))


SITE_A_PEOPLE = ("site_lead", "site_member")
PARTIES_A = (*SITE_A_PEOPLE, "enabler")
CENTRE = ("programme_lead", "administrator")
LIBRARY = ("site_lead", "site_member", "other_site_lead", "enabler", "other_enabler", *CENTRE)

# What each target means: the keyword arguments for reverse(), built from the personas' real objects.
TARGETS: dict[str, Callable[[dict], dict]] = {
    "none": lambda o: {},
    "site_a": lambda o: {"pk": o["site_a"].pk},
    "site_b": lambda o: {"pk": o["site_b"].pk},
    "create_a": lambda o: {"site_pk": o["site_a"].pk},
    "create_b": lambda o: {"site_pk": o["site_b"].pk},
    "request_a": lambda o: {"pk": o["engagement_a"].request_id},
    "request_b": lambda o: {"pk": o["engagement_b"].request_id},
    "proposal_a": lambda o: {"pk": o["engagement_a"].request.proposals.get().pk},
    "proposal_b": lambda o: {"pk": o["engagement_b"].request.proposals.get().pk},
    "engagement_a": lambda o: {"pk": o["engagement_a"].pk},
    "engagement_b": lambda o: {"pk": o["engagement_b"].pk},
    "share_a": lambda o: {"pk": o["engagement_a"].pk, "share_pk": o["share_a"].pk},
    "share_b": lambda o: {"pk": o["engagement_b"].pk, "share_pk": o["share_b"].pk},
    "profile_enabler": lambda o: {"pk": o["enabler"].enabler_profile.pk},
    "profile_other_enabler": lambda o: {"pk": o["other_enabler"].enabler_profile.pk},
    "organisation": lambda o: {"pk": o["site_a"].partners.get().pk},
    "note_a": lambda o: {"pk": o["note_a"].pk},
    "note_b": lambda o: {"pk": o["note_b"].pk},
    "action_a": lambda o: {"pk": o["action_a"].pk},
    "action_b": lambda o: {"pk": o["action_b"].pk},
    "planned_a": lambda o: {"pk": _planned(o["engagement_a"]).pk},
    "planned_b": lambda o: {"pk": _planned(o["engagement_b"]).pk},
    "feed": lambda o: {"token": o["feed_token"]},
    "feed_wrong": lambda o: {"token": "not-a-feed"},
    "lesson_a": lambda o: {"pk": o["lesson_a"].pk},
    "lesson_b": lambda o: {"pk": o["lesson_b"].pk},
    "published_a": lambda o: {"pk": o["published_a"].pk},
    "shared_feedback_a": lambda o: {"pk": _shared_feedback(o, "engagement_a", "site_lead").pk},
    "shared_feedback_b": lambda o: {"pk": _shared_feedback(o, "engagement_b", "other_site_lead").pk},
    "theme": lambda o: {"slug": "readiness-and-pull"},
    "reset_link": lambda o: {"uidb64": "MQ", "token": "not-a-valid-token"},
    "email_link_wrong": lambda o: {"token": "not-a-valid-link"},
    "email_link_a": lambda o: {"token": email_change_token(o["site_lead"], "avery.new@example.test")},
    "import_job": lambda o: {
        "pk": onboarding_imports.start_check(kind="people", filename="people.csv", content=b"", by=None).pk
    },
    "import_template": lambda o: {"kind": "people", "extension": "xlsx"},
    "invitation_enabler": lambda o: {"pk": _invitation(o, "enabler").pk},
    "invitation_member_a": lambda o: {"pk": _invitation(o, "site member").pk},
    "join": lambda o: {"token": _join_token(_invitation(o, "enabler"))},
    "join_wrong": lambda o: {"token": "not-an-invitation"},
    "membership_a": lambda o: {"pk": _another_member(o["site_a"]).pk},
    "membership_b": lambda o: {"pk": SiteMembership.objects.get(user=o["other_site_lead"]).pk},
    "programme": lambda o: {"pk": o["site_a"].programme_id},
    "offer": lambda o: {"pk": o["engagement_a"].offer_id},
    "chemistry_request_a": lambda o: {"pk": pairings(o)["chemistry_a"].proposal.request_id},
    "chemistry_request_b": lambda o: {"pk": pairings(o)["chemistry_b"].proposal.request_id},
    "chemistry_a": lambda o: {"pk": pairings(o)["chemistry_a"].pk},
    "chemistry_b": lambda o: {"pk": pairings(o)["chemistry_b"].pk},
    "active_a": lambda o: {"pk": pairings(o)["active_a"].pk},
    "active_b": lambda o: {"pk": pairings(o)["active_b"].pk},
    "ended_a": lambda o: {"pk": pairings(o)["ended_a"].pk},
    # A provider's name when none is configured (the matrix runs with OIDC_PROVIDERS empty).
    "provider": lambda o: {"slug": "nhsmail"},
    "identity_a": lambda o: {"pk": _identity(o["site_lead"]).pk},
    "passkey_lead": lambda o: {"pk": _passkey(o["programme_lead"]).pk},  # a passkey asks for itself: a verified person
}


def _identity(person: User) -> ExternalIdentity:
    return ExternalIdentity.objects.get_or_create(
        user=person, provider="NHSmail", issuer="https://login.example.test/v2.0", subject=f"subject-{person.pk}"
    )[0]


def _passkey(person: User) -> WebAuthnCredential:
    return WebAuthnCredential.objects.get_or_create(
        user=person,
        name="Work laptop",
        defaults={"credential_id": b"credential-" + str(person.pk).encode(), "public_key": b"key", "sign_count": 0},
    )[0]


MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("home", "none", everyone(200)),
    ("healthz", "none", everyone(200, anonymous=200)),
    ("status", "none", everyone(200, anonymous=200)),
    # GOV.UK Notify's delivery receipts: POST only, with Notify's bearer token rather than a session.
    ("accounts:notify_receipt", "none", everyone(405, anonymous=405)),
    ("accessibility", "none", everyone(200, anonymous=200)),
    ("accounts:login", "none", everyone(302, anonymous=200)),
    ("accounts:logout", "none", everyone(405)),  # log out is a POST
    ("accounts:password_reset", "none", everyone(200, anonymous=200)),
    ("accounts:password_reset_done", "none", everyone(200, anonymous=200)),
    ("accounts:password_reset_confirm", "reset_link", everyone(200, anonymous=200)),
    # A link confirming a new e-mail address, opened signed in; a link that is not valid for the person says so.
    ("accounts:email_change_confirm", "email_link_wrong", everyone(400)),
    ("accounts:email_change_confirm", "email_link_a", only({"site_lead": 200}, otherwise=400)),
    ("accounts:password_reset_complete", "none", everyone(200, anonymous=200)),
    ("accounts:password_change", "none", everyone(200)),
    ("accounts:password_change_done", "none", everyone(200)),
    ("accounts:notification_list", "none", everyone(200)),
    # Sign-in and security: each person's own account only, so there is no other object to try.
    ("accounts:security", "none", everyone(200)),
    ("accounts:reauthenticate", "none", everyone(200)),
    ("accounts:email_change", "none", everyone(200)),
    ("accounts:two_factor_setup", "none", everyone(200)),
    ("accounts:two_factor_verify", "none", everyone(302)),  # already verified, or nothing to verify: sent on
    ("accounts:recovery_codes_regenerate", "none", everyone(405)),
    ("accounts:two_factor_turn_off", "none", everyone(405)),
    # Signing in through a provider is open to anyone (they are not signed in yet); with none configured, 404.
    ("accounts:oidc_start", "provider", everyone(404, anonymous=404)),
    ("accounts:oidc_callback", "provider", everyone(404, anonymous=404)),
    ("accounts:external_identity_remove", "identity_a", everyone(405)),
    ("accounts:passkey_add", "none", everyone(200)),  # just signed in counts as having confirmed it is them
    ("accounts:passkey_remove", "passkey_lead", everyone(405)),
    # django-otp-webauthn's ceremonies, by POST: registering for a signed-in person (within the re-authentication
    # window: tests/accounts/test_passkeys.py), signing in with a passkey for anyone; the script's words are public.
    ("otp_webauthn:credential-registration-begin", "none", everyone(405)),
    ("otp_webauthn:credential-registration-complete", "none", everyone(405)),
    ("otp_webauthn:credential-authentication-begin", "none", everyone(405, anonymous=405)),
    ("otp_webauthn:credential-authentication-complete", "none", everyone(405, anonymous=405)),
    ("otp_webauthn:js-i18n-catalog", "none", everyone(200, anonymous=200)),
    ("accounts:preferences", "none", everyone(200)),
    # A mobile number for text reminders: each person's own; the code page waits for a code to be asked for.
    ("accounts:mobile", "none", everyone(200)),
    ("accounts:mobile_confirm", "none", everyone(MOVED)),
    ("accounts:mobile_remove", "none", everyone(405)),
    ("sites:site_list", "none", these(200, *CENTRE)),
    # People with one site are taken to it; people with none see a page that says so.
    ("sites:my_site", "none", only({"site_lead": 302, "site_member": 302, "other_site_lead": 302}, otherwise=200)),
    ("sites:site_detail", "site_a", these(200, *PARTIES_A, *CENTRE, "account_manager")),
    ("sites:site_detail", "site_b", these(200, "other_site_lead", "other_enabler", *CENTRE)),
    # The central team's registry of sites and organisations, and its enabler pool: programme leads act, nobody
    # else, administrators included (they read the directory, they do not act for the central team).
    ("sites:site_create", "none", these(200, "programme_lead")),
    ("sites:site_edit", "site_a", these(200, "programme_lead")),
    ("sites:site_edit", "site_b", these(200, "programme_lead")),
    ("sites:organisation_list", "none", these(200, "programme_lead")),
    ("sites:organisation_create", "none", these(200, "programme_lead")),
    ("sites:organisation_edit", "organisation", these(200, "programme_lead")),
    ("engagements:enabler_pool", "none", these(200, "programme_lead")),
    ("engagements:enabler_manage", "profile_enabler", these(200, "programme_lead")),
    ("engagements:enabler_manage", "profile_other_enabler", these(200, "programme_lead")),
    ("engagements:enabler_deactivate", "profile_enabler", everyone(405)),
    ("engagements:enabler_reactivate", "profile_enabler", everyone(405)),
    ("engagements:request_create", "create_a", these(200, *SITE_A_PEOPLE)),
    ("engagements:request_create", "create_b", these(200, "other_site_lead")),
    ("engagements:queue", "none", these(200, "programme_lead")),
    ("engagements:request_detail", "request_a", these(200, *PARTIES_A, *CENTRE)),
    ("engagements:request_detail", "request_b", these(200, "other_site_lead", "other_enabler", *CENTRE)),
    ("engagements:request_withdraw", "request_a", everyone(405)),
    ("engagements:request_match", "request_a", these(200, "programme_lead")),
    ("engagements:request_match", "request_b", these(200, "programme_lead")),
    ("engagements:request_choose", "request_a", everyone(405)),
    ("engagements:request_decline", "request_a", these(200, "site_lead")),
    ("engagements:request_decline", "request_b", these(200, "other_site_lead")),
    ("engagements:proposal_confirm", "proposal_a", everyone(405)),
    ("engagements:proposal_cannot_take_on", "proposal_a", everyone(405)),
    ("engagements:engagement_detail", "engagement_a", these(200, *PARTIES_A, *CENTRE)),
    ("engagements:engagement_detail", "engagement_b", these(200, "other_site_lead", "other_enabler", *CENTRE)),
    ("engagements:agreement_edit", "engagement_a", these(200, *PARTIES_A)),
    ("engagements:agreement_edit", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:agreement_confirm", "engagement_a", everyone(405)),
    ("engagements:engagement_pause", "engagement_a", everyone(405)),
    ("engagements:engagement_resume", "engagement_a", everyone(405)),
    ("engagements:engagement_close", "engagement_a", everyone(405)),
    ("engagements:engagement_start_closing", "engagement_a", these(200, "site_lead", "enabler")),
    ("engagements:engagement_start_closing", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:engagement_extra_days", "engagement_a", these(200, "site_lead")),
    ("engagements:engagement_extra_days", "engagement_b", these(200, "other_site_lead")),
    # The diagnostic is the site's: never the central team's, and the account manager's only while shared.
    ("engagements:diagnostic_detail", "engagement_a", these(200, *PARTIES_A, "account_manager")),
    ("engagements:diagnostic_detail", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:diagnostic_edit", "engagement_a", these(200, *PARTIES_A)),
    ("engagements:diagnostic_edit", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:diagnostic_share", "engagement_a", these(200, "site_lead")),
    ("engagements:diagnostic_share", "engagement_b", these(200, "other_site_lead")),
    ("engagements:diagnostic_unshare", "share_a", everyone(405)),
    ("engagements:enabler_profile_edit", "none", these(200, "enabler", "other_enabler")),
    ("engagements:session_list", "engagement_a", these(200, *PARTIES_A)),
    ("engagements:session_list", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:session_create", "engagement_a", these(200, "enabler")),
    ("engagements:session_create", "engagement_b", these(200, "other_enabler")),
    # Sessions planned ahead: planned, moved and cancelled by the two who steer the engagement, nobody else.
    ("engagements:planned_session_create", "engagement_a", these(200, "site_lead", "enabler")),
    ("engagements:planned_session_create", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:planned_session_edit", "planned_a", these(200, "site_lead", "enabler")),
    ("engagements:planned_session_edit", "planned_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:planned_session_cancel", "planned_a", everyone(405)),
    ("engagements:series_end", "planned_a", everyone(405)),
    # A private note: its author, and nobody else, in any role.
    ("engagements:private_note_list", "engagement_a", these(200, "enabler")),
    ("engagements:private_note_list", "engagement_b", these(200, "other_enabler")),
    ("engagements:private_note_create", "engagement_a", these(200, "enabler")),
    ("engagements:private_note_create", "engagement_b", these(200, "other_enabler")),
    ("engagements:private_note_edit", "note_a", these(200, "enabler")),
    ("engagements:private_note_edit", "note_b", these(200, "other_enabler")),
    ("engagements:private_notes_download", "none", everyone(200)),  # each person's own notes only
    # Sealing private notes in the browser: an enabler's own, once; the passphrase page waits for the set-up.
    ("engagements:notes_setup", "none", these(200, "enabler", "other_enabler")),
    ("engagements:notes_passphrase", "none", these(MOVED, "enabler", "other_enabler")),
    ("engagements:shared_notes", "engagement_a", these(200, *PARTIES_A)),
    ("engagements:shared_notes", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:action_toggle", "action_a", everyone(405)),
    ("engagements:access_log", "engagement_a", these(200, "site_lead", "enabler")),
    ("engagements:access_log", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:calendar_settings", "none", everyone(200)),
    ("engagements:calendar_turn_on", "none", everyone(405)),
    ("engagements:calendar_turn_off", "none", everyone(405)),
    # Feedback is the site's to give, and the enabler's to read; the overview is for the central team only.
    ("engagements:feedback_create", "engagement_a", these(200, *SITE_A_PEOPLE)),
    ("engagements:feedback_create", "engagement_b", these(200, "other_site_lead")),
    ("engagements:feedback_list", "engagement_a", these(200, *PARTIES_A)),
    ("engagements:feedback_list", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:close_out_review", "engagement_a", these(200, "site_lead", "site_member", "enabler")),
    ("engagements:close_out_review", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:overview", "none", these(200, *CENTRE)),
    # A chemistry conversation is the site's lead's and the proposed enabler's, nobody else's: not the site's other
    # people, not another enabler, not the central team (it sees on the request that one was asked for), not an
    # administrator. Asking for one is a POST.
    ("engagements:chemistry_ask", "chemistry_request_a", everyone(405)),
    ("engagements:chemistry_detail", "chemistry_a", these(200, "site_lead", "enabler")),
    ("engagements:chemistry_detail", "chemistry_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:request_detail", "chemistry_request_a", these(200, *PARTIES_A, *CENTRE)),
    # A change of enabler: the pairing is ended by its enabler or the site's lead (an ended one sends them back to
    # the engagement, saying why); the ended engagement's page is still the parties' and the central team's (the
    # words and who asked are for the parties alone: tests/test_privacy_sweep.py). Carrying over is a POST.
    ("engagements:engagement_end", "active_a", these(200, "site_lead", "enabler")),
    ("engagements:engagement_end", "active_b", these(200, "other_site_lead", "other_enabler")),
    ("engagements:engagement_end", "ended_a", these(MOVED, "site_lead", "enabler")),
    ("engagements:engagement_detail", "ended_a", these(200, *PARTIES_A, *CENTRE)),
    ("engagements:engagement_carry_over", "engagement_a", everyone(405)),
    ("engagements:overview_export", "none", these(200, *CENTRE)),
    # Bulk import: the central team's alone (administrators read, they do not act for it).
    ("onboarding:import_start", "none", these(200, "programme_lead")),
    ("onboarding:import_detail", "import_job", these(200, "programme_lead")),
    ("onboarding:import_run", "import_job", everyone(405)),
    ("onboarding:import_template", "import_template", these(200, "programme_lead")),
    # The library is for sites' people, enablers and the central team; drafts are for the two parties only.
    ("lessons:library", "none", these(200, *LIBRARY)),
    ("lessons:library_export", "none", these(200, *LIBRARY)),
    ("lessons:digest_toggle", "none", everyone(405)),
    ("lessons:theme_create", "none", these(200, "programme_lead")),
    ("lessons:theme_detail", "theme", these(200, *LIBRARY)),
    ("lessons:theme_pack", "theme", these(200, *LIBRARY)),
    ("lessons:lesson_detail", "published_a", these(200, *LIBRARY)),
    ("lessons:lesson_detail", "lesson_a", these(200)),  # a draft is never in the library
    ("lessons:lesson_draft", "lesson_a", these(200, *PARTIES_A)),
    ("lessons:lesson_draft", "lesson_b", these(200, "other_site_lead", "other_enabler")),
    ("lessons:lesson_edit", "lesson_a", these(200, *PARTIES_A)),
    ("lessons:lesson_edit", "lesson_b", these(200, "other_site_lead", "other_enabler")),
    ("lessons:lesson_approve", "lesson_a", everyone(405)),
    ("lessons:lesson_withdraw", "lesson_a", everyone(405)),
    # Shared words: the check of feedback words the central team may read is its author's alone (a site's lead).
    ("lessons:shared_words_check", "shared_feedback_a", these(200, "site_lead")),
    ("lessons:shared_words_check", "shared_feedback_b", these(200, "other_site_lead")),
    ("lessons:shared_words_edit", "shared_feedback_a", these(200, "site_lead")),
    ("lessons:shared_words_edit", "shared_feedback_b", these(200, "other_site_lead")),
    ("lessons:shared_words_approve", "shared_feedback_a", everyone(405)),
    ("lessons:shared_words_withdraw", "shared_feedback_a", these(200, "site_lead")),  # a confirmation first
    ("lessons:shared_words_withdraw", "shared_feedback_b", these(200, "other_site_lead")),
    ("lessons:engagement_lessons", "engagement_a", these(200, *PARTIES_A)),
    ("lessons:engagement_lessons", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    ("lessons:lesson_create", "engagement_a", these(200, *PARTIES_A)),
    ("lessons:lesson_create", "engagement_b", these(200, "other_site_lead", "other_enabler")),
    # Bringing a programme on board: the central team's pages; a site's people for its leads (and the central team,
    # who invite a site's first lead); the invitation link itself, opened signed out (signed in to another account,
    # it says so); a link Alongside did not make, or one used already, is 400 for everyone.
    ("onboarding:start", "none", these(200, "programme_lead")),
    ("onboarding:invitation_list", "none", these(200, "programme_lead")),
    ("onboarding:invitation_resend", "invitation_enabler", everyone(405)),
    ("onboarding:invitation_revoke", "invitation_enabler", everyone(405)),
    ("onboarding:invitation_accept", "join", everyone(200, anonymous=200)),
    ("onboarding:invitation_accept", "join_wrong", everyone(400, anonymous=400)),
    ("onboarding:site_people", "site_a", these(200, "site_lead", "programme_lead")),
    ("onboarding:site_people", "site_b", these(200, "other_site_lead", "programme_lead")),
    ("onboarding:membership_make_lead", "membership_a", everyone(405)),
    ("onboarding:membership_remove", "membership_a", everyone(405)),
    ("onboarding:programme_list", "none", these(200, "programme_lead")),
    ("onboarding:programme_create", "none", these(200, "programme_lead")),
    ("onboarding:offer_create", "programme", these(200, "programme_lead")),
    ("onboarding:offer_edit", "offer", these(200, "programme_lead")),
    ("onboarding:offer_retire", "offer", everyone(405)),
    # Public by design, guarded by a secret address: a wrong address is 404 for everyone.
    ("engagements:calendar_feed", "feed", everyone(200, anonymous=200)),
    ("engagements:calendar_feed", "feed_wrong", everyone(404, anonymous=404)),
    ("engagements:enabler_profile_detail", "profile_enabler", these(200, *PARTIES_A, *CENTRE)),
    (
        "engagements:enabler_profile_detail",
        "profile_other_enabler",
        these(200, "other_site_lead", "other_enabler", *CENTRE),
    ),
]

# Changes, tried with a POST and no form data: the parties get a redirect (done, or refused with a message);
# everyone else gets 404, including for the other site's object.
POST_MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("accounts:notify_receipt", "none", everyone(401, anonymous=401)),  # no bearer token, whoever is signed in
    ("accounts:mobile_remove", "none", everyone(MOVED)),  # each person's own number, if they have one
    ("engagements:request_withdraw", "request_a", these(MOVED, *SITE_A_PEOPLE)),
    ("engagements:request_withdraw", "request_b", these(MOVED, "other_site_lead")),
    ("engagements:request_choose", "request_a", these(MOVED, *SITE_A_PEOPLE)),
    ("engagements:request_choose", "request_b", these(MOVED, "other_site_lead")),
    ("engagements:proposal_confirm", "proposal_a", these(MOVED, "enabler")),
    ("engagements:proposal_confirm", "proposal_b", these(MOVED, "other_enabler")),
    ("engagements:proposal_cannot_take_on", "proposal_a", these(MOVED, "enabler")),
    ("engagements:agreement_confirm", "engagement_a", these(MOVED, *PARTIES_A)),
    ("engagements:agreement_confirm", "engagement_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("engagements:engagement_pause", "engagement_a", these(MOVED, *PARTIES_A)),
    ("engagements:engagement_resume", "engagement_a", these(MOVED, *PARTIES_A)),
    ("engagements:engagement_close", "engagement_a", these(MOVED, *PARTIES_A)),
    ("engagements:engagement_close", "engagement_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("engagements:diagnostic_unshare", "share_a", these(MOVED, *PARTIES_A)),
    ("engagements:diagnostic_unshare", "share_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("engagements:action_toggle", "action_a", these(MOVED, *PARTIES_A)),
    ("engagements:action_toggle", "action_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("engagements:planned_session_cancel", "planned_a", these(MOVED, "site_lead", "enabler")),
    ("engagements:planned_session_cancel", "planned_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("engagements:series_end", "planned_a", these(MOVED, "site_lead", "enabler")),  # refused: not in a series
    ("engagements:series_end", "planned_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("lessons:digest_toggle", "none", these(MOVED, "programme_lead")),
    ("onboarding:import_run", "import_job", these(MOVED, "programme_lead")),  # refused: not checked yet
    ("lessons:lesson_approve", "lesson_a", these(MOVED, *PARTIES_A)),
    ("lessons:lesson_approve", "lesson_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("lessons:lesson_withdraw", "lesson_a", these(MOVED, *PARTIES_A)),
    ("lessons:lesson_withdraw", "lesson_b", these(MOVED, "other_site_lead", "other_enabler")),
    ("lessons:shared_words_approve", "shared_feedback_a", these(MOVED, "site_lead")),  # refused: not the words read
    ("lessons:shared_words_approve", "shared_feedback_b", these(MOVED, "other_site_lead")),
    # An invitation is changed by whoever may see it: the central team an enabler's, a site's lead its members'.
    ("onboarding:invitation_resend", "invitation_enabler", these(MOVED, "programme_lead")),
    ("onboarding:invitation_resend", "invitation_member_a", these(MOVED, "site_lead")),
    ("onboarding:invitation_revoke", "invitation_enabler", these(MOVED, "programme_lead")),
    ("onboarding:invitation_revoke", "invitation_member_a", these(MOVED, "site_lead")),
    ("onboarding:membership_make_lead", "membership_a", these(MOVED, "site_lead")),
    ("onboarding:membership_make_lead", "membership_b", these(MOVED, "other_site_lead")),
    ("onboarding:membership_remove", "membership_a", these(MOVED, "site_lead")),
    ("onboarding:membership_remove", "membership_b", these(MOVED, "other_site_lead")),  # refused: its only lead
    ("onboarding:offer_retire", "offer", these(MOVED, "programme_lead")),
    # The central team's accounts have an authenticator, so they are shown new codes; others are told to set one up.
    ("accounts:recovery_codes_regenerate", "none", only({p: 200 for p in CENTRE}, otherwise=MOVED)),
    ("accounts:two_factor_turn_off", "none", everyone(MOVED)),  # refused for the central team, with a message
    # A person's own linked sign-in and passkey: theirs alone to remove (just signed in, they need not confirm).
    ("accounts:external_identity_remove", "identity_a", these(MOVED, "site_lead")),
    ("accounts:passkey_remove", "passkey_lead", these(MOVED, "programme_lead")),
    # Options for a new passkey or a passkey sign-in are offered (to the signed-in person, or to anyone); completing
    # either with no ceremony begun is refused.
    ("otp_webauthn:credential-registration-begin", "none", everyone(200)),
    ("otp_webauthn:credential-registration-complete", "none", everyone(400)),
    ("otp_webauthn:credential-authentication-begin", "none", everyone(200, anonymous=200)),
    ("otp_webauthn:credential-authentication-complete", "none", everyone(400, anonymous=400)),
    ("engagements:calendar_turn_on", "none", everyone(MOVED)),  # each person's own feed
    ("engagements:calendar_turn_off", "none", everyone(MOVED)),
    # The programme lead's POST really deactivates the enabler, within this test's own transaction.
    ("engagements:enabler_deactivate", "profile_enabler", these(MOVED, "programme_lead")),
    ("engagements:enabler_deactivate", "profile_other_enabler", these(MOVED, "programme_lead")),
    ("engagements:enabler_reactivate", "profile_enabler", these(MOVED, "programme_lead")),
    # Asking with nobody ticked shows the request's page again with the form's error (200); only the site's lead of
    # the request's site may ask.
    ("engagements:chemistry_ask", "chemistry_request_a", these(200, "site_lead")),
    ("engagements:chemistry_ask", "chemistry_request_b", these(200, "other_site_lead")),
    # Refused with a message for each party (it follows no earlier pairing; only the site's lead chooses).
    ("engagements:engagement_carry_over", "engagement_a", these(MOVED, *PARTIES_A)),
    ("engagements:engagement_carry_over", "engagement_b", these(MOVED, "other_site_lead", "other_enabler")),
]


def _invitation(o: dict, role: str) -> Invitation:
    """An invitation waiting to be accepted: an enabler's from the central team, or a member's from site A's lead."""
    if role == "enabler":
        return onboarding_actions.invite(
            email="ivy.invited@example.test", full_name="Ivy Invited", role=role, by=o["programme_lead"]
        )
    return onboarding_actions.invite(
        email="ned.invited@example.test", full_name="Ned Invited", role=role, site=o["site_a"], by=o["site_lead"]
    )


def _shared_feedback(o: dict, engagement: str, lead: str) -> Feedback:
    """Feedback whose author, the site's lead, said yes to the central team reading what helped; not yet approved.
    Made the first time a row asks, then kept with the personas' objects."""
    key = f"shared_{engagement}"
    if key not in o:
        o[key] = shared_feedback(o[engagement], o[lead], "Listening first helped the board.", approve=False)
    return o[key]


def _planned(engagement: Engagement) -> PlannedSession:
    """A session planned by the engagement's enabler for tomorrow at 10:00 UK time, online."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return plan_session(
        engagement=engagement,
        by=engagement.enabler,
        starts_at=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=ZoneInfo("Europe/London")),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/planned",
    )


def pairings(o: dict) -> dict[str, Any]:
    """Made the first time a row asks, then kept with the personas' objects: at each site a request whose lead
    asked to talk with the one enabler proposed (site A's with the enabler, B's with the other enabler) and an
    active engagement of the same two; at site A also a pairing its lead ended early. Each on an offer of its own,
    and in this order, so that neither enabler is ever over their capacity of two."""
    if "pairings" not in o:
        made: dict[str, Any] = {}
        central = o["programme_lead"]
        for label, lead_persona, enabler_persona in (
            ("a", "site_lead", "enabler"),
            ("b", "other_site_lead", "other_enabler"),
        ):
            site, lead, enabler = o[f"site_{label}"], o[lead_persona], o[enabler_persona]
            request = ask_for_support(site, offer_named(site, "Coaching after a first talk"), lead)
            (proposal,) = propose_enablers(
                request=request,
                proposals=[ProposedEnabler(enabler.enabler_profile, "An experienced coach.", [])],
                by=central,
            )
            made[f"chemistry_{label}"] = ask_for_chemistry(request=request, proposals=[proposal], by=lead)[0]
            if label == "a":
                ended = _active(site, offer_named(site, "Coaching that ended early"), lead, enabler, central)
                end_pairing(engagement=ended, by=lead, words="We would like a different enabler.")
                made["ended_a"] = Engagement.objects.get(pk=ended.pk)
            made[f"active_{label}"] = _active(site, offer_named(site, "Coaching under way"), lead, enabler, central)
        o["pairings"] = made
    return o["pairings"]


def offer_named(site: Site, name: str) -> Offer:
    return Offer.objects.get_or_create(
        programme=site.programme, name=name, defaults={"provider": "Fictional Provider", "cadence": "weekly"}
    )[0]


def _active(site: Site, offer: Offer, lead: User, enabler: User, programme_lead: User) -> Engagement:
    """An engagement through the whole journey, its agreement confirmed by both: active, so it can be ended."""
    engagement = start_engagement(ask_for_support(site, offer, lead), enabler, lead, programme_lead)
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="On site",
        goals="Trust",
        confidentiality="Ours",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=lead)
    engagement = Engagement.objects.get(pk=engagement.pk)
    assert engagement.state == Engagement.State.ACTIVE
    return engagement


def _another_member(site: Site) -> SiteMembership:
    """A member of the site who is none of the personas, so that making them a lead changes no persona's role."""
    person = User.objects.get_or_create(email="nell.member@example.test", defaults={"full_name": "Nell Member"})[0]
    return SiteMembership.objects.get_or_create(user=person, site=site)[0]


def _join_token(invitation: Invitation) -> str:
    """The token of the link last sent for the invitation, as its e-mail carries it."""
    link = Notification.objects.filter(address=invitation.email).latest("pk").link
    return link.rstrip("/").rsplit("/", 1)[-1]
