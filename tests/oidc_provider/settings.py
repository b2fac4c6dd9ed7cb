"""Settings of the test OpenID provider, never Alongside's: every value that changes per run comes from the
environment the fixture (tests/oidc_provider/fixtures.py) sets, and a missing one stops the provider at once."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"The test OpenID provider starts only from its fixture: {name} is not set.")
    return value


DATABASE_PATH = Path(_required("TEST_IDP_DATABASE"))
if not DATABASE_PATH.is_absolute() or HERE.parents[1] in DATABASE_PATH.parents:
    sys.exit("The test OpenID provider keeps its database in a temporary directory, outside the project.")

SECRET_KEY = _required("TEST_IDP_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.oidc_provider.urls"
WSGI_APPLICATION = "tests.oidc_provider.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "tests.oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATABASE_PATH)}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test people only
LOGIN_URL = "/login/"

# Cookies ignore ports: a browser test with Alongside and the provider on one host must not mix their cookies.
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"

# The people who can sign in here: [{"username", "password", "email", "email_verified", "amr", "quirk"}].
PEOPLE: dict[str, dict] = {person["username"]: person for person in json.loads(_required("TEST_IDP_PEOPLE"))}
# A key that is not the provider's: an ID token signed with it (under the provider's key id) is a forgery.
ROGUE_RSA_KEY = _required("TEST_IDP_ROGUE_RSA_KEY")

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _required("TEST_IDP_RSA_KEY"),  # RS256, made by the fixture for this run only
    "OIDC_ISS_ENDPOINT": _required("TEST_IDP_ISSUER"),  # http://127.0.0.1:<port>/o
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,  # no confirmation page when the id_token_hint is the person's
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only, never "plain"
    "ALLOW_LOCALHOST_LOOPBACK": True,  # a browser test's live server on localhost, on whatever port it has
    "SCOPES": {"openid": "OpenID Connect", "email": "E-mail address", "profile": "Name"},
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.Validator",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
