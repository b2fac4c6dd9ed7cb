from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from frontend.forms import ModelMultipleChoiceField

from .actions import ORGANISATION_FIELDS, SITE_FIELDS
from .models import Organisation, Programme, Region, Site, SiteQuerySet


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


TEXT_LIMIT = 5000
ALIAS_LIMIT = 20


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"Number of {label}",
        initial=1,
        min_value=0,
        max_value=100,
        error_messages={
            "required": f"Enter the number of {label}",
            "invalid": f"Enter the number of {label} as a whole number, like 2",
            "min_value": f"The number of {label} must be between 0 and 100",
            "max_value": f"The number of {label} must be between 0 and 100",
        },
    )


def _organisation_label(organisation: Organisation) -> str:
    return f"{organisation.name} ({organisation.get_sector_display()})"


def _site_label(site: Site) -> str:
    return f"{site.name} ({site.get_region_display()})"


class SiteForm(forms.Form):
    """A site's profile and partners, as the central team adds or changes them (sites.actions does the change)."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the site's name", "max_length": "The name must be 200 characters or fewer"},
    )
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.all(),
        empty_label="Choose a programme",
        error_messages={"required": "Choose the programme", "invalid_choice": "Choose one of the programmes"},
    )
    region = forms.ChoiceField(
        label="Region",
        choices=[("", "Choose a region"), *Region.choices],
        error_messages={"required": "Choose the region", "invalid_choice": "Choose one of the regions"},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The description must be {TEXT_LIMIT:,} characters or fewer"},
    )
    council_count = _count("councils")
    commissioner_count = _count("CCGs or ICBs")
    boundaries_overlap = forms.BooleanField(
        label="The councils' and commissioners' boundaries overlap rather than match", required=False
    )
    partners = ModelMultipleChoiceField(
        label="Partner organisations (optional)",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose organisations from the list",
            "invalid_pk_value": "Choose organisations from the list",
        },
    )

    def __init__(self, *args: Any, site: Site | None = None, **kwargs: Any) -> None:
        if site is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(site, name) for name in SITE_FIELDS},
                    "programme": site.programme_id,
                    "partners": [organisation.pk for organisation in site.partners.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.site = site
        partners = cast(forms.ModelMultipleChoiceField, self.fields["partners"])
        partners.label_from_instance = _organisation_label  # type: ignore[method-assign,assignment]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Site.objects.exclude(pk=self.site.pk) if self.site else Site.objects.all()
        if others.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"A site called {name} exists already: give this one another name")
        return name

    def site_fields(self) -> dict[str, Any]:
        """The profile's fields, for sites.actions.create_site and update_site."""
        return {name: self.cleaned_data[name] for name in SITE_FIELDS}


class OrganisationForm(forms.Form):
    """A partner organisation, the other names people use for it, and the sites it is a partner of."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Choose a sector"), *Organisation.Sector.choices],
        error_messages={"required": "Choose the sector", "invalid_choice": "Choose one of the sectors"},
    )
    aliases = forms.CharField(
        label="Other names (optional)",
        help_text="The names people also use for it, one a line: for example, LB Islington.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The other names must be 2,000 characters or fewer in all"},
    )
    sites = ModelMultipleChoiceField(
        label="Sites it is a partner of (optional)",
        queryset=Site.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose sites from the list",
            "invalid_pk_value": "Choose sites from the list",
        },
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        if organisation is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(organisation, name) for name in ORGANISATION_FIELDS},
                    "sites": [site.pk for site in organisation.sites.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        sites = cast(forms.ModelMultipleChoiceField, self.fields["sites"])
        sites.label_from_instance = _site_label  # type: ignore[method-assign,assignment]

    def _others(self) -> QuerySet[Organisation]:
        organisations = Organisation.objects.all()
        return organisations.exclude(pk=self.organisation.pk) if self.organisation else organisations

    def _clash(self, name: str) -> Organisation | None:
        """Another organisation already called `name`, by its name or one of its other names (any case)."""
        one_line = rf"(^|\n)[ \t]*{re.escape(name)}[ \t]*(\r?\n|$)"
        candidates = self._others().filter(Q(name__iexact=name) | Q(aliases__iregex=one_line)).only("name", "aliases")
        wanted = name.casefold()
        return next(
            (
                organisation
                for organisation in candidates[:10]
                if organisation.name.casefold() == wanted or wanted in map(str.casefold, organisation.alias_list)
            ),
            None,
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = self._clash(name)
        if clash is not None:
            raise forms.ValidationError(_clash_message(name, clash))
        return name

    def clean_aliases(self) -> str:
        names = [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]
        if len(names) > ALIAS_LIMIT:
            raise forms.ValidationError(f"Give no more than {ALIAS_LIMIT} other names")
        if any(len(name) > 200 for name in names):
            raise forms.ValidationError("Each other name must be 200 characters or fewer")
        for name in names:
            clash = self._clash(name)
            if clash is not None:
                raise forms.ValidationError(_clash_message(name, clash))
        return Organisation.aliases_from(names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("name") and data.get("aliases"):  # its own name is no other name
            own = data["name"].casefold()
            data["aliases"] = Organisation.aliases_from(
                [alias for alias in data["aliases"].splitlines() if alias.casefold() != own]
            )
        return data

    def organisation_fields(self) -> dict[str, Any]:
        """The organisation's fields, for sites.actions.create_organisation and update_organisation."""
        return {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}


def _clash_message(name: str, clash: Organisation) -> str:
    if clash.name.casefold() == name.casefold():
        return f"{clash.name} is already an organisation: use another name, or edit that organisation"
    return f"{name} is already another name of {clash.name}: use another name, or edit {clash.name}"


class OrganisationFilterForm(forms.Form):
    """Narrow the list of organisations by a name or another name."""

    q = forms.CharField(label="Organisation name", required=False, max_length=100)

    def filter(self, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
        q = (self.cleaned_data.get("q") or "").strip()
        return organisations.filter(Q(name__icontains=q) | Q(aliases__icontains=q)) if q else organisations
