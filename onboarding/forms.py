"""The forms of bringing a programme on board: invitations, programme years and offers, and the import upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.http import QueryDict

from accounts.forms import NormalisedEmailField
from accounts.models import User
from engagements.models import Offer
from frontend.forms import ModelMultipleChoiceField
from lessons.models import Lesson
from sites.models import Programme

from . import imports
from .models import ImportJob, Invitation

ROLES_THE_CENTRE_INVITES = [
    (Invitation.Role.ENABLER, "Enabler: works one to one with sites"),
    (Invitation.Role.PROGRAMME_LEAD, "Programme lead: a member of the central team"),
]


class SiteInviteForm(forms.Form):
    """Who is invited: the address the link goes to, and the name the account starts with. A site's lead invites
    a member with it; the central team, a lead of the site."""

    email = NormalisedEmailField(
        label="Email address",
        max_length=254,
        help_text="Their work address: the invitation link goes there.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.nhs.uk",
        },
    )
    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter their full name"})
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)

    def clean_email(self) -> str:
        """Normalised, and refused with hidden characters or two alphabets (NormalisedEmailField), or when it looks
        like the address of someone already in Alongside without being it (accounts.addresses)."""
        email = self.cleaned_data["email"]
        if len(email) > 254:  # some letters grow when lowered ("İ" is two characters in lower case)
            raise forms.ValidationError("Enter an email address of 254 characters or fewer")
        refusal = User.objects.address_refusal(email)
        if refusal:
            raise forms.ValidationError(refusal)
        return email

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError("Enter their full name")
        return name


class InviteForm(SiteInviteForm):
    """The central team invites an enabler or another programme lead. A site's lead is invited from the site."""

    role = forms.ChoiceField(
        label="Invite them as",
        choices=ROLES_THE_CENTRE_INVITES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to invite them as"},
    )


class AcceptInvitationForm(SetPasswordForm):
    """The person sets the password of their new account (the same rules as everywhere in Alongside)."""


class ProgrammeForm(forms.Form):
    """A new programme year, such as Vanguard 2015/16."""

    kind = forms.ChoiceField(
        label="Programme",
        choices=Programme.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the programme"},
    )
    year = forms.IntegerField(
        label="The year it starts",
        help_text="For example, 2015 for the 2015/16 programme year.",
        min_value=2010,
        max_value=2100,
        error_messages={"required": "Enter the year it starts", "invalid": "Enter a year, like 2015"},
    )
    description = forms.CharField(
        label="About this programme year (optional)", widget=forms.Textarea, required=False, max_length=5000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind")
            and data.get("year")
            and Programme.objects.filter(kind=data["kind"], year=data["year"]).exists()
        ):
            raise forms.ValidationError(f"{Programme(kind=data['kind'], year=data['year'])} exists already")
        return data


class OfferForm(forms.Form):
    """An offer of a programme year: what it includes, how often, how many days, and the lessons that shaped it."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the offer's name"})
    description = forms.CharField(
        label="What it includes",
        widget=forms.Textarea,
        max_length=5000,
        help_text="Sites read this when they decide whether to ask for support.",
        error_messages={"required": "Say what the offer includes"},
    )
    provider = forms.CharField(
        label="Provider organisation", max_length=200, error_messages={"required": "Enter who provides it"}
    )
    cadence = forms.ChoiceField(
        label="Cadence",
        choices=Offer.Cadence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the support happens"},
    )
    day_allowance = forms.DecimalField(
        label="Day allowance (optional)",
        help_text="Days of support funded for each site. Leave it blank for none.",
        required=False,
        min_value=0,
        max_value=999,
        max_digits=4,
        decimal_places=1,
        error_messages={"invalid": "Enter a number of days, like 5 or 2.5"},
    )
    starts_with_diagnostic = forms.BooleanField(label="It starts with the site's own diagnostic", required=False)
    lessons = ModelMultipleChoiceField(
        label="Lessons that shaped it (optional)",
        help_text=(
            "Published lessons from earlier programmes; sites see them beside the offer. The newest are listed: "
            "find others by a word of their title above."
        ),
        queryset=Lesson.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    SHOWN = 30

    def __init__(self, *args: Any, find: str = "", **kwargs: Any) -> None:
        """`find` narrows the lessons listed to those whose title has it. Any published lesson may be cited, but a
        library of 200,000 cannot be a list of checkboxes: the list shows the newest SHOWN that match, and every
        lesson already cited or ticked."""
        super().__init__(*args, **kwargs)
        published = Lesson.objects.published()
        field = self.fields["lessons"]
        field.queryset = published  # type: ignore[attr-defined]  # what may be chosen
        matching = published.filter(title__icontains=find.strip()) if find.strip() else published
        shown = set(matching.order_by("-published_at", "-pk").values_list("pk", flat=True)[: self.SHOWN])
        ticked = self.data.getlist("lessons") if isinstance(self.data, QueryDict) else self.initial.get("lessons", [])
        shown |= {int(pk) for pk in ticked if str(pk).isdecimal() and len(str(pk)) < 10}
        listed = published.filter(pk__in=shown).select_related("programme").order_by("title", "pk")
        field.widget.choices = [(lesson.pk, f"{lesson.title} ({lesson.programme})") for lesson in listed]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the offer's name")
        return name


class ImportUploadForm(forms.Form):
    """A CSV or Excel file of one kind of record, to check (a dry run) before anything is saved. A file that is not
    a table of that kind is refused here, with what is wrong and how to put it right."""

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportJob.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file holds"},
    )
    file = forms.FileField(
        label="The file",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx), with a header row.",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty: choose another one"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        if upload.size > settings.IMPORT_MAX_BYTES:
            self.add_error("file", imports.too_large(upload.size))
            return cleaned
        content = upload.read()
        try:
            imports.read_in_request(kind=kind, filename=upload.name or "", content=content)
        except imports.ImportProblem as problem:
            self.add_error("file", str(problem))
            return cleaned
        cleaned["content"] = content
        return cleaned
