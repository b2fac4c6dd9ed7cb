"""Who a person is to Alongside as a whole, asked here and nowhere else: signed in and active, the central team,
and who reads what the central team reads. Each app's own access module (sites, engagements, lessons) builds on it.

Superusers (administrators): they run the service through the Django admin. They **read** what the central team
reads (the site directory, every request's and engagement's summary, the programme overview, the library), so that
they can answer an operator's question, but they do not **act** for the central team: only a programme lead works
the queue, proposes enablers, adds themes and subscribes to the digest. Neither reads a private note, ever.
(docs/architecture.md)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

M = TypeVar("M", bound=Model)
QS = TypeVar("QS", bound=QuerySet[Any])
View = Callable[..., HttpResponse]


def is_active_person(user: User | AnonymousUser) -> bool:
    """Signed in with an account that is active: nobody else sees any record at all."""
    return bool(user.is_authenticated and user.is_active)


def is_central_team(user: User | AnonymousUser) -> bool:
    """A programme lead: acts for the central team (the queue, proposals, themes, the digest)."""
    return is_active_person(user) and bool(getattr(user, "is_programme_lead", False))


def sees_every_site(user: User | AnonymousUser) -> bool:
    """Reads what the central team reads: every site's profile, every request's and engagement's summary, the
    overview. The central team and superusers (see above); never what sites wrote, never a private note."""
    return is_active_person(user) and bool(user.is_programme_lead or user.is_superuser)  # type: ignore[union-attr]


def visible(queryset: QS, user: User | AnonymousUser, own: Callable[[QS], QS], *, centre_sees_all: bool = True) -> QS:
    """The one preamble of every `visible_to`: an anonymous or deactivated person sees nothing; those who see every
    site see every row (unless `centre_sees_all` is off, for rows that are the parties' alone); anyone else sees
    what `own` keeps of the queryset."""
    if not is_active_person(user):
        return queryset.none()
    if centre_sees_all and sees_every_site(user):
        return queryset.all()
    return own(queryset)


def gate(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """A view decorator: the view answers 404 to anyone for whom `allowed(user)` is false."""

    def decorator(view: View) -> View:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise Http404  # as for any record one may not see: its existence does not leak
            return view(request, *args, **kwargs)

        return gated

    return decorator


central_team_required = gate(is_central_team)
central_team_required.__doc__ = "A page of the central team's work: a programme lead's, 404 for anyone else."
sees_every_site_required = gate(sees_every_site)
sees_every_site_required.__doc__ = "A page of what the central team reads: 404 for anyone who does not see it."


def person_of(request: HttpRequest) -> User:
    """The signed-in person of a request that only a signed-in person reaches (the admin, a page behind log-in)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
