"""Fuzzing the forms of the work itself: logging a session, private notes, shared notes and actions, feedback, and
the period of the programme overview.

The enabler logs sessions and keeps private notes; the site's people write shared notes and give feedback; the
programme lead picks the overview's period. Every page that shows what was stored is opened after each success.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from core import periods
from engagements.actions.sessions import log_session
from engagements.forms.closeout import FeedbackForm
from engagements.forms.notes import PrivateNoteForm
from engagements.forms.sessions import ActionForm, SessionForm, SharedNoteForm
from engagements.models import Action, Engagement, Session, SharedNote
from engagements.notes import NOTE_LIMIT, PrivateNote
from reporting.forms import PeriodForm
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import (
    FUZZ,
    choice,
    date,
    days_from_today,
    form_data,
    in_days,
    number,
    object_id,
    text,
    typed,
)


def _log_session(engagement: Engagement, *, private_note: str = "") -> Session:
    return log_session(
        engagement=engagement,
        by=engagement.enabler,
        held_on=in_days(-1),
        length=Decimal("1"),
        format="one-to-one",
        place="remote",
        participants="Directors",
        private_note=private_note,
    )


def _forget_notes(engagement: Engagement) -> None:
    """Each note, once its page has shown it escaped, is removed again: the list decrypts every note, so a list
    growing with every example would make the run's time grow with the square of its examples."""
    PrivateNote.objects.filter(engagement=engagement).delete()


@fuzzes(SessionForm, "engagements:session_create", "enabler")
def test_session_form_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User, site_member: User, other_site_lead: User, other_enabler: User
) -> None:
    """Logging a session with a private note and an action: the action's owner is one of the two parties, never
    someone from another site; the session log, the notes and the shared page show what was saved."""
    pk = engagement_a.pk
    fields = {
        "held_on": date(days_from_today(-365, 0)),  # a session is logged once held, from a year ago at most
        "length": number(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("24"), places=1)),
        "format": choice(Session.Format.values),
        "place": choice(Session.Place.values),
        "participants": text(500, required=False),
        "private_note": text(NOTE_LIMIT, required=False),
        "action_description": text(500, required=False),
        "action_owner": object_id(
            [site_lead.pk, site_member.pk, engagement_a.enabler_id], elsewhere=[other_site_lead.pk, other_enabler.pk]
        ),
        "action_due_on": date(days_from_today(-365, 3 * 365), required=False),
    }

    def pages_showing(data: dict) -> list[str]:
        """The session log, and the notes and the shared page when the session brought a note or an action."""
        pages = ["session_list"]
        pages += ["private_note_list"] if data.get("private_note") else []
        pages += ["shared_notes"] if data.get("action_description") else []
        return [reverse(f"engagements:{page}", kwargs={"pk": pk}) for page in pages]

    log = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:session_create", kwargs={"pk": pk}),
        SessionForm,
        redirects_to=reverse("engagements:engagement_detail", kwargs={"pk": pk}),
        shows=pages_showing,
    )
    plausible = {"length": "1.5", "format": "one-to-one", "place": "remote", **typed("held_on", in_days(0))}

    @FUZZ
    @given(form_data(fields))
    @example({**plausible, "private_note": "<script>alert(1)</script>", "action_description": "<b>x</b>"})
    @example({**plausible, "action_description": "Draft the charter", "action_owner": other_site_lead.pk})
    def submit(data: dict) -> None:
        if log.submit(data):
            _forget_notes(engagement_a)

    submit()

    log.assert_accepted_and_refused()


@fuzzes(PrivateNoteForm, "engagements:private_note_create", "enabler")
def test_private_note_form_refuses_with_form_errors(engagement_a: Engagement) -> None:
    """Writing a private note: any text up to the limit, encrypted, shown back to its author alone, escaped."""
    create = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:private_note_create", kwargs={"pk": engagement_a.pk}),
        PrivateNoteForm,
        redirects_to=reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk}),
    )

    @FUZZ
    @given(form_data({"text": text(NOTE_LIMIT)}))
    @example({"text": "</textarea><script>alert(2)</script>"})
    @example({"text": "x" * (NOTE_LIMIT + 1)})
    def submit(data: dict) -> None:
        if create.submit(data):
            _forget_notes(engagement_a)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(PrivateNoteForm, "engagements:private_note_edit", "enabler")
def test_private_note_edit_form_refuses_with_form_errors(engagement_a: Engagement) -> None:
    """Rewriting one's private note: the same rules as writing it."""
    note = PrivateNote.objects.get(session=_log_session(engagement_a, private_note="First thoughts"))
    edit = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:private_note_edit", kwargs={"pk": note.pk}),
        PrivateNoteForm,
        redirects_to=reverse("engagements:private_note_list", kwargs={"pk": engagement_a.pk}),
    )

    @FUZZ
    @given(form_data({"text": text(NOTE_LIMIT)}))
    @example({"text": '"><img src=x onerror=alert(1)>'})
    @example({"text": "\x00"})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(SharedNoteForm, "engagements:shared_notes", "site_member")
def test_shared_note_form_refuses_with_form_errors(engagement_a: Engagement, site_member: User) -> None:
    """A shared note from the site: the page tells its two forms apart by their fields, so `body` is always sent."""
    url = reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk})
    write = FormUnderFuzz(client_for(site_member), url, SharedNoteForm, redirects_to=url, context_name="note_form")

    @FUZZ
    @given(form_data({"body": text(5000)}, always=["body"]))
    @example({"body": "<script>alert(1)</script>\n<svg/onload=alert(1)>"})
    @example({"body": ["", " "]})
    def submit(data: dict) -> None:
        if write.submit(data):
            SharedNote.objects.filter(engagement=engagement_a).delete()  # shown escaped; the page stays short

    submit()

    write.assert_accepted_and_refused()


@fuzzes(ActionForm, "engagements:shared_notes", "enabler")
def test_action_form_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User, other_site_lead: User, other_enabler: User
) -> None:
    """An action from the shared page: its owner is one of the two parties; `description` is always sent."""
    url = reverse("engagements:shared_notes", kwargs={"pk": engagement_a.pk})
    fields = {
        "description": text(500),
        "owner": object_id([site_lead.pk, engagement_a.enabler_id], elsewhere=[other_site_lead.pk, other_enabler.pk]),
        "due_on": date(days_from_today(-365, 3 * 365), required=False),
    }
    add = FormUnderFuzz(client_for(engagement_a.enabler), url, ActionForm, redirects_to=url, context_name="action_form")

    @FUZZ
    @given(form_data(fields, always=["description"]))
    @example(
        {"description": "<script>alert(1)</script>", "owner": site_lead.pk, **typed("due_on", datetime.date(1, 1, 1))}
    )
    @example({"description": "Share the plan", "owner": other_site_lead.pk})
    def submit(data: dict) -> None:
        if add.submit(data):
            Action.objects.filter(engagement=engagement_a).delete()  # shown escaped; the page stays short

    submit()

    add.assert_accepted_and_refused()


@fuzzes(FeedbackForm, "engagements:feedback_create", "site_member")
def test_feedback_form_refuses_with_form_errors(
    engagement_a: Engagement, engagement_b: Engagement, site_member: User
) -> None:
    """Feedback from a member of the site, after a session named in the address (`?session=`): another
    engagement's session, or anything that is not one, must not break the page either."""
    session = _log_session(engagement_a)
    other_session = _log_session(engagement_b)
    fields = {
        "usefulness": choice([1, 2, 3, 4, 5]),
        "what_helped": text(2000, required=False),
        "could_be_better": text(2000, required=False),
    }
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})
    after_session = object_id([session.pk], elsewhere=[other_session.pk])
    feedback = FormUnderFuzz(
        client_for(site_member),
        url,
        FeedbackForm,
        redirects_to=reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}),
        shows=[reverse("engagements:feedback_list", kwargs={"pk": engagement_a.pk})],
    )

    @FUZZ
    @given(form_data(fields), st.one_of(st.none(), after_session.valid, after_session.hostile))
    @example({"usefulness": "5", "what_helped": "<script>alert(1)</script>"}, str(session.pk))
    @example({"usefulness": "6"}, "abc")
    def submit(data: dict, session_in_address: str | list | None) -> None:
        query = "" if session_in_address is None else "?" + urlencode({"session": session_in_address}, doseq=True)
        feedback.url = url + query
        feedback.submit(data)

    submit()

    feedback.assert_accepted_and_refused()


@fuzzes(PeriodForm, "engagements:overview", "programme_lead")
def test_overview_period_form_shows_errors_or_the_figures(engagement_a: Engagement, programme_lead: User) -> None:
    """The overview's period, in the address: any of the fixed periods, or anything else (hostile values, periods
    before the programmes began or not yet begun), shows figures or says what is wrong; so do old links with dates
    from year 1 to 9999; the CSV export of the same period answers too."""
    today = timezone.localdate()
    keys = [period.key for period in periods.choices(today)] + ["2012-q4", "2099-q1", "2026-28", "all "]
    since_2013 = st.dates(min_value=datetime.date(2013, 1, 1), max_value=in_days(365))
    fields = {"period": choice(keys)}
    old_link = {"start": date(since_2013, required=False), "end": date(since_2013, required=False)}
    client = client_for(programme_lead)
    overview = FormUnderFuzz(client, reverse("engagements:overview"), PeriodForm, method="get")
    export = reverse("engagements:overview_export")

    @FUZZ
    @given(st.one_of(form_data(fields), form_data(old_link)), st.booleans())
    @example({"period": "2099-q1"}, True)
    @example(typed("end", datetime.date(1, 1, 1)), True)
    @example(typed("start", in_days(1)), False)
    def submit(data: dict, also_export: bool) -> None:
        overview.submit(data)
        if also_export:
            response = client.get(export, data)
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")

    submit()

    overview.assert_accepted_and_refused()
