"""Close-out's forms: the close-out review of each goal, and a site's feedback on the support."""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import GoalReview

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
