"""Alongside's settings: one file, configured from the environment.

Every variable is listed in the README under "Configuration". With nothing set, Alongside runs on a SQLite file in
the project folder, runs Celery tasks inline and prints e-mails to the console, which is what `make run` wants.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One line, not a traceback: this is the first thing an operator sees on a misconfigured start.
        sys.exit("Alongside will not start: set SECRET_KEY (or DEBUG=true for local development only).")
    SECRET_KEY = "alongside-local-development-only-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "crispy_forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "frontend",
    "accounts",
    "sites",
    "engagements",
    "lessons",
    "onboarding",
    "reporting",  # after accounts: its admin adds the subject-access export to the accounts' admin
    "retention",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.StaticFilesMiddleware",
    # Outside everything that may answer early (the lockout page, the two-factor redirect), so every response
    # gets the same frame, content and permissions policies.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session that has been idle or open too long, before anything else reads the person.
    "accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The central team and administrators go no further than the two-factor pages until they have used it.
    "accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.security_log.AccessDenialLogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
            ],
        },
    },
]
# Widgets render from the project's templates too, so the NHS.UK date input can have its own markup.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'alongside.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Behind PgBouncer in transaction pooling mode (docs/deployment.md): no connection is kept by a worker, and psycopg
# prepares no statement on the server, as the next transaction may reach another server connection.
PGBOUNCER_TRANSACTION_POOLING = env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False)
if PGBOUNCER_TRANSACTION_POOLING:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# A connection that died while idle (a PostgreSQL restart) is noticed and replaced before a request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out attempt before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.people.PersonBackend",
    "config.people.PasskeyBackend",  # signing in with a passkey alone (django-otp-webauthn)
]
# The query that loads a person with their roles: it reads every app, so it lives at the top (config/people.py).
ROLES_QUERY = "config.people.with_roles"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# After NCSC guidance: length over complexity, a deny-list of common and predictable passwords, no forced expiry
# (nothing here ever asks for a password to be changed on a schedule), and long passphrases welcome.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.PredictablePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
# A link confirming a new e-mail address works once, for this long.
EMAIL_CHANGE_LINK_TIMEOUT = timedelta(hours=24)
# An invitation's link works once, for this long; sending it again makes a new link with a new week.
INVITATION_LIFETIME = timedelta(days=7)
# Bulk imports (onboarding.imports): a file larger than this, with more rows (blank ones too), more cells, or a
# workbook that unpacks to more, is refused with a clear message; reading stops at the limit. A file larger than
# IMPORT_CHECK_IN_REQUEST_BYTES is not read in the web request at all: the check runs in the background.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=400_000)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
IMPORT_CHECK_IN_REQUEST_BYTES = env.int("IMPORT_CHECK_IN_REQUEST_BYTES", default=256 * 1024)

# Redis is optional: without it the cache is per process and Celery runs each task inline, at once.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Publishing never waits long: the web process hands rows over on a background thread, and a row that could not
# be handed over stays pending for the sweeper (accounts/notifications.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
# Reliability: a task is acknowledged when it has finished, so one lost with its worker (SIGKILL, a crash, a
# restart) is delivered again; every task is idempotent, so that is safe. One task at a time per worker process;
# the visibility timeout (how long Redis waits before giving an unacknowledged task to another worker) is far
# longer than any task may run (the hard time limit).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 120
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,  # the one retry at once: kombu's default 2 s wait held every refused hand-over
    "visibility_timeout": 60 * 60,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
# The outbox: a pending notification not handed over within OUTBOX_SWEEP_AFTER seconds is handed over again by the
# sweeper, which beat runs every OUTBOX_SWEEP_SECONDS; after a failed send, the next try waits OUTBOX_RETRY_BASE
# seconds, doubling each time (at most an hour), for six tries in all.
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30)
OUTBOX_SWEEP_AFTER = env.float("OUTBOX_SWEEP_AFTER", default=60)
OUTBOX_RETRY_BASE = env.float("OUTBOX_RETRY_BASE", default=30)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "accounts.tasks.sweep_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    "remind-waiting-requests": {
        "task": "engagements.tasks.remind_waiting_requests",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon-fri"),
    },
    "nudge-quiet-engagements": {
        "task": "engagements.tasks.nudge_quiet_engagements",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon-fri"),
    },
    "send-session-reminders": {
        "task": "engagements.tasks.send_session_reminders",
        # Hourly in the day, so the day before's e-mail goes at 07:05 (not at midnight), and a missed run is made up
        # within the hour; each planned session is reminded of once.
        "schedule": crontab(minute=5, hour="7-21"),
    },
    "prompt-unlogged-sessions": {
        "task": "engagements.tasks.prompt_unlogged_sessions",
        "schedule": crontab(hour=9, minute=15),
    },
    "send-close-out-check-ins": {
        "task": "engagements.tasks.send_close_out_check_ins",
        "schedule": crontab(hour=9, minute=45),
    },
    "send-lessons-digest": {
        "task": "lessons.tasks.send_lessons_digest",
        "schedule": crontab(hour=8, minute=30, day_of_week="mon"),
    },
    "apply-retention-schedule": {
        "task": "retention.tasks.apply_retention_schedule",
        "schedule": crontab(hour=2, minute=30),
    },
}

# GOV.UK Notify (accounts.notify): with NOTIFY_API_KEY set, every e-mail goes through Notify instead of EMAIL_URL,
# with the e-mail template NOTIFY_EMAIL_TEMPLATE_ID (personalisation: subject, body). NOTIFY_CALLBACK_TOKEN is the
# bearer token Notify sends with its delivery receipts. NOTIFY_BASE_URL is for tests against a fake Notify.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# Notify answers in well under a second: a few seconds without an answer means it is stuck, and the try is left for
# later (the row pending, asked of Notify first) rather than holding a worker. After such a try, the other sends wait
# NOTIFY_PAUSE_SECONDS without asking Notify (accounts.notify.unanswered_until), so that a Notify that hangs holds one
# worker for NOTIFY_TIMEOUT, not every worker for every message.
NOTIFY_TIMEOUT = env.float("NOTIFY_TIMEOUT", default=5)
NOTIFY_PAUSE_SECONDS = env.float("NOTIFY_PAUSE_SECONDS", default=10)


def _notify_problem() -> str:
    """What is wrong with the Notify settings, in one line, or an empty string."""
    if not NOTIFY_API_KEY:
        return ""
    # A Notify API key is its name, then the service id and the secret, two UUIDs of 36 characters each.
    if len(NOTIFY_API_KEY) < 74 or NOTIFY_API_KEY[-37] != "-":
        return "NOTIFY_API_KEY is not a GOV.UK Notify API key (its name, then two ids of 36 characters)."
    if not NOTIFY_EMAIL_TEMPLATE_ID:
        return "NOTIFY_API_KEY is set but NOTIFY_EMAIL_TEMPLATE_ID is not: set the id of the e-mail template."
    if not NOTIFY_CALLBACK_TOKEN:
        return "NOTIFY_API_KEY is set but NOTIFY_CALLBACK_TOKEN is not: set the token Notify sends with receipts."
    return ""


if _notify_problem():
    sys.exit(f"Alongside will not start: {_notify_problem()}")

# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587; the console backend prints e-mails.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Outside DEBUG, the web and the worker refuse to start with the console back end (it would print live sign-in links
# to the server's output) unless this says it is meant (config/startup.py).
ALLOW_CONSOLE_EMAIL = env.bool("ALLOW_CONSOLE_EMAIL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Alongside <alongside@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people use to reach Alongside, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
# NHS.UK frontend's stylesheet refers to its icons as /assets/images/...: config.middleware serves them there.
NHSUK_ASSETS = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "assets"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage",
        )
    },
}

# Private notes: base64 master keys, comma-separated; the first wraps new keys, the rest can still unwrap.
# `make run` makes a local one in .local/; production keeps them in a secret store, apart from backups.
NOTES_MASTER_KEYS = env.list("NOTES_MASTER_KEYS", default=[])
NOTES_RETENTION_DAYS = env.int("NOTES_RETENTION_DAYS", default=365)
# The rest of the retention schedule (retention/schedule.py, with NOTES_RETENTION_DAYS above; docs/privacy.md has
# it as a table, with what happens and why): how many days each kind of record is kept, each overridable as
# RETENTION_<NAME>_DAYS (RETENTION_AUDIT_EVENTS_DAYS=3650). Celery beat applies it every night at 02:30;
# `manage.py apply_retention --dry-run` shows what is due.
RETENTION_DEFAULT_DAYS = {
    "requests_not_accepted": 730,  # after the site withdrew it
    "chemistry_conversations": 365,  # after its time (or its asking), once the site chose
    "agreements": 730,  # after the engagement closed or ended
    "diagnostics": 730,  # likewise
    "shared_notes_and_actions": 730,  # likewise
    "change_words": 730,  # likewise
    "close_out_reviews": 730,  # likewise
    "engagement_sessions": 2190,  # likewise: six years, the session log and the request's own words
    "planned_sessions": 365,  # after its time
    "feedback_words": 730,  # after it was given
    "lesson_drafts": 365,  # after its last change, never published
    "withdrawn_lessons": 365,  # after it left the library
    "access_records": 365,  # after the look
    "audit_events": 2190,  # after the event
    "notifications": 365,  # after it was made, once sent or failed
    "invitations": 365,  # after it was accepted, revoked or expired
    "import_files": 90,  # after the upload
    "unused_accounts": 730,  # after the last sign-in (or the invitation's acceptance): deactivated
    "deactivated_accounts": 365,  # after the deactivation: anonymised
}
RETENTION_DAYS = {
    name: env.int(f"RETENTION_{name.upper()}_DAYS", default=days) for name, days in RETENTION_DEFAULT_DAYS.items()
}
# Who is told before a record goes (the parties of an engagement, an unused account's owner) is told this long before.
RETENTION_NOTICE_DAYS = 30
# Rows changed in one transaction by the retention task.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
# How long each web process keeps figures that are costly to count and the same for everyone (core/memo.py).
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=300)
NUDGE_AFTER_DAYS = env.int("NUDGE_AFTER_DAYS", default=14)

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# Sessions: signed out after 30 minutes without a request, and 12 hours after signing in whatever happens
# (accounts.middleware.SessionLimitsMiddleware; the cookie itself also lasts no longer than 12 hours).
# Database sessions that know their account, so deactivating an account ends its sessions at once.
SESSION_ENGINE = "accounts.sessions"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Changing e-mail, password or two-factor asks for the password again when the last proof is older than this.
REAUTHENTICATION_WINDOW = timedelta(minutes=10)

BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^status$"]  # probes from inside the deployment speak plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# Features no page of Alongside uses, refused for every page (config.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"

# No inline script or style anywhere: NHS.UK frontend and Alongside's own scripts are files under 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # NHS.UK frontend's stylesheet loads the Frutiger typeface from the NHS's own font host.
        "font-src": [SELF, "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Signing in with an organisation's own account (OpenID Connect: NHSmail and council Microsoft accounts).
# OIDC_PROVIDERS is a JSON list, each provider with its name (on the button: "Sign in with NHSmail"), discovery_url
# (its .well-known/openid-configuration), client_id, client_secret, the e-mail domains it may vouch for, and mfa
# (whether its every sign-in counts as multi-factor). docs/sign-in.md has an example. A bad list stops Alongside
# at start, with one line saying what is wrong.
OIDC_PROVIDER_KEYS = {"name", "discovery_url", "client_id", "client_secret", "domains", "mfa"}


def _oidc_providers(raw: str) -> list[dict]:
    import json
    import re

    def refuse(why: str) -> None:
        sys.exit(f"Alongside will not start: OIDC_PROVIDERS {why}.")

    try:
        providers = json.loads(raw or "[]")
    except ValueError:
        refuse("is not JSON: it must be a list of providers")
    if not isinstance(providers, list):
        refuse("must be a JSON list of providers")
    seen = set()
    for index, provider in enumerate(providers):
        where = f"provider {index + 1}"
        if not isinstance(provider, dict) or set(provider) - OIDC_PROVIDER_KEYS - {"end_session_origin"}:
            refuse(f"{where} must have only the keys {', '.join(sorted(OIDC_PROVIDER_KEYS))}")
        if missing := OIDC_PROVIDER_KEYS - set(provider):
            refuse(f"{where} lacks {', '.join(sorted(missing))}")
        if not all(isinstance(provider[key], str) and provider[key].strip() for key in ("name", "client_id")):
            refuse(f"{where} needs a name and a client_id")
        provider["slug"] = re.sub(r"[^a-z0-9]+", "-", provider["name"].lower()).strip("-")
        if not provider["slug"] or provider["slug"] in seen:
            refuse(f"{where} needs a name of its own")
        seen.add(provider["slug"])
        if not str(provider["discovery_url"]).startswith(("https://", "http://127.0.0.1", "http://localhost")):
            refuse(f"{where}: discovery_url must start with https://")
        domains = provider["domains"]
        if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and d for d in domains):
            refuse(f'{where}: domains must be a list of e-mail domains, like ["nhs.net"]')
        provider["domains"] = [domain.strip().lower().lstrip("@") for domain in domains]
        if not isinstance(provider["mfa"], bool):
            refuse(f"{where}: mfa must be true or false")
    return providers


OIDC_PROVIDERS = _oidc_providers(env.str("OIDC_PROVIDERS", default=""))
# E-mail domains whose people sign in only through their organisation's provider, never with a password.
SSO_REQUIRED_DOMAINS = [domain.strip().lower().lstrip("@") for domain in env.list("SSO_REQUIRED_DOMAINS", default=[])]
# Seconds to wait for a provider (its discovery document, keys and token endpoint) before saying it is unavailable.
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
# How long a provider's discovery document and keys are kept before they are fetched again.
OIDC_METADATA_MAX_AGE = env.int("OIDC_METADATA_MAX_AGE", default=3600)
# A first sign-in through a provider may accept a pending invitation: onboarding does that, above accounts.
OIDC_INVITATION_HOOK = "onboarding.actions.accept_invitations_by_sign_in"
# Signing out of a provider redirects the browser there after the log-out form (RP-initiated logout).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
    SELF,
    *sorted(
        {
            provider.get("end_session_origin") or "/".join(str(provider["discovery_url"]).split("/")[:3])
            for provider in OIDC_PROVIDERS
        }
    ),
]

# Passkeys (WebAuthn, django-otp-webauthn): a second factor, and a way to sign in without a password. A passkey is
# bound to the relying party's domain (changing it makes every passkey unusable) and browsers allow it only on
# https:// or on http://localhost: with SITE_URL at 127.0.0.1, passkeys work at http://localhost:8000.
_site = SITE_URL.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
_site_is_local = _site in {"127.0.0.1", "::1", "localhost"}
OTP_WEBAUTHN_RP_ID = env.str("PASSKEY_RP_ID", default="localhost" if _site_is_local else _site)
OTP_WEBAUTHN_RP_NAME = "Alongside"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "PASSKEY_ORIGINS", default=["http://localhost:8000"] if _site_is_local else [SITE_URL]
)
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "alongside.passkeys"

# Lockout after repeated failed log-ins (django-axes, counted in the database so every web worker agrees): five
# failures for one account from one address lock that pair out for 15 minutes. accounts.views.locked_out says so.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False  # Alongside logs its own security events, without e-mail addresses (accounts.security_log)
# Only a trusted proxy's X-Forwarded-For counts; otherwise a client could pick the address it is locked out by.
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"

# Two-factor (django-otp): an authenticator app (TOTP) plus single-use recovery codes.
OTP_TOTP_ISSUER = "Alongside"
RECOVERY_CODE_COUNT = 10

# One JSON object a line for a log collector, or plain lines for a person at a terminal; either way no passwords,
# tokens, session keys, paths or note text (config/logging.py). Security events: accounts.security_log.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    sys.exit(f"Alongside will not start: LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"()": "config.logging.PlainFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line per task run is noise at INFO; failures still show.
        "celery.app.trace": {"level": "WARNING"},
        # django-axes narrates every attempt at INFO; accounts.security_log logs those events itself.
        "axes": {"level": "WARNING"},
        # Their DEBUG lines quote whole template contexts and SQL parameters: decrypted notes, session keys, password
        # hashes. Django's "django" logger already stops at INFO; pinned so that lowering it never lets them through.
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # Authlib's DEBUG lines quote the PKCE code verifier of a sign-in through a provider.
        "authlib": {"level": "INFO"},
    },
}
