from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from frontend.forms import ModelMultipleChoiceField
from frontend.widgets import DateField
from sites.models import Region, Site

from .models import Agreement, Approach, Diagnostic, EnablerProfile, Engagement, Offer, Sector, Session
from .models.support import EnablerProfileQuerySet
from .notes import NOTE_LIMIT

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


# The first of Alongside's programmes (the Integrated Care Pioneers) began in 2013: no figures before it.
PROGRAMMES_BEGAN = datetime.date(2013, 1, 1)


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


class SessionForm(forms.Form):
    """A session, with an optional private note (for the enabler alone) and an optional action (for both)."""

    held_on = DateField(
        label="Date of the session",
        help_text="For example, 3 11 2026",
        latest=_today,
        too_early="The date of the session must be {date} or later",
        too_late="The date of the session must be today or earlier: a session is logged once it has happened",
    )
    length = forms.DecimalField(
        label="Length",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        min_value=Decimal("0.1"),
        max_value=Decimal("24"),
        decimal_places=1,
        error_messages={
            "required": "Enter how long the session was",
            "invalid": "Enter the length as a number, like 1.5",
            "min_value": "The length must be more than zero",
            "max_value": "The length must be 24 or less",
            "max_decimal_places": "Use at most one decimal place, like 1.5",
        },
    )
    format = forms.ChoiceField(
        label="Format",
        choices=Session.Format.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the format of the session"},
    )
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

    def __init__(self, *args: Any, engagement: Engagement, owners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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


class PeriodForm(forms.Form):
    start = DateField(
        label="From",
        required=False,
        earliest=PROGRAMMES_BEGAN,
        too_early="The period must start on {date} or later, when the first of these programmes began",
    )
    end = DateField(
        label="To",
        required=False,
        earliest=PROGRAMMES_BEGAN,
        latest=_years_from_today(1),
        too_early="The period must end on {date} or later, when the first of these programmes began",
        too_late="The period must end within the next year, on {date} or earlier",
    )

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        # The year before the end, or from the first day there is when the end is in year 1.
        start = data.get("start") or end - min(datetime.timedelta(days=365), end - datetime.date.min)
        return start, end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period must be after its start")
        elif data.get("start") and not data.get("end") and data["start"] > timezone.localdate():
            self.add_error("start", "The start of the period must be today or earlier")
        return data
