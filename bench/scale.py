"""A scale data set for the benchmark, loaded on PostgreSQL through COPY in minutes: at scale 1.0, 10,000 sites,
20,000 organisations, 2,000 enablers, 50,000 engagements, 1,000,000 sessions each with an encrypted private note,
and 200,000 published lessons with their search vectors; then planned sessions (`add_planned_sessions`): one to
come for each open engagement, and for the demo's engagement, which the benchmark opens, a weekly series still to
come and a few past ones not yet logged.

    from bench.scale import build
    data = build(scale=1.0)   # after migrate and seed_demo --if-empty; reuses a data set already there

Every row satisfies the database's constraints and the trigger (an engagement is born only from an accepted
request), and what the app takes for granted besides: each site has a lead who asked for its support, each engagement
an accepted proposal and an agreement, days used equal the sessions' counted days and stay within the budget, notes
are encrypted with the engagement's own data key, and closed engagements are recent enough that the retention task
leaves their notes alone. Everything is fictional and generated from one seed. The whole load is one transaction.
"""

from __future__ import annotations

import datetime
import functools
import json
import random
import sys
import time
import uuid
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.addresses import skeleton
from accounts.models import User
from engagements.models import (
    Agreement,
    EnablerProfile,
    Engagement,
    Offer,
    PlannedSession,
    Proposal,
    Session,
    SessionSeries,
    SupportRequest,
)
from engagements.models.enablers import Sector
from engagements.models.requests import Approach
from engagements.notes import EngagementKey, PrivateNote, crypto
from lessons.models import Lesson, Theme
from lessons.search import lesson_vector
from sites.models import Organisation, Programme, Region, Site, SiteMembership

SEED = 20261126
DOMAIN = "scale.example.org"
FULL_SIZES = {
    "sites": 10_000,
    "organisations": 20_000,
    "enablers": 2_000,
    "engagements": 50_000,
    "sessions": 1_000_000,
    "lessons": 200_000,
}
DEMO_SITE_LEAD, DEMO_ENABLER, DEMO_SESSIONS = "site.lead@example.org", "enabler@example.org", 500
COMMON_TERM, RARE_TERM, PHRASE = "trust", "wayfinding", "neighbourhood huddle"
RARE_LESSONS, PHRASE_LESSONS, COMMON_SHARE = 25, 300, 0.3  # rare and phrase counts at scale 1.0
STATES = [("closed", 55), ("active", 30), ("paused", 4), ("closing", 5), ("agreement", 6)]
HOUR_LENGTHS, DAY_LENGTHS = ["1.0", "1.5", "1.5", "2.0", "3.0"], ["0.5", "1.0", "1.0", "1.5", "2.0"]

FIRST_NAMES = [
    "Alex", "Bea", "Cal", "Dana", "Eli", "Fay", "Gus", "Hana", "Ira", "Jo", "Kit", "Lena", "Milo", "Nia", "Oren",
    "Pia", "Quin", "Remy", "Suki", "Tali", "Uma", "Vic", "Wyn", "Zia",
]  # fmt: skip
SURNAME_STARTS = [
    "Ash", "Brack", "Cal", "Dun", "Fen", "Gar", "Hal", "Kel", "Lind", "Marl", "Nor", "Pen", "Quen", "Rad", "Sel",
    "Thorn", "Wex", "Yar", "Ember", "Oster",
]  # fmt: skip
SURNAME_ENDS = ["by", "combe", "den", "ford", "ham", "ley", "more", "ridge", "stead", "ton", "well", "wick"]
PLACE_STARTS = [
    "Ash", "Bram", "Cald", "Dun", "Elm", "Fern", "Glen", "Hart", "Ivy", "Kings", "Lang", "Marsh", "Nether", "Oak",
    "Pen", "Rook", "Sand", "Thorn", "Wold", "Yew", "Alder", "Birch", "Cress", "Dove", "Fair", "Gold", "Hazel",
    "Holly", "Lark", "Mill", "Moor", "Ravens", "Stan", "Swan", "Wren", "Clay", "Frost", "Heron", "Lynd", "Quarry",
]  # fmt: skip
PLACE_ENDS = [
    "bridge", "brook", "bury", "by", "combe", "dale", "den", "field", "ford", "gate", "ham", "hurst", "ley", "mere",
    "moor", "port", "stead", "stow", "thorpe", "ton",
]  # fmt: skip
SUBJECTS = [
    "The partnership board", "Our leadership team", "Senior leaders", "Service managers", "The joint director",
    "Front-line teams", "The programme group", "Commissioners and providers", "The council and its partners",
    "Community groups", "Clinical leads", "The executive group", "Housing and care managers", "Our new chair",
]  # fmt: skip
VERBS = [
    "agreed", "tested", "reshaped", "paused", "revisited", "shared", "mapped", "questioned", "rebuilt",
    "invested in", "sustained", "simplified", "owned", "argued about", "slowed down", "co-designed",
]  # fmt: skip
OBJECTS = [
    "a single outcomes framework", "the discharge pathway", "joint budgets", "the neighbourhood model",
    "shared data", "the workforce plan", "a common language", "the integration plan", "decision rights",
    "the escalation route", "care coordination", "the governance structure", "a shared purpose",
    "the frailty service", "the role of the voluntary sector", "the board agenda", "population health goals",
]  # fmt: skip
QUALIFIERS = [
    "before setting targets", "over several quarters", "after a difficult winter", "with residents in the room",
    "without extra funding", "through small experiments", "across organisational boundaries",
    "once the purpose was clear", "when the pressure was highest", "at the pace of the slowest partner",
    "with an enabler alongside", "long after the first workshop",
]  # fmt: skip
TITLE_VERBS = ["Rethink", "Test", "Agree", "Share", "Slow down on", "Own", "Simplify", "Start with", "Revisit"]
TRUST_SENTENCES = [
    "Trust grew when leaders kept small promises to each other.",
    "It took most of a year to build enough trust to talk about money.",
    "Without trust between the directors, every decision went back to each organisation.",
    "The enabler helped the group name where trust was missing.",
]
TRUST_TITLES = ["Trust before targets", "Build trust first", "Trust is earned in small steps"]
PHRASE_SENTENCES = [
    "A daily neighbourhood huddle let nurses and social workers solve problems before they escalated.",
    "We started a weekly neighbourhood huddle for the most complex cases.",
]
HUDDLE_SENTENCES = ["Each morning the discharge team met for a short huddle with the wards."]
RARE_SENTENCES = ["Wayfinding for residents mattered as much as the new pathway itself."]
PARTICIPANTS = [
    "Programme director", "Partnership board members", "Directors of adult social care and community health",
    "GPs, community nurses, social workers", "Service managers", "Leadership team", "Voluntary sector leads",
]  # fmt: skip
NOTE_OPENINGS = [
    "The director is carrying the programme alone.",
    "Board members spoke openly about money for the first time.",
    "Two partners still talk past each other.",
    "The new chair listened more than she spoke.",
    "Energy dipped after the restructure announcement.",
    "Front-line managers brought the best ideas today.",
    "We ran out of time before the hardest item.",
    "A quieter session: the team is tired after winter.",
]
NOTE_NEXT_STEPS = [
    "Next time: ask who else could own the neighbourhood work.",
    "Follow up on the joint budget question.",
    "Try a shorter agenda with one decision.",
    "Check in with the finance lead before the board.",
    "Bring the resident's story back to the board.",
    "Leave room for the disagreement rather than smoothing it over.",
]


@dataclass(frozen=True)
class ScaleData:
    """What the benchmark needs to know about the scale data set."""

    engagement_500_pk: int  # the demo's engagement (site.lead@example.org's site with enabler@example.org)
    lesson_pk: int  # a published lesson of the scale data set
    common_term: str  # in 20-40 % of the lessons
    rare_term: str  # in a few dozen lessons
    phrase: str  # these words in this order: a few hundred lessons
    counts: dict[str, int]  # rows in each table, whole database


def note_text_for(session_pk: int) -> str:
    """The private note written for a scale session: regenerated by a check that decrypts one."""
    opening = NOTE_OPENINGS[session_pk % len(NOTE_OPENINGS)]
    return f"{opening} {NOTE_NEXT_STEPS[session_pk // len(NOTE_OPENINGS) % len(NOTE_NEXT_STEPS)]}"


def build(*, scale: float = 1.0, stdout: TextIO = sys.stdout) -> ScaleData:
    """Load the scale data set, or reuse it when the database already has it."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The scale data set is loaded with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
    if connection.in_atomic_block:
        raise RuntimeError("build() runs its own transaction and VACUUM: call it outside transaction.atomic().")
    sizes = {name: max(1, round(size * scale)) for name, size in FULL_SIZES.items()}
    if User.objects.filter(email=f"enabler{1:04d}@{DOMAIN}").exists():
        present = Site.objects.filter(memberships__user__email__endswith=f"@{DOMAIN}").count()
        if present != sizes["sites"]:
            raise RuntimeError(
                f"This database holds a scale data set with {present:,} sites, not {sizes['sites']:,}: "
                "use a fresh database for another scale."
            )
        print("reusing the scale data set", file=stdout, flush=True)
    else:
        _Loader(sizes, stdout).load()
    add_planned_sessions(stdout=stdout)
    return _scale_data()


PLANNED_UID = "planned-scale-"  # what marks the scale data set's planned sessions, so they are added once
DEMO_PLANNED_AHEAD, DEMO_PLANNED_PAST = 12, 4


def add_planned_sessions(*, stdout: TextIO = sys.stdout) -> int:
    """Planned sessions, added once (also to a data set built before there were any): one to come for each open
    engagement of the scale set, and for the demo's engagement a weekly series of DEMO_PLANNED_AHEAD sessions to
    come, with the site's lead invited, and DEMO_PLANNED_PAST past ones neither logged nor cancelled. How many."""
    if PlannedSession.objects.filter(uid__startswith=PLANNED_UID).exists():
        return 0
    started, now = time.monotonic(), timezone.now()
    demo = _demo_engagement()
    lead = User.objects.get(email=DEMO_SITE_LEAD)
    in_days = demo.offer.cadence == Offer.Cadence.ON_SITE_DAYS

    def length(engagement_in_days: bool) -> dict[str, Decimal | None]:
        return {"days": Decimal("1"), "hours": None} if engagement_in_days else {"hours": Decimal("1.5"), "days": None}

    ten_o_clock = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        series = (
            None
            if in_days
            else SessionSeries.objects.create(  # days are planned one at a time
                engagement=demo,
                frequency=SessionSeries.Frequency.WEEKLY,
                until=(ten_o_clock + datetime.timedelta(weeks=DEMO_PLANNED_AHEAD)).date(),
                uid=f"{PLANNED_UID}series@alongside",
                planned_by=demo.enabler,
            )
        )
        common = {"format": "one-to-one", "place": "online", "meeting_link": "https://meet.example.org/demo"}
        upcoming = [
            PlannedSession(
                engagement=demo, series=series, original_start=None if in_days else start, starts_at=start,
                uid=f"{PLANNED_UID}demo-{n}@alongside" if in_days else "", planned_by=demo.enabler,
                **common, **length(in_days),
            )
            for n, start in enumerate(ten_o_clock + datetime.timedelta(weeks=k + 1) for k in range(DEMO_PLANNED_AHEAD))
        ]  # fmt: skip
        past = [
            PlannedSession(
                engagement=demo, starts_at=ten_o_clock - datetime.timedelta(days=3 + 7 * k),
                uid=f"{PLANNED_UID}demo-past-{k}@alongside", planned_by=demo.enabler, **common, **length(in_days),
            )
            for k in range(DEMO_PLANNED_PAST)
        ]  # fmt: skip
        made = PlannedSession.objects.bulk_create([*upcoming, *past])
        through = PlannedSession.invitees.through
        through.objects.bulk_create(through(plannedsession_id=planned.pk, user_id=lead.pk) for planned in made)
        open_engagements = (
            Engagement.objects.filter(
                enabler__email__endswith=f"@{DOMAIN}",
                state__in=[Engagement.State.AGREEMENT, Engagement.State.ACTIVE, Engagement.State.PAUSED],
            )
            .values_list("pk", "enabler_id", "offer__cadence")
            .order_by("pk")
        )
        rows = (
            PlannedSession(
                engagement_id=pk, starts_at=ten_o_clock + datetime.timedelta(days=1 + pk % 28),
                uid=f"{PLANNED_UID}{pk}@alongside", planned_by_id=enabler, format="one-to-one", place="on-site",
                address="The board room", **length(cadence == Offer.Cadence.ON_SITE_DAYS),
            )
            for pk, enabler, cadence in open_engagements.iterator()
        )  # fmt: skip
        spread = len(PlannedSession.objects.bulk_create(rows, batch_size=5_000))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(PlannedSession._meta.db_table)}")
    total = len(made) + spread
    print(f"planned sessions: {total:,} ({time.monotonic() - started:.0f} s)", file=stdout, flush=True)
    return total


def _scale_data() -> ScaleData:
    lesson_pk = (
        Lesson.objects.published()
        .filter(created_by__email__endswith=f"@{DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    tables = {
        "users": User, "enabler_profiles": EnablerProfile, "sites": Site, "organisations": Organisation,
        "site_partners": Site.partners.through, "site_memberships": SiteMembership, "support_requests": SupportRequest,
        "proposals": Proposal, "engagements": Engagement, "agreements": Agreement, "engagement_keys": EngagementKey,
        "sessions": Session, "private_notes": PrivateNote, "lessons": Lesson, "lesson_themes": Lesson.themes.through,
        "planned_sessions": PlannedSession,
    }  # fmt: skip
    return ScaleData(
        engagement_500_pk=_demo_engagement().pk,
        lesson_pk=lesson_pk,
        common_term=COMMON_TERM,
        rare_term=RARE_TERM,
        phrase=PHRASE,
        counts={name: model.objects.count() for name, model in tables.items()},
    )


def _demo_engagement() -> Engagement:
    engagement = (
        Engagement.objects.filter(site__memberships__user__email=DEMO_SITE_LEAD, enabler__email=DEMO_ENABLER)
        .select_related("offer")
        .order_by("pk")
        .first()
    )
    if engagement is None:
        raise RuntimeError(f"No engagement of {DEMO_SITE_LEAD}'s site with {DEMO_ENABLER}: run seed_demo first.")
    return engagement


def _ts(day: datetime.date, hour: int = 9) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+00"


@functools.cache
def _lengths(in_days: bool) -> tuple[list[str], list[int]]:
    """The session lengths to choose from, and what each uses of a day budget in tenths of a day, as
    Session.counted_days says (hours count as a share of a 7.5-hour day)."""
    lengths = DAY_LENGTHS if in_days else HOUR_LENGTHS
    sessions = [Session(days=Decimal(n)) if in_days else Session(hours=Decimal(n)) for n in lengths]
    return lengths, [int(session.counted_days * 10) for session in sessions]


@dataclass
class _Engagement:
    pk: int
    site: int
    offer: Offer
    enabler: int
    state: str
    budget_tenths: int | None  # days that sessions may use, in tenths of a day; None: no allowance
    sessions: int = 0
    first_session: int = 0  # where its sessions start in the loader's session arrays
    days_used_tenths: int = 0
    created_on: datetime.date | None = None
    started_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    follow_up_on: datetime.date | None = None

    @property
    def in_days(self) -> bool:
        return self.offer.cadence == Offer.Cadence.ON_SITE_DAYS


class _Loader:
    def __init__(self, sizes: dict[str, int], stdout: TextIO) -> None:
        self.sizes, self.stdout = sizes, stdout
        self.rng = random.Random(SEED)  # noqa: S311 - repeatable fictional data, not a secret
        self.today = timezone.localdate()
        self.started = time.monotonic()
        self.next_id: dict[str, int] = {}
        self.held_on = array("i")  # per session: date ordinal
        self.length = array("b")  # per session: index into HOUR_LENGTHS or DAY_LENGTHS
        self.data_keys: dict[int, bytes] = {}

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def ids(self, model: type, count: int) -> range:
        """The next `count` ids of a table. Its first call for a table queries it: never from inside a COPY."""
        table = model._meta.db_table
        if table not in self.next_id:
            self.next_id[table] = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        start = self.next_id[table]
        self.next_id[table] += count
        return range(start, start + count)

    def copy(self, model: type, columns: str, rows: Iterable[Sequence[object]], *, label: str, total: int) -> None:
        started, step, written = time.monotonic(), max(total // 10, 1) if total >= 100_000 else 0, 0
        # Table and column names are the code's own, never input.
        statement = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if step and written % step == 0 and written < total:
                    self.say(f"{label}: {written:,} / {total:,} ({time.monotonic() - started:.0f} s)")
        self.say(f"{label}: {written:,} / {total:,} ({time.monotonic() - started:.0f} s)")

    def load(self) -> None:
        self.say(f"building the scale data set: {', '.join(f'{n:,} {name}' for name, n in self.sizes.items())}")
        demo = _demo_engagement()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a broken row fails its own COPY, not the commit
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            sites = self.load_sites()
            enablers, leads = self.load_people(sites)
            started = time.monotonic()
            engagements = self.plan_engagements(sites, enablers, demo)
            self.say(f"planned engagements and sessions ({time.monotonic() - started:.0f} s)")
            self.load_engagements(engagements, leads)
            self.load_sessions_and_notes(engagements, demo)
            self.load_lessons(engagements, leads, dict(sites))
            self.reset_sequences()
        self.vacuum()
        self.say(f"scale data set ready ({time.monotonic() - self.started:.0f} s)")

    # Sites, organisations and people -------------------------------------------------------------------------

    def load_sites(self) -> list[tuple[int, int]]:
        """Sites named after two fictional places, each with its own council and NHS body; a quarter also share
        their neighbour's NHS body. Returns (site id, programme id) pairs."""
        rng, count = self.rng, self.sizes["sites"]
        places = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
        taken = set(Site.objects.values_list("name", flat=True)) | set(
            Organisation.objects.values_list("name", flat=True)
        )
        pairs = (divmod(n, len(places) - 1) for n in rng.sample(range(len(places) * (len(places) - 1)), count * 2))
        names = (f"{places[a]} and {places[b + (b >= a)]}" for a, b in pairs)
        bases = [name for name in names if {f"{name} Partnership", f"{name} Council"}.isdisjoint(taken)][:count]
        if len(bases) < count:
            raise RuntimeError("Not enough fictional place names for this scale.")
        programmes = list(Programme.objects.values_list("pk", flat=True))
        site_ids, organisation_ids = self.ids(Site, count), self.ids(Organisation, 2 * count)
        site_rows, organisation_rows, partner_rows, result = [], [], [], []
        health = [Organisation.Sector.NHS_TRUST, Organisation.Sector.COMMISSIONER]
        for n, (pk, base) in enumerate(zip(site_ids, bases, strict=True)):
            programme = rng.choice(programmes)
            council, nhs = organisation_ids[2 * n], organisation_ids[2 * n + 1]
            sector = rng.choice(health)
            nhs_name = f"{base} Community NHS Trust" if sector == "nhs-trust" else f"{base} Integrated Care Board"
            description = "A fictional partnership of the scale data set, joining up health and social care."
            site_rows.append(
                (pk, f"{base} Partnership", rng.choice(Region.values), description, 1, rng.choice([1, 1, 2, 3]),
                 rng.random() < 0.3, programme)
            )  # fmt: skip
            organisation_rows += [(council, f"{base} Council", "council", ""), (nhs, nhs_name, sector, "")]
            partner_rows += [(pk, council), (pk, nhs)]
            if n and rng.random() < 0.25:
                partner_rows.append((pk, organisation_ids[2 * n - 1]))
            result.append((pk, programme))
        self.copy(Organisation, "id, name, sector, aliases", organisation_rows, label="organisations", total=2 * count)
        columns = "id, name, region, description, council_count, commissioner_count, boundaries_overlap, programme_id"
        self.copy(Site, columns, site_rows, label="sites", total=count)
        through = Site.partners.through
        rows = (
            (pk, site, org) for pk, (site, org) in zip(self.ids(through, len(partner_rows)), partner_rows, strict=True)
        )
        self.copy(through, "id, site_id, organisation_id", rows, label="site partners", total=len(partner_rows))
        return result

    def load_people(self, sites: list[tuple[int, int]]) -> tuple[list[int], dict[int, int]]:
        """Enablers with profiles, and one lead per site (who asks for its support and approves its lessons)."""
        rng, enabler_count = self.rng, self.sizes["enablers"]
        first, initials = FIRST_NAMES, "ABCDEFGHJKLMNPRSTW"
        surnames = [start + end for start in SURNAME_STARTS for end in SURNAME_ENDS]
        combos = len(first) * len(initials) * len(surnames)
        total = enabler_count + len(sites)

        def name(n: int) -> str:
            rest, surname = divmod(n, len(surnames))
            given, initial = divmod(rest, len(initials))
            return f"{first[given % len(first)]} {initials[initial]}. {surnames[surname]}"

        names = [name(n) for n in rng.sample(range(combos), min(total, combos))]
        names += [f"Person {n:06d}" for n in range(len(names), total)]
        user_ids = self.ids(User, total)
        enablers = list(user_ids[:enabler_count])
        leads = dict(zip((site for site, _ in sites), user_ids[enabler_count:], strict=True))
        joined = _ts(self.today - datetime.timedelta(days=1200))
        people = [
            (pk, f"enabler{n:04d}@{DOMAIN}", name, "Systems leadership enabler") for n, (pk, name) in
            enumerate(zip(enablers, names[:enabler_count], strict=True), start=1)
        ] + [
            (pk, f"lead{n:05d}@{DOMAIN}", name, "Integration programme director") for n, (pk, name) in
            enumerate(zip(leads.values(), names[enabler_count:], strict=True), start=1)
        ]  # fmt: skip
        user_rows = (
            (pk, "!", email, skeleton(email), name, title, False, False, False, False, True, True, True, joined)
            for pk, email, name, title in people
        )  # "!": an unusable password, so nothing is hashed and nobody can sign in as them
        columns = (
            "id, password, email, email_skeleton, full_name, job_title, is_superuser, is_staff, is_programme_lead, "
            "is_account_manager, is_active, nudges_enabled, session_reminders, date_joined"
        )
        self.copy(User, columns, user_rows, label="users", total=total)
        profile_rows = (
            (
                pk, user, "Led integration across health and social care before working as an enabler.",
                rng.randint(5, 25), rng.randint(0, 15), json.dumps(rng.sample(Sector.values, rng.randint(1, 2))),
                json.dumps(rng.sample(Approach.values, rng.randint(1, 3))),
                json.dumps(rng.sample(Region.values, rng.randint(1, 3))), rng.randint(2, 6), True,
            )
            for pk, user in zip(self.ids(EnablerProfile, enabler_count), enablers, strict=True)
        )  # fmt: skip
        columns = (
            "id, user_id, biography, years_in_health, years_in_social_care, sectors, approaches, regions, capacity, "
            "available_for_new_work"
        )
        self.copy(EnablerProfile, columns, profile_rows, label="enabler profiles", total=enabler_count)
        memberships = zip(self.ids(SiteMembership, len(leads)), leads.items(), strict=True)
        rows = ((pk, "lead", joined, site, user) for pk, (site, user) in memberships)
        self.copy(SiteMembership, "id, role, created_at, site_id, user_id", rows, label="site leads", total=len(leads))
        return enablers, leads

    # Engagements and their requests, proposals, agreements and keys ------------------------------------------

    def plan_engagements(self, sites: list[tuple[int, int]], enablers: list[int], demo: Engagement) -> list:
        """Which site, offer, enabler and state each engagement has, how many sessions, of what length, when."""
        rng = self.rng
        offers = list(Offer.objects.all())
        by_programme: dict[int, list[Offer]] = {}
        for offer in offers:
            by_programme.setdefault(offer.programme_id, []).append(offer)
        states, weights = zip(*STATES, strict=True)
        engagements = []
        for pk in self.ids(Engagement, self.sizes["engagements"]):
            site, programme = rng.choice(sites)
            offer = rng.choice(by_programme.get(programme) or offers)
            budget = None if offer.day_allowance is None else int(offer.day_allowance * 10)
            state = rng.choices(states, weights)[0]
            engagements.append(_Engagement(pk, site, offer, rng.choice(enablers), state, budget))
        top_up = DEMO_SESSIONS - demo.sessions.count()
        if top_up < 0:
            raise RuntimeError(f"The demo engagement already has more than {DEMO_SESSIONS} sessions.")
        self.allocate_sessions([e for e in engagements if e.state != "agreement"], self.sizes["sessions"] - top_up)
        for engagement in engagements:
            self.plan_dates(engagement)
        # The demo's engagement: more sessions, every other day before its first, within what its budget allows.
        budget = None
        if demo.day_allowance is not None:
            budget = int((demo.day_allowance + demo.days_extra - demo.days_used) * 10)
        self.demo = _Engagement(demo.pk, demo.site_id, demo.offer, demo.enabler_id, demo.state, budget, top_up)
        first = demo.sessions.order_by("held_on").values_list("held_on", flat=True).first() or self.today
        self.plan_sessions(self.demo, first - datetime.timedelta(days=2), gaps=(2, 2))
        return engagements

    def cap(self, engagement: _Engagement) -> int | None:
        """The most sessions the engagement's day budget allows, each of the shortest length."""
        if engagement.budget_tenths is None:
            return None
        return engagement.budget_tenths // min(_lengths(engagement.in_days)[1])

    def allocate_sessions(self, engagements: list[_Engagement], total: int) -> None:
        """About `total` / len sessions each, exactly `total` in all: fewer where a small day budget says so."""
        rng, mean = self.rng, total / max(len(engagements), 1)
        caps = {e.pk: self.cap(e) for e in engagements}
        loose, assigned = [], 0
        for engagement in engagements:
            cap = caps[engagement.pk]
            if cap is not None and cap < 2 * mean:
                engagement.sessions = rng.randint(min(2, cap), cap)
                assigned += engagement.sessions
            else:
                loose.append(engagement)
        weights = [rng.uniform(0.3, 1.7) for _ in loose]
        for engagement, weight in zip(loose, weights, strict=True):
            engagement.sessions = max(1, int((total - assigned) * weight / sum(weights)))
            if caps[engagement.pk] is not None:
                engagement.sessions = min(engagement.sessions, caps[engagement.pk])
        difference, pool = total - sum(e.sessions for e in engagements), loose or engagements
        while difference:  # even out the rounding, one session at a time, while any engagement has room
            changed = False
            for engagement in pool:
                cap = caps[engagement.pk]
                if difference > 0 and (cap is None or engagement.sessions < cap):
                    engagement.sessions, difference, changed = engagement.sessions + 1, difference - 1, True
                elif difference < 0 and engagement.sessions > 1:
                    engagement.sessions, difference, changed = engagement.sessions - 1, difference + 1, True
                if not difference:
                    break
            if not changed:
                break

    def plan_dates(self, engagement: _Engagement) -> None:
        """Recent enough that no closed engagement's notes are due for destruction by the retention task."""
        rng, today, day = self.rng, self.today, datetime.timedelta(days=1)
        engagement.closed_on = engagement.follow_up_on = None
        if engagement.state == "agreement":
            engagement.created_on, engagement.started_on = today - rng.randint(0, 30) * day, None
            engagement.first_session = len(self.held_on)
            return
        window = max(settings.NOTES_RETENTION_DAYS - settings.RETENTION_NOTICE_DAYS - 20, 10)
        ago = {"closed": (3, window), "active": (0, 21), "paused": (20, 90), "closing": (0, 14)}[engagement.state]
        last = today - rng.randint(*ago) * day
        self.plan_sessions(engagement, last, gaps=(10, 30) if engagement.in_days else (5, 9))
        first = datetime.date.fromordinal(self.held_on[engagement.first_session]) if engagement.sessions else last
        engagement.started_on = first - rng.randint(0, 10) * day
        engagement.created_on = engagement.started_on - rng.randint(7, 30) * day
        if engagement.state == "closed":
            engagement.closed_on = min(last + rng.randint(1, 3) * day, today)
            engagement.follow_up_on = engagement.closed_on + rng.randint(30, 120) * day
        elif engagement.state == "closing":
            engagement.follow_up_on = today + rng.randint(7, 90) * day

    def plan_sessions(self, engagement: _Engagement, last: datetime.date, *, gaps: tuple[int, int]) -> None:
        """Session dates up to `last`, and lengths that keep the days used within the budget."""
        rng, (_, tenths) = self.rng, _lengths(engagement.in_days)
        shortest, budget, used = tenths.index(min(tenths)), engagement.budget_tenths, 0
        count, day = engagement.sessions, last.toordinal()
        if budget is not None and count * tenths[shortest] > budget:
            raise RuntimeError(f"{count} sessions do not fit the day budget of engagement {engagement.pk}.")
        days = []
        for _ in range(count):
            days.append(day)
            day -= rng.randint(*gaps)
        engagement.first_session = len(self.held_on)
        for number, held_on in enumerate(reversed(days)):
            choice = rng.randrange(len(tenths))
            if budget is not None and used + tenths[choice] + (count - number - 1) * tenths[shortest] > budget:
                choice = shortest
            used += tenths[choice]
            self.held_on.append(held_on)
            self.length.append(choice)
        engagement.days_used_tenths = used

    def load_engagements(self, engagements: list[_Engagement], leads: dict[int, int]) -> None:
        rng, count, day = self.rng, len(engagements), datetime.timedelta(days=1)
        programme_lead = (
            User.objects.filter(is_active=True, is_programme_lead=True).order_by("pk").first()
            or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        )
        if programme_lead is None:
            raise RuntimeError("No programme lead to have proposed the enablers: run seed_demo first.")
        request_ids = self.ids(SupportRequest, count)
        requests = (
            (
                pk, "We are ready to work on leadership across the partnership.",
                "Support for the leadership team as partners join up care.", "The partnership board and its leads.",
                json.dumps(rng.sample(Approach.values, rng.randint(1, 2))), None, "accepted",
                _ts(e.created_on - rng.randint(14, 60) * day), _ts(e.created_on), "", None, leads[e.site],
                e.offer.pk, e.site,
            )
            for pk, e in zip(request_ids, engagements, strict=True)
        )  # fmt: skip
        columns = (
            "id, why_now, help_wanted, who_is_involved, approaches_wanted, preferred_start, state, submitted_at, "
            "decided_at, decline_reason, waiting_reminder_sent_at, created_by_id, offer_id, site_id"
        )
        self.copy(SupportRequest, columns, requests, label="support requests", total=count)
        proposals = (
            (pk, "An experienced enabler with a background in integrated care.", "[]",
             _ts(e.created_on - 7 * day), "accepted", e.enabler, programme_lead.pk, request)
            for pk, request, e in zip(self.ids(Proposal, count), request_ids, engagements, strict=True)
        )  # fmt: skip
        columns = "id, introduction, reasons, proposed_at, outcome, enabler_id, proposed_by_id, request_id"
        self.copy(Proposal, columns, proposals, label="proposals", total=count)

        def tenths(value: int) -> str:
            return f"{value // 10}.{value % 10}"

        rows = (
            (
                e.pk, e.state, _ts(e.created_on), e.started_on, e.follow_up_on, e.closed_on,
                None if e.offer.day_allowance is None else str(e.offer.day_allowance), tenths(e.days_used_tenths),
                "0", "0", e.enabler, e.site, e.offer.pk, request,
            )
            for e, request in zip(engagements, request_ids, strict=True)
        )  # fmt: skip
        columns = (
            "id, state, created_at, started_on, follow_up_on, closed_on, day_allowance, days_used, days_extra, "
            "days_carried, enabler_id, site_id, offer_id, request_id"
        )
        self.copy(Engagement, columns, rows, label="engagements", total=count)
        from engagements.models.engagement import DEFAULT_CONFIDENTIALITY

        agreements = (
            (pk, e.pk, e.offer.get_cadence_display(), *(
                ("Sessions on site and online, agreed a month ahead.", "A partnership board that decides together.",
                 leads[e.site], _ts(e.started_on - day), _ts(e.started_on - day))
                if e.started_on else ("", "", None, None, None)
            ), DEFAULT_CONFIDENTIALITY, _ts(e.started_on or e.created_on))
            for pk, e in zip(self.ids(Agreement, count), engagements, strict=True)
        )  # fmt: skip
        columns = (
            "id, engagement_id, cadence, ways_of_working, goals, site_confirmed_by_id, site_confirmed_at, "
            "enabler_confirmed_at, confidentiality, updated_at"
        )
        self.copy(Agreement, columns, agreements, label="agreements", total=count)
        self.load_keys(engagements)

    def load_keys(self, engagements: list[_Engagement]) -> None:
        """Each engagement's data key, made and wrapped as in production; unwrapped here to encrypt its notes."""
        demo_key = EngagementKey.objects.filter(engagement_id=self.demo.pk).first()
        if demo_key is not None:
            self.data_keys[self.demo.pk] = crypto.unwrap(self.demo.pk, demo_key.master_key_id, demo_key.wrapped_key)
        pending = [e.pk for e in engagements] + ([self.demo.pk] if demo_key is None and self.demo.sessions else [])

        key_ids = self.ids(EngagementKey, len(pending))  # not inside rows(): no query while the COPY runs

        def rows() -> Iterator[tuple[object, ...]]:
            for pk, engagement in zip(key_ids, pending, strict=True):
                key_id, wrapped = crypto.new_wrapped_data_key(engagement)
                self.data_keys[engagement] = crypto.unwrap(engagement, key_id, wrapped)
                yield pk, key_id, "", wrapped, _ts(self.today), engagement

        columns = "id, master_key_id, notes_key_id, wrapped_key, created_at, engagement_id"
        self.copy(EngagementKey, columns, rows(), label="engagement keys", total=len(pending))

    # Sessions and private notes ------------------------------------------------------------------------------

    def load_sessions_and_notes(self, engagements: list[_Engagement], demo: Engagement) -> None:
        rng, total = self.rng, len(self.held_on)
        session_ids = self.ids(Session, total)
        every = [*engagements, self.demo]
        day_formats = ["design-workshop", "partnership-board", "leadership-team", "stakeholder-group"]
        hour_formats = ["one-to-one", "one-to-one", "leadership-team", "small-group", "partnership-board"]

        def sessions() -> Iterator[tuple[object, ...]]:
            for e in every:
                lengths, formats = (DAY_LENGTHS, day_formats) if e.in_days else (HOUR_LENGTHS, hour_formats)
                for index in range(e.first_session, e.first_session + e.sessions):
                    held_on = datetime.date.fromordinal(self.held_on[index]).isoformat()
                    length = lengths[self.length[index]]
                    yield (
                        session_ids[index], held_on, None if e.in_days else length, length if e.in_days else None,
                        rng.choice(formats), "on-site" if e.in_days or rng.random() < 0.4 else "remote",
                        rng.choice(PARTICIPANTS), f"{held_on} 17:00:00+00", e.pk, e.enabler,
                    )  # fmt: skip

        columns = "id, held_on, hours, days, format, place, participants, created_at, engagement_id, logged_by_id"
        self.copy(Session, columns, sessions(), label="sessions", total=total)
        added = self.demo.days_used_tenths
        Engagement.objects.filter(pk=demo.pk).update(days_used=F("days_used") + Decimal(added) / 10)

        def notes() -> Iterator[tuple[object, ...]]:
            for e in every:
                key = self.data_keys[e.pk]
                for index in range(e.first_session, e.first_session + e.sessions):
                    session = session_ids[index]
                    written = f"{datetime.date.fromordinal(self.held_on[index]).isoformat()} 18:00:00+00"
                    uid = uuid.uuid4()  # each note's sealing is bound to its own id and version
                    ciphertext = crypto.encrypt_note(key, e.pk, note_text_for(session), note=uid, version=1)
                    yield note_ids[index], ciphertext, uid, 1, written, written, e.enabler, e.pk, session

        note_ids = self.ids(PrivateNote, total)
        columns = "id, ciphertext, uid, version, created_at, updated_at, author_id, engagement_id, session_id"
        self.copy(PrivateNote, columns, notes(), label="private notes", total=total)

    # Lessons -------------------------------------------------------------------------------------------------

    def load_lessons(self, engagements: list[_Engagement], leads: dict[int, int], programmes: dict[int, int]) -> None:
        """Published lessons (both parties approved version 1) with 1 to 3 themes; the search vectors are then made
        in one UPDATE with the expression production uses."""
        rng, count, day = self.rng, self.sizes["lessons"], datetime.timedelta(days=1)
        eligible = [e for e in engagements if e.state != "agreement"]
        themes = list(Theme.objects.values_list("pk", flat=True))
        phrase_count = min(max(10, round(PHRASE_LESSONS * count / FULL_SIZES["lessons"])), count // 4)
        rare_count = min(RARE_LESSONS, max(1, count // 20))
        marked = rng.sample(range(count), rare_count + 2 * phrase_count)
        rare, phrase = set(marked[:rare_count]), set(marked[rare_count : rare_count + phrase_count])
        huddle = set(marked[rare_count + phrase_count :])  # "huddle" without "neighbourhood" just before it
        lesson_ids, theme_rows = self.ids(Lesson, count), []

        def lessons() -> Iterator[tuple[object, ...]]:
            for number, pk in enumerate(lesson_ids):
                e = rng.choice(eligible)
                sentences = [
                    f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}."
                    for _ in range(rng.randint(3, 6))
                ]
                common = rng.random() < COMMON_SHARE
                extra = [
                    rng.choice(group)
                    for group, wanted in (
                        (TRUST_SENTENCES, common), (PHRASE_SENTENCES, number in phrase),
                        (HUDDLE_SENTENCES, number in huddle), (RARE_SENTENCES, number in rare),
                    )
                    if wanted
                ]  # fmt: skip
                for sentence in extra:
                    sentences.insert(rng.randint(0, len(sentences)), sentence)
                if common and rng.random() < 0.2:
                    title = rng.choice(TRUST_TITLES)
                else:
                    title = f"{rng.choice(TITLE_VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
                end = e.closed_on or self.today
                written = e.started_on + rng.randint(0, max((end - e.started_on).days, 0)) * day
                published = min(written + rng.randint(1, 20) * day, self.today)
                author = e.enabler if rng.random() < 0.7 else leads[e.site]
                theme_rows.extend((pk, theme) for theme in rng.sample(themes, rng.randint(1, min(3, len(themes)))))
                yield (
                    pk, title, " ".join(sentences), rng.choice(Lesson.Audience.values), e.created_on.year,
                    "published", 1, 1, 1, _ts(written), _ts(published, 10), _ts(published, 10), author, e.pk,
                    programmes[e.site], leads[e.site],
                )  # fmt: skip

        columns = (
            "id, title, body, audience, year, state, version, site_approved_version, enabler_approved_version, "
            "created_at, updated_at, published_at, created_by_id, engagement_id, programme_id, site_approved_by_id"
        )
        self.copy(Lesson, columns, lessons(), label="lessons", total=count)
        through = Lesson.themes.through
        rows = ((pk, *row) for pk, row in zip(self.ids(through, len(theme_rows)), theme_rows, strict=True))
        self.copy(through, "id, lesson_id, theme_id", rows, label="lesson themes", total=len(theme_rows))
        self.fill_search_vectors(lesson_ids)

    def fill_search_vectors(self, lesson_ids: range) -> None:
        """One UPDATE, with the search index dropped meanwhile and built again after: far quicker than updating
        a GIN index row by row."""
        started, table = time.monotonic(), Lesson._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
                "AND indexdef LIKE %s",
                [table, "%search_vector%"],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        updated = Lesson.objects.filter(pk__in=lesson_ids).update(search_vector=lesson_vector())
        self.say(f"search vectors: {updated:,} lessons ({time.monotonic() - started:.0f} s)")
        with connection.cursor() as cursor:
            for _, definition in indexes:
                cursor.execute(definition)
        self.say(f"search index rebuilt ({time.monotonic() - started:.0f} s)")

    # Afterwards ----------------------------------------------------------------------------------------------

    LOADED = [
        User, EnablerProfile, Site, Organisation, Site.partners.through, SiteMembership, SupportRequest, Proposal,
        Engagement, Agreement, EngagementKey, Session, PrivateNote, Lesson, Lesson.themes.through,
    ]  # fmt: skip

    def reset_sequences(self) -> None:
        """The rows were given their ids: each id sequence moves past the largest."""
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.LOADED):
                cursor.execute(statement)

    def vacuum(self) -> None:
        """Statistics for the planner, and a visibility map for index-only scans (the UPDATE left dead rows)."""
        started = time.monotonic()
        with connection.cursor() as cursor:
            for model in self.LOADED:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        self.say(f"vacuum and analyze ({time.monotonic() - started:.0f} s)")
