"""Who may open which page: every URL name in config.urls, for every persona.

The rows are in tests/helpers/access.py (MATRIX and POST_MATRIX), where other tests walk them too. A row is (URL name,
the object it is opened with, the status each persona gets). An object URL appears once with site A's object and
once with site B's, so another site's record is always tried too (404, never 403). A URL name that has no row fails
`test_every_url_name_has_a_row`, so no page ships without an access decision.
Pages that change something answer only POST: their GET rows expect 405, and POST_MATRIX tries each with a POST.
The Django admin is covered by its own rule at the end of this file: administrators only.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.helpers.access import MATRIX, POST_MATRIX, TARGETS
from tests.helpers.people import PERSONAS, client_for


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

    assert not missing, f"URL names with no access decision in tests/helpers/access.py: {sorted(missing)}"


def test_every_post_only_url_is_tried_with_a_post() -> None:
    post_only = {name for name, _, expected in MATRIX if expected["site_lead"] == 405}

    assert post_only - {"accounts:logout"} == {name for name, _, _ in POST_MATRIX}


def _ids(matrix: list) -> list[str]:
    return [f"{name}[{target}]" for name, target, _ in matrix]


def _statuses(objects: dict, method: str, url: str) -> dict[str, int]:
    """What every persona gets for one request. One test per row and every persona inside it keeps the
    suite quick: the personas' objects are built once per row, not once per persona."""
    return {persona: getattr(client_for(objects[persona]), method)(url).status_code for persona in PERSONAS}


@pytest.mark.parametrize(("url_name", "target", "expected"), MATRIX, ids=_ids(MATRIX))
def test_access_matrix(objects: dict, url_name: str, target: str, expected: dict[str, int]) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    statuses = _statuses(objects, "get", url)

    assert statuses == expected, f"GET {url}: " + ", ".join(
        f"{persona} got {statuses[persona]}, expected {expected[persona]}"
        for persona in PERSONAS
        if statuses[persona] != expected[persona]
    )


@pytest.mark.parametrize(("url_name", "target", "expected"), POST_MATRIX, ids=_ids(POST_MATRIX))
def test_post_matrix(objects: dict, url_name: str, target: str, expected: dict[str, int]) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    statuses = _statuses(objects, "post", url)

    assert statuses == expected, f"POST {url}: " + ", ".join(
        f"{persona} got {statuses[persona]}, expected {expected[persona]}"
        for persona in PERSONAS
        if statuses[persona] != expected[persona]
    )


# A form page that is POSTed to with nothing filled in: whoever may open the page gets the form back with its
# errors, is sent on (302), or is told the method is not allowed (405); whoever may not open it gets exactly what
# their GET got (404, or the log-in page), never a 2xx. The POST-only pages are in POST_MATRIX above.
ALLOWED_AFTER_POST = {200, 302, 405}
GET_ROWS = [row for row in MATRIX if row[2]["site_lead"] != 405]


@pytest.mark.parametrize(("url_name", "target", "expected_get"), GET_ROWS, ids=_ids(GET_ROWS))
def test_every_page_answers_a_post_as_its_get_allows(
    objects: dict, url_name: str, target: str, expected_get: dict[str, int]
) -> None:
    url = reverse(url_name, kwargs=TARGETS[target](objects))

    statuses = _statuses(objects, "post", url)

    wrong = []
    for persona in PERSONAS:
        allowed = 200 <= expected_get[persona] < 300 or (expected_get[persona] == 302 and persona != "anonymous")
        if allowed and statuses[persona] not in ALLOWED_AFTER_POST:
            wrong.append(f"{persona} got {statuses[persona]}, expected one of {sorted(ALLOWED_AFTER_POST)}")
        elif not allowed and statuses[persona] != expected_get[persona]:
            wrong.append(f"{persona} got {statuses[persona]}, expected {expected_get[persona]} as for GET")
    assert not wrong, f"POST {url}: " + ", ".join(wrong)


def test_anonymous_is_sent_to_log_in_not_told_what_exists(objects: dict) -> None:
    url = reverse("engagements:engagement_detail", kwargs={"pk": objects["engagement_a"].pk})

    response = client_for(None).get(url)

    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def _admin_urls(administrator: object) -> list[tuple[str, int]]:
    """Every registered model's list, add and change pages (the change page with a real object), with the status
    an administrator gets: 403 where the admin refuses additions on purpose (requests and engagements are born in
    the app, never typed in)."""
    request = RequestFactory().get("/")
    request.user = administrator
    urls = [(reverse("admin:index"), 200)]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), 200))
        add_status = 200 if model_admin.has_add_permission(request) else 403
        urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), add_status))
        instance = model_admin.get_queryset(request).first()  # what the admin itself lists
        if instance is not None:
            urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk]), 200))
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_administrators_only(objects: dict, persona: str) -> None:
    client = client_for(objects[persona])

    for url, admin_status in _admin_urls(objects["administrator"]):
        status = client.get(url).status_code

        expected = admin_status if persona == "administrator" else 302  # others go to the admin's log-in
        assert status == expected, f"{persona} GET {url}"
