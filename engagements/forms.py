from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from frontend.dates import LONDON, long_date
from frontend.forms import ModelMultipleChoiceField
from frontend.widgets import DateField
from sites.models import Region, Site

from .actions.planning import LONGEST_SERIES
from .models import (
    Agreement,
    ChemistryConversation,
    Diagnostic,
    EnablerProfile,
    Engagement,
    GoalReview,
    Offer,
    PlannedSession,
    Proposal,
    Session,
    SessionSeries,
)
from .models.enablers import EnablerProfileQuerySet, Sector
from .models.notes import MAX_ITERATIONS, MIN_ITERATIONS, NONCE_BYTES, SEALED_NOTE_MAX_BYTES, WRAPPED_KEY_BYTES
from .models.requests import Approach
from .notes import NOTE_LIMIT
from .notes.sealed import Moved, Wrapping

TEXT_LIMIT = 5000


def _text(label: str, help_text: str = "", required_message: str = "", **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message or f"Enter {label.lower()}",
            "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer",
        },
        **kwargs,
    )


def _offer_label(offer: Offer) -> str:
    return f"{offer.name} ({offer.provider})"


class SupportRequestForm(forms.Form):
    """A site says it is ready, in its own words."""

    offer = forms.ModelChoiceField(
        label="Which support are you asking for?",
        queryset=Offer.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the support you are asking for"},
    )
    why_now = _text(
        "Why now",
        "What makes this the right time for your partnership? Support works best when a site feels ready.",
        "Say why now is the right time",
    )
    help_wanted = _text("What you would like help with", required_message="Say what you would like help with")
    who_is_involved = _text(
        "Who is involved",
        "Roles rather than names: for example, the partnership board and the directors of adult social care.",
        "Say who is involved",
    )
    approaches_wanted = forms.MultipleChoiceField(
        label="Ways of working you would like (optional)",
        choices=Approach.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferred_start = DateField(
        label="When you would like to start", help_text="For example, 12 1 2027", required=False
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offers = cast(forms.ModelChoiceField, self.fields["offer"])
        offers.queryset = Offer.objects.filter(programme=site.programme, is_open=True)
        offers.label_from_instance = _offer_label  # type: ignore[method-assign,assignment]

    def clean_preferred_start(self) -> datetime.date | None:
        start = self.cleaned_data.get("preferred_start")
        today = timezone.localdate()
        if start and start < today:
            raise forms.ValidationError("The start date must be today or in the future")
        if start and start > today + datetime.timedelta(days=730):
            raise forms.ValidationError("The start date must be within the next 2 years")
        return start


class ProposalForm(forms.Form):
    """Up to three enablers, each with a short introduction for the site."""

    def __init__(self, *args: Any, candidates: list[EnablerProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(profile.pk): profile for profile in candidates}
        self.fields["enablers"] = forms.MultipleChoiceField(
            label="Enablers to propose",
            help_text="Choose between one and three.",
            choices=[(key, str(profile.user)) for key, profile in self.candidates.items()],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose at least one enabler to propose"},
        )
        for key, profile in self.candidates.items():
            self.fields[f"introduction_{key}"] = forms.CharField(
                label=f"Introduction to {profile.user} for the site",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        chosen = data.get("enablers") or []
        if len(chosen) > 3:
            self.add_error("enablers", "Choose no more than three enablers")
        for key in chosen:
            if not (data.get(f"introduction_{key}") or "").strip():
                self.add_error(
                    f"introduction_{key}", f"Write a short introduction to {self.candidates[key].user} for the site"
                )
        return data

    def chosen(self) -> list[tuple[EnablerProfile, str]]:
        return [
            (self.candidates[key], self.cleaned_data[f"introduction_{key}"]) for key in self.cleaned_data["enablers"]
        ]


class DeclineForm(forms.Form):
    reason = _text(
        "Why none of these enablers is right",
        "Your reason goes to the central team so that the next proposal fits better.",
        "Say why none of the proposed enablers is right",
    )


class EnablerProfileForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label="Sectors you have worked in at a senior level",
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    approaches = forms.MultipleChoiceField(
        label="Approaches you use", choices=Approach.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    regions = forms.MultipleChoiceField(
        label="Regions you work in", choices=Region.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = EnablerProfile
        fields = [
            "biography",
            "years_in_health",
            "years_in_social_care",
            "sectors",
            "approaches",
            "regions",
            "capacity",
            "worked_for",
        ]
        widgets = {"worked_for": forms.CheckboxSelectMultiple, "biography": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"worked_for": ModelMultipleChoiceField}
        error_messages = {
            "years_in_health": {"max_value": "Enter a number of years under 70"},
            "years_in_social_care": {"max_value": "Enter a number of years under 70"},
        }

    def clean_biography(self) -> str:
        biography = self.cleaned_data["biography"]
        if len(biography) > TEXT_LIMIT:
            raise forms.ValidationError(f"Biography must be {TEXT_LIMIT:,} characters or fewer")
        return biography

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for name in ("years_in_health", "years_in_social_care"):
            if (data.get(name) or 0) > 70:
                self.add_error(name, "Enter a number of years of 70 or fewer")
        if data.get("capacity") is not None and not 0 <= data["capacity"] <= 10:
            self.add_error("capacity", "Capacity must be between 0 and 10 engagements")
        return data


class EnablerManageForm(EnablerProfileForm):
    """An enabler's profile as the central team keeps it: their experience, capacity and whether they are proposed
    for new work. The organisations they worked for are the enabler's own to declare (EnablerProfileForm)."""

    sectors = forms.MultipleChoiceField(
        label="Sectors worked in at a senior level",
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    approaches = forms.MultipleChoiceField(
        label="Approaches", choices=Approach.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    regions = forms.MultipleChoiceField(
        label="Regions", choices=Region.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta(EnablerProfileForm.Meta):
        fields = [
            "biography",
            "years_in_health",
            "years_in_social_care",
            "sectors",
            "approaches",
            "regions",
            "capacity",
            "available_for_new_work",
        ]
        labels = {"available_for_new_work": "Available for new work"}
        error_messages = {
            **EnablerProfileForm.Meta.error_messages,
            "capacity": {
                "min_value": "Capacity must be between 0 and 10 engagements",
                "max_value": "Capacity must be between 0 and 10 engagements",
            },
        }


POOL_SHOWING = [
    ("", "Everyone"),
    ("available", "Available for new work"),
    ("deactivated", "Deactivated accounts"),
]


class EnablerPoolFilterForm(forms.Form):
    """Narrow the enabler pool by name, or to those available for new work, or to deactivated accounts."""

    q = forms.CharField(label="Name", required=False, max_length=100)
    showing = forms.ChoiceField(label="Show", required=False, choices=POOL_SHOWING)

    def filter(self, profiles: EnablerProfileQuerySet) -> EnablerProfileQuerySet:
        data = self.cleaned_data
        if (data.get("q") or "").strip():
            profiles = profiles.filter(user__full_name__icontains=data["q"].strip())
        if data.get("showing") == "available":
            profiles = profiles.filter(user__is_active=True, available_for_new_work=True)
        elif data.get("showing") == "deactivated":
            profiles = profiles.filter(user__is_active=False)
        return profiles


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["cadence", "ways_of_working", "goals", "confidentiality"]
        labels = {"cadence": "Cadence", "ways_of_working": "Ways of working", "goals": "Goals"}
        help_texts = {
            "cadence": "How often you will meet, for example every week for an hour.",
            "confidentiality": "What stays between you. The enabler's notes are always private to the enabler.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for name in self.Meta.fields:
            if len(data.get(name) or "") > TEXT_LIMIT:
                self.add_error(name, f"This must be {TEXT_LIMIT:,} characters or fewer")
        if not (data.get("confidentiality") or "").strip():
            self.add_error("confidentiality", "Enter the confidentiality terms")
        return data


class DiagnosticForm(forms.Form):
    stage = forms.TypedChoiceField(
        label="Where does the site feel it is on its integration journey?",
        choices=Diagnostic.Stage.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the site feels it is"},
    )
    strengths = _text("Strengths to build on")
    development_areas = _text("Areas for development")


class ShareDiagnosticForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Share with",
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the person to share the diagnostic with"},
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = site.account_managers.filter(is_active=True)


def _today() -> datetime.date:
    return timezone.localdate()


def _years_from_today(years: int) -> Callable[[], datetime.date]:
    return lambda: timezone.localdate() + datetime.timedelta(days=round(365.25 * years))


# Due dates and follow-ups: no further ahead than a programme plans.
YEARS_AHEAD = 3


def _due_date(label: str) -> DateField:
    return DateField(
        label=label,
        required=False,
        earliest=_years_from_today(-1),
        latest=_years_from_today(YEARS_AHEAD),
        too_early="The due date must be no more than a year ago, on {date} or later",
        too_late=f"The due date must be within the next {YEARS_AHEAD} years, on {{date}} or earlier",
    )


class ClosingForm(forms.Form):
    follow_up_on = DateField(
        label="Follow-up date",
        help_text="When you will check in after the support ends.",
        earliest=_today,
        latest=_years_from_today(YEARS_AHEAD),
        too_early="The follow-up date must be today or later.",
        too_late=f"The follow-up date must be within the next {YEARS_AHEAD} years, on {{date}} or earlier",
    )


REVIEW_WORDS_LIMIT = 4000


class CloseOutReviewForm(forms.Form):
    """For each goal of the agreement an outcome and a few words (goal_0, goal_0_words, ...), and what the site will
    do next. The goals themselves come from the agreement, never from the form."""

    def __init__(self, *args: Any, goals: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for index, goal in enumerate(goals):
            self.fields[f"goal_{index}"] = forms.ChoiceField(
                label=goal,
                choices=GoalReview.Outcome.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose how this goal went", "invalid_choice": "Choose how this goal went"},
            )
            self.fields[f"goal_{index}_words"] = forms.CharField(
                label="In your words (optional)",
                required=False,
                max_length=REVIEW_WORDS_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"max_length": f"Keep this to {REVIEW_WORDS_LIMIT} characters or fewer"},
            )
        self.fields["what_next"] = forms.CharField(
            label="What the site will do next",
            max_length=REVIEW_WORDS_LIMIT,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={
                "required": "Enter what the site will do next",
                "max_length": f"Keep this to {REVIEW_WORDS_LIMIT} characters or fewer",
            },
        )

    def outcomes(self) -> list[tuple[str, str, str]]:
        """(goal, outcome, words) for each goal, in the agreement's order."""
        return [
            (goal, self.cleaned_data[f"goal_{index}"], self.cleaned_data[f"goal_{index}_words"].strip())
            for index, goal in enumerate(self.goals)
        ]


class ExtraDaysForm(forms.Form):
    days = forms.DecimalField(
        label="Extra days agreed",
        min_value=Decimal("0.5"),
        max_value=Decimal("50"),
        decimal_places=1,
        error_messages={
            "required": "Enter the number of extra days",
            "invalid": "Enter a number of days, like 1.5",
            "min_value": "Extra days must be at least half a day",
            "max_value": "Extra days must be 50 or fewer",
            "max_decimal_places": "Use halves or tenths of a day at most, like 1.5",
        },
    )
    reason = _text("What the extra days are for")


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


class PrivateNoteForm(forms.Form):
    text = forms.CharField(
        label="Private note",
        help_text="Only you can ever read this note.",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Write the note before saving it",
            "max_length": f"A note must be {NOTE_LIMIT:,} characters or fewer",
        },
    )


# Browser-sealed private notes (engagements.notes.sealed) ---------------------------------------------------------
# What these forms carry is made by the enabler's browser, never typed: keys wrapped, notes encrypted. Every field
# is checked in `clean`, and a problem is one message for the whole form, since a person sees no field of it.

# The most that setting up carries: every note an enabler wrote, sealed again (a note is at most 80 kB sealed).
MOVED_AT_MOST = 200 * 1024 * 1024
NOT_FROM_THE_BROWSER = (
    "What was sent is not what your browser makes when it seals a note. Nothing has been saved: open the page "
    "again and try once more."
)


def _sealed_bytes(value: object, *, least: int, most: int) -> bytes | None:
    """A base64 text decoded, when it is base64 and its length is within bounds; None otherwise."""
    if not isinstance(value, str) or not value or len(value) > (most + 2) // 3 * 4:
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if least <= len(decoded) <= most else None


def _key_id(value: object) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}", value) else None


class _Sent(forms.Field):
    """A value exactly as the browser's script sent it, for the form's `clean` to check as a whole."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> str:
        return value if isinstance(value, str) else ""


class _Sealed:
    """What the forms the browser's script fills in share. Their fields are hidden, all optional to Django, and
    `clean` turns them into what the action takes, or one error for the whole form."""

    def _refuse(self, why: str = NOT_FROM_THE_BROWSER) -> None:
        cast(forms.Form, self).add_error(None, why)

    def _wrapping(self, data: dict[str, Any]) -> Wrapping | None:
        digits = data.get("iterations") or ""
        iterations = int(digits) if re.fullmatch(r"[0-9]{1,9}", digits) else None
        salt = _sealed_bytes(data.get("salt"), least=16, most=64)
        wrapped = _sealed_bytes(data.get("wrapped_by_passphrase"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        if iterations is None or not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS or salt is None or not wrapped:
            return None
        return Wrapping(iterations=iterations, salt=salt, wrapped_by_passphrase=wrapped)


class NotesPassphraseForm(_Sealed, forms.Form):
    """A new notes passphrase: the notes key wrapped again, in the browser, by the key the passphrase makes."""

    key_id = _Sent()
    iterations = _Sent()
    salt = _Sent()
    wrapped_by_passphrase = _Sent()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        wrapping, key_id = self._wrapping(data), _key_id(data.get("key_id"))
        if self.errors or wrapping is None or key_id is None:
            self._refuse()
            return data
        return {"key_id": key_id, "wrapping": wrapping}


class NotesSetUpForm(NotesPassphraseForm):
    """Setting up: the notes key wrapped twice, and the author's existing notes sealed again (a JSON list)."""

    wrapped_by_recovery_key = _Sent()
    moved = _Sent()

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        passphrase = super().clean()
        if "wrapping" not in passphrase:
            return passphrase
        recovery = _sealed_bytes(data.get("wrapped_by_recovery_key"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        text = self._moved_text(data)
        moved = self._moved(text) if text is not None else None
        if recovery is None or moved is None:
            self._refuse()
            return data
        return {**passphrase, "wrapped_by_recovery_key": recovery, "moved": moved}

    def _moved_text(self, data: dict[str, Any]) -> str | None:
        """The browser sends the notes it sealed again as a file, which is not held to Django's limit on a form's
        size (DATA_UPLOAD_MAX_MEMORY_SIZE): an enabler may have hundreds of notes. A test may send it as a field."""
        upload = self.files.get("moved") if self.files else None
        if upload is None:
            return data.get("moved") or "[]"
        if (upload.size or 0) > MOVED_AT_MOST:
            return None
        try:
            return upload.read().decode()
        except UnicodeDecodeError:
            return None

    @staticmethod
    def _moved(text: str) -> list[Moved] | None:
        try:
            listed = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: lists nested thousands deep
            return None
        if not isinstance(listed, list):
            return None
        moved = []
        for entry in listed:
            if not isinstance(entry, dict) or not isinstance(entry.get("notes"), list):
                return None
            engagement_id = entry.get("engagement")
            wrapped = _sealed_bytes(entry.get("wrapped_key"), least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
            if type(engagement_id) is not int or wrapped is None:
                return None
            notes: dict[int, tuple[bytes, int]] = {}
            for note in entry["notes"]:
                sealed = _sealed_note(note) if isinstance(note, dict) else None
                if sealed is None or type(note.get("id")) is not int or note["id"] in notes:
                    return None
                version = note.get("version")
                if type(version) is not int or not 1 <= version <= MAX_VERSION:
                    return None
                notes[note["id"]] = (sealed, version)
            moved.append(Moved(engagement_id=engagement_id, wrapped_key=wrapped, notes=notes))
        if len({move.engagement_id for move in moved}) != len(moved):
            return None
        return moved


# A note's version goes up by one at each write: no note is written two thousand million times.
MAX_VERSION = 2_000_000_000
UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _note_uid(value: object) -> uuid.UUID | None:
    """A new note's id as the browser made it and bound it: a random UUID, in the one spelling both sides bind."""
    return uuid.UUID(value) if isinstance(value, str) and UID.fullmatch(value) else None


def _version(value: object) -> int | None:
    digits = value if isinstance(value, str) else ""
    version = int(digits) if re.fullmatch(r"[1-9][0-9]{0,9}", digits) else None
    return version if version is not None and version <= MAX_VERSION else None


def _sealed_note(data: dict[str, Any]) -> bytes | None:
    """A note's nonce and ciphertext, as stored: the nonce first."""
    nonce = _sealed_bytes(data.get("nonce"), least=NONCE_BYTES, most=NONCE_BYTES)
    ciphertext = _sealed_bytes(data.get("ciphertext"), least=17, most=SEALED_NOTE_MAX_BYTES)
    return nonce + ciphertext if nonce and ciphertext else None


class SealedNoteForm(_Sealed, forms.Form):
    """A note as the browser sealed it: its nonce and ciphertext, the notes key's id, and (for an engagement's
    first note) its new data key, wrapped. Optionally, the session it is about. What it was sealed for: a new
    note's id (`uid`, made by the browser) at version 1, or a changed note's next version (`rebind`: the same
    words of an older note, bound anew to the note)."""

    key_id = _Sent()
    uid = _Sent()
    version = _Sent()
    rebind = _Sent()
    nonce = _Sent()
    ciphertext = _Sent()
    wrapped_key = _Sent()
    session = _Sent()

    def __init__(
        self, *args: Any, sessions: dict[str, Session] | None = None, changing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = sessions or {}
        self.changing = changing  # a changed note keeps its engagement's key and its session: neither is sent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        key_id, sealed = _key_id(data.get("key_id")), _sealed_note(data)
        wrapped = None
        if data.get("wrapped_key"):
            wrapped = _sealed_bytes(data["wrapped_key"], least=WRAPPED_KEY_BYTES, most=WRAPPED_KEY_BYTES)
        session = self.sessions.get(data.get("session") or "")
        uid, version = _note_uid(data.get("uid")), _version(data.get("version"))
        if (
            self.errors
            or key_id is None
            or sealed is None
            or version is None
            or (data.get("wrapped_key") and (wrapped is None or self.changing))
            or (data.get("session") and (session is None or self.changing))
            or (self.changing and (data.get("uid") or data.get("rebind") not in ("", "1")))
            or (not self.changing and (uid is None or version != 1 or data.get("rebind")))
        ):
            self._refuse()
            return data
        if self.changing:
            return {"key_id": key_id, "sealed": sealed, "version": version, "rebinding": data.get("rebind") == "1"}
        return {"key_id": key_id, "uid": uid, "sealed": sealed, "wrapped_key": wrapped, "session": session}


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


class FeedbackForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        label="How useful was the support?",
        choices=[(5, "5, very useful"), (4, "4"), (3, "3"), (2, "2"), (1, "1, not useful")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how useful the support was"},
    )
    what_helped = forms.CharField(
        label="What helped (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep this to 2,000 characters or fewer"},
    )
    could_be_better = forms.CharField(
        label="What could be better (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep this to 2,000 characters or fewer"},
    )
    # Asked of a lead of the site only. No answer is chosen for them (the NHS service manual: do not pre-select a
    # radio, so nobody agrees, or refuses, without having read the question); not answering is an error, and
    # nothing is shared unless they say yes and then approve the anonymised words.
    share_what_helped = forms.TypedChoiceField(
        label="Can the central team read what helped, with names taken out?",
        help_text=(
            "Only your answer to what helped, never what could be better. You will see the words with every name "
            "replaced and approve them first. The central team reads them after the quarter ends, among words from "
            "at least 5 sites, never with your site's name."
        ),
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the central team can read what helped, with names taken out"},
    )

    def __init__(self, *args: Any, may_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_share:
            del self.fields["share_what_helped"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("share_what_helped") and not cleaned.get("what_helped", "").strip():
            self.add_error("share_what_helped", "Write what helped, or select no: there are no words to share")
        return cleaned


# Planned sessions ----------------------------------------------------------------------------------------------

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


# Chemistry conversations and changes of enabler ---------------------------------------------------------------

CHANGE_WORDS_LIMIT = 2000  # the action's limit (engagements.actions.changes.WORDS_AT_MOST)


def _proposal_label(proposal: Proposal) -> str:
    return str(proposal.enabler)


class ChemistryAskForm(forms.Form):
    """The site's lead chooses which of the proposed enablers to talk with before choosing."""

    proposals = ModelMultipleChoiceField(
        label="Who would you like to talk with first?",
        help_text="Each enabler you tick is asked to offer times for a short conversation. You choose afterwards.",
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one enabler to talk with",
            "invalid_choice": "Choose from the enablers proposed to you",
            "invalid_pk_value": "Choose from the enablers proposed to you",
        },
    )

    def __init__(self, *args: Any, proposals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ModelMultipleChoiceField, self.fields["proposals"])
        field.queryset = proposals
        field.label_from_instance = _proposal_label  # type: ignore[method-assign,assignment]


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
