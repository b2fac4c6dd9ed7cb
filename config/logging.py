"""Log lines that a log collector can read and that hold no secrets.

`JsonFormatter` writes one JSON object a line: time (ISO 8601, UTC), level, logger, message, the structured fields a
call passes with `extra={"event": ..., ...}`, and an exception as a string. `PlainFormatter` writes the same for a
person at a terminal. Both apply the same safeguards, because a log line is copied to places (collectors, support
tickets, laptops) where a password, a session key or an enabler's private note must never go:

- Only known-safe primitives are written. Any other object in a field (a request, a model instance) is written as
  its type name, never through its `str()` or `repr()`, which could hold anything.
- A field whose name looks like a secret (password, token, secret, session, csrf, cookie, authorization, note,
  body, code) is written as "[redacted]", however deeply it is nested. The code that logs should not pass such a
  field at all; this is the safeguard for when it does.
- Django's own request loggers put the path in their messages ("Not Found: /calendar/<token>.ics"), escaped when it
  holds odd characters. Paths carry secrets (calendar feed tokens, password reset and e-mail confirmation links),
  so the path, as it is and as Django escapes it, is replaced by the name of the URL it matched; and in every
  message, text field and traceback of every logger, whatever follows a secret-bearing prefix (`SECRET_PATHS`)
  is redacted, whatever suffix a pasted address carries.

Standard library only: the formatters are configured before Django's apps load and must not depend on them.
"""

from __future__ import annotations

import datetime
import decimal
import json
import logging
import math
import re
import uuid
from typing import Any

REDACTED = "[redacted]"

# Matched anywhere in a field name: "csrftoken", "session_key", "new_password1", "HTTP_AUTHORIZATION".
SECRET_FRAGMENTS = ("password", "token", "secret", "session", "csrf", "cookie", "authorization")
# Short words matched as whole words of a field name only ("private_note", "body", "recovery_codes"), so that
# "notes_count" is redacted but "nobody" or "encode" are not silently emptied.
SECRET_WORDS = frozenset({"note", "notes", "body", "code", "codes"})
# The HTTP status that Django's request loggers attach: a number, never a secret, and needed to read the log.
NEVER_REDACTED = frozenset({"status_code"})

# Addresses whose path carries a secret, with the few addresses under them that do not. Whatever follows one of
# these prefixes up to a space or a quote is redacted in every message and every text field of every logger, so a
# token followed by an escaped character ("\\xa0", Django's escaping of a pasted non-breaking space), a
# percent-encoded one, or any other suffix is redacted all the same.
SECRET_PATHS = {
    "/calendar/": ("turn-on/", "turn-off/"),
    "/password-reset/": ("sent/", "complete/"),
    "/security/email/confirm/": (),
    "/onboarding/join/": (),
}
_SECRET_PATH = re.compile(
    "|".join(
        f"(?P<p{index}>{re.escape(prefix)})"
        + "".join(f"(?!{re.escape(safe)}(?:[\\s\"'<>]|$))" for safe in safe_paths)
        + "[^\\s\"'<>]+"
        for index, (prefix, safe_paths) in enumerate(SECRET_PATHS.items())
    )
)


def redact_secret_paths(text: str) -> str:
    """The text with whatever follows a secret-bearing prefix (a feed token, a reset link) replaced."""
    return _SECRET_PATH.sub(lambda match: f"{next(v for v in match.groupdict().values() if v)}{REDACTED}", text)


# Nested structures deeper than this are cut: a log line is not the place for a whole document.
MAX_DEPTH = 4

# Everything a LogRecord carries of its own; any other attribute came from `extra`.
RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def is_secret_name(name: str) -> bool:
    """Whether a field with this name may hold a secret or private text, by its name alone."""
    lowered = name.lower()
    if lowered in NEVER_REDACTED:
        return False
    if any(fragment in lowered for fragment in SECRET_FRAGMENTS):
        return True
    words = re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower())
    return any(word in SECRET_WORDS for word in words)


def safe_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of a field's value: primitives as they are, containers walked (redacting by key), and
    anything else as its type name only."""
    if isinstance(value, str):
        return redact_secret_paths(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (datetime.timedelta, decimal.Decimal, uuid.UUID)):
        return str(value)
    if depth >= MAX_DEPTH:
        return f"[{type(value).__name__}]"
    if isinstance(value, dict):
        return {
            str(key): REDACTED if is_secret_name(str(key)) else safe_value(item, depth + 1)
            for key, item in value.items()
            if isinstance(key, (str, int))
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [safe_value(item, depth + 1) for item in value]
    return f"[{type(value).__name__}]"


def structured_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a call passed with `extra`, made safe. A request (Django's loggers attach one) is not written; the
    name of the URL it matched is, as "view"."""
    fields: dict[str, Any] = {}
    for key, value in record.__dict__.items():
        if key in RECORD_ATTRIBUTES or key.startswith("_"):
            continue
        if key == "request":
            view_name = _view_name(value)
            if view_name is not None:
                fields.setdefault("view", view_name)
            continue
        fields[key] = REDACTED if is_secret_name(key) else safe_value(value)
    return fields


def _view_name(request: Any) -> str | None:
    match = getattr(request, "resolver_match", None)
    view_name = getattr(match, "view_name", None)
    return view_name if isinstance(view_name, str) else None


def safe_message(record: logging.LogRecord) -> str:
    """The record's message, with the path of the request it is about (if any) replaced by the URL's name."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the message: keep the template, drop the arguments
        message = str(record.msg)
    request = getattr(record, "request", None)
    if request is not None:
        replacement = f"<{_view_name(request) or 'unmatched URL'}>"
        for path in {getattr(request, "path", None), getattr(request, "path_info", None)}:
            if isinstance(path, str) and len(path) > 1:  # "/" alone is no secret, and would mangle the message
                # As it is, and as Django's request loggers write it (escaped: "\xa0" for a non-breaking space).
                for written in {path, path.encode("unicode_escape").decode("ascii")}:
                    message = message.replace(written, replacement)
    return redact_secret_paths(message)


def _utc_time(record: logging.LogRecord) -> str:
    moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for a log collector. See the module's docstring for what is never written."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": safe_message(record),
        }
        for key, value in structured_fields(record).items():
            payload.setdefault(key, value)  # a field named like a standard key does not overwrite it
        if record.exc_info:
            payload["exception"] = redact_secret_paths(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exception"] = redact_secret_paths(record.exc_text)
        if record.stack_info:
            payload["stack"] = redact_secret_paths(self.formatStack(record.stack_info))
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class PlainFormatter(logging.Formatter):
    """For a person at a terminal (LOG_FORMAT=plain, the default with DEBUG): time, level, logger and message, then
    the structured fields as key=value, with the same safeguards as the JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {safe_message(record)}"
        fields = structured_fields(record)
        if fields:
            line += " " + " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + redact_secret_paths(self.formatException(record.exc_info))
        elif record.exc_text:
            line += "\n" + redact_secret_paths(record.exc_text)
        if record.stack_info:
            line += "\n" + redact_secret_paths(self.formatStack(record.stack_info))
        return line
