"""The programme overview: figures for planning that cannot rank, judge or single out a site or an enabler.

Every figure is grouped by programme or by offer, never by site or enabler, and read for one of the fixed periods of
core/periods.py (financial quarters and years, the whole time since the programmes began), never between two
arbitrary dates. Any count of fewer than five sites, engagements or responses is shown as "fewer than 5"; further
figures are hidden as SECONDARY, decided over every period, group and part at once (`lattice`,
reporting/suppression.py), so that no sum or difference of what any period shows pins one. Engagements are counted
in the period they were agreed in, with how many of them are still open. Sites' own words ("what helped")
are shown only as a site's lead approved them, anonymised, and only in batches of a closed financial quarter with
five or more sites (`words`, docs/privacy.md), so no page ever shows one site's words or the newest line. Aggregates
are read from engagements and requests (days are kept on the engagement), so the page never scans the session log.

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
import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from core.periods import (
    ALL,
    PROGRAMMES_BEGAN,
    Period,
    choices,
    financial_year,
    quarter_containing,
    year_containing,
)
from engagements.models import (
    EnablerProfile,
    Engagement,
    Feedback,
    GoalReview,
    Offer,
    PlannedSession,
    SupportRequest,
)
from frontend.dates import LONDON
from lessons.models import Lesson, Theme

from .suppression import Cell, Equation, protect

THRESHOLD = 5
HIDDEN = "fewer than 5"
SECONDARY = "not shown, so that others cannot be worked out"


@dataclass
class Figure:
    """A number and whether it may be shown. `shown` is what every page and export prints: "fewer than 5" for a
    small count (or one from fewer than five sites), and SECONDARY for a figure hidden only so that a small one
    cannot be worked out from it (reporting/suppression.py)."""

    value: float | int | Decimal | None
    hidden: bool = False
    secondary: bool = False

    @property
    def shown(self) -> str:
        if self.hidden:
            return SECONDARY if self.secondary else HIDDEN
        if self.value is None:
            return "none"
        if isinstance(self.value, float):
            return f"{self.value:g}"
        if isinstance(self.value, Decimal):
            return f"{self.value.normalize():f}"
        return str(self.value)


def count(value: int) -> Figure:
    return Figure(value, hidden=value < THRESHOLD)


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
            ("Engagements agreed", self.engagements),
            ("Of those, still open", self.open_engagements),
            ("Of those, closed", self.closed_engagements),
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
    period: Period
    total: Group
    by_programme: list[Group]
    by_offer: list[Group]
    capacity_total: int
    capacity_in_use: Figure
    lesson_themes: list[tuple[str, Figure]]

    @property
    def start(self) -> datetime.date:
        return self.period.start

    @property
    def end(self) -> datetime.date:
        return self.period.end


@dataclass(frozen=True)
class Phrase:
    """A sentence of sites' shared words, once however many sites wrote it, with how many did."""

    text: str
    sites: int

    @property
    def used_by(self) -> str:
        return f"used by {self.sites} sites" if self.sites > 1 else ""


@dataclass(frozen=True)
class WordsBatch:
    """What helped, in sites' words, for one closed financial quarter: five or more sites' approved words."""

    quarter: Period
    sites: int
    phrases: list[Phrase]

    @property
    def label(self) -> str:
        return self.quarter.label


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentence_key(sentence: str) -> str:
    """Two sentences are one phrase when they differ only in case, spacing and their closing punctuation."""
    return " ".join(sentence.split()).casefold().rstrip(".!?;:, ")


def words(*, period: Period, today: datetime.date) -> list[WordsBatch]:
    """What helped, in sites' words, released in batches (docs/privacy.md, "Shared words"): only words a lead of
    the site approved exactly as anonymised, and only while "what helped" is still what they approved; each batch is
    the closed financial quarter of the approval, inside `period`, released only when five or more sites contributed
    to it. A quarter not yet over waits. Inside a batch, sentences are grouped when several sites wrote them, sorted
    by their text, dated by the quarter alone, so nothing says when any was written or which came last.

    Read afresh: the words were anonymised when approved, so this is one query, and a withdrawal is never outlived
    by a kept copy. Never put in the cache shared by every web server (core/memo.py)."""
    quarters = [quarter for quarter in period.quarters() if quarter.is_closed(today)]
    if not quarters:
        return []
    rows = Feedback.objects.shared_with_centre().filter(
        shared_words_approved_at__gte=datetime.datetime.combine(quarters[0].start, datetime.time.min, LONDON),
        shared_words_approved_at__lt=datetime.datetime.combine(
            quarters[-1].end + datetime.timedelta(days=1), datetime.time.min, LONDON
        ),
    )
    by_quarter: dict[str, list[tuple[int, str]]] = {}
    for row in rows.values(
        "engagement__site_id", "shared_words", "shared_words_approved_at", "shared_words_source", "what_helped"
    ):
        approved_at = row["shared_words_approved_at"]
        if approved_at is None or row["shared_words_source"] != Feedback.digest(row["what_helped"]):
            continue  # approved from other words than these: not approved
        quarter = quarter_containing(approved_at.astimezone(LONDON).date())
        by_quarter.setdefault(quarter.key, []).append((row["engagement__site_id"], row["shared_words"]))
    batches = []
    for quarter in quarters:
        batch = by_quarter.get(quarter.key, [])
        sites = {site for site, _ in batch}
        if len(sites) < THRESHOLD:
            continue
        grouped: dict[str, tuple[set[str], set[int]]] = {}
        for site, shared in batch:
            for sentence in _SENTENCE_END.split(shared):
                if sentence.strip():
                    texts, of = grouped.setdefault(_sentence_key(sentence), (set(), set()))
                    texts.add(" ".join(sentence.split()))
                    of.add(site)
        phrases = sorted(
            (Phrase(min(texts), len(of)) for texts, of in grouped.values()), key=lambda p: (p.text.casefold(), p.text)
        )
        batches.append(WordsBatch(quarter, len(sites), phrases))
    return batches


TOTAL = ("all",)
GOAL_OUTCOMES = ("met", "partly met", "not yet", "no longer relevant")
RATINGS = range(1, 6)

GroupKey = tuple
CellKey = tuple[str, str, GroupKey]  # (part, period key, group)


@dataclass(frozen=True)
class Family:
    """Counts tied by sums: the first part is the whole of the others (if any); some parts are never published but
    can be worked out (sessions not held), so they are protected too."""

    parts: tuple[str, ...]
    by_offer: bool = True
    site_rule: bool = False  # hidden too when from fewer than five sites
    unpublished: tuple[str, ...] = ()


FAMILIES = {
    "requests": Family(("requests",)),
    "engagements": Family(("engagements", "open_engagements", "closed_engagements")),
    "responses": Family(("responses", *(f"rating_{rating}" for rating in RATINGS))),
    "sessions": Family(
        ("sessions_planned", "sessions_held", "sessions_not_held"),
        by_offer=False,
        site_rule=True,
        unpublished=("sessions_not_held",),
    ),
    "goals": Family(
        ("goals_reviewed", "goals_met", "goals_partly_met", "goals_not_yet", "goals_no_longer_relevant"),
        by_offer=False,
        site_rule=True,
        unpublished=("goals_no_longer_relevant",),
    ),
    "changes": Family(("changes",), by_offer=False, site_rule=True),
    "themes": Family(("lessons",), by_offer=False),
}


@dataclass
class Record:
    """Something counted: the day it counts on, the groups it counts in, its site, and how much it adds to parts."""

    day: datetime.date
    groups: tuple[GroupKey, ...]
    site: int | None
    amounts: dict[str, int]


@dataclass
class Calendar:
    """Every quarter of every financial year so far (those not yet begun are never published), the years, and the
    periods that may be chosen."""

    years: list[Period]
    quarters: dict[str, Period]
    begun: list[str]
    chosen: dict[str, Period]


def calendar(today: datetime.date) -> Calendar:
    years = [financial_year(year) for year in range(PROGRAMMES_BEGAN.year, year_containing(today).start.year + 1)]
    quarters = {quarter.key: quarter for year in years for quarter in year.quarters()}
    begun = [key for key, quarter in quarters.items() if quarter.start <= today]
    return Calendar(years, quarters, begun, {period.key: period for period in choices(today)})


def lattice(
    family: Family,
    records: list[Record],
    tree: list[tuple[GroupKey, list[GroupKey]]],
    groups: list[GroupKey],
    when: Calendar,
) -> dict[CellKey, Cell]:
    """Every cell of one family for every period and group, with complementary suppression decided over all of
    them at once (reporting/suppression.py): whatever period is chosen, no subtraction reveals a small count."""
    values: dict[CellKey, int] = {}
    sites: dict[CellKey, set[int | None]] = {}
    for record in records:
        quarter = quarter_containing(record.day).key
        if quarter not in when.quarters:
            continue
        for part, amount in record.amounts.items():
            for group in record.groups:
                values[(part, quarter, group)] = values.get((part, quarter, group), 0) + amount
                sites.setdefault((part, quarter, group), set()).add(record.site)
    periods = {key: [key] for key in when.quarters}
    periods |= {year.key: [quarter.key for quarter in year.quarters()] for year in when.years}
    periods[ALL] = when.begun
    cells: dict[CellKey, Cell] = {}
    for part in family.parts:
        for key, quarters in periods.items():
            for group in groups:
                value = sum(values.get((part, quarter, group), 0) for quarter in quarters)
                few_sites = family.site_rule and (
                    len(set().union(*(sites.get((part, quarter, group), set()) for quarter in quarters))) < THRESHOLD
                )
                published = part not in family.unpublished and key in when.chosen
                cells[(part, key, group)] = Cell(
                    value, primary=published and (value < THRESHOLD or few_sites), published=published
                )
    equations: list[Equation[CellKey]] = []
    for part in family.parts:
        for group in groups:
            equations += [
                [((part, key, group), 1)] + [((part, quarter, group), -1) for quarter in quarters]
                for key, quarters in periods.items()
                if len(quarters) > 1 or key == ALL
            ]
        for key in periods:
            equations += [
                [((part, key, parent), 1)] + [((part, key, child), -1) for child in children]
                for parent, children in tree
            ]
    if len(family.parts) > 1:
        whole, *parts = family.parts
        equations += [
            [((whole, key, group), 1)] + [((part, key, group), -1) for part in parts]
            for key in periods
            for group in groups
        ]
    protect(cells, equations)
    return cells


def _figure(cell: Cell) -> Figure:
    return Figure(cell.value, hidden=cell.hidden, secondary=cell.secondary and not cell.primary)


def _day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def _read() -> dict[str, list]:
    """Everything the figures count, for the whole time since the programmes began, in seven queries."""
    return {
        # Counted by day in the database: at national scale there are tens of thousands of requests and hundreds of
        # thousands of lessons' themes, and the figures need only how many fell on each day.
        "requests": list(
            SupportRequest.objects.annotate(day=TruncDate("submitted_at", tzinfo=LONDON))
            .values("offer_id", "offer__programme_id", "site_id", "day")
            .annotate(requests=Count("pk"))
            .order_by()
        ),
        "engagements": list(
            Engagement.objects.values(
                "offer_id",
                "offer__programme_id",
                "state",
                "created_at",
                "started_on",
                "request__submitted_at",
                "previous__closed_on",
                "site_id",
                "closed_on",
                "days_used",
                "day_allowance",
            )
        ),
        "feedback": list(
            Feedback.objects.values(
                "engagement__offer_id",
                "engagement__offer__programme_id",
                "engagement__site_id",
                "usefulness",
                "given_at",
            )
        ),
        "sessions": list(
            PlannedSession.objects.filter(cancelled_at__isnull=True)
            .annotate(day=TruncDate("starts_at", tzinfo=LONDON))
            .values("engagement__offer__programme_id", "engagement__site_id", "day")
            .annotate(planned=Count("pk"), held=Count("pk", filter=Q(session__isnull=False)))
            .order_by()
        ),
        "goals": list(
            GoalReview.objects.annotate(day=TruncDate("review__recorded_at", tzinfo=LONDON))
            .values("review__engagement__offer__programme_id", "review__engagement__site_id", "outcome", "day")
            .annotate(goals=Count("pk"))
            .order_by()
        ),
        "lessons": list(
            Lesson.objects.filter(state=Lesson.State.PUBLISHED, published_at__isnull=False, themes__isnull=False)
            .annotate(day=TruncDate("published_at", tzinfo=LONDON))
            .values("themes", "day")
            .annotate(lessons=Count("pk"))
            .order_by()
        ),
        "offers": list(Offer.objects.select_related("programme").order_by("programme__year", "name")),
        "themes": list(Theme.objects.order_by("name")),
    }


def _records(data: dict[str, list]) -> dict[str, list[Record]]:
    def groups(offer: int | None, programme: int) -> tuple[GroupKey, ...]:
        return (TOTAL, ("programme", programme)) + ((("offer", offer),) if offer is not None else ())

    open_states = set(Engagement.OPEN_STATES)
    outcome_parts = dict(zip(GOAL_OUTCOMES, FAMILIES["goals"].parts[1:], strict=True))
    return {
        "requests": [
            Record(r["day"], groups(r["offer_id"], r["offer__programme_id"]), r["site_id"], {"requests": r["requests"]})
            for r in data["requests"]
        ],
        "engagements": [
            Record(
                _day(e["created_at"]),
                groups(e["offer_id"], e["offer__programme_id"]),
                e["site_id"],
                {"engagements": 1, "open_engagements" if e["state"] in open_states else "closed_engagements": 1},
            )
            for e in data["engagements"]
        ],
        "responses": [
            Record(
                _day(f["given_at"]),
                groups(f["engagement__offer_id"], f["engagement__offer__programme_id"]),
                f["engagement__site_id"],
                {"responses": 1, f"rating_{f['usefulness']}": 1},
            )
            for f in data["feedback"]
        ],
        "sessions": [
            Record(
                s["day"],
                groups(None, s["engagement__offer__programme_id"]),
                s["engagement__site_id"],
                {
                    "sessions_planned": s["planned"],
                    "sessions_held": s["held"],
                    "sessions_not_held": s["planned"] - s["held"],
                },
            )
            for s in data["sessions"]
        ],
        "goals": [
            Record(
                g["day"],
                groups(None, g["review__engagement__offer__programme_id"]),
                g["review__engagement__site_id"],
                {"goals_reviewed": g["goals"], outcome_parts[g["outcome"]]: g["goals"]},
            )
            for g in data["goals"]
            if g["outcome"] in outcome_parts
        ],
        # A pairing ended early (a change of enabler) ends the day it is asked for.
        "changes": [
            Record(e["closed_on"], groups(None, e["offer__programme_id"]), e["site_id"], {"changes": 1})
            for e in data["engagements"]
            if e["state"] == Engagement.State.ENDED and e["closed_on"] is not None
        ],
        "themes": [
            Record(t["day"], (("theme", t["themes"]),), None, {"lessons": t["lessons"]}) for t in data["lessons"]
        ],
    }


def lattices(today: datetime.date) -> tuple[dict[str, dict[CellKey, Cell]], dict[str, list]]:
    """Every family's cells, protected, for every period that may be chosen by `today`; and what was read."""
    data = _read()
    records = _records(data)
    when = calendar(today)
    programmes = {offer.programme_id: offer.programme for offer in data["offers"]}
    programme_groups = [TOTAL, *(("programme", pk) for pk in programmes)]
    offer_groups = [("offer", offer.pk) for offer in data["offers"]]
    by_programme_tree = [(TOTAL, programme_groups[1:])]
    by_offer_tree = by_programme_tree + [
        (("programme", pk), [("offer", offer.pk) for offer in data["offers"] if offer.programme_id == pk])
        for pk in programmes
    ]
    found = {}
    for name, family in FAMILIES.items():
        if name == "themes":
            found[name] = lattice(family, records[name], [], [("theme", theme.pk) for theme in data["themes"]], when)
        elif family.by_offer:
            found[name] = lattice(family, records[name], by_offer_tree, programme_groups + offer_groups, when)
        else:
            found[name] = lattice(family, records[name], by_programme_tree, programme_groups, when)
    return found, data


def build(*, period: Period, today: datetime.date) -> Overview:
    """Every figure for one of the fixed periods, suppressed consistently with every other period (`lattice`), from
    eight queries whatever the size of the programme."""
    cells, data = lattices(today)

    def figure(family: str, part: str, group: GroupKey) -> Figure:
        return _figure(cells[family][(part, period.key, group)])

    agreed = [e for e in data["engagements"] if period.start <= _day(e["created_at"]) <= period.end]

    def group_of(label: str, group: GroupKey, by_programme: bool) -> Group:
        result = Group(label)
        result.requests = figure("requests", "requests", group)
        for part in FAMILIES["engagements"].parts:
            setattr(result, part, figure("engagements", part, group))
        result.responses = figure("responses", "responses", group)
        result.ratings = {rating: figure("responses", f"rating_{rating}", group) for rating in RATINGS}
        if by_programme:
            for name in ("sessions", "goals", "changes"):
                for part in FAMILIES[name].parts:
                    if part not in FAMILIES[name].unpublished:
                        setattr(result, part, figure(name, part, group))
        _days_and_waits(result, [e for e in agreed if _in_group(e, group)])
        return result

    programmes = {offer.programme_id: offer.programme for offer in data["offers"]}
    capacity_total = EnablerProfile.objects.filter(user__is_active=True).aggregate(total=Sum("capacity"))["total"] or 0
    return Overview(
        period,
        group_of("All programmes", TOTAL, True),
        [group_of(str(programme), ("programme", pk), True) for pk, programme in programmes.items()],
        [group_of(offer.name, ("offer", offer.pk), False) for offer in data["offers"]],
        capacity_total,
        _figure(cells["engagements"][("open_engagements", ALL, TOTAL)]),
        [(theme.name, figure("themes", "lessons", ("theme", theme.pk))) for theme in data["themes"]],
    )


def _in_group(engagement: dict, group: GroupKey) -> bool:
    if group == TOTAL:
        return True
    kind, pk = group
    return engagement["offer_id" if kind == "offer" else "offer__programme_id"] == pk


def _days_and_waits(group: Group, engagements: list[dict]) -> None:
    """Waits and days, only where the count of the group's engagements is shown: a group whose count is hidden
    hides its days too (days could be divided back into a count), with the same reason."""
    hidden = group.engagements.hidden
    if hidden:
        for name in ("median_wait_days", "longest_wait_days", "days_delivered", "days_allocated"):
            setattr(group, name, Figure(None, hidden=True, secondary=group.engagements.secondary))
        return
    waits = [
        (e["started_on"] - (e["previous__closed_on"] or _day(e["request__submitted_at"]))).days
        for e in engagements
        if e["started_on"] is not None
    ]
    if waits:
        group.median_wait_days = Figure(float(statistics.median(waits)))
        group.longest_wait_days = Figure(max(waits))
    else:
        group.median_wait_days = group.longest_wait_days = Figure(None)
    group.days_delivered = Figure(sum((e["days_used"] for e in engagements), Decimal("0")))
    group.days_allocated = Figure(sum((e["day_allowance"] or Decimal("0") for e in engagements), Decimal("0")))


def csv_rows(overview: Overview, comments: list[WordsBatch]) -> list[list[str]]:
    """The overview as rows for a spreadsheet, with the same suppression as the page."""
    rows = [["group", "figure", "value"]]
    for group in [overview.total, *overview.by_programme, *overview.by_offer]:
        rows += [[group.label, name, figure.shown] for name, figure in group.figures()]
    rows.append(["All programmes", "Enabler capacity (total)", str(overview.capacity_total)])
    rows.append(["All programmes", "Enabler capacity in use", overview.capacity_in_use.shown])
    rows += [["Lesson themes", name, figure.shown] for name, figure in overview.lesson_themes]
    rows += [
        [f"What helped, in sites' words, {batch.label}", phrase.text, phrase.used_by]
        for batch in comments
        for phrase in batch.phrases
    ]
    return rows
