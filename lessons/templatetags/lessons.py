from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_PLACEHOLDER = re.compile(r"\[(?:an?|the) [^\]]{1,40}\]")


@register.filter
def placeholders_marked(text: str) -> SafeString:
    """The anonymised text with every replacement highlighted, so its author can check each one."""
    escaped = escape(text)
    marked = _PLACEHOLDER.sub(lambda m: f'<mark class="alongside-placeholder">{m.group()}</mark>', escaped)
    # Safe markup on purpose (ruff S308, bandit B308/B703): escaped first; only <mark> and <br> are added after.
    return mark_safe(marked.replace("\n", "<br>"))  # noqa: S308  # nosec B308, B703
