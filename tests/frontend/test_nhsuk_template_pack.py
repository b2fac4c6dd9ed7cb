"""The crispy-forms pack renders forms as the NHS.UK design system shows them."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template import Context, Template

from frontend.widgets import DateField


class ExampleForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As colleagues know you")
    why_now = forms.CharField(label="Why now", widget=forms.Textarea)
    programme = forms.ChoiceField(label="Programme", choices=[("a", "Accelerate"), ("v", "Vanguard")])
    role = forms.ChoiceField(label="Role", choices=[("lead", "Lead"), ("member", "Member")], widget=forms.RadioSelect)
    sectors = forms.MultipleChoiceField(
        label="Sectors", choices=[("nhs", "NHS"), ("council", "Council")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    start = DateField(label="Start date", help_text="For example, 27 3 2027")


def render(form: forms.Form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def test_invalid_form_has_an_error_summary_linked_to_each_field() -> None:
    form = ExampleForm(data={})

    html = render(form)

    assert '<div class="nhsuk-error-summary"' in html
    for anchor in (
        "#id_name",
        "#id_why_now",
        "#id_programme",
        "#id_role_0",
        "#id_sectors_0",
        "#id_agree",
        "#id_start_day",
    ):
        assert f'href="{anchor}"' in html
        assert f'id="{anchor[1:]}"' in html


def test_field_error_sits_beside_the_field_and_is_announced() -> None:
    html = render(ExampleForm(data={"name": ""}))

    assert 'class="nhsuk-form-group nhsuk-form-group--error" id="div_id_name"' in html
    assert '<span class="nhsuk-error-message" id="id_name-error">' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'class="nhsuk-input nhsuk-input--error"' in html


def test_valid_parts_render_with_nhsuk_components() -> None:
    html = render(ExampleForm())

    assert 'class="nhsuk-hint" id="id_name-hint">As colleagues know you' in html
    assert 'class="nhsuk-textarea"' in html
    assert 'class="nhsuk-select"' in html
    assert 'class="nhsuk-radios__input"' in html
    assert 'class="nhsuk-checkboxes__input"' in html
    assert 'class="nhsuk-date-input"' in html
    assert "nhsuk-error-summary" not in html


def test_form_with_errors_keeps_what_was_typed() -> None:
    form = ExampleForm(
        data={
            "name": "Sam <b>",
            "role": "member",
            "sectors": ["council"],
            "start_day": "31",
            "start_month": "2",
            "start_year": "2027",
        }
    )

    html = render(form)

    assert 'value="Sam &lt;b&gt;"' in html
    assert 'value="member" checked' in html
    assert 'value="council" checked' in html
    assert 'name="start_day" type="text" inputmode="numeric" value="31"' in html
    assert "The date must be a real date" in html


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "", ""), "Enter the start date"),
        (("1", "", "2027"), "The date must include a month"),
        (("a", "3", "2027"), "The date must be written in numbers, for example 27 3 2026"),
        (("1", "3", "27"), "The year must include 4 numbers"),
        (("30", "2", "2027"), "The date must be a real date"),
    ],
)
def test_date_input_explains_each_mistake(parts: tuple[str, str, str], message: str) -> None:
    form = ExampleForm(data=dict(zip(("start_day", "start_month", "start_year"), parts, strict=True)))

    assert not form.is_valid()
    assert form.errors["start"] == [message]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("²", "3", "2027"), "The date must be written in numbers, for example 27 3 2026"),
        (("1", "3", "２０２７²"), "The date must be written in numbers, for example 27 3 2026"),
        (("99999999999999999999", "3", "2027"), "The date must be a real date"),
        (("1", "9" * 5000, "2027"), "The date must be a real date"),
        (("1", "3", "0000"), "The date must be a real date"),
    ],
)
def test_date_input_refuses_numbers_no_date_is_made_of(parts: tuple[str, str, str], message: str) -> None:
    """Found by fuzzing (tests/fuzz): a superscript digit passed as a digit and a day of 20 or 5,000 figures
    reached int() and date(); each was a server error instead of this message."""
    form = ExampleForm(data=dict(zip(("start_day", "start_month", "start_year"), parts, strict=True)))

    assert not form.is_valid()
    assert form.errors["start"] == [message]


@pytest.mark.parametrize(
    ("parts", "day"),
    [
        (("07", "03", "2027"), datetime.date(2027, 3, 7)),
        (("007", "0003", "2027"), datetime.date(2027, 3, 7)),
        (("٢٧", "٣", "٢٠٢٧"), datetime.date(2027, 3, 27)),
        (("27", "3", "２０２７"), datetime.date(2027, 3, 27)),  # noqa: RUF001 - full-width digits are the point
    ],
)
def test_date_input_reads_leading_zeros_and_the_digits_of_other_scripts(
    parts: tuple[str, str, str], day: datetime.date
) -> None:
    form = ExampleForm(data=dict(zip(("start_day", "start_month", "start_year"), parts, strict=True)))

    form.is_valid()

    assert form.cleaned_data["start"] == day


def test_date_input_accepts_a_real_date() -> None:
    form = ExampleForm(data={"start_day": "27", "start_month": "3", "start_year": "2027"})

    form.is_valid()

    assert form.cleaned_data["start"] == datetime.date(2027, 3, 27)


def test_an_optional_date_left_empty_is_no_date() -> None:
    class OptionalDate(forms.Form):
        start = DateField(label="Start date", required=False)

    form = OptionalDate(data={})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] is None
