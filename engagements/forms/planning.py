"""Planning's forms: a session planned ahead, once or as a series, and moving one."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from frontend.dates import LONDON
from frontend.forms import ModelMultipleChoiceField
from frontend.widgets import DateField

from ..actions.planning import LONGEST_SERIES
from ..models import Engagement, Offer, PlannedSession, SessionSeries
from .common import _today
from .sessions import _session_format, _session_length

ONCE = "once"


# Within the actions' two years ahead (planning.FURTHEST_AHEAD) for any time of the last day.
PLANNED_AT_MOST_AHEAD = datetime.timedelta(days=730)


def _planned_date(label: str, *, required: bool = True, help_text: str = "For example, 26 11 2026") -> DateField:
    """A date still to come, and no further ahead than the actions allow (which also refuses year 1 and 9999)."""
    return DateField(
        label=label,
        help_text=help_text,
        required=required,
        earliest=_today,
        latest=lambda: timezone.localdate() + PLANNED_AT_MOST_AHEAD,
        too_early="The date must be today or later: a plan is for a session still to come",
        too_late="A session is planned at most two years ahead, on {date} or earlier",
    )


def _start_time() -> forms.TimeField:
    return forms.TimeField(
        label="Start time",
        help_text="For example, 09:30 (UK time)",
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time as hours and minutes, like 09:30",
        },
    )


def _invitee_label(person: User) -> str:
    return f"{person.full_name}, {person.job_title}" if person.job_title else str(person)


def _place() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Where",
        choices=PlannedSession.Place.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the session is on site or online"},
    )


def _address() -> forms.CharField:
    return forms.CharField(
        label="Address (for a session on site)",
        help_text="Where on site: the building and the room.",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep the address to 300 characters or fewer"},
    )


def _meeting_link() -> forms.URLField:
    return forms.URLField(
        label="Meeting link (for a session online)",
        help_text="The link to join, starting https://",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter the meeting link as a web address, starting https://",
            "max_length": "Keep the meeting link to 500 characters or fewer",
        },
    )


def _invitees() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(
        label="Who from the site is invited (optional)",
        help_text="Each person invited gets an e-mail with the invitation for their calendar.",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose people of the site", "invalid_pk_value": "Choose people of the site"},
    )


def _offer_invitees(form: forms.Form, members: list[User]) -> None:
    """The site's own people, by name and job title, are the ones who can be invited."""
    invitees = cast(ModelMultipleChoiceField, form.fields["invitees"])
    invitees.queryset = User.objects.filter(pk__in=[person.pk for person in members]).order_by("full_name")
    invitees.label_from_instance = _invitee_label  # type: ignore[method-assign,assignment]


def _check_when_and_where(form: forms.Form, data: dict[str, Any]) -> None:
    """The start as a moment in Europe/London, still to come; an address for a session on site, an https link for
    one online."""
    if data.get("starts_on") and data.get("start_time"):
        # zoneinfo's fold=0: on the night the clocks change, a time that happens twice is the first, and one
        # that never happens is read as if the clocks had not yet gone forward.
        data["starts_at"] = datetime.datetime.combine(data["starts_on"], data["start_time"], tzinfo=LONDON)
        if data["starts_at"] <= timezone.now():
            form.add_error("start_time", "The session must start later than now: choose a later time")
    place, address, link = data.get("place"), (data.get("address") or "").strip(), data.get("meeting_link")
    if place == PlannedSession.Place.ON_SITE and not address and "address" not in form.errors:
        form.add_error("address", "Enter the address of the session on site")
    if place == PlannedSession.Place.ONLINE and "meeting_link" not in form.errors:
        if not link:
            form.add_error("meeting_link", "Enter the meeting link, starting https://")
        elif not link.startswith("https://"):
            form.add_error("meeting_link", "The meeting link must start with https://, so the meeting is private")


def _when_and_where(data: dict[str, Any]) -> dict[str, Any]:
    """The action's words for when and where, from the cleaned data."""
    return {
        "starts_at": data["starts_at"],
        "place": data["place"],
        "address": data.get("address") or "",
        "meeting_link": data.get("meeting_link") or "",
    }


class PlannedSessionForm(forms.Form):
    """A session planned ahead, once or as a rhythm until a date (a rhythm is for weekly and flexible support):
    when (a date and a time, Europe/London), how long, in what format, where (an address on site or an https link
    online), and who from the site is invited."""

    starts_on = _planned_date("Date")
    start_time = _start_time()
    length = _session_length("Enter how long the session will be")
    format = _session_format()
    place = _place()
    address = _address()
    meeting_link = _meeting_link()
    invitees = _invitees()
    repeat = forms.ChoiceField(
        label="How often",
        choices=[(ONCE, "Once"), *SessionSeries.Frequency.choices],
        initial=ONCE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the session happens once or as a series"},
    )
    until = _planned_date(
        "Until (for a series)", required=False, help_text="The date of the last session, within a year of the first."
    )

    def __init__(self, *args: Any, engagement: Engagement, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_invitees(self, members)
        in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
        self.fields["length"].label = "Length in days" if in_days else "Length in hours"
        if in_days:  # on-site days are planned one at a time
            del self.fields["repeat"], self.fields["until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_when_and_where(self, data)
        repeat, first, until = data.get("repeat", ONCE), data.get("starts_on"), data.get("until")
        if repeat != ONCE and "until" not in self.errors:
            if until is None:
                self.add_error("until", "Enter the date of the last session of the series")
            elif first and until < first:
                self.add_error("until", "The series must end on or after the date of its first session")
            elif first and until - first > LONGEST_SERIES:
                self.add_error("until", "A series runs for a year at most: choose an end within a year of the first")
        return data

    @property
    def repeats(self) -> bool:
        return self.cleaned_data.get("repeat", ONCE) != ONCE

    def where(self) -> dict[str, Any]:
        return _when_and_where(self.cleaned_data)


class MovePlannedSessionForm(forms.Form):
    """A new time or place for one planned session; for one on its own, who is invited too (a series keeps the
    invitees of its rhythm)."""

    starts_on = _planned_date("Date")
    start_time = _start_time()
    place = _place()
    address = _address()
    meeting_link = _meeting_link()
    invitees = _invitees()

    def __init__(self, *args: Any, planned: PlannedSession, members: list[User], **kwargs: Any) -> None:
        local = timezone.localtime(planned.starts_at, LONDON)
        kwargs.setdefault(
            "initial",
            {
                "starts_on": local.date(),
                "start_time": local.strftime("%H:%M"),
                "place": planned.place,
                "address": planned.address,
                "meeting_link": planned.meeting_link,
                "invitees": [person.pk for person in planned.invitees.all()],
            },
        )
        super().__init__(*args, **kwargs)
        _offer_invitees(self, members)
        if planned.series_id is not None:
            del self.fields["invitees"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_when_and_where(self, data)
        return data

    def where(self) -> dict[str, Any]:
        return _when_and_where(self.cleaned_data)
