"""Sessions' forms: logging a session, a shared note, an action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from accounts.models import User
from frontend.widgets import DateField

from ..models import Engagement, Offer, Session
from ..notes import NOTE_LIMIT
from .common import _due_date, _text, _today


def _session_length(required: str) -> forms.DecimalField:
    """A session's length, held or planned: hours, or days for an offer counted in on-site days."""
    return forms.DecimalField(
        label="Length",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        min_value=Decimal("0.1"),
        max_value=Decimal("24"),
        decimal_places=1,
        error_messages={
            "required": required,
            "invalid": "Enter the length as a number, like 1.5",
            "min_value": "The length must be more than zero",
            "max_value": "The length must be 24 or less",
            "max_decimal_places": "Use at most one decimal place, like 1.5",
        },
    )


def _session_format() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Format",
        choices=Session.Format.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the format of the session"},
    )


SEALED_NOTE_ON_A_SESSION = (
    "Your private notes are now sealed in your browser, so this note cannot be saved from here. Copy it, empty "
    "this box, log the session, then write the note on your private notes page"
)


class SessionForm(forms.Form):
    """A session, with an optional private note (for the enabler alone) and an optional action (for both)."""

    held_on = DateField(
        label="Date of the session",
        help_text="For example, 3 11 2026",
        latest=_today,
        too_early="The date of the session must be {date} or later",
        too_late="The date of the session must be today or earlier: a session is logged once it has happened",
    )
    length = _session_length("Enter how long the session was")
    format = _session_format()
    place = forms.ChoiceField(
        label="Where",
        choices=Session.Place.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the session was on site or remote"},
    )
    participants = forms.CharField(
        label="Who took part, by role (optional)",
        help_text="Roles, not names: for example, director of adult social care, two GPs.",
        required=False,
        max_length=500,
        error_messages={"max_length": "Keep this to 500 characters or fewer"},
    )
    private_note = forms.CharField(
        label="Private note (optional)",
        help_text="Only you can ever read this. It is encrypted, and never shown to the site or the central team.",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"A note must be {NOTE_LIMIT:,} characters or fewer"},
    )
    action_description = forms.CharField(
        label="Action agreed (optional)",
        help_text="Shared with the site.",
        required=False,
        max_length=500,
        error_messages={"max_length": "Keep the action to 500 characters or fewer"},
    )
    action_owner = forms.ModelChoiceField(label="Who owns the action", queryset=User.objects.none(), required=False)
    action_due_on = _due_date("Action due (optional)")

    def __init__(
        self, *args: Any, engagement: Engagement, owners: list[User], sealed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The enabler's notes are sealed in their browser: a note is written on the notes page alone. A note sent
        # all the same (a form opened before setting up) is shown back with a message, never saved nor dropped.
        self.sealed = sealed
        if sealed and not (self.data.get("private_note") or "").strip():
            del self.fields["private_note"]
        self.fields["length"].label = (
            "Length in days" if engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS else "Length in hours"
        )
        cast(forms.ModelChoiceField, self.fields["action_owner"]).queryset = User.objects.filter(
            pk__in=[person.pk for person in owners]
        )
        cast(DateField, self.fields["held_on"]).earliest = engagement.earliest_session_date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if (data.get("action_description") or "").strip() and not data.get("action_owner"):
            self.add_error("action_owner", "Choose who owns the action")
        if self.sealed and "private_note" in self.fields:
            self.add_error("private_note", SEALED_NOTE_ON_A_SESSION)
        return data


class SharedNoteForm(forms.Form):
    body = _text("Shared note", "The site and the enabler both see this.", "Write the note before saving it")


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=500,
        error_messages={"required": "Describe the action", "max_length": "Keep the action to 500 characters or fewer"},
    )
    owner = forms.ModelChoiceField(
        label="Who owns it", queryset=User.objects.none(), error_messages={"required": "Choose who owns the action"}
    )
    due_on = _due_date("Due (optional)")

    def __init__(self, *args: Any, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(
            pk__in=[person.pk for person in owners]
        )
