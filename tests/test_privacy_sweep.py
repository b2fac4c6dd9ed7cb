"""The privacy sweep: an enabler's private note reaches nobody else, by any path.

The enabler writes a unique canary into private notes. Then every other persona opens every URL in the access
matrix with the real ids of the engagement, session and note, plus the Django admin's lists and change forms of
every registered model, every export and feed. Every e-mail sent and every log record is collected, an error
report is made from a failure in the middle of saving a note, raw SQL reads every column of every table, and every
key of the cache is read (Redis, when REDIS_URL is set).
The canary appears nowhere but in the author's own pages.

The same sweep follows what only two parties may read: the words of a close-out review, the words of a change of
enabler (and who asked for it), and the place and link of a chemistry conversation.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from accounts.models import User
from core import memo
from engagements.actions.changes import (
    ask_for_chemistry,
    end_pairing,
    offer_chemistry_times,
    pick_chemistry_time,
    plan_chemistry,
)
from engagements.actions.closeout import give_feedback, record_close_out_review
from engagements.actions.engagement import confirm_agreement, revise_agreement, start_closing_engagement
from engagements.actions.requests import ProposedEnabler, propose_enablers
from engagements.models import EnablerProfile
from engagements.notes import PrivateNote
from engagements.tasks import nudge_quiet_engagements
from retention.actions import apply_schedule
from tests.helpers.access import CENTRE, MATRIX, POST_MATRIX, TARGETS, offer_named, pairings
from tests.helpers.engagements import ask_for_support, shared_feedback
from tests.helpers.people import PERSONAS, client_for
from tests.helpers.sweeps import cache_holding, tables_holding

CANARY = f"canary-{uuid.uuid4().hex}"
OTHERS = [persona for persona in PERSONAS if persona != "enabler"]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logs() -> Collect:
    handler = Collect()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


def _body(response: object) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _write_canary_notes(objects: dict) -> None:
    engagement = objects["engagement_a"]
    enabler = client_for(objects["enabler"])
    enabler.post(reverse("engagements:private_note_create", kwargs={"pk": engagement.pk}), {"text": CANARY})
    enabler.post(
        reverse("engagements:session_create", kwargs={"pk": engagement.pk}),
        {
            "held_on_day": "3",
            "held_on_month": "11",
            "held_on_year": "2026",
            "length": "1",
            "format": "one-to-one",
            "place": "remote",
            "private_note": f"{CANARY} on the session",
        },
    )
    assert PrivateNote.objects.filter(engagement=engagement).count() == 3  # the fixture's one and these two


def _admin_pages(client: Client) -> list[str]:
    pages = []
    for model in admin.site._registry:
        meta = model._meta
        pages.append(client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
        for instance in model._default_manager.all()[:50]:
            pages.append(client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])))
    return [_body(page) for page in pages]


def test_a_private_note_reaches_nobody_but_its_author(
    objects: dict, logs: Collect, django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.FIGURES_CACHE_SECONDS = 300  # as served: what is kept for everyone is kept, and read below
    memo.forget_all()
    with django_capture_on_commit_callbacks(execute=True):
        _write_canary_notes(objects)
    own = client_for(objects["enabler"]).get(
        reverse("engagements:private_note_list", kwargs={"pk": objects["engagement_a"].pk})
    )
    assert CANARY in _body(own)  # the sweep would prove nothing if the canary were not there to find

    seen: dict[str, list[str]] = {}
    rows = {(name, target) for name, target, _ in MATRIX + POST_MATRIX}
    with django_capture_on_commit_callbacks(execute=True):
        for persona in OTHERS:
            client = client_for(objects[persona])
            urls = [reverse(name, kwargs=TARGETS[target](objects)) for name, target in sorted(rows)]
            bodies = [_body(client.get(url)) for url in urls]
            bodies += _admin_pages(client) if persona == "administrator" else []
            seen[persona] = [url for url, body in zip(urls, bodies, strict=False) if CANARY in body]
            seen[persona] += ["admin page"] * sum(CANARY in body for body in bodies[len(urls) :])
        nudge_quiet_engagements()
        apply_schedule()

    assert seen == {persona: [] for persona in OTHERS}
    assert [message.subject for message in mail.outbox if CANARY in message.body + message.subject] == []
    leaked = [record for record in logs.records if CANARY in record.getMessage() or CANARY in repr(record.args)]
    assert leaked == []
    assert cache_holding(lambda raw: True) != []  # figures and pages were kept on the way (Redis, or local memory)
    assert cache_holding(lambda raw: CANARY.encode() in raw) == []
    memo.forget_all()


def test_no_column_of_any_table_holds_the_note_in_plain_text(objects: dict) -> None:
    _write_canary_notes(objects)

    found = tables_holding(lambda raw: CANARY.encode() in raw)

    assert found == []


def test_an_error_report_from_saving_a_note_does_not_carry_it(objects: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_storage(**fields: object) -> None:  # the database fails as the encrypted note is saved
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(PrivateNote.objects, "create", broken_storage)
    client = client_for(objects["enabler"])
    client.raise_request_exception = False
    captured = Collect()
    logging.getLogger("django.request").addHandler(captured)
    try:
        response = client.post(
            reverse("engagements:private_note_create", kwargs={"pk": objects["engagement_a"].pk}), {"text": CANARY}
        )
    finally:
        logging.getLogger("django.request").removeHandler(captured)

    assert response.status_code == 500
    record = next(record for record in captured.records if record.exc_info)
    report = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    assert CANARY not in report.get_traceback_text()
    assert CANARY not in report.get_traceback_html()
    assert "the disk is full" in report.get_traceback_text()  # it is a real report of the failure


def test_the_calendar_feed_carries_no_note(objects: dict) -> None:
    _write_canary_notes(objects)

    feed = Client().get(reverse("engagements:calendar_feed", kwargs={"token": objects["feed_token"]}))

    assert "BEGIN:VEVENT" in _body(feed)
    assert CANARY not in _body(feed)


def test_the_authors_own_download_is_the_one_export_with_the_note(objects: dict) -> None:
    _write_canary_notes(objects)

    own = client_for(objects["enabler"]).get(reverse("engagements:private_notes_download"))
    others = [
        client_for(objects[p]).get(reverse("engagements:private_notes_download")) for p in OTHERS if p != "anonymous"
    ]

    assert CANARY in _body(own)
    assert all(CANARY not in _body(response) for response in others)


def _write_canary_review(objects: dict) -> None:
    import datetime

    """The site's lead of A closes its engagement and writes the canary into the words of its close-out review."""
    from engagements.models import Engagement

    engagement, enabler, lead = objects["engagement_a"], objects["enabler"], objects["site_lead"]
    if engagement.state == Engagement.State.AGREEMENT:
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
    start_closing_engagement(engagement=engagement, by=lead, follow_up_on=datetime.date.today())
    record_close_out_review(
        engagement=engagement, by=lead, outcomes=[("Trust", "met", REVIEW_CANARY)], what_next=f"{REVIEW_CANARY} next"
    )


REVIEW_CANARY = f"review-canary-{uuid.uuid4().hex}"
NOT_PARTIES_OF_A = [persona for persona in PERSONAS if persona not in ("site_lead", "site_member", "enabler")]


def test_a_close_out_review_reaches_only_the_two_parties(
    objects: dict, logs: Collect, django_capture_on_commit_callbacks: object
) -> None:
    """Swept as the central team, the administrator (admin pages too) and the other site and its enabler."""
    import datetime

    import time_machine

    from engagements.actions.closeout import send_close_out_check_ins

    rows = {(name, target) for name, target, _ in MATRIX + POST_MATRIX}
    # Every target made first: some (a planned session) cannot be made once the engagement is closing.
    urls = [reverse(name, kwargs=TARGETS[target](objects)) for name, target in sorted(rows)]
    with django_capture_on_commit_callbacks(execute=True):
        _write_canary_review(objects)
    own = client_for(objects["enabler"]).get(
        reverse("engagements:close_out_review", kwargs={"pk": objects["engagement_a"].pk})
    )
    assert REVIEW_CANARY in _body(own)

    seen: dict[str, list[str]] = {}
    with django_capture_on_commit_callbacks(execute=True):
        for persona in NOT_PARTIES_OF_A:
            client = client_for(objects[persona])
            bodies = [_body(client.get(url)) for url in urls]
            bodies += _admin_pages(client) if persona == "administrator" else []
            seen[persona] = [url for url, body in zip(urls, bodies, strict=False) if REVIEW_CANARY in body]
            seen[persona] += ["admin page"] * sum(REVIEW_CANARY in body for body in bodies[len(urls) :])
        with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=400)):
            send_close_out_check_ins(today=datetime.date.today() + datetime.timedelta(days=400))

    assert seen == {persona: [] for persona in NOT_PARTIES_OF_A}
    assert [message.subject for message in mail.outbox if REVIEW_CANARY in message.body + message.subject] == []
    leaked = [record for record in logs.records if REVIEW_CANARY in record.getMessage()]
    assert leaked == []


# A change of enabler and chemistry conversations ----------------------------------------------------------------

CHANGE_CANARY = f"change-canary-{uuid.uuid4().hex}"
ADDRESS_CANARY = f"address-canary-{uuid.uuid4().hex}"
LINK_CANARY = f"link-canary-{uuid.uuid4().hex}"
ASKER = "Avery Lead"  # site A's lead, who ends the pairing
NOT_IN_A_CONVERSATION_OF_A = [persona for persona in PERSONAS if persona not in ("site_lead", "enabler")]
NOT_THE_SITE_LEAD_OF_A = [persona for persona in PERSONAS if persona != "site_lead"]


def _sweep(objects: dict, personas: list[str], urls: list[str], canary: str) -> dict[str, list[str]]:
    """Where each persona finds the canary: every URL given, and for the administrator every admin page too."""
    seen: dict[str, list[str]] = {}
    for persona in personas:
        client = client_for(objects[persona])
        bodies = [_body(client.get(url)) for url in urls]
        bodies += _admin_pages(client) if persona == "administrator" else []
        seen[persona] = [url for url, body in zip(urls, bodies, strict=False) if canary in body]
        seen[persona] += ["admin page"] * sum(canary in body for body in bodies[len(urls) :])
    return seen


def _mailed(canary: str) -> list[tuple[str, list[str]]]:
    """Every e-mail carrying the canary in its subject, its text or an attachment (a calendar invitation), with
    its recipients."""
    found = []
    for message in mail.outbox:
        attached = "".join(str(content) for _, content, _ in getattr(message, "attachments", []))
        alternatives = "".join(str(content) for content, _ in getattr(message, "alternatives", []))
        if canary in message.subject + message.body + attached + alternatives:
            found.append((message.subject, sorted(message.to)))
    return found


def _logged(logs: Collect, canary: str) -> list[logging.LogRecord]:
    return [record for record in logs.records if canary in record.getMessage() or canary in repr(record.args)]


def test_the_words_of_a_change_of_enabler_reach_only_the_two_parties(
    objects: dict, logs: Collect, django_capture_on_commit_callbacks: object
) -> None:
    """Site A's lead ends an active pairing with words for the enabler. Swept as the central team, the
    administrator (admin pages too), the other site and its enabler, the account manager and anonymous; no
    e-mail and no log carries them."""
    rows = {(name, target) for name, target, _ in MATRIX + POST_MATRIX}
    # Every target made first: some (a planned session) cannot be made for a pairing once it has ended.
    urls = [reverse(name, kwargs=TARGETS[target](objects)) for name, target in sorted(rows)]
    ended = pairings(objects)["active_a"]
    detail = reverse("engagements:engagement_detail", kwargs={"pk": ended.pk})
    urls += [detail, reverse("engagements:request_detail", kwargs={"pk": ended.request_id})]
    with django_capture_on_commit_callbacks(execute=True):
        end_pairing(engagement=ended, by=objects["site_lead"], words=f"{CHANGE_CANARY}: not the right fit")
    for party in ("site_lead", "site_member", "enabler"):  # the sweep would prove nothing without it to find
        assert CHANGE_CANARY in _body(client_for(objects[party]).get(detail)), party

    with django_capture_on_commit_callbacks(execute=True):
        seen = _sweep(objects, NOT_PARTIES_OF_A, urls, CHANGE_CANARY)

    assert seen == {persona: [] for persona in NOT_PARTIES_OF_A}
    assert _mailed(CHANGE_CANARY) == []
    assert _logged(logs, CHANGE_CANARY) == []


def test_the_central_team_sees_that_a_pairing_ended_never_who_ended_it(
    objects: dict, django_capture_on_commit_callbacks: object
) -> None:
    """The engagement's state and the request's, yes; the change's panel (who said it was not working, what they
    wrote), no: not on the ended engagement's page, and the request's page says only that a different enabler was
    asked for."""
    ended = pairings(objects)["active_a"]
    with django_capture_on_commit_callbacks(execute=True):
        end_pairing(engagement=ended, by=objects["site_lead"], words=f"{CHANGE_CANARY}: not the right fit")
    detail = reverse("engagements:engagement_detail", kwargs={"pk": ended.pk})
    request_page = reverse("engagements:request_detail", kwargs={"pk": ended.request_id})
    parties_see = _body(client_for(objects["enabler"]).get(detail))
    assert f"when {ASKER} said it was not working" in parties_see  # what the panel says, where it is shown
    assert f"What {ASKER} wrote" in parties_see

    for persona in CENTRE:
        client = client_for(objects[persona])
        page, request = _body(client.get(detail)), _body(client.get(request_page))

        assert "Ended early: a change of enabler" in page, persona  # the engagement's state is theirs to see
        assert CHANGE_CANARY not in page, persona
        assert "said it was not working" not in page and "ended early on" not in page, persona
        assert "wrote:" not in page, persona  # "What you wrote:", "What Avery Lead wrote:"
        assert ASKER not in page, persona
        change_panel = re.search(r"A different enabler was asked for.*?</p>", request, re.S)
        assert change_panel is not None, persona  # the request's state is theirs to see
        assert ASKER not in change_panel.group(0) and CHANGE_CANARY not in request, persona


def test_a_chemistry_conversations_place_and_link_reach_only_the_two_in_it(
    objects: dict, logs: Collect, django_capture_on_commit_callbacks: object
) -> None:
    """An address for one conversation of site A (with the enabler) and a meeting link for another (with an
    enabler who is none of the personas). Each reaches the site's lead and that enabler alone: swept as the site's
    other member, the other enabler of the site (for the link), the central team, the administrator (admin pages
    too), the other site and its enabler, the account manager and anonymous; e-mails go to the two alone."""
    rows = {(name, target) for name, target, _ in MATRIX + POST_MATRIX}
    urls = [reverse(name, kwargs=TARGETS[target](objects)) for name, target in sorted(rows)]
    lead, enabler = objects["site_lead"], objects["enabler"]
    tomorrow = datetime.datetime.now(tz=ZoneInfo("Europe/London")).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=1)
    rowan = User.objects.create_user("rowan.quill@example.test", "x", full_name="Rowan Quill")
    EnablerProfile.objects.create(user=rowan, capacity=2)
    request = ask_for_support(objects["site_a"], offer_named(objects["site_a"], "A first talk online"), lead)
    (proposal,) = propose_enablers(
        request=request,
        proposals=[ProposedEnabler(rowan.enabler_profile, "An experienced coach.", [])],
        by=objects["programme_lead"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        on_site = offer_chemistry_times(
            conversation=pairings(objects)["chemistry_a"],
            by=enabler,
            times=[tomorrow],
            minutes=30,
            place="on-site",
            address=f"{ADDRESS_CANARY}, Room 4, Fictional House",
        )
        pick_chemistry_time(conversation=on_site, by=lead, starts_at=on_site.times[0])
        (online,) = ask_for_chemistry(request=request, proposals=[proposal], by=lead)
        plan_chemistry(
            conversation=online,
            by=lead,
            starts_at=tomorrow + datetime.timedelta(hours=3),
            minutes=45,
            place="online",
            meeting_link=f"https://meet.example.test/{LINK_CANARY}",
        )
    on_site_page = reverse("engagements:chemistry_detail", kwargs={"pk": on_site.pk})
    online_page = reverse("engagements:chemistry_detail", kwargs={"pk": online.pk})
    urls += [online_page, reverse("engagements:request_detail", kwargs={"pk": request.pk})]
    # What the two in each conversation see: the sweep would prove nothing without the canaries there to find.
    assert ADDRESS_CANARY in _body(client_for(lead).get(on_site_page))
    assert ADDRESS_CANARY in _body(client_for(enabler).get(on_site_page))
    assert LINK_CANARY in _body(client_for(lead).get(online_page))
    assert LINK_CANARY in _body(client_for(rowan).get(online_page))

    with django_capture_on_commit_callbacks(execute=True):
        seen_address = _sweep(objects, NOT_IN_A_CONVERSATION_OF_A, urls, ADDRESS_CANARY)
        seen_link = _sweep(objects, NOT_THE_SITE_LEAD_OF_A, urls, LINK_CANARY)

    assert seen_address == {persona: [] for persona in NOT_IN_A_CONVERSATION_OF_A}
    assert seen_link == {persona: [] for persona in NOT_THE_SITE_LEAD_OF_A}
    the_two = {ADDRESS_CANARY: [lead.email, enabler.email], LINK_CANARY: [lead.email, rowan.email]}
    for canary, recipients in the_two.items():
        mailed = _mailed(canary)
        assert mailed, canary  # the invitation carries the place: to the two, and only to them
        assert {person for _, to in mailed for person in to} <= set(recipients), mailed
        assert _logged(logs, canary) == []


# Sites' feedback words and shared words ---------------------------------------------------------------------------

UNSHARED_CANARY = f"unshared-canary-{uuid.uuid4().hex}"
UNAPPROVED_CANARY = f"unapproved-canary-{uuid.uuid4().hex}"
GIVEN_NAME = "Quorrin" + "".join(chr(ord("a") + int(digit, 16) % 26) for digit in uuid.uuid4().hex[:8])


def test_feedback_words_reach_the_centre_only_as_approved_and_anonymised_shared_words(
    objects: dict, logs: Collect, django_capture_on_commit_callbacks: object, settings: object
) -> None:
    """Site A's lead gives feedback twice: words they did not share, and words they shared but never approved
    (the canaries), found by nobody but the site and its enabler. Five sites' leads approve shared words, one of them
    naming its enabler by a given name alone: the centre reads the placeholder, never the name. Swept as the central
    team, the administrator (admin pages too), the other site and its enabler, the account manager and anonymous,
    with the overview and its export for every quarter; no e-mail, log or cache key carries any of it."""
    from engagements.models import Feedback
    from sites.models import Site, SiteMembership
    from tests.helpers.engagements import start_engagement

    settings.FIGURES_CACHE_SECONDS = 300  # as served: what is kept for everyone is kept, and read below
    memo.forget_all()
    rows = {(name, target) for name, target, _ in MATRIX + POST_MATRIX}
    urls = [reverse(name, kwargs=TARGETS[target](objects)) for name, target in sorted(rows)]
    every_quarter = "?period=all"
    urls += [reverse("engagements:overview") + every_quarter, reverse("engagements:overview_export") + every_quarter]
    lead, engagement = objects["site_lead"], objects["engagement_a"]
    named = User.objects.create_user("named.enabler@example.test", "x", full_name=f"{GIVEN_NAME} Fairweather")
    EnablerProfile.objects.create(user=named, capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        give_feedback(
            engagement=engagement,
            by=lead,
            session=None,
            usefulness=5,
            what_helped=f"{UNSHARED_CANARY} helped",
            could_be_better=f"{UNSHARED_CANARY} could be better",
        )
        shared_feedback(engagement, lead, f"{UNAPPROVED_CANARY} helped", approve=False)
        for number in range(5):
            site = Site.objects.create(name=f"Fernvale {number}", programme=objects["site_a"].programme)
            site_lead = User.objects.create_user(f"fern{number}@example.test", "x", full_name=f"Rory Fern{number}")
            SiteMembership.objects.create(user=site_lead, site=site, role="lead")
            request = ask_for_support(site, offer_named(site, "Coaching for shared words"), site_lead)
            paired = start_engagement(request, named, site_lead, objects["programme_lead"])
            words = f"{GIVEN_NAME} listened first." if number == 0 else f"Board time helped, {number}."
            shared_feedback(paired, site_lead, words, approve=True)
    listing = reverse("engagements:feedback_list", kwargs={"pk": engagement.pk})
    for party in ("site_lead", "enabler"):  # the sweep would prove nothing without the canaries there to find
        assert UNSHARED_CANARY in _body(client_for(objects[party]).get(listing)), party
        assert UNAPPROVED_CANARY in _body(client_for(objects[party]).get(listing)), party
    assert Feedback.objects.shared_with_centre().count() == 5

    with django_capture_on_commit_callbacks(execute=True):
        seen = {
            canary: _sweep(objects, NOT_PARTIES_OF_A, urls, canary) for canary in (UNSHARED_CANARY, UNAPPROVED_CANARY)
        }
        seen_name = _sweep(objects, NOT_PARTIES_OF_A, urls, f"{GIVEN_NAME} listened")
        centre = client_for(objects["programme_lead"])
        overview = _body(centre.get(urls[-2]))
        export = _body(centre.get(urls[-1]))

    for canary in (UNSHARED_CANARY, UNAPPROVED_CANARY):
        assert seen[canary] == {persona: [] for persona in NOT_PARTIES_OF_A}, canary
        assert _mailed(canary) == [] and _logged(logs, canary) == [], canary
        assert cache_holding(lambda raw, canary=canary: canary.encode() in raw) == [], canary
    assert seen_name == {persona: [] for persona in NOT_PARTIES_OF_A}
    for text in (overview, export):
        assert "[an enabler] listened first." in text  # the approved words, released, with the placeholder
        assert GIVEN_NAME not in text
    assert cache_holding(lambda raw: b"listened first" in raw) == []
    memo.forget_all()
