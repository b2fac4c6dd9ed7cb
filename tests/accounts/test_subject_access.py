"""Subject access: everything Alongside holds about one person, as a zip, and nobody else's private notes in it."""

from __future__ import annotations

import csv
import datetime
import io
import json
import stat
import zipfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import AuditEvent, User
from engagements.actions.changes import ask_for_chemistry, end_pairing, offer_chemistry_times, pick_chemistry_time
from engagements.actions.closeout import record_close_out_review
from engagements.actions.engagement import confirm_agreement, record_diagnostic, revise_agreement
from engagements.actions.requests import ProposedEnabler, propose_enablers
from engagements.actions.sessions import log_session
from engagements.models import ChemistryConversation, EnablerProfile, Engagement, Offer
from reporting.subject_access import export_person
from reporting.subject_access.records import KINDS, Scope
from retention.actions import apply_schedule
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import DEMO_TOTP_SECRET, PASSWORD, PERSONAS, client_for

NOTE_A = "Private reflection on Ashvale"  # the private note the `objects` fixture's enabler writes for site A
NOTE_B = "Private reflection on Brookmere"
LIST_KINDS = [
    "site_memberships",
    "support_requests",
    "proposals",
    "chemistry_conversations",
    "engagements",
    "close_out_reviews",
    "changes_of_enabler",
    "sessions",
    "planned_sessions",
    "diagnostics",
    "diagnostic_shares",
    "shared_notes",
    "actions",
    "feedback",
    "lessons",
    "notifications",
    "invitations",
    "audit_events",
    "access_records",
    "ways_to_sign_in",
    "sign_in_records",
    "admin_changes",
]


def _files(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _json(files: dict[str, str], kind: str) -> object:
    return json.loads(files[f"{kind}.json"])


def _csv(files: dict[str, str], kind: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[f"{kind}.csv"].removeprefix("\ufeff"))))


def _holding(files: dict[str, str], text: str) -> list[str]:
    return sorted(name for name, content in files.items() if text in content)


def _export_action(client: Client, *people: User) -> object:
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "export_personal_data", "index": "0", "_selected_action": [person.pk for person in people]},
    )


def _site_lead_takes_part(objects: dict) -> None:
    """The site's lead writes, gives feedback and reads, through the real pages; a member reads too."""
    engagement = objects["engagement_a"]
    lead = client_for(objects["site_lead"])
    lead.post(reverse("engagements:shared_notes", kwargs={"pk": engagement.pk}), {"body": "Board on Tuesday."})
    lead.post(
        reverse("engagements:feedback_create", kwargs={"pk": engagement.pk}),
        {"usefulness": "5", "share_what_helped": "no"},
    )
    lead.get(reverse("engagements:session_list", kwargs={"pk": engagement.pk}))
    client_for(objects["site_member"]).get(reverse("engagements:shared_notes", kwargs={"pk": engagement.pk}))
    record_diagnostic(
        engagement=engagement, by=objects["site_lead"], stage=2, strengths="A shared vision", development_areas="Data"
    )


# What the zip holds ------------------------------------------------------------------------------------------


def test_the_site_leads_export_holds_each_kind_of_their_records(objects: dict) -> None:
    _site_lead_takes_part(objects)
    lead, engagement = objects["site_lead"], objects["engagement_a"]

    files = _files(export_person(lead))

    assert set(files) == {"README.txt", "profile.json", "enabler_profile.json"} | {
        f"{kind}.{extension}" for kind in LIST_KINDS for extension in ("json", "csv")
    }
    assert _json(files, "profile")["email"] == "lead.a@example.test"
    assert _json(files, "enabler_profile") is None
    assert [(m["site"], m["role"]) for m in _json(files, "site_memberships")] == [("Ashvale", "Site lead")]
    requests = _json(files, "support_requests")
    assert [(r["id"], r["made_by_this_person"]) for r in requests] == [(engagement.request_id, True)]
    assert requests[0]["why_now"] == "Our board is ready to work on trust."
    assert [p["enabler"] for p in _json(files, "proposals")] == ["Emery Enabler"]
    (engagement_row,) = _json(files, "engagements")
    assert (engagement_row["id"], engagement_row["this_persons_part"]) == (engagement.pk, "Site lead")
    assert engagement_row["agreement"]["confidentiality"].startswith("The enabler's notes are private")
    assert [s["who_took_part_by_role"] for s in _json(files, "sessions")] == ["Programme director"]
    assert [d["strengths"] for d in _json(files, "diagnostics")] == ["A shared vision"]
    assert [s["shared_with"] for s in _json(files, "diagnostic_shares")] == ["Ama Manager"]
    assert [n["text"] for n in _json(files, "shared_notes")] == ["Board on Tuesday."]
    assert [a["description"] for a in _json(files, "actions")] == ["Draft the charter"]
    assert [f["usefulness_1_to_5"] for f in _json(files, "feedback")] == [5]
    assert [lesson["title"] for lesson in _json(files, "lessons")] == ["Ask when ready"]  # wrote and approved it
    assert _json(files, "notifications")
    assert {"submitted", "chose an enabler", "gave feedback"} <= {e["what"] for e in _json(files, "audit_events")}
    assert {(r["who"], r["what"]) for r in _json(files, "access_records")} >= {
        ("Avery Lead", "Session log"),
        ("Ash Member", "Shared notes and actions"),
    }


def test_every_list_has_a_csv_with_the_same_rows_and_the_readme_explains_every_file(objects: dict) -> None:
    _site_lead_takes_part(objects)

    files = _files(export_person(objects["site_lead"]))

    for kind in LIST_KINDS:
        assert len(_csv(files, kind)) == len(_json(files, kind)), kind
    assert all(name in files["README.txt"] for name in files if name != "README.txt")
    assert "not exported" in files["README.txt"]


def test_the_enablers_export_for_themselves_holds_their_own_private_note(objects: dict) -> None:
    files = _files(export_person(objects["enabler"], include_private_notes=True))

    (note,) = _json(files, "private_notes")
    assert (note["site"], note["session_held_on"], note["text"]) == ("Ashvale", "2026-11-02", NOTE_A)
    assert [row["text"] for row in _csv(files, "private_notes")] == [NOTE_A]
    assert [e["this_persons_part"] for e in _json(files, "engagements")] == ["Enabler"]
    assert _json(files, "enabler_profile")["years_in_health"] == 12


def test_the_export_an_administrator_prepares_holds_no_private_note_not_even_the_authors(objects: dict) -> None:
    files = _files(export_person(objects["enabler"]))

    assert "private_notes.json" not in files
    assert _holding(files, NOTE_A) == []
    assert "Download your notes" in files["README.txt"]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "enabler")])
def test_nobody_elses_export_holds_the_enablers_private_note(objects: dict, persona: str) -> None:
    files = _files(export_person(objects[persona], include_private_notes=True))

    assert _holding(files, NOTE_A) == []
    if persona == "other_enabler":
        assert [note["text"] for note in _json(files, "private_notes")] == [NOTE_B]  # their own, and only that
    else:
        assert _json(files, "private_notes") == []


def test_a_message_about_private_notes_stays_out_with_the_notes(
    objects: dict, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.NOTES_RETENTION_DAYS = 365
    closed_on = timezone.localdate() - datetime.timedelta(days=365 - 20)
    Engagement.objects.filter(pk=objects["engagement_a"].pk).update(state=Engagement.State.CLOSED, closed_on=closed_on)
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_schedule().notices["private notes"] == 1

    for_an_administrator = _files(export_person(objects["enabler"]))
    for_the_author = _files(export_person(objects["enabler"], include_private_notes=True))

    assert _holding(for_an_administrator, "Your private notes on Ashvale") == []
    assert _holding(for_the_author, "Your private notes on Ashvale") == ["notifications.csv", "notifications.json"]


def test_no_password_hash_two_factor_secret_recovery_code_or_feed_address_is_exported(objects: dict) -> None:
    enabler = objects["enabler"]
    device = two_factor.set_up_known_secret(enabler, DEMO_TOTP_SECRET)
    codes = two_factor.issue_recovery_codes(enabler)
    secrets = [
        enabler.password,
        enabler.password.split("$")[-1],
        device.key,
        DEMO_TOTP_SECRET,
        objects["feed_token"],
        *codes,
        *StaticToken.objects.filter(device__user=enabler).values_list("token", flat=True),
    ]

    files = _files(export_person(enabler, include_private_notes=True))

    assert {secret: _holding(files, secret) for secret in secrets} == {secret: [] for secret in secrets}
    profile = _json(files, "profile")
    assert (profile["two_factor_authenticator_set_up"], profile["recovery_codes_left"]) == (True, len(codes))
    assert profile["calendar_feed_turned_on_at"] is not None
    assert TOTPDevice.objects.filter(user=enabler).exists()  # the secret was there to leak


def test_a_deactivated_account_still_gets_its_records(objects: dict) -> None:
    enabler = objects["enabler"]
    enabler.is_active = False
    enabler.save(update_fields=["is_active"])

    files = _files(export_person(enabler, include_private_notes=True))

    assert [s["site"] for s in _json(files, "sessions")] == ["Ashvale"]
    assert [n["text"] for n in _json(files, "private_notes")] == [NOTE_A]


def test_site_records_a_member_took_no_part_in_stay_out(objects: dict, days_offer: Offer) -> None:
    _site_lead_takes_part(objects)
    ask_for_support(objects["site_a"], days_offer, objects["site_lead"])  # the lead's own, no engagement yet

    files = _files(export_person(objects["site_member"]))

    assert [r["id"] for r in _json(files, "support_requests")] == [objects["engagement_a"].request_id]
    assert [e["this_persons_part"] for e in _json(files, "engagements")] == ["Site member"]
    # Only the site's lead and the enabler read an engagement's access log; a member gets their own reads only.
    assert {r["who"] for r in _json(files, "access_records")} == {"Ash Member"}
    assert _json(files, "shared_notes") == [] and _json(files, "feedback") == []


def test_sign_ins_and_failed_sign_ins_are_exported_without_what_was_typed(site_lead: User) -> None:
    Client().post(reverse("accounts:login"), {"username": site_lead.email, "password": "not-the-password"})
    after_a_failure = _files(export_person(site_lead))
    Client().post(reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD})

    after_signing_in = _files(export_person(site_lead))

    failed = _json(after_a_failure, "sign_in_records")
    assert [(r["what"], r["failures"], r["ip_address"]) for r in failed] == [
        ("Failed sign-ins counted towards a lockout", 1, "127.0.0.1")
    ]
    assert "Signed in" in {r["what"] for r in _json(after_signing_in, "sign_in_records")}
    assert _holding(after_a_failure, "not-the-password") == []


def test_text_a_spreadsheet_would_run_is_defused_in_csv_and_exact_in_json(objects: dict) -> None:
    formula = '=HYPERLINK("https://example.test","Open")'
    url = reverse("engagements:shared_notes", kwargs={"pk": objects["engagement_a"].pk})
    client_for(objects["site_lead"]).post(url, {"body": formula})

    files = _files(export_person(objects["site_lead"]))

    assert [row["text"] for row in _csv(files, "shared_notes")] == [f"'{formula}"]
    assert [note["text"] for note in _json(files, "shared_notes")] == [formula]


def test_an_export_of_an_enabler_with_fifty_sessions_keeps_to_a_query_budget(
    engagement_a: Engagement, site_lead: User, django_assert_max_num_queries: object
) -> None:
    enabler = engagement_a.enabler
    for day in range(50):
        log_session(
            engagement=engagement_a,
            by=enabler,
            held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
            length=Decimal("1"),
            format="one-to-one",
            place="remote",
            participants="Programme director",
            private_note=f"Reflection {day}",
            action_description=f"Action {day}",
            action_owner=site_lead,
        )

    with django_assert_max_num_queries(39):  # one query (or two) per kind of record, whatever the rows
        files = _files(export_person(enabler, include_private_notes=True))

    assert len(_json(files, "sessions")) == 50
    assert len(_json(files, "private_notes")) == 50
    assert len(_json(files, "actions")) == 50


# Chemistry conversations and changes of enabler -----------------------------------------------------------------

ADDRESS = "Room 4, Fictional House, Ashvale"
WORDS = "We would like to try a different enabler: thank you for the start."
LONDON = ZoneInfo("Europe/London")


def _offer(site: Site, name: str) -> Offer:
    """An offer no fixture asks for, so the site may ask for it afresh."""
    return Offer.objects.create(programme=site.programme, name=name, provider="Fictional Provider", cadence="weekly")


def _planned_conversation(site: Site, lead: User, enabler: User, programme_lead: User) -> ChemistryConversation:
    """The site's lead asks to talk with the one enabler proposed; the enabler offers a time on site, the lead
    picks it."""
    request = ask_for_support(site, _offer(site, "Coaching after a first talk"), lead)
    (proposal,) = propose_enablers(
        request=request,
        proposals=[ProposedEnabler(enabler.enabler_profile, "An experienced coach.", [])],
        by=programme_lead,
    )
    (asked,) = ask_for_chemistry(request=request, proposals=[proposal], by=lead)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    offered = offer_chemistry_times(
        conversation=asked,
        by=enabler,
        times=[datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=LONDON)],
        minutes=45,
        place="on-site",
        address=ADDRESS,
    )
    return pick_chemistry_time(conversation=offered, by=lead, starts_at=offered.times[0])


def _ended_pairing(site: Site, lead: User, enabler: User, programme_lead: User, *, by: User, name: str) -> Engagement:
    """An engagement through the whole journey to active, then ended early by `by` with words for the other."""
    engagement = start_engagement(ask_for_support(site, _offer(site, name), lead), enabler, lead, programme_lead)
    revise_agreement(
        engagement=engagement,
        by=enabler,
        cadence="Weekly",
        ways_of_working="On site",
        goals="Trust",
        confidentiality="x",
    )
    confirm_agreement(engagement=engagement, by=enabler)
    confirm_agreement(engagement=engagement, by=lead)
    end_pairing(engagement=engagement, by=by, words=WORDS)
    return Engagement.objects.get(pk=engagement.pk)


def test_the_site_leads_export_holds_the_conversation_they_asked_for_and_the_pairing_they_ended(
    objects: dict,
) -> None:
    lead, enabler, programme_lead = objects["site_lead"], objects["enabler"], objects["programme_lead"]
    conversation = _planned_conversation(objects["site_a"], lead, enabler, programme_lead)
    ended = _ended_pairing(objects["site_a"], lead, enabler, programme_lead, by=lead, name="Coaching ended early")

    files = _files(export_person(lead))

    (talk,) = _json(files, "chemistry_conversations")
    assert (talk["id"], talk["site"], talk["enabler"], talk["asked_by"], talk["asked_by_this_person"]) == (
        conversation.pk,
        "Ashvale",
        "Emery Enabler",
        "Avery Lead",
        True,
    )
    assert (talk["state"], talk["minutes"], talk["place"], talk["address"], talk["meeting_link"]) == (
        "Planned",
        45,
        "On site",
        ADDRESS,
        "",
    )
    assert talk["times_offered"] == conversation.offered_times
    assert talk["starts_at"] == DjangoJSONEncoder().default(conversation.starts_at)
    assert talk["planned_by"] == "Avery Lead"
    (change,) = _json(files, "changes_of_enabler")
    assert (change["engagement_id"], change["site"], change["words"]) == (ended.pk, "Ashvale", WORDS)
    assert change["asked_at"] == DjangoJSONEncoder().default(ended.change.asked_at)
    assert [row["words"] for row in _csv(files, "changes_of_enabler")] == [WORDS]
    assert [row["address"] for row in _csv(files, "chemistry_conversations")] == [ADDRESS]


def test_the_proposed_enablers_export_holds_the_conversation_they_were_asked_to(objects: dict) -> None:
    lead, enabler, programme_lead = objects["site_lead"], objects["enabler"], objects["programme_lead"]
    conversation = _planned_conversation(objects["site_a"], lead, enabler, programme_lead)

    files = _files(export_person(enabler))

    (talk,) = _json(files, "chemistry_conversations")
    assert (talk["id"], talk["asked_by"], talk["asked_by_this_person"], talk["address"]) == (
        conversation.pk,
        "Avery Lead",
        False,
        ADDRESS,
    )


@pytest.mark.parametrize(("ended_by", "other"), [("site_lead", "enabler"), ("enabler", "site_lead")])
def test_a_change_of_enabler_is_in_the_export_of_whoever_asked_for_it_alone(
    objects: dict, ended_by: str, other: str
) -> None:
    lead, enabler = objects["site_lead"], objects["enabler"]
    ended = _ended_pairing(
        objects["site_a"], lead, enabler, objects["programme_lead"], by=objects[ended_by], name="Coaching ended early"
    )

    asker = _files(export_person(objects[ended_by]))
    other_party = _files(export_person(objects[other]))

    assert [(c["engagement_id"], c["words"]) for c in _json(asker, "changes_of_enabler")] == [(ended.pk, WORDS)]
    assert _json(other_party, "changes_of_enabler") == []


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "site_lead", "enabler")])
def test_nobody_elses_export_holds_the_conversation_or_the_words_of_the_change(objects: dict, persona: str) -> None:
    """Not the site's other member, the other site and its enabler, the central team, an administrator or the
    account manager: neither record, and neither the place nor the words anywhere in their zip."""
    lead, enabler, programme_lead = objects["site_lead"], objects["enabler"], objects["programme_lead"]
    _planned_conversation(objects["site_a"], lead, enabler, programme_lead)
    _ended_pairing(objects["site_a"], lead, enabler, programme_lead, by=lead, name="Coaching ended early")

    files = _files(export_person(objects[persona], include_private_notes=True))

    assert _json(files, "chemistry_conversations") == []
    assert _json(files, "changes_of_enabler") == []
    assert _holding(files, ADDRESS) == [] and _holding(files, WORDS) == []


def test_conversations_and_changes_are_read_in_one_query_each_however_many(
    site_a: Site,
    site_lead: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    django_assert_num_queries: object,
) -> None:
    rowan = User.objects.create_user("rowan.quill@example.test", "x", full_name="Rowan Quill")
    EnablerProfile.objects.create(user=rowan, capacity=2)
    request = ask_for_support(site_a, _offer(site_a, "Coaching after a first talk"), site_lead)
    proposals = propose_enablers(
        request=request,
        proposals=[
            ProposedEnabler(person.enabler_profile, "An experienced coach.", [])
            for person in (enabler, other_enabler, rowan)
        ],
        by=programme_lead,
    )
    ask_for_chemistry(request=request, proposals=proposals, by=site_lead)
    for number in range(3):  # one after another: an ended pairing frees the enabler's place
        _ended_pairing(site_a, site_lead, enabler, programme_lead, by=site_lead, name=f"Coaching {number}")
    scope = Scope.of(site_lead, include_private_notes=False)
    kinds = {kind.name: kind for kind in KINDS}

    for name in ("chemistry_conversations", "changes_of_enabler"):
        with django_assert_num_queries(1):
            rows = kinds[name].rows(scope)

        assert len(rows) == 3, name


# The admin action --------------------------------------------------------------------------------------------


def test_an_administrator_downloads_one_persons_export_from_the_user_admin(objects: dict) -> None:
    administrator, enabler = objects["administrator"], objects["enabler"]

    response = _export_action(client_for(administrator), enabler)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    filename = f"subject-access-{enabler.pk}-{timezone.localdate().isoformat()}.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "no-store"
    files = _files(response.content)
    assert _json(files, "profile")["email"] == enabler.email
    assert _holding(files, NOTE_A) == []  # an administrator never reads a private note, even the subject's own
    event = AuditEvent.objects.get(verb="exported personal data")
    assert (event.actor, event.target, event.detail) == (administrator, enabler, {"via": "admin"})


def test_the_export_action_asks_for_exactly_one_person(objects: dict) -> None:
    client = client_for(objects["administrator"])

    several = _export_action(client, objects["enabler"], objects["site_lead"])
    none = _export_action(client)

    assert several.status_code == none.status_code == 302
    messages = [str(m) for m in client.get(reverse("admin:accounts_user_changelist")).context["messages"]]
    assert any("Select exactly one person" in message for message in messages)
    assert any("Items must be selected" in message for message in messages)
    assert not AuditEvent.objects.filter(verb="exported personal data").exists()


@pytest.mark.parametrize("persona", ["site_lead", "enabler", "programme_lead", "account_manager", "staff"])
def test_only_a_superuser_can_reach_the_export_action(objects: dict, persona: str) -> None:
    if persona == "staff":  # an administrator who manages accounts, but is not a superuser
        person = User.objects.create_user("staff@example.test", PASSWORD, full_name="Sam Staff", is_staff=True)
        person.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    else:
        person = objects[persona]
    client = client_for(person)

    response = _export_action(client, objects["enabler"])

    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(verb="exported personal data").exists()
    if persona == "staff":
        changelist = client.get(reverse("admin:accounts_user_changelist"))
        assert changelist.status_code == 200  # the admin is theirs; the action is not offered in it
        assert "Export everything Alongside holds" not in changelist.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")  # the admin sends non-staff to log in


# The management command ---------------------------------------------------------------------------------------


def test_the_command_writes_a_zip_only_its_owner_can_read_and_prints_path_and_counts(
    objects: dict, tmp_path: Path
) -> None:
    target = tmp_path / "export.zip"
    out = io.StringIO()

    call_command("export_personal_data", "ENABLER@example.test", output=str(target), stdout=out)

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    files = _files(target.read_bytes())
    assert _json(files, "profile")["email"] == "enabler@example.test"
    assert "private_notes.json" not in files and _holding(files, NOTE_A) == []
    lines = out.getvalue().splitlines()
    assert lines[0] == str(target)
    assert "  sessions: 1" in lines
    event = AuditEvent.objects.get(verb="exported personal data")
    assert (event.actor, event.target, event.detail) == (
        None,
        objects["enabler"],
        {"via": "command", "private_notes": False},
    )


def test_the_command_names_the_file_after_the_account_and_the_date_by_default(
    objects: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    call_command("export_personal_data", objects["site_lead"].email, stdout=io.StringIO())

    expected = tmp_path / f"subject-access-{objects['site_lead'].pk}-{timezone.localdate().isoformat()}.zip"
    assert [path.name for path in tmp_path.iterdir()] == [expected.name]
    assert zipfile.is_zipfile(expected)


def test_the_command_adds_the_authors_own_private_notes_only_when_asked(objects: dict, tmp_path: Path) -> None:
    target = tmp_path / "notes.zip"

    call_command(
        "export_personal_data",
        "enabler@example.test",
        output=str(target),
        include_own_private_notes=True,
        stdout=io.StringIO(),
    )

    assert [note["text"] for note in _json(_files(target.read_bytes()), "private_notes")] == [NOTE_A]
    assert AuditEvent.objects.get(verb="exported personal data").detail["private_notes"] is True


def test_the_command_refuses_an_unknown_email_in_one_line_and_writes_nothing(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("export_personal_data", "nobody@example.test", output=str(tmp_path / "x.zip"))

    assert str(refused.value) == "No account has the e-mail address 'nobody@example.test'; nothing was exported."
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.exists()


def test_a_close_out_review_is_in_the_export_of_each_party_and_nobody_else(objects: dict) -> None:
    engagement, lead, enabler = objects["engagement_a"], objects["site_lead"], objects["enabler"]
    Engagement.objects.filter(pk=engagement.pk).update(
        state=Engagement.State.CLOSING, follow_up_on=timezone.localdate()
    )
    record_close_out_review(
        engagement=engagement,
        by=lead,
        outcomes=[("Trust between partners", "met", "review-words-canary"), ("A shared plan", "not yet", "")],
        what_next="Keep the board meeting monthly.",
    )

    for party in (lead, objects["site_member"], enabler):
        rows = _json(_files(export_person(party)), "close_out_reviews")
        assert [(r["goal"], r["outcome"], r["words"]) for r in rows] == [
            ("Trust between partners", "Met", "review-words-canary"),
            ("A shared plan", "Not yet", ""),
        ]
        assert {r["what_next"] for r in rows} == {"Keep the board meeting monthly."}
    for outsider in ("other_site_lead", "other_enabler", "programme_lead", "administrator", "account_manager"):
        files = _files(export_person(objects[outsider]))
        assert _json(files, "close_out_reviews") == [] and _holding(files, "review-words-canary") == []


def test_linked_sign_ins_and_passkeys_are_in_the_persons_export_without_any_key(site_lead: User) -> None:
    from django_otp_webauthn.models import WebAuthnCredential

    from accounts.models import ExternalIdentity

    ExternalIdentity.objects.create(
        user=site_lead, provider="NHSmail", issuer="https://login.example.test/v2.0", subject="subject-of-avery"
    )
    WebAuthnCredential.objects.create(
        user=site_lead, name="Work laptop", credential_id=b"credential", public_key=b"public-key-bytes", sign_count=0
    )

    files = _files(export_person(site_lead))

    rows = _json(files, "ways_to_sign_in")
    assert [(r["what"], r["provider_subject"]) for r in rows] == [
        ("Signs in with NHSmail", "subject-of-avery"),
        ("Passkey: Work laptop", ""),
    ]
    assert _holding(files, "public-key-bytes") == []
