"""What Alongside checks as it starts to serve pages (config/wsgi.py, config/asgi.py) or to send e-mail (a Celery
worker, config/celery.py), rather than when its settings are read: tools that only read the settings (manage.py's
commands, mypy, the tests) are not stopped by a choice that matters only to a running service."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def console_email_problem() -> str:
    """Outside DEBUG, e-mail printed to the server's output would put live invitation and password reset links in
    it, where the log's redaction does not reach: refused unless the operator says so (ALLOW_CONSOLE_EMAIL=true)."""
    if settings.DEBUG or settings.ALLOW_CONSOLE_EMAIL or settings.NOTIFY_API_KEY:
        return ""
    if settings.EMAIL_BACKEND != CONSOLE_EMAIL_BACKEND:
        return ""
    return (
        "Alongside will not start: e-mail would be printed to the server's output, with live sign-in links. Set "
        "EMAIL_URL to your mail server (or NOTIFY_API_KEY for GOV.UK Notify), or ALLOW_CONSOLE_EMAIL=true to print "
        "it on purpose."
    )


def refuse_to_start_if_misconfigured() -> None:
    """Raises ImproperlyConfigured, which gunicorn reports as a worker that failed to boot, and stops."""
    problem = console_email_problem()
    if problem:
        raise ImproperlyConfigured(problem)
