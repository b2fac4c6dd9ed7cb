"""The programme overview: figures for planning that cannot rank, judge or single out a site or an enabler.

Every figure is grouped by programme or by offer, never by site or enabler. Any count of fewer than five sites,
engagements or responses is shown as "fewer than 5", and so is a second figure wherever the first could otherwise
be worked out by subtracting from a total (`suppress_column`, `suppress_parts`). Sites' own words ("what helped")
are shown only when they come from at least five different sites and five responses in the period, each passed
through the lessons' anonymiser against the registry, sorted by their anonymised text, so a narrow period can
never show one site's words, and no name or place survives. Aggregates are read from
engagements and requests (days are kept on the engagement), so the page never scans the session log.

Planned sessions are counted by programme only (never by offer, site or enabler): those planned to take place in
the period and not cancelled, and how many of them were held (logged). Each count reads "fewer than 5" when it is
under five or comes from fewer than five sites; nothing of a planned session but its programme, its site (to count
sites) and whether it was logged is read.

Close-out reviews are counted the same way, by programme only: of the goals in reviews recorded in the period, how
many were met, partly met and not yet met. Each count reads "fewer than 5" when it is under five or comes from fewer
than five sites, and the parts are suppressed so that none can be worked out from the others; a review's words are
never read.

Changes of enabler (a pairing ended early) are counted by programme only, from the pairings ended in the period:
never who asked, never their words, never by site or enabler; the count reads "fewer than 5" under five or from
fewer than five sites. An engagement that followed a change is waited for from the day the earlier pairing ended.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum

from engagements.models import (
    EnablerProfile,
    Engagement,
    Feedback,
    GoalReview,
    Offer,
    PlannedSession,
    SupportRequest,
)
from lessons import anonymiser
from lessons.models import Lesson, Theme, registry_vocabulary

THRESHOLD = 5
LONDON = ZoneInfo("Europe/London")
HIDDEN = "fewer than 5"


@dataclass
class Figure:
    """A number and whether it may be shown. `shown` is what every page and export prints."""

    value: float | int | Decimal | None
    hidden: bool = False

    @property
    def shown(self) -> str:
        if self.hidden:
            return HIDDEN
        if self.value is None:
            return "none"
        if isinstance(self.value, float):
            return f"{self.value:g}"
        if isinstance(self.value, Decimal):
            return f"{self.value.normalize():f}"
        return str(self.value)


def count(value: int) -> Figure:
    return Figure(value, hidden=value < THRESHOLD)


def suppress_parts(total: Figure, parts: list[Figure]) -> None:
    """Parts of a shown total: if exactly one is hidden, hide the smallest other too, so no subtraction reveals it."""
    if total.hidden:
        for part in parts:
            part.hidden = True
        return
    hidden = [part for part in parts if part.hidden]
    shown = sorted((part for part in parts if not part.hidden), key=lambda part: part.value or 0)
    if len(hidden) == 1 and shown:
        shown[0].hidden = True


def suppress_column(rows: list[Figure], total: Figure) -> None:
    """The same rule down a column whose total is shown."""
    suppress_parts(total, rows)


@dataclass
class Group:
    """The figures for one programme, one offer, or everything."""

    label: str
    requests: Figure = field(default_factory=lambda: count(0))
    engagements: Figure = field(default_factory=lambda: count(0))
    open_engagements: Figure = field(default_factory=lambda: count(0))
    closed_engagements: Figure = field(default_factory=lambda: count(0))
    median_wait_days: Figure = field(default_factory=lambda: Figure(None, hidden=True))
    longest_wait_days: Figure = field(default_factory=lambda: Figure(None, hidden=True))
    days_delivered: Figure = field(default_factory=lambda: Figure(None, hidden=True))
    days_allocated: Figure = field(default_factory=lambda: Figure(None, hidden=True))
    responses: Figure = field(default_factory=lambda: count(0))
    ratings: dict[int, Figure] = field(default_factory=dict)
    # By programme and for all programmes only; None for an offer's group.
    sessions_planned: Figure | None = None
    sessions_held: Figure | None = None
    goals_reviewed: Figure | None = None
    goals_met: Figure | None = None
    goals_partly_met: Figure | None = None
    goals_not_yet: Figure | None = None
    changes: Figure | None = None

    def figures(self) -> list[tuple[str, Figure]]:
        return [
            ("Requests received", self.requests),
            ("Engagements", self.engagements),
            ("Engagements open", self.open_engagements),
            ("Engagements closed", self.closed_engagements),
            ("Median wait from request to agreement (days)", self.median_wait_days),
            ("Longest wait from request to agreement (days)", self.longest_wait_days),
            ("Days delivered", self.days_delivered),
            ("Days allocated", self.days_allocated),
            ("Feedback responses", self.responses),
            *[(f"Rated {rating} for usefulness", figure) for rating, figure in sorted(self.ratings.items())],
            *[
                (name, figure)
                for name, figure in (
                    ("Sessions planned in the period", self.sessions_planned),
                    ("Planned sessions held (logged)", self.sessions_held),
                    ("Goals reviewed at close-out", self.goals_reviewed),
                    ("Goals met", self.goals_met),
                    ("Goals partly met", self.goals_partly_met),
                    ("Goals not yet met", self.goals_not_yet),
                    ("Changes of enabler asked for", self.changes),
                )
                if figure is not None
            ],
        ]


@dataclass
class Overview:
    start: datetime.date
    end: datetime.date
    total: Group
    by_programme: list[Group]
    by_offer: list[Group]
    capacity_total: int
    capacity_in_use: Figure
    lesson_themes: list[tuple[str, Figure]]


def words(*, start: datetime.date, end: datetime.date) -> list[str]:
    """What helped, in sites' words, for all programmes: only from THRESHOLD or more sites and responses in the
    period, anonymised, in no site's order. Read apart from the figures, as the figures are kept in a cache shared
    by every web server and sites' words never go there (core/memo.py)."""
    feedback = list(
        Feedback.objects.filter(given_at__date__range=(start, end)).values("engagement__site_id", "what_helped")
    )
    if len(feedback) < THRESHOLD or len({f["engagement__site_id"] for f in feedback}) < THRESHOLD:
        return []
    anonymise = _anonymiser()
    return sorted(anonymise(f["what_helped"]) for f in feedback if f["what_helped"].strip())


def _group(label: str, requests: list, engagements: list, feedback: list) -> Group:
    group = Group(label)
    group.requests = count(len(requests))
    group.engagements = count(len(engagements))
    group.open_engagements = count(sum(1 for e in engagements if e["state"] in Engagement.OPEN_STATES))
    group.closed_engagements = count(sum(1 for e in engagements if e["state"] in Engagement.FINISHED_STATES))
    suppress_parts(group.engagements, [group.open_engagements, group.closed_engagements])
    few = len(engagements) < THRESHOLD
    waits = [
        (e["started_on"] - (e["previous__closed_on"] or e["request__submitted_at"].date())).days
        for e in engagements
        if e["started_on"] is not None
    ]
    if waits and not few:
        group.median_wait_days = Figure(float(statistics.median(waits)))
        group.longest_wait_days = Figure(max(waits))
    if not few:
        group.days_delivered = Figure(sum((e["days_used"] for e in engagements), Decimal("0")))
        group.days_allocated = Figure(sum((e["day_allowance"] or Decimal("0") for e in engagements), Decimal("0")))
    group.responses = count(len(feedback))
    ratings = {rating: count(sum(1 for f in feedback if f["usefulness"] == rating)) for rating in range(1, 6)}
    suppress_parts(group.responses, list(ratings.values()))
    group.ratings = ratings
    return group


def _sessions(rows: list) -> tuple[Figure, Figure]:
    """Planned sessions and those held, from rows of (site, planned, held): hidden under five, or from fewer than
    five sites; the held ones, a part of the planned, hidden too where the rest could be worked out."""
    planned = sum(row["planned"] for row in rows)
    held = sum(row["held"] for row in rows)
    planned_sites = len({row["engagement__site_id"] for row in rows if row["planned"]})
    held_sites = len({row["engagement__site_id"] for row in rows if row["held"]})
    sessions_planned = Figure(planned, hidden=planned < THRESHOLD or planned_sites < THRESHOLD)
    sessions_held = Figure(held, hidden=held < THRESHOLD or held_sites < THRESHOLD)
    not_held = Figure(planned - held, hidden=planned - held < THRESHOLD)
    suppress_parts(sessions_planned, [sessions_held, not_held])
    return sessions_planned, sessions_held


GOAL_OUTCOMES = ("met", "partly met", "not yet", "no longer relevant")


def _goals(rows: list) -> tuple[Figure, Figure, Figure, Figure]:
    """Goals reviewed, met, partly met and not yet, from rows of (site, outcome, goals): each hidden under five or
    from fewer than five sites, and the parts (with "no longer relevant", never shown) so no subtraction reveals one."""

    def figure(outcomes: tuple[str, ...]) -> Figure:
        chosen = [row for row in rows if row["outcome"] in outcomes]
        value = sum(row["goals"] for row in chosen)
        sites = len({row["review__engagement__site_id"] for row in chosen})
        return Figure(value, hidden=value < THRESHOLD or sites < THRESHOLD)

    reviewed = figure(GOAL_OUTCOMES)
    parts = [figure((outcome,)) for outcome in GOAL_OUTCOMES]
    suppress_parts(reviewed, parts)
    return reviewed, parts[0], parts[1], parts[2]


def _changes(ended: list) -> Figure:
    """Changes of enabler, from the engagements ended early: hidden under five or from fewer than five sites."""
    return Figure(len(ended), hidden=len(ended) < THRESHOLD or len({e["site_id"] for e in ended}) < THRESHOLD)


def build(*, start: datetime.date, end: datetime.date) -> Overview:
    """Every figure for the period, from five queries whatever the size of the programme."""
    requests = list(
        SupportRequest.objects.filter(submitted_at__date__range=(start, end)).values("offer_id", "offer__programme_id")
    )
    engagements = list(
        Engagement.objects.filter(created_at__date__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .values(
            "offer_id",
            "offer__programme_id",
            "state",
            "started_on",
            "request__submitted_at",
            "previous__closed_on",
            "site_id",
            "closed_on",
            "days_used",
            "day_allowance",
        )
    )
    feedback = list(
        Feedback.objects.filter(given_at__date__range=(start, end)).values(
            "engagement__offer_id",
            "engagement__offer__programme_id",
            "engagement__site_id",
            "usefulness",
        )
    )
    planned_sessions = list(
        PlannedSession.objects.filter(
            cancelled_at__isnull=True,
            starts_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=LONDON),
            starts_at__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON),
        )
        .values("engagement__offer__programme_id", "engagement__site_id")
        .annotate(planned=Count("pk"), held=Count("pk", filter=Q(session__isnull=False)))
        .order_by()
    )
    goal_reviews = list(
        GoalReview.objects.filter(review__recorded_at__date__range=(start, end))
        .values("review__engagement__offer__programme_id", "review__engagement__site_id", "outcome")
        .annotate(goals=Count("pk"))
        .order_by()
    )
    offers = list(Offer.objects.select_related("programme").order_by("programme__year", "name"))
    programmes = {offer.programme_id: offer.programme for offer in offers}

    def pick(rows: list, key: str, value: int) -> list:
        return [row for row in rows if row[key] == value]

    by_programme = [
        _group(
            str(programme),
            pick(requests, "offer__programme_id", pk),
            pick(engagements, "offer__programme_id", pk),
            pick(feedback, "engagement__offer__programme_id", pk),
        )
        for pk, programme in programmes.items()
    ]
    by_offer = [
        _group(
            offer.name,
            pick(requests, "offer_id", offer.pk),
            pick(engagements, "offer_id", offer.pk),
            pick(feedback, "engagement__offer_id", offer.pk),
        )
        for offer in offers
    ]
    total = _group("All programmes", requests, engagements, feedback)
    for group, pk in zip(by_programme, programmes, strict=True):
        group.sessions_planned, group.sessions_held = _sessions(
            pick(planned_sessions, "engagement__offer__programme_id", pk)
        )
    total.sessions_planned, total.sessions_held = _sessions(planned_sessions)
    for group, pk in zip(by_programme, programmes, strict=True):
        group.goals_reviewed, group.goals_met, group.goals_partly_met, group.goals_not_yet = _goals(
            pick(goal_reviews, "review__engagement__offer__programme_id", pk)
        )
    total.goals_reviewed, total.goals_met, total.goals_partly_met, total.goals_not_yet = _goals(goal_reviews)
    # A pairing ended early (a change of enabler) ends the day it is asked for: the engagements read above hold
    # every one ended in the period, so the count costs no query of its own.
    ended = [
        e
        for e in engagements
        if e["state"] == Engagement.State.ENDED and e["closed_on"] is not None and start <= e["closed_on"] <= end
    ]
    for group, pk in zip(by_programme, programmes, strict=True):
        group.changes = _changes(pick(ended, "offer__programme_id", pk))
    total.changes = _changes(ended)
    for rows in (by_programme, by_offer):
        for attribute in ("requests", "engagements", "open_engagements", "closed_engagements", "responses"):
            suppress_column([getattr(row, attribute) for row in rows], getattr(total, attribute))
    for attribute in (
        "sessions_planned",
        "sessions_held",
        "goals_reviewed",
        "goals_met",
        "goals_partly_met",
        "goals_not_yet",
        "changes",
    ):
        suppress_column([getattr(row, attribute) for row in by_programme], getattr(total, attribute))
    capacity_total = EnablerProfile.objects.filter(user__is_active=True).aggregate(total=Sum("capacity"))["total"] or 0
    in_use = Engagement.objects.open().count()
    return Overview(
        start, end, total, by_programme, by_offer, capacity_total, count(in_use), _lesson_themes(start, end)
    )


def _anonymiser() -> Callable[[str], str]:
    """Anonymises sites' words against the registry; the registry is read once, and only if any words are shown."""
    vocabulary: list[anonymiser.Vocabulary] = []

    def anonymise(text: str) -> str:
        if not vocabulary:
            vocabulary.append(registry_vocabulary())
        return anonymiser.anonymise(text, vocabulary[0]).text

    return anonymise


def _lesson_themes(start: datetime.date, end: datetime.date) -> list[tuple[str, Figure]]:
    published = Q(lessons__state=Lesson.State.PUBLISHED, lessons__published_at__date__range=(start, end))
    themes = Theme.objects.annotate(n=Count("lessons", filter=published)).order_by("name")
    return [(theme.name, count(theme.n)) for theme in themes]


def csv_rows(overview: Overview, comments: list[str]) -> list[list[str]]:
    """The overview as rows for a spreadsheet, with the same suppression as the page."""
    rows = [["group", "figure", "value"]]
    for group in [overview.total, *overview.by_programme, *overview.by_offer]:
        rows += [[group.label, name, figure.shown] for name, figure in group.figures()]
    rows.append(["All programmes", "Enabler capacity (total)", str(overview.capacity_total)])
    rows.append(["All programmes", "Enabler capacity in use", overview.capacity_in_use.shown])
    rows += [["Lesson themes", name, figure.shown] for name, figure in overview.lesson_themes]
    rows += [["All programmes", "What helped, in sites' words", words] for words in comments]
    return rows
