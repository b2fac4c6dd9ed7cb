"""What each row of an import would do, and the cleaning of its values: written as the app shows them, in any
case (`Vanguard`, `2015/16`, `South West`, `Council`, `yes`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextChoices

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REFUSED)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
PROGRAMME_YEAR = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")

# Called with the number of rows done so far, every so often, for the progress bar.
Tick = Callable[[int], None]


class Refused(Exception):
    """This row cannot be imported; the message is the reason, in plain words."""


@dataclass
class Planned:
    """One row and what importing it does: its outcome, the reason for a refusal (or what an update changes), the
    cleaned values to write, and the record it changes, if it exists already."""

    line: int
    label: str
    outcome: str = CREATED
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    existing: Any = None

    def refuse(self, reason: str) -> None:
        self.outcome, self.reason = REFUSED, reason

    def compare(self, changed: list[str]) -> None:
        """An existing record: unchanged, or updated with the names of what changes."""
        if changed:
            self.outcome, self.reason = UPDATED, f"changes {_listed(changed)}"
        else:
            self.outcome = UNCHANGED

    def as_outcome(self) -> dict[str, Any]:
        return {"line": self.line, "outcome": self.outcome, "label": self.label[:200], "reason": self.reason}


def _listed(words: list[str], joiner: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _key(text: str) -> str:
    """`South West`, `south-west` and `SOUTH WEST` are one key; so are `North East & Yorkshire` and its value."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold().replace(" and ", " "))


def quoted(text: str) -> str:
    return f"“{text[:80]}”"


def one_of(text: str, choices: type[TextChoices], what: str) -> str:
    """The stored value of a choice written as its label or its value, in any case."""
    wanted = _key(text)
    for value, label in choices.choices:
        if wanted in (_key(str(value)), _key(str(label))):
            return str(value)
    raise Refused(f"unknown {what} {quoted(text)}: use {_listed([str(label) for _, label in choices.choices], 'or')}")


def split_list(text: str) -> list[str]:
    """`a; b ;; c` is [a, b, c]."""
    return [part.strip() for part in text.split(";") if part.strip()]


def many_of(text: str, choices: type[TextChoices], what: str) -> list[str]:
    values: list[str] = []
    for part in split_list(text):
        value = one_of(part, choices, what)
        if value not in values:
            values.append(value)
    return values


def whole_number(text: str, what: str, *, most: int) -> int:
    if not re.fullmatch(r"\d{1,5}", text) or int(text) > most:
        raise Refused(f"{what} must be a whole number from 0 to {most}, not {quoted(text)}")
    return int(text)


def yes_or_no(text: str, what: str) -> bool:
    if text.casefold() in YES:
        return True
    if text.casefold() in NO:
        return False
    raise Refused(f"{what} must be yes or no, not {quoted(text)}")


def programme_year(text: str) -> int:
    """2015 for `2015/16`, `2015-16`, `2015/2016` or `2015`."""
    match = PROGRAMME_YEAR.match(text)
    if match:
        start, end = int(match[1]), match[2]
        if end is None or int(end) == (start + 1 if len(end) == 4 else (start + 1) % 100):
            return start
    raise Refused(f"the programme year {quoted(text)} is not a year like 2015/16")


def bounded_text(text: str, what: str, *, most: int, required: bool = True) -> str:
    if required and not text:
        raise Refused(f"the {what} is blank")
    if len(text) > most:
        raise Refused(f"the {what} is longer than {most} characters")
    return text


def write_in_batches(
    planned: list[Planned],
    tick: Tick,
    *,
    update: Callable[[Planned], object],
    create_many: Callable[[list[dict[str, Any]]], object],
    tick_every: int,
    batch: int,
) -> None:
    """The changed rows one by one (`update`), then the new ones `batch` at a time (`create_many`), with the
    progress told as it goes."""
    done = 0
    for item in planned:
        if item.outcome == UPDATED:
            update(item)
        if item.outcome != CREATED:
            done += 1
            if done % tick_every == 0:
                tick(done)
    new = [item.values for item in planned if item.outcome == CREATED]
    for first in range(0, len(new), batch):
        create_many(new[first : first + batch])
        tick(done + min(first + batch, len(new)))
