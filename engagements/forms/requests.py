"""Requests' forms: a site's request for support, proposing enablers, declining them, asking to talk first."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from frontend.forms import ModelMultipleChoiceField
from frontend.widgets import DateField
from sites.models import Site

from ..models import EnablerProfile, Offer, Proposal
from ..models.requests import Approach
from .common import _text


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
