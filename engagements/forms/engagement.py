"""The engagement's forms: the agreement, the diagnostic and sharing it, closing, and extra days."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from accounts.models import User
from frontend.widgets import DateField
from sites.models import Site

from ..models import Agreement, Diagnostic
from .common import TEXT_LIMIT, YEARS_AHEAD, _text, _today, _years_from_today


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
