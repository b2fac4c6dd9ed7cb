from __future__ import annotations

from django import forms

from .models import Programme, Region, SiteQuerySet


class SiteFilterForm(forms.Form):
    """Narrow the site directory by name, programme and region."""

    q = forms.CharField(label="Site name", required=False, max_length=100)
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.all(), required=False, empty_label="All programmes"
    )
    region = forms.ChoiceField(label="Region", required=False, choices=[("", "All regions"), *Region.choices])

    def filter(self, sites: SiteQuerySet) -> SiteQuerySet:
        data = self.cleaned_data
        if data.get("q"):
            sites = sites.filter(name__icontains=data["q"].strip())
        if data.get("programme"):
            sites = sites.filter(programme=data["programme"])
        if data.get("region"):
            sites = sites.filter(region=data["region"])
        return sites
