"""Who a person is to an engagement, asked here and nowhere else: its enabler, a party (the enabler or a member
of its site), one who steers it (the enabler or the site's lead).

"Which engagements?" is the QuerySet's question (`Engagement.objects.working_with(user)`, the same rule in SQL);
"is this person one of them?" is this module's. `engagement_for` asks both, as the one way a page gets an
engagement by its id.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import is_active_person
from sites import access as site_access

from .models import Engagement

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models.engagement import EngagementQuerySet


def is_enabler_of(user: User | AnonymousUser, engagement: Engagement) -> bool:
    return is_active_person(user) and engagement.enabler_id == user.pk


def role_at_site(user: User | AnonymousUser, engagement: Engagement) -> str | None:
    """The person's role at the engagement's site: read from the query when it asked for it
    (`Engagement.objects.with_site_role_of(user)`), else one query."""
    if not is_active_person(user):
        return None
    if getattr(engagement, "site_role_of", None) == user.pk:  # read for this person, not for someone else
        role: str | None = engagement.__dict__["site_role"]
        return role
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


# The one gate from an engagement's id to the engagement -----------------------------------------------------------


class As(enum.Enum):
    """Who a person must be to an engagement for one of its pages to answer them. Anyone else gets 404, never 403,
    so another site's engagements do not show that they exist."""

    ONE_WHO_SEES = "one who sees it"  # its state, dates and days: its site's people, its enabler, the central team
    PARTY = "party"  # its agreement, diagnostic, sessions and shared notes: its enabler and its site's people
    DIAGNOSTIC_READER = "diagnostic reader"  # the parties, and whoever the site's lead shares the diagnostic with
    ENABLER = "enabler"  # its enabler alone: logging sessions, private notes
    SITE_MEMBER = "site member"  # a member of its site, its lead included: giving feedback
    ONE_WHO_STEERS = "one who steers it"  # its enabler or its site's lead: planning, closing, the access log
    SITE_LEAD = "site lead"  # its site's lead: extra days, sharing the diagnostic


def _rows(as_: As, rows: EngagementQuerySet, user: User) -> EngagementQuerySet:
    """Which engagements the person may be given at all (the QuerySet's rule, in SQL)."""
    if as_ is As.ONE_WHO_SEES:
        return rows.visible_to(user)
    if as_ is As.DIAGNOSTIC_READER:
        return rows.diagnostic_readable_by(user)
    return rows.working_with(user)


# Of the engagements the rows above keep, the person must also be this (this module's rules, read without a query:
# the gate reads the person's role at the site with the engagement).
_ALSO: dict[As, Callable[[User, Engagement], bool]] = {
    As.ENABLER: is_enabler_of,
    As.SITE_MEMBER: is_site_member_of,
    As.ONE_WHO_STEERS: steers,
    As.SITE_LEAD: is_site_lead_of,
}


def engagement_for(
    user: User,
    pk: int,
    *,
    as_: As = As.PARTY,
    related: Sequence[str] = ("site", "offer"),
    rows: EngagementQuerySet | None = None,
) -> Engagement:
    """The engagement `pk` for this person, if they are `as_` to it; else Http404. In one query: with the
    `related` rows a page shows (select_related) and the person's role at its site, so asking this module about
    this person afterwards costs no query. `rows` starts from a queryset with the annotations a page needs."""
    start = Engagement.objects.all() if rows is None else rows
    engagement = get_object_or_404(
        _rows(as_, start, user).with_site_role_of(user).select_related(*related),
        pk=pk,
    )
    also = _ALSO.get(as_)
    if also is not None and not also(user, engagement):
        raise Http404
    return engagement
