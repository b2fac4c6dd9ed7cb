"""Every app's pages carry the browser's security headers, and cookies travel over HTTPS only.

One page of every app (and the Django admin, the public log-in page and the health check) is opened over HTTPS, as
production serves it, by a person who may see it. The headers come from Django's SecurityMiddleware and
XFrameOptionsMiddleware (settings SECURE_*, X_FRAME_OPTIONS), django-csp (CONTENT_SECURITY_POLICY) and
config.middleware.SecurityHeadersMiddleware (Permissions-Policy, Cache-Control).
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import Morsel

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement
from tests.helpers.people import PASSWORD, client_for

ONE_YEAR = 60 * 60 * 24 * 365

# (URL name, persona, the URL's arguments built from the `people` fixture)
Page = tuple[str, str, Callable[[dict], dict]]
PAGES: list[Page] = [
    ("home", "site_lead", lambda o: {}),
    ("sites:site_detail", "site_lead", lambda o: {"pk": o["engagement_a"].site_id}),
    ("engagements:engagement_detail", "site_lead", lambda o: {"pk": o["engagement_a"].pk}),
    ("lessons:library", "site_lead", lambda o: {}),
    ("accounts:preferences", "site_lead", lambda o: {}),
    ("admin:index", "administrator", lambda o: {}),
    ("accounts:login", "anonymous", lambda o: {}),
    ("healthz", "anonymous", lambda o: {}),
]
PAGE_IDS = [name for name, _, _ in PAGES]
SIGNED_IN_PAGES = [page for page in PAGES if page[1] != "anonymous"]


@pytest.fixture(autouse=True)
def _health_check_without_redis(settings: object) -> None:
    """The health check reports Redis when REDIS_URL is set; these tests are about its headers, not about Redis."""
    settings.REDIS_URL = ""


@pytest.fixture
def people(site_lead: User, administrator: User, engagement_a: Engagement) -> dict:
    """The personas of PAGES, and site A's engagement (whose site the site lead's pages show)."""
    return {"site_lead": site_lead, "administrator": administrator, "anonymous": None, "engagement_a": engagement_a}


def _open_over_https(page: Page, people: dict) -> HttpResponse:
    name, persona, arguments = page
    response = client_for(people[persona]).get(reverse(name, kwargs=arguments(people)), secure=True)
    assert response.status_code == 200, f"{name} as {persona} answered {response.status_code}"
    return response


def content_security_policy(response: HttpResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        if part.strip():
            directive, *sources = part.split()
            directives[directive.lower()] = sources
    return directives


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_page_tells_browsers_to_use_https_only_for_a_year(page: Page, people: dict) -> None:
    response = _open_over_https(page, people)

    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    max_age = next(int(part.removeprefix("max-age=")) for part in hsts if part.startswith("max-age="))
    assert max_age >= ONE_YEAR
    assert "includeSubDomains" in hsts


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_page_allows_only_its_own_scripts_and_no_framing(page: Page, people: dict) -> None:
    response = _open_over_https(page, people)

    policy = content_security_policy(response)
    assert policy["default-src"] == ["'self'"]
    script_sources = [
        source for directive in policy if directive.startswith("script-src") for source in policy[directive]
    ]
    script_sources = script_sources or policy["default-src"]  # without script-src, browsers use default-src
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources
    assert "'unsafe-inline'" not in policy.get("style-src", policy["default-src"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]  # an injected <base> cannot send relative script URLs elsewhere


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_page_refuses_sniffing_framing_referrers_openers_and_unused_features(page: Page, people: dict) -> None:
    response = _open_over_https(page, people)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    # same-origin or stricter: addresses (which hold record ids) never go to another site.
    assert {policy.strip() for policy in response["Referrer-Policy"].split(",")} <= {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=[name for name, _, _ in SIGNED_IN_PAGES])
def test_no_page_shown_to_a_signed_in_person_is_kept_in_a_cache(page: Page, people: dict) -> None:
    response = _open_over_https(page, people)

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["accounts:login", "healthz"])
def test_login_page_and_health_check_are_not_cached_either(name: str, db: None) -> None:
    """Django's LoginView is never_cache (its form carries a CSRF token tied to this visitor's cookie, so a cached
    copy would fail or be shared), and the health check is never_cache so a probe always sees the present state."""
    response = Client().get(reverse(name), secure=True)

    assert "no-store" in response["Cache-Control"]


def test_a_public_page_for_an_anonymous_visitor_may_be_cached(db: None) -> None:
    """no-store is for pages that can show a person's data; the public accessibility statement shows none to an
    anonymous visitor, so SecurityHeadersMiddleware leaves it cacheable."""
    response = Client().get(reverse("accessibility"), secure=True)

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _assert_locked_down(cookie: Morsel) -> None:
    assert cookie["secure"] is True, f"{cookie.key} is not Secure"
    assert cookie["httponly"] is True, f"{cookie.key} is not HttpOnly"
    assert cookie["samesite"] == "Lax", f"{cookie.key} is not SameSite=Lax"


def test_session_and_csrf_cookies_set_at_login_are_secure_httponly_and_same_site(site_lead: User) -> None:
    client = Client()
    client.get(reverse("accounts:login"), secure=True)

    response = client.post(reverse("accounts:login"), {"username": site_lead.email, "password": PASSWORD}, secure=True)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    _assert_locked_down(response.cookies["sessionid"])
    _assert_locked_down(response.cookies["csrftoken"])  # a new token at login (rotate_token)


def test_plain_http_is_redirected_to_https(site_lead: User, settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = True  # tests turn it off (tests/conftest.py); production has it on

    response = Client().get(reverse("accounts:login"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + reverse("accounts:login")


def test_health_check_answers_plain_http_without_a_redirect(db: None, settings: object) -> None:
    """Probes from inside the deployment speak plain HTTP to gunicorn (SECURE_REDIRECT_EXEMPT)."""
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200


def test_https_ended_at_the_proxy_counts_as_https(db: None, settings: object) -> None:
    """With BEHIND_TLS_PROXY the proxy's X-Forwarded-Proto says the visitor used HTTPS: no redirect loop, and HSTS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = Client().get(reverse("accounts:login"), headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200
    assert "max-age=" in response["Strict-Transport-Security"]


def test_the_lock_out_page_has_the_same_policy_as_every_other_page(site_lead: User, settings: object) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            reverse("accounts:login"), {"username": site_lead.email, "password": "not-the-password"}, secure=True
        )

    assert response.status_code == 429
    assert content_security_policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
