"""Changes' forms: the times of a chemistry conversation, and ending a pairing early."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from frontend.dates import LONDON, long_date

from ..models import ChemistryConversation
from .planning import (
    _address,
    _check_when_and_where,
    _meeting_link,
    _place,
    _planned_date,
    _start_time,
    _when_and_where,
)

CHANGE_WORDS_LIMIT = 2000  # the action's limit (engagements.actions.changes.WORDS_AT_MOST)


def _chemistry_length() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="How long",
        choices=[(minutes, f"{minutes} minutes") for minutes in ChemistryConversation.LENGTHS],
        coerce=int,
        initial=30,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how long the conversation will be",
            "invalid_choice": "Choose 30, 45 or 60 minutes",
        },
    )


def _optional_time(label: str) -> forms.TimeField:
    field = _start_time()
    field.label, field.required = label, False
    return field


class ChemistryOfferForm(forms.Form):
    """The proposed enabler offers up to three times (the first is needed), how long, and where."""

    starts_on = _planned_date("First time: date")
    start_time = _start_time()
    second_on = _planned_date("Second time: date (optional)", required=False)
    second_time = _optional_time("Second time: start time (optional)")
    third_on = _planned_date("Third time: date (optional)", required=False)
    third_time = _optional_time("Third time: start time (optional)")
    minutes = _chemistry_length()
    place = _place()
    address = _address()
    meeting_link = _meeting_link()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_when_and_where(self, data)
        data["times"] = [data["starts_at"]] if data.get("starts_at") else []
        for day, time in (("second_on", "second_time"), ("third_on", "third_time")):
            if day in self.errors or time in self.errors:
                continue
            if bool(data.get(day)) != bool(data.get(time)):
                self.add_error(time if data.get(day) else day, "Enter both the date and the time, or neither")
            elif data.get(day):
                moment = datetime.datetime.combine(data[day], data[time], tzinfo=LONDON)
                if moment <= timezone.now():
                    self.add_error(time, "This time must be later than now: choose a later time")
                elif moment.astimezone(datetime.UTC) in {time.astimezone(datetime.UTC) for time in data["times"]}:
                    self.add_error(time, "Offer different times: this one is offered already")
                else:
                    data["times"].append(moment)
        return data


class ChemistryPickForm(forms.Form):
    """The site's lead picks one of the times offered."""

    time = forms.ChoiceField(
        label="Which time suits you?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the times offered",
            "invalid_choice": "Choose one of the times offered",
        },
    )

    def __init__(self, *args: Any, conversation: ChemistryConversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = {moment.isoformat(): moment for moment in conversation.times}
        self.fields["time"].choices = [  # type: ignore[attr-defined]
            (
                value,
                f"{long_date(timezone.localtime(moment, LONDON).date())} at {timezone.localtime(moment, LONDON):%H:%M}",
            )
            for value, moment in self.offered.items()
        ]

    def moment(self) -> datetime.datetime:
        return self.offered[self.cleaned_data["time"]]


class ChemistryPlanForm(forms.Form):
    """A time the two have agreed between them: date, start time, how long, and where."""

    starts_on = _planned_date("Date")
    start_time = _start_time()
    minutes = _chemistry_length()
    place = _place()
    address = _address()
    meeting_link = _meeting_link()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        _check_when_and_where(self, data)
        return data

    def where(self) -> dict[str, Any]:
        return _when_and_where(self.cleaned_data)


class EndPairingForm(forms.Form):
    """Ending a pairing early: optional words for the other party, and a plain confirmation."""

    words = forms.CharField(
        label="Words for the other party (optional)",
        help_text="Only the other party and you will read them: never the central team. You can leave this blank.",
        required=False,
        max_length=CHANGE_WORDS_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Keep the words to {CHANGE_WORDS_LIMIT:,} characters or fewer"},
    )
    understood = forms.BooleanField(
        label="I understand that the pairing ends now and the request goes back to the central team",
        error_messages={"required": "Tick to confirm that you want to end the pairing now"},
    )
