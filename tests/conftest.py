"""The named personas every test speaks of, built with the real models.

Site A has a lead and a member; site B has a lead. Two enablers (engagements arrive with the support issue),
a programme lead from the central team, an administrator, and anonymous.
"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from sites.models import Organisation, Programme, Region, Site, SiteMembership

PASSWORD = "a-long-test-password-for-personas"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Production's slow hasher is the point in production; in tests it only costs minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(email: str, full_name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=full_name, **extra)


@pytest.fixture
def programme(db: None) -> Programme:
    return Programme.objects.create(kind=Programme.Kind.PIONEER, year=2013)


@pytest.fixture
def site_a(programme: Programme) -> Site:
    site = Site.objects.create(name="Ashvale", programme=programme, region=Region.LONDON)
    council = Organisation.objects.create(
        name="Ashvale Borough Council", sector=Organisation.Sector.COUNCIL, aliases="AB Council"
    )
    site.partners.add(council)
    return site


@pytest.fixture
def site_b(programme: Programme) -> Site:
    return Site.objects.create(
        name="Brookmere",
        programme=programme,
        region=Region.MIDLANDS,
        council_count=2,
        boundaries_overlap=True,
    )


@pytest.fixture
def site_lead(site_a: Site) -> User:
    user = _user("lead.a@example.test", "Avery Lead")
    SiteMembership.objects.create(user=user, site=site_a, role=SiteMembership.Role.LEAD)
    return user


@pytest.fixture
def site_member(site_a: Site) -> User:
    user = _user("member.a@example.test", "Ash Member")
    SiteMembership.objects.create(user=user, site=site_a, role=SiteMembership.Role.MEMBER)
    return user


@pytest.fixture
def other_site_lead(site_b: Site) -> User:
    user = _user("lead.b@example.test", "Blair Lead")
    SiteMembership.objects.create(user=user, site=site_b, role=SiteMembership.Role.LEAD)
    return user


@pytest.fixture
def enabler(db: None) -> User:
    return _user("enabler@example.test", "Emery Enabler")


@pytest.fixture
def other_enabler(db: None) -> User:
    return _user("other.enabler@example.test", "Orin Enabler")


@pytest.fixture
def programme_lead(db: None) -> User:
    return _user("lead@central.example.test", "Pat Central", is_programme_lead=True)


@pytest.fixture
def administrator(db: None) -> User:
    return User.objects.create_superuser("admin@example.test", PASSWORD, full_name="Addison Admin")


PERSONAS = [
    "anonymous",
    "site_lead",
    "site_member",
    "other_site_lead",
    "enabler",
    "other_enabler",
    "programme_lead",
    "administrator",
]


@pytest.fixture
def personas(
    site_lead: User,
    site_member: User,
    other_site_lead: User,
    enabler: User,
    other_enabler: User,
    programme_lead: User,
    administrator: User,
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "site_lead": site_lead,
        "site_member": site_member,
        "other_site_lead": other_site_lead,
        "enabler": enabler,
        "other_enabler": other_enabler,
        "programme_lead": programme_lead,
        "administrator": administrator,
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
