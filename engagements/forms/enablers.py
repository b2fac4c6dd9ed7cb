"""Enablers' forms: an enabler's own profile, the central team's view of it, and the pool's filter."""

from __future__ import annotations

from typing import Any

from django import forms

from frontend.forms import ModelMultipleChoiceField
from sites.models import Region

from ..models import EnablerProfile
from ..models.enablers import EnablerProfileQuerySet, Sector
from ..models.requests import Approach
from .common import TEXT_LIMIT


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
