from __future__ import annotations

from django import forms

from frontend.forms import ModelMultipleChoiceField
from frontend.widgets import QuickSelect

from .models import Lesson, Theme

BODY_LIMIT = 10_000
SEARCH_LIMIT = 200


class LessonForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What was learned, in a few words.",
        error_messages={"required": "Enter a title", "max_length": "The title must be 200 characters or fewer"},
    )
    body = forms.CharField(
        label="The lesson",
        help_text="Write freely: names of places, organisations and people are replaced before anyone else sees it, "
        "and you will see every replacement.",
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "Write the lesson",
            "max_length": f"The lesson must be {BODY_LIMIT:,} characters or fewer",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=Lesson.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the lesson is for"},
    )
    themes = ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme"},
    )


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "description"]
        error_messages = {"name": {"unique": "There is already a theme with that name"}}

    def clean_name(self) -> str:
        """The theme's address is made from its name, so two names that make one address are one theme, and a
        name without letters or digits of the English alphabet makes none."""
        name = self.cleaned_data["name"]
        slug = Theme.slug_for(name)
        if not slug:
            raise forms.ValidationError("Use some letters or numbers from A to Z or 0 to 9 in the name")
        if Theme.objects.filter(slug=slug).exists():
            raise forms.ValidationError("There is already a theme with that name")
        return name


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search the lessons",
        required=False,
        help_text='Words, or a "phrase in quotes". Use - before a word to leave it out.',
    )
    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=Theme.objects.all(),
        required=False,
        empty_label="All themes",
        to_field_name="slug",
        widget=QuickSelect,
    )
    audience = forms.ChoiceField(
        label="Audience", required=False, choices=[("", "Everyone"), *Lesson.Audience.choices], widget=QuickSelect
    )

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data.get("q", "").split())
        if len(query) > SEARCH_LIMIT:
            raise forms.ValidationError(f"Search for {SEARCH_LIMIT} characters or fewer")
        return query


class SharedWordsForm(forms.Form):
    """New words for what helped, from the check of shared words: approved again before the centre reads them."""

    what_helped = forms.CharField(
        label="What helped",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write what helped", "max_length": "Keep this to 2,000 characters or fewer"},
    )

    def clean_what_helped(self) -> str:
        words = self.cleaned_data["what_helped"].strip()
        if not words:
            raise forms.ValidationError("Write what helped")
        return words
