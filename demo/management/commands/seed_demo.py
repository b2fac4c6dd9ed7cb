"""Fill the database with a believable, entirely fictional programme to try Alongside with.

Place names are public facts (the Integrated Care Pioneer areas announced in November 2013 and a few Accelerate and
Vanguard places); every person, and every organisation's staff, is invented. Running it again changes nothing.
"""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts import two_factor
from accounts.models import User
from sites.models import Organisation, Programme, Region, Site, SiteMembership

DEMO_PASSWORD = "alongside-demo"  # noqa: S105 - published in the README on purpose: demo accounts only
# The authenticator secret of the two demo accounts that must use two-factor; published in the README on purpose,
# so anyone trying the demo can add it to an authenticator app (or compute a code with `oathtool --totp -b`).
DEMO_TOTP_SECRET = "MHRGFUMJ6GE73XHHBW5P5MZ47JTHHNYC"  # noqa: S105 - published on purpose, demo only
DEMO_TWO_FACTOR_ACCOUNTS = ("programme.lead@example.org", "admin@example.org")
# The 80-bit key the demo published before, which authenticator libraries now refuse: replaced where found.
RETIRED_DEMO_TOTP_SECRETS = ("JBSWY3DPEHPK3PXP",)

# (e-mail, full name, job title, what the account is for)
DEMO_ACCOUNTS = [
    (
        "programme.lead@example.org",
        "Robin Ashdown",
        "Programme lead, central team",
        "programme lead (central team)",
    ),
    ("enabler@example.org", "Morgan Ellery", "Systems leadership enabler", "enabler"),
    (
        "site.lead@example.org",
        "Tamsin Okoro",
        "Integration programme director",
        "lead of the Barnsley Pioneer site",
    ),
    (
        "site.member@example.org",
        "Idris Fenwick",
        "Head of joint commissioning",
        "member of the Barnsley Pioneer site",
    ),
    (
        "other.site@example.org",
        "Delphine Arkwright",
        "Pioneer programme manager",
        "lead of the Leeds Pioneer site",
    ),
    (
        "other.enabler@example.org",
        "Jordan Pike",
        "Faculty practitioner",
        "enabler with engagements elsewhere",
    ),
    ("admin@example.org", "Alex Quarry", "Service administrator", "administrator (Django admin)"),
    ("account.manager@example.org", "Noor Haddad", "Account manager", "account manager linked to Barnsley"),
    ("vanguard.lead@example.org", "Sol Marchetti", "New care model director", "lead of the Wirral Vanguard site"),
]

R = Region
# The fourteen Integrated Care Pioneers of November 2013: (place, region, councils, CCGs, overlapping boundaries)
PIONEERS = [
    ("Barnsley", R.NORTH_EAST_AND_YORKSHIRE, 1, 1, False),
    ("Cheshire", R.NORTH_WEST, 2, 4, True),
    ("Cornwall and Isles of Scilly", R.SOUTH_WEST, 2, 1, False),
    ("Greenwich", R.LONDON, 1, 1, False),
    ("Islington", R.LONDON, 1, 1, False),
    ("Kent", R.SOUTH_EAST, 1, 7, True),
    ("Leeds", R.NORTH_EAST_AND_YORKSHIRE, 1, 3, False),
    ("North West London", R.LONDON, 8, 8, True),
    ("North Staffordshire", R.MIDLANDS, 2, 2, True),
    ("South Devon and Torbay", R.SOUTH_WEST, 2, 1, True),
    ("Southend", R.EAST_OF_ENGLAND, 1, 1, False),
    ("South Tyneside", R.NORTH_EAST_AND_YORKSHIRE, 1, 1, False),
    ("Waltham Forest and East London and City", R.LONDON, 4, 4, True),
    ("Worcestershire", R.MIDLANDS, 1, 3, True),
]
ACCELERATE = [
    ("Calderdale", R.NORTH_EAST_AND_YORKSHIRE, 1, 1, False),
    ("Dudley", R.MIDLANDS, 1, 1, False),
    ("Lincolnshire", R.MIDLANDS, 1, 4, True),
]
VANGUARDS = [
    ("Wirral", R.NORTH_WEST, 1, 1, False),
    ("Salford", R.NORTH_WEST, 1, 1, False),
    ("Morecambe Bay", R.NORTH_WEST, 2, 2, True),
]
# Councils people name in more than one way: the aliases feed the anonymiser of lessons.
COUNCIL_NAMES = {
    "Islington": ("London Borough of Islington", ["LB Islington", "Islington Council"]),
    "Greenwich": ("Royal Borough of Greenwich", ["RB Greenwich", "Greenwich Council"]),
    "Barnsley": ("Barnsley Metropolitan Borough Council", ["Barnsley Council", "Barnsley MBC"]),
    "Leeds": ("Leeds City Council", ["LCC"]),
}

PROGRAMMES = [
    (
        Programme.Kind.PIONEER,
        2013,
        "Integrated Care Pioneers: places leading the integration of health and social care.",
    ),
    (Programme.Kind.ACCELERATE, 2014, "Accelerate sites: on-site leadership support for new models of care."),
    (Programme.Kind.VANGUARD, 2015, "Vanguard sites: systems leadership support for new care models."),
]

DESCRIPTIONS: dict[str, str] = {
    Programme.Kind.PIONEER: "A partnership of NHS bodies, the council and voluntary organisations joining up care.",
    Programme.Kind.ACCELERATE: "A locality working on a model of integration with on-site leadership support.",
    Programme.Kind.VANGUARD: "A partnership designing a new care model for its population.",
}


class Command(BaseCommand):
    help = "Fill the database with the demo programme and accounts (safe to run twice)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has accounts."
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has data: the demo was not seeded again.")
        else:
            # The demo's notifications are kept in the app; their e-mails go to a throw-away outbox, not the terminal.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                with transaction.atomic():
                    self._seed()
                mail.outbox = []
        self._demo_two_factor()
        self._print_accounts()
        self._print_invitations()

    def _demo_two_factor(self) -> None:
        """The demo's central team and administrator have an authenticator with the published secret (also in a
        database seeded before two-factor existed, or with the short key published before, so that an old local demo
        keeps working with the key printed)."""
        retired = {b32decode(secret).hex() for secret in RETIRED_DEMO_TOTP_SECRETS}
        for user in User.objects.filter(email__in=DEMO_TWO_FACTOR_ACCOUNTS):
            device = two_factor.authenticator_for(user)
            if not two_factor.has_authenticator(user) or (device is not None and device.key in retired):
                two_factor.set_up_known_secret(user, DEMO_TOTP_SECRET)

    def _print_invitations(self) -> None:
        """The demo's e-mails are not printed, so the links of its invitations still waiting are, to try them."""
        from demo.onboarding import waiting_links

        links = waiting_links()
        if links:
            self.stdout.write("\nInvitations waiting to be accepted (open a link signed out):")
            for email, path in links:
                self.stdout.write(f"  {email:<30} {settings.SITE_URL}{path}")

    def _print_accounts(self) -> None:
        self.stdout.write(f"\nDemo accounts (password for each: {DEMO_PASSWORD}):")
        for email, _, _, role in DEMO_ACCOUNTS:
            extra = "  + two-factor code" if email in DEMO_TWO_FACTOR_ACCOUNTS else ""
            self.stdout.write(f"  {email:<30} {role}{extra}")
        self.stdout.write(
            f"\nTwo-factor for the accounts marked: add the key {DEMO_TOTP_SECRET} to an authenticator app\n"
            f"(or run: oathtool --totp -b {DEMO_TOTP_SECRET}) and enter the 6-digit code it shows.\n"
        )

    def _seed(self) -> None:
        programmes = {
            kind: Programme.objects.get_or_create(kind=kind, year=year, defaults={"description": text})[0]
            for kind, year, text in PROGRAMMES
        }
        sites = {}
        for kind, places in (
            (Programme.Kind.PIONEER, PIONEERS),
            (Programme.Kind.ACCELERATE, ACCELERATE),
            (Programme.Kind.VANGUARD, VANGUARDS),
        ):
            for place, region, councils, commissioners, overlap in places:
                sites[place] = self._site(programmes[kind], place, region, councils, commissioners, overlap)
        users = {email: self._user(email, name, title) for email, name, title, _ in DEMO_ACCOUNTS}
        users["programme.lead@example.org"].is_programme_lead = True
        users["programme.lead@example.org"].save(update_fields=["is_programme_lead"])
        admin = users["admin@example.org"]
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        self._member(users["site.lead@example.org"], sites["Barnsley"], SiteMembership.Role.LEAD)
        self._member(users["site.member@example.org"], sites["Barnsley"], SiteMembership.Role.MEMBER)
        self._member(users["other.site@example.org"], sites["Leeds"], SiteMembership.Role.LEAD)
        self._member(users["vanguard.lead@example.org"], sites["Wirral"], SiteMembership.Role.LEAD)
        users["account.manager@example.org"].is_account_manager = True
        users["account.manager@example.org"].save(update_fields=["is_account_manager"])
        sites["Barnsley"].account_managers.add(users["account.manager@example.org"])
        sites["Calderdale"].account_managers.add(users["account.manager@example.org"])
        from demo.engagements import seed_support

        seed_support(users=users, sites=sites, programmes=programmes, password=DEMO_PASSWORD)
        from demo.lessons import seed_lessons

        seed_lessons(users=users, sites=sites, password=DEMO_PASSWORD)
        from demo.engagements import seed_feedback

        seed_feedback()
        from demo.onboarding import seed_onboarding

        seed_onboarding(users=users, sites=sites)
        from retention.actions import apply_schedule

        apply_schedule()  # as the first night would: Wirral's older pairing is due for some of it
        people = User.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {len(sites)} sites and {people} people, all fictional."))

    def _site(
        self, programme: Programme, place: str, region: str, councils: int, commissioners: int, overlap: bool
    ) -> Site:
        site, _ = Site.objects.get_or_create(
            name=place,
            defaults={
                "programme": programme,
                "region": region,
                "council_count": councils,
                "commissioner_count": commissioners,
                "boundaries_overlap": overlap,
                "description": DESCRIPTIONS[programme.kind],
            },
        )
        council_name, aliases = COUNCIL_NAMES.get(place, (f"{place} Council", []))
        partners = [
            (council_name, Organisation.Sector.COUNCIL, aliases),
            (f"{place} Clinical Commissioning Group", Organisation.Sector.COMMISSIONER, [f"{place} CCG"]),
            (f"{place} Community Health Services NHS Trust", Organisation.Sector.NHS_TRUST, []),
            (f"{place} Council for Voluntary Service", Organisation.Sector.VOLUNTARY, [f"{place} CVS"]),
        ]
        for name, sector, alias_list in partners:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"sector": sector, "aliases": "\n".join(alias_list)}
            )
            site.partners.add(organisation)
        return site

    def _user(self, email: str, full_name: str, job_title: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, job_title=job_title)
        return user

    def _member(self, user: User, site: Site, role: str) -> None:
        SiteMembership.objects.get_or_create(user=user, site=site, defaults={"role": role})
