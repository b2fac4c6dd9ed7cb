"""Who a person is to an engagement, asked here and nowhere else: its enabler, a party (the enabler or a member
of its site), one who steers it (the enabler or the site's lead).

"Which engagements?" is the QuerySet's question (`Engagement.objects.working_with(user)`, the same rule in SQL);
"is this person one of them?" is this module's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.access import is_active_person
from sites import access as site_access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models import Engagement


def is_enabler_of(user: User | AnonymousUser, engagement: Engagement) -> bool:
    return is_active_person(user) and engagement.enabler_id == user.pk


def role_at_site(user: User | AnonymousUser, engagement: Engagement) -> str | None:
    """The person's role at the engagement's site: read from the query when it asked for it
    (`Engagement.objects.with_site_role_of(user)`), else one query."""
    if not is_active_person(user):
        return None
    if hasattr(engagement, "site_role"):
        return engagement.site_role
    return site_access.site_role(user, engagement.site_id)


def is_party(user: User | AnonymousUser, engagement: Engagement) -> bool:
    """One of the two parties, who alone see the agreement, the diagnostic, sessions and shared notes: its enabler
    or a member of its site. The same rule as `Engagement.objects.working_with`."""
    return is_enabler_of(user, engagement) or role_at_site(user, engagement) is not None


def is_site_member_of(user: User | AnonymousUser, engagement: Engagement) -> bool:
    return role_at_site(user, engagement) is not None


def is_site_lead_of(user: User | AnonymousUser, engagement: Engagement) -> bool:
    return site_access.is_lead_role(role_at_site(user, engagement))


def steers(user: User | AnonymousUser, engagement: Engagement) -> bool:
    """Pauses, resumes and closes the engagement, and reads who looked at its records: the enabler or the site's
    lead."""
    return is_enabler_of(user, engagement) or is_site_lead_of(user, engagement)


def parties(engagement: Engagement) -> list[User]:
    """The people on both sides of an engagement: the enabler and the site's members."""
    return [engagement.enabler, *site_access.site_members(engagement.site_id)]


def keeps_private_notes(user: User | AnonymousUser) -> bool:
    """An enabler: the one role that writes private notes, and so the one that sets up a notes passphrase."""
    roles = getattr(user, "roles", None)  # an anonymous visitor has none
    return is_active_person(user) and roles is not None and roles.is_enabler
