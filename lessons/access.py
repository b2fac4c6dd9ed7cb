"""Who may read the library and who approves a lesson, asked here and nowhere else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from accounts.access import gate, is_active_person, sees_every_site
from engagements import access as engagement_access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from engagements.models import Feedback

    from .models import Lesson


def may_use_library(user: User | AnonymousUser) -> bool:
    """The library is for programme leads, enablers and sites' people (and administrators, who read what the
    central team reads). Read from the roles loaded with the person: no query."""
    if not is_active_person(user):
        return False
    if sees_every_site(user):
        return True
    roles = user.roles  # type: ignore[union-attr]
    return roles.is_site_member or roles.is_enabler


library_required = gate(may_use_library)


def consenting_party(user: User | AnonymousUser, lesson: Lesson) -> Literal["enabler", "site"] | None:
    """Who this person approves a lesson as: the engagement's enabler, the site's lead, or nobody."""
    if engagement_access.is_enabler_of(user, lesson.engagement):
        return "enabler"
    if engagement_access.is_site_lead_of(user, lesson.engagement):
        return "site"
    return None


def approves_shared_words(user: User | AnonymousUser, feedback: Feedback) -> bool:
    """Who approves the words of feedback the central team may read: its author, while a lead of the site (the
    words are the site's, shared only as its lead chose)."""
    return feedback.given_by_id == getattr(user, "pk", None) and engagement_access.is_site_lead_of(
        user, feedback.engagement
    )
