"""Small helpers every app's form views share."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict

Record = TypeVar("Record", bound=Model)


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on a POST, even an empty one (an empty POST is falsy, and must still be validated)."""
    return request.POST if request.method == "POST" else None


def chosen(records: QuerySet[Record], submitted: object) -> Record | None:
    """The record among `records` whose id was submitted outside a form (a button's value, an address's query), or
    None for anything else: nothing, another record's id, or text that is not an id at all."""
    try:
        return forms.ModelChoiceField(records, required=False).clean(submitted)
    except ValidationError:
        return None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an id the database cannot hold before asking for it: SQLite raises OverflowError
    for an id of 2**63 or more in the `IN (...)` query Django makes, where an unknown id must be a form error."""

    def clean(self, value: Any) -> QuerySet:
        value = self.prepare_value(value)
        if isinstance(value, list | tuple) and self.to_field_name is None:
            assert self.queryset is not None  # noqa: S101  (a ModelMultipleChoiceField always has one)
            key = self.queryset.model._meta.pk
            for submitted in value:
                try:
                    key.run_validators(key.to_python(submitted))
                except ValidationError:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": submitted}
                    ) from None
        return super().clean(value)
