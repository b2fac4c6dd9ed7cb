"""Who may open which page: every URL name in config.urls, for every persona.

A row is (URL name, the object it is opened with, the status each persona gets). An object URL appears once with
site A's object and once with site B's, so another site's record is always tried too (404, never 403). A URL name
that has no row fails `test_every_url_name_has_a_row`, so no page ships without an access decision.
The Django admin is covered by its own rule at the end of this file: administrators only.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, client_for

LOGIN = 302  # an anonymous visitor is sent to the log-in page


def everyone(status: int, anonymous: int = LOGIN) -> dict[str, int]:
    return {persona: (anonymous if persona == "anonymous" else status) for persona in PERSONAS}


def only(allowed: dict[str, int], otherwise: int = 404) -> dict[str, int]:
    return {persona: allowed.get(persona, LOGIN if persona == "anonymous" else otherwise) for persona in PERSONAS}


# What each target means: the keyword arguments for reverse(), built from the personas' real objects.
TARGETS: dict[str, Callable[[dict], dict]] = {
    "none": lambda objects: {},
    "site_a": lambda objects: {"pk": objects["site_a"].pk},
    "site_b": lambda objects: {"pk": objects["site_b"].pk},
    "reset_link": lambda objects: {"uidb64": "MQ", "token": "not-a-valid-token"},
}

MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("home", "none", everyone(200)),
    ("healthz", "none", everyone(200, anonymous=200)),
    ("accounts:login", "none", everyone(302, anonymous=200)),
    ("accounts:logout", "none", everyone(405)),  # log out is a POST
    ("accounts:password_reset", "none", everyone(200, anonymous=200)),
    ("accounts:password_reset_done", "none", everyone(200, anonymous=200)),
    ("accounts:password_reset_confirm", "reset_link", everyone(200, anonymous=200)),
    ("accounts:password_reset_complete", "none", everyone(200, anonymous=200)),
    ("accounts:password_change", "none", everyone(200)),
    ("accounts:password_change_done", "none", everyone(200)),
    ("sites:site_list", "none", only({"programme_lead": 200, "administrator": 200})),
    (
        "sites:my_site",
        "none",
        only(
            {"site_lead": 302, "site_member": 302, "other_site_lead": 302},
            otherwise=200,  # people with no site see a page that says so
        ),
    ),
    (
        "sites:site_detail",
        "site_a",
        only({"site_lead": 200, "site_member": 200, "programme_lead": 200, "administrator": 200}),
    ),
    (
        "sites:site_detail",
        "site_b",
        only({"other_site_lead": 200, "programme_lead": 200, "administrator": 200}),
    ),
]


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_name_has_a_row() -> None:
    covered = {name for name, _, _ in MATRIX}

    missing = {name for name in _url_names() if not name.startswith("admin:")} - covered

    assert not missing, f"URL names with no access decision in tests/test_access.py: {sorted(missing)}"


@pytest.fixture
def objects(personas: dict, site_a: object, site_b: object) -> dict:
    return {"site_a": site_a, "site_b": site_b, **personas}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url_name", "target", "expected"), MATRIX, ids=[f"{n}[{t}]" for n, t, _ in MATRIX])
def test_access_matrix(objects: dict, persona: str, url_name: str, target: str, expected: dict[str, int]) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    response = client_for(objects[persona]).get(url)

    assert response.status_code == expected[persona], f"{persona} GET {url}"
    if persona == "anonymous" and expected[persona] == LOGIN:
        assert response["Location"].startswith(reverse("accounts:login"))


def _admin_urls(objects: dict) -> list[str]:
    """Every registered model's list, add and change pages, the change page with a real object."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        instance = model._default_manager.first()
        if instance is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk]))
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_administrators_only(objects: dict, persona: str) -> None:
    client = client_for(objects[persona])

    statuses = {url: client.get(url).status_code for url in _admin_urls(objects)}

    expected = 200 if persona == "administrator" else 302  # everyone else is sent to the admin's log-in
    assert set(statuses.values()) == {expected}, statuses
