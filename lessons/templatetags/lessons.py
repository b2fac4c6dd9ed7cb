from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lessons.models import Lesson

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from engagements.models import Offer

register = template.Library()
_PLACEHOLDER = re.compile(r"\[(?:an?|the) [^\]]{1,40}\]")


@register.filter
def placeholders_marked(text: str) -> SafeString:
    """The anonymised text with every replacement highlighted, so its author can check each one."""
    escaped = escape(text)
    marked = _PLACEHOLDER.sub(lambda m: f'<mark class="alongside-placeholder">{m.group()}</mark>', escaped)
    # Safe markup on purpose (ruff S308, bandit B308/B703): escaped first; only <mark> and <br> are added after.
    return mark_safe(marked.replace("\n", "<br>"))  # noqa: S308  # nosec B308, B703


@register.simple_tag
def lessons_behind(offer: Offer, user: User | AnonymousUser) -> list[Lesson]:
    """The published lessons the central team cited as shaping an offer, as this person's library shows them."""
    return list(Lesson.objects.in_library_for(user).filter(shaped_offers=offer).only("pk", "title").order_by("title"))
