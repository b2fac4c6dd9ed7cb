"""Planning's pages: plan one session or a rhythm of them, move or cancel one, end a series.

For the two who steer an engagement (its enabler and the site's lead); anyone else, the site's other people
included, gets 404 here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Case, F, QuerySet, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.dates import LONDON
from frontend.forms import chosen, posted
from sites import access as site_access

from .. import access
from ..actions.planning import (
    budget_warning,
    cancel_planned_session,
    end_series,
    move_planned_session,
    plan_series,
    plan_session,
    planned_days,
)
from ..forms.planning import MovePlannedSessionForm, PlannedSessionForm
from ..models import Engagement, Offer, PlannedSession, Session

# The engagement page lists this many planned sessions to come, and as many of those past that wait to be logged.
ON_THE_PAGE = 20


def _steered_planned(request: AuthenticatedHttpRequest, pk: int) -> PlannedSession:
    planned = get_object_or_404(
        PlannedSession.objects.visible_to(request.user).select_related(
            "engagement__site", "engagement__offer", "engagement__enabler", "series"
        ),
        pk=pk,
    )
    if not access.steers(request.user, planned.engagement):
        raise Http404
    return planned


def _plan(engagement: Engagement, by: User, form: PlannedSessionForm) -> str:
    """Plans what the form says, once or as a series; says what was planned."""
    data = form.cleaned_data
    common: dict[str, Any] = {
        "engagement": engagement,
        "by": by,
        "length": data["length"],
        "format": data["format"],
        "invitees": list(data["invitees"]),
        **form.where(),
    }
    if form.repeats:
        first = common.pop("starts_at")
        series = plan_series(first_starts_at=first, frequency=data["repeat"], until=data["until"], **common)
        return f"{series.occurrences.count()} sessions are planned. Everyone invited has been sent the invitation."
    plan_session(**common)
    return "The session is planned. Everyone invited has been sent the invitation."


def planned_session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = access.engagement_for(
        request.user, pk, as_=access.As.ONE_WHO_STEERS, related=("site", "offer", "enabler")
    )
    members = site_access.site_members(engagement.site_id)
    form = PlannedSessionForm(posted(request), engagement=engagement, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            done = _plan(engagement, request.user, form)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, done)
            if warning := budget_warning(engagement):
                messages.warning(request, warning)
            return redirect("engagements:engagement_detail", pk=pk)
    return render(request, "engagements/planned_session_create.html", {"form": form, "engagement": engagement})


def planned_session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move this one session (a new date, time or place); the page also cancels it, or ends its series."""
    planned = _steered_planned(request, pk)
    engagement = planned.engagement
    if planned.is_cancelled or planned.is_logged:
        messages.info(request, "That session was cancelled or has been logged, so it can no longer be changed.")
        return redirect("engagements:engagement_detail", pk=engagement.pk)
    members = site_access.site_members(engagement.site_id)
    form = MovePlannedSessionForm(posted(request), planned=planned, members=members)
    if request.method == "POST" and form.is_valid():
        invitees = list(form.cleaned_data["invitees"]) if "invitees" in form.fields else None
        try:
            move_planned_session(planned=planned, by=request.user, invitees=invitees, **form.where())
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "The session is changed. Everyone invited has been sent the new time.")
            return redirect("engagements:engagement_detail", pk=engagement.pk)
    context = {"form": form, "planned": planned, "engagement": engagement}
    return render(request, "engagements/planned_session_edit.html", context)


@require_POST
def planned_session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    planned = _steered_planned(request, pk)
    try:
        cancel_planned_session(planned=planned, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, "The session is cancelled. Everyone invited has been told.")
    return redirect("engagements:engagement_detail", pk=planned.engagement_id)


@require_POST
def series_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ends the series this occurrence belongs to: the sessions still to come are cancelled, those held stay."""
    planned = _steered_planned(request, pk)
    if planned.series is None:
        messages.error(request, "This session is not part of a series.")
        return redirect("engagements:engagement_detail", pk=planned.engagement_id)
    try:
        cancelled = end_series(series=planned.series, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"The series has ended: {cancelled} sessions still to come are cancelled.")
    return redirect("engagements:engagement_detail", pk=planned.engagement_id)


# For the engagement page and the session form ---------------------------------------------------------------


def on_the_page(user: User, engagement: Engagement) -> QuerySet[PlannedSession]:
    """In one query: the next planned sessions to come and the latest past ones waiting to be logged, up to
    ON_THE_PAGE of each, soonest first. Cancelled and logged ones are not listed."""
    now = timezone.now()
    past_first = Case(When(starts_at__lt=now, then=F("starts_at")), default=None)
    nearest = (
        PlannedSession.objects.visible_to(user)
        .filter(engagement=engagement)
        .live()
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[Case(When(starts_at__lt=now, then=True), default=False)],
                order_by=[past_first.desc(nulls_last=True), F("starts_at").asc(), F("pk").asc()],
            )
        )
    )
    return nearest.filter(position__lte=ON_THE_PAGE).select_related("series").order_by("starts_at", "pk")


def to_log(user: User, engagement: Engagement, submitted: object) -> PlannedSession | None:
    """The planned session named in the session form's address (`?planned=`), if it is this engagement's and may
    be logged now; None for anything else."""
    planned = chosen(
        PlannedSession.objects.visible_to(user).filter(engagement=engagement).prefetch_related("invitees"), submitted
    )
    return planned if planned is not None and planned.may_be_logged() else None


def session_initial(planned: PlannedSession) -> dict[str, Any]:
    """The session form as the planned session says it was: its day, length, format and place; who took part by
    role (the invitees' job titles), never by name."""
    titles = sorted({person.job_title.strip() for person in planned.invitees.all() if person.job_title.strip()})
    place = Session.Place.ON_SITE if planned.place == PlannedSession.Place.ON_SITE else Session.Place.REMOTE
    return {
        "held_on": timezone.localtime(planned.starts_at, LONDON).date(),
        "length": planned.days if planned.days is not None else planned.hours,
        "format": planned.format,
        "place": place,
        "participants": ", ".join(titles)[:500],
    }


def page_context(user: User, engagement: Engagement, *, working_with: bool) -> dict[str, Any]:
    """What the engagement page shows of the plans: for the two parties only. The central team sees none of it,
    not even that there are plans (its counts are in the overview)."""
    if not working_with:
        return {}
    now = timezone.now()
    listed = list(on_the_page(user, engagement))
    upcoming = [planned for planned in listed if planned.starts_at >= now]
    in_days = engagement.offer.cadence == Offer.Cadence.ON_SITE_DAYS
    days = planned_days(engagement) if in_days else None
    return {
        "upcoming": upcoming,
        "next_session": upcoming[0] if upcoming else None,
        "waiting_to_be_logged": [planned for planned in listed if planned.starts_at < now],
        "days_planned": None if days is None else _days_planned(engagement, days),
        "days_warning": budget_warning(engagement) if in_days else None,
    }


def _days(days: Decimal) -> str:
    return f"{days.normalize():f} day{'' if days == 1 else 's'}"


def _days_planned(engagement: Engagement, days: Decimal) -> str:
    """ "2 days planned, not yet logged: 3 days with those used, of 5 available", beside the days used."""
    words = f"{_days(days)} planned, not yet logged"
    available = engagement.days_available
    if available is None:
        return words
    return f"{words}: {_days(days + engagement.days_used)} with those used, of {available.normalize():f} available"
