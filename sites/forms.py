from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.db.models import Q, QuerySet

from .actions import ORGANISATION_FIELDS, SITE_FIELDS
from .models import Organisation, Programme, Region, Site, SiteQuerySet

Record = TypeVar("Record", Organisation, Site)
NAMES_LIMIT = 200


def _one_line(name: str) -> str:
    """A regular expression for `name` alone on one line of a text of names (an organisation's other names)."""
    return rf"(^|\n)[ \t]*{re.escape(name)}[ \t]*(\r?\n|$)"


def organisations_called(names: Sequence[str]) -> dict[str, Organisation]:
    """The organisations those names are, by name or by another name, whatever their case (keys casefolded)."""
    wanted = {name.casefold() for name in names}
    found: dict[str, Organisation] = {}
    by_name = Q()
    for name in names:
        by_name |= Q(name__iexact=name) | Q(aliases__iregex=_one_line(name))
    for organisation in Organisation.objects.filter(by_name).only("name", "aliases", "sector"):
        for name in (organisation.name, *organisation.alias_list):
            if name.casefold() in wanted:
                found.setdefault(name.casefold(), organisation)
    return found


def sites_called(names: Sequence[str]) -> dict[str, Site]:
    by_name = Q()
    for name in names:
        by_name |= Q(name__iexact=name)
    return {site.name.casefold(): site for site in Site.objects.filter(by_name).only("name")}


class NamesField(forms.CharField):
    """Records chosen by name, one a line, as a spreadsheet import names them. A list of checkboxes cannot hold a
    programme's 20,000 organisations or 10,000 sites; a box of names can, and says which names it does not know."""

    def __init__(self, *, find: Callable[[Sequence[str]], dict[str, Any]], noun: str, **kwargs: Any) -> None:
        self.find, self.noun = find, noun
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}))
        super().__init__(required=False, max_length=NAMES_LIMIT * 210, **kwargs)

    def clean(self, value: Any) -> list[Any]:  # records, not the text
        text = super().clean(value)
        names = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        if len(names) > NAMES_LIMIT:
            raise forms.ValidationError(f"Give no more than {NAMES_LIMIT} {self.noun}s, one a line")
        if any(len(name) > 200 for name in names):
            raise forms.ValidationError(f"Each {self.noun}'s name must be 200 characters or fewer")
        found = self.find(names) if names else {}
        missing = [name for name in names if name.casefold() not in found]
        if missing:
            listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise forms.ValidationError(f"There is no {self.noun} called {listed}: check the spelling, one a line")
        return list({record.pk: record for record in (found[name.casefold()] for name in names)}.values())


def names_of(records: Sequence[Organisation] | Sequence[Site]) -> str:
    return "\n".join(sorted(record.name for record in records))


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
    partners = NamesField(
        label="Partner organisations (optional)",
        help_text="One a line: each organisation's name, or another name people use for it.",
        find=organisations_called,
        noun="organisation",
    )

    def __init__(self, *args: Any, site: Site | None = None, **kwargs: Any) -> None:
        if site is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(site, name) for name in SITE_FIELDS},
                    "programme": site.programme_id,
                    "partners": names_of(list(site.partners.all())),
                },
            )
        super().__init__(*args, **kwargs)
        self.site = site

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
    sites = NamesField(
        label="Sites it is a partner of (optional)",
        help_text="One a line: each site's name.",
        find=sites_called,
        noun="site",
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        if organisation is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(organisation, name) for name in ORGANISATION_FIELDS},
                    "sites": names_of(list(organisation.sites.all())),
                },
            )
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def _others(self) -> QuerySet[Organisation]:
        organisations = Organisation.objects.all()
        return organisations.exclude(pk=self.organisation.pk) if self.organisation else organisations

    def _clash(self, name: str) -> Organisation | None:
        """Another organisation already called `name`, by its name or one of its other names (any case)."""
        candidates = (
            self._others().filter(Q(name__iexact=name) | Q(aliases__iregex=_one_line(name))).only("name", "aliases")
        )
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
