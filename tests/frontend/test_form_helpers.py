"""The helpers every app's forms share refuse ids that are not ids, however they are written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontend.forms import ModelMultipleChoiceField, chosen
from lessons.models import Theme

NOT_IDS = ["abc", "1.5", "1\x00", str(2**63), str(10**30), "-1", "", None, ["1", "2"]]


@pytest.mark.parametrize("submitted", NOT_IDS)
def test_chosen_is_none_for_anything_that_is_not_an_id_of_the_records(themes: list[Theme], submitted: object) -> None:
    assert chosen(Theme.objects.all(), submitted) is None


def test_chosen_is_the_record_whose_id_was_submitted(themes: list[Theme]) -> None:
    assert chosen(Theme.objects.all(), str(themes[1].pk)) == themes[1]
    assert chosen(Theme.objects.exclude(pk=themes[1].pk), str(themes[1].pk)) is None


@pytest.mark.parametrize("too_large", [str(2**63), str(10**30), str(-(2**63) - 1)])
def test_an_id_the_database_cannot_hold_is_a_form_error(themes: list[Theme], too_large: str) -> None:
    """Found by fuzzing (tests/fuzz): Django asks SQLite for `id IN (2**63)`, and SQLite raises OverflowError."""
    field = ModelMultipleChoiceField(Theme.objects.all())

    with pytest.raises(ValidationError, match=f"“{too_large}” is not a valid value"):
        field.clean([str(themes[0].pk), too_large])


def test_ids_the_database_holds_are_the_records(themes: list[Theme]) -> None:
    field = ModelMultipleChoiceField(Theme.objects.all())

    assert list(field.clean([str(themes[0].pk), str(themes[1].pk)])) == sorted(themes[:2], key=lambda t: t.name)
