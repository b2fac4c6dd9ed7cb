"""Template tags that render Django form fields with NHS.UK frontend markup (used by the crispy pack)."""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
from pathlib import Path
from typing import Any

from django import forms, template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.forms.boundfield import BoundField
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontend.dates import long_date
from frontend.widgets import DateInput

register = template.Library()

_INPUT_CLASS = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
}


@register.filter
def nhsuk_kind(field: BoundField) -> str:
    """Which NHS.UK component shows this field."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, DateInput):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.filter
def nhsuk_describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def nhsuk_error_anchor(field: BoundField) -> str:
    """The id of the first control of a field, for the error summary's link."""
    kind = nhsuk_kind(field)
    if kind in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    if kind == "date":
        return f"{field.auto_id}_day"
    return field.auto_id


@register.simple_tag
def nhsuk_widget(field: BoundField) -> SafeString:
    """The field's control with NHS.UK classes, error state and aria-describedby."""
    widget = field.field.widget
    base = next((css for kind, css in _INPUT_CLASS.items() if isinstance(widget, kind)), "nhsuk-input")
    classes = [base, widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    attrs: dict[str, Any] = {"class": " ".join(c for c in classes if c)}
    describedby = nhsuk_describedby(field)
    if describedby:
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.simple_tag
def nhsuk_date_parts(field: BoundField) -> list[dict[str, Any]]:
    """Day, month and year boxes with what was typed, so a rejected date keeps the user's input."""
    value = field.value()
    if not isinstance(value, list | tuple):
        value = field.field.widget.decompress(value)
    parts = []
    for (suffix, width), part in zip((("day", 2), ("month", 2), ("year", 4)), value, strict=True):
        parts.append(
            {
                "name": f"{field.html_name}_{suffix}",
                "id": f"{field.auto_id}_{suffix}",
                "label": suffix.capitalize(),
                "value": "" if part is None else part,
                "width": width,
            }
        )
    return parts


@register.filter
def nhsuk_checked(choice: Any) -> bool:
    return bool(choice.data.get("selected"))


@register.inclusion_tag("_breadcrumbs.html")
def breadcrumbs(*pairs: str) -> dict[str, Any]:
    """`{% breadcrumbs "Home" "home" "Site directory" "sites:site_list" %}`: text then URL name, for each step."""
    from django.urls import reverse

    crumbs = [(pairs[i], reverse(pairs[i + 1])) for i in range(0, len(pairs) - 1, 2)]
    return {"crumbs": crumbs}


@register.filter
def day(value: datetime.date | None) -> str:
    """A date as the NHS.UK style guide writes it, "26 November 2026" (frontend.dates)."""
    return long_date(value)


def _integrity(path: str) -> str:
    """Computed afresh while developing, when the file may have just changed; once a process otherwise."""
    return _integrity_of(path) if settings.DEBUG else _integrity_cached(path)


@functools.cache
def _integrity_cached(path: str) -> str:
    return _integrity_of(path)


def _integrity_of(path: str) -> str:
    """The sha384 Subresource Integrity of one of Alongside's own static files: read once a process, from the
    collected files where they are served from, else from where `collectstatic` finds them (development, tests)."""
    found = finders.find(path)
    source = Path(found) if isinstance(found, str) else None
    if source is None or not source.is_file():
        source = Path(settings.STATIC_ROOT) / path
    digest = hashlib.sha384(source.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


@register.simple_tag
def script_with_integrity(path: str) -> SafeString:
    """A `<script>` of Alongside's own static file with its Subresource Integrity: a browser runs it only if it is
    byte for byte the file this server holds (the private notes' key handling is one)."""
    return format_html('<script src="{}" integrity="{}" defer></script>', static(path), _integrity(path))
