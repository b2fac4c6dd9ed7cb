"""What a hostile or careless browser can send to a form, as Hypothesis strategies.

Every field gets two kinds of value: plausible ones (which may still carry markup, SQL or any Unicode, because a
note may legitimately say `<script>`) and hostile ones (NUL characters, huge inputs, lists where one value is
expected, numbers where words are expected, ids of another site's records or of nothing, dates that do not exist).
`form_data` mixes them so that some submissions are accepted and many are refused.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))

# Each form's test runs its examples in one database transaction; a slow example is a slow page, not a failure
# (timings belong in the benchmark). No example database: the falsifying example is printed in full instead.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# Markup a page must never send back as markup. Each payload contains one of RAW_MARKERS verbatim, and the pages
# themselves contain none of them, so finding a marker in a response means stored or submitted text went out
# unescaped.
MARKUP = (
    '<script>alert("fuzz")</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">click</a>',
    "<iframe srcdoc='<script>alert(4)</script>'>",
)
RAW_MARKERS = ("<script>alert", "<img src=x", "<svg/onload", '<a href="javascript:', "<iframe srcdoc")
SQLISH = (
    "'; DROP TABLE accounts_user; --",
    "1' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(5); --",
    "' UNION SELECT email, password FROM accounts_user --",
    "%",
    "_",
    "\\",
    "%' OR 1=1 --",
)
ODD = (
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "<script>\x00</script>",
    "\u202eevil",
    "\ufeff",
    "\u200b",
    "𝕏𝕐ℤ",  # noqa: RUF001 - letters that look like others are the point
    "👩🏽‍⚕️",
    "null",
    "None",
    "undefined",
    "NaN",
    "-Infinity",
    "1e309",
    "0x1F",
    "[]",
    "{}",
    "true",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "%(value)s",
    "{0}",
)
# Text a spreadsheet program would run as a formula (CSV injection): every export must write it as words.
FORMULAS = (
    '=HYPERLINK("https://example.test","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\uff1dSUM(1)",
)
PLAIN = (
    "Our partnership board is ready to work on trust.",
    "Coaching for the programme director",
    "The directors of adult social care and two GPs",
    "Build trust before plans.",
    "Meet every second Tuesday, on site.",
)

# Text any browser could send: any Unicode but lone surrogates, which cannot be encoded as UTF-8 at all.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)
# Huge inputs are built by repetition: generating 100,000 random characters would cost more than the request.
huge = st.builds(
    lambda unit, times: unit * times,
    st.sampled_from(["x", "é", "<b>", "😀", "a ", "\x00", "1"]),
    st.sampled_from([201, 1_001, 5_001, 20_001, 100_000]),
)
many_values = st.lists(st.sampled_from(PLAIN), min_size=2, max_size=3)
hostile_scalar = st.one_of(any_text, st.sampled_from(ODD + SQLISH + MARKUP + FORMULAS), huge, st.integers().map(str))
hostile = st.one_of(hostile_scalar, many_values)


@dataclass(frozen=True)
class Field:
    """The values one form field may receive: `valid` ones a person could mean, and `hostile` ones.

    A value is a string, a list of strings (the field's name repeated in the submission), or, for a date typed in
    three boxes, a mapping of the boxes' suffixes ("day", "month", "year") to values.
    """

    valid: st.SearchStrategy[Any]
    hostile: st.SearchStrategy[Any] = hostile


def text(max_length: int, *, required: bool = True) -> Field:
    """Free text: anything printable up to the limit is valid, markup and SQL included."""
    valid = st.one_of(
        st.sampled_from(PLAIN),
        st.sampled_from(MARKUP + SQLISH + FORMULAS),
        printable.map(lambda value: f"note {value}"[:max_length]),
        st.just("x" * max_length),
        *([] if required else [st.just("")]),
    )
    return Field(valid, st.one_of(hostile, st.just("x" * (max_length + 1))))


def choice(values: Sequence[object]) -> Field:
    return Field(st.sampled_from([str(value) for value in values]))


WRONG_IDS = (
    "0",
    "-1",
    "999999999",
    str(2**31),
    str(2**63),
    str(10**30),
    "1.0",
    "1e2",
    "１",  # noqa: RUF001 - a full-width digit is the point
    "٣",
    "abc",
    "1 OR 1=1",
    "1\x00",
    "",
)


def choices(values: Sequence[object], *, required: bool = False, elsewhere: Sequence[object] = ()) -> Field:
    """Several checkboxes of one name; `elsewhere` are values that exist but are not offered to this person."""
    offered = st.sampled_from([str(value) for value in values])
    wrong = st.one_of(hostile, st.lists(hostile_scalar, max_size=4), st.lists(st.sampled_from(WRONG_IDS), min_size=1))
    if elsewhere:
        wrong = st.one_of(
            st.builds(lambda chosen, other: [*chosen, other], st.lists(offered), st.sampled_from(elsewhere).map(str)),
            wrong,
        )
    return Field(st.lists(offered, unique=True, min_size=int(required)), wrong)


def object_id(valid: Sequence[int], *, elsewhere: Sequence[int] = ()) -> Field:
    """A record chosen by id: the allowed ones, or another site's, or none at all, or not a number."""
    wrong = st.one_of(st.sampled_from(WRONG_IDS), st.integers().map(str), hostile)
    if elsewhere:
        wrong = st.one_of(st.sampled_from([str(pk) for pk in elsewhere]), wrong)
    return Field(st.sampled_from([str(pk) for pk in valid]), wrong)


NUMBERS = (
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "1E-400",
    "-0",
    "0",
    "0.05",
    "1.25",
    "-1",
    "١٫٥",  # noqa: RUF001 - 1.5 in Arabic-Indic digits is the point
    "1,5",
    "1_000",
    " 1.5 ",
    "9" * 100,
    "9" * 5_000,
    "0x10",
    "½",
)


def number(valid: st.SearchStrategy[object]) -> Field:
    """A number typed in a box: `valid` numbers, or anything else a keyboard gives."""
    wrong = st.one_of(
        st.sampled_from(NUMBERS),
        st.integers().map(str),
        st.floats().map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        hostile,
    )
    return Field(valid.map(str), wrong)


DATE_PARTS = (
    "0",
    "00",
    "-1",
    "+1",
    "1.0",
    "1e3",
    "31/02/2026",
    "2026-02-31",
    "٣",
    "²",
    "２０２６",  # noqa: RUF001 - full-width digits are the point
    "Ⅻ",
    "99999999999999999999",
    "9" * 5_000,
    " 1 ",
    "1\x00",
    "",
    " ",
    "twelve",
    "0x1F",
)
DATES_OUT_OF_RANGE = (
    {"day": "31", "month": "2", "year": "2026"},
    {"day": "29", "month": "2", "year": "2027"},
    {"day": "1", "month": "13", "year": "2026"},
    {"day": "0", "month": "1", "year": "2026"},
    {"day": "1", "month": "1", "year": "0"},
    {"day": "1", "month": "1", "year": "0000"},
    {"day": "31", "month": "12", "year": "9999"},
    {"day": "1", "month": "1", "year": "10000"},
    {"day": "1", "month": "1", "year": "0001"},
    {"day": "31", "month": "12", "year": "1899"},
    {"day": "1", "month": "1", "year": "1900"},
    {"day": "31", "month": "12", "year": "2012"},
    {"day": "1", "month": "1", "year": "2100"},
    {"day": "1", "month": "1", "year": "9000"},
    {"day": "31/02/2026"},
    {"day": "26", "month": "11", "year": "26"},
    {"day": "99999999999999999999", "month": "1", "year": "2026"},
)


def days_from_today(first: int, last: int) -> st.SearchStrategy[datetime.date]:
    """Dates relative to today in Europe/London, worked out when drawn (a run may cross midnight)."""
    return st.integers(first, last).map(lambda days: timezone.localdate() + datetime.timedelta(days=days))


def date(valid: st.SearchStrategy[datetime.date], *, required: bool = True) -> Field:
    """A date typed as day, month and year in three boxes, as the NHS.UK date input has it."""
    typed = valid.map(lambda day: {"day": str(day.day), "month": str(day.month), "year": str(day.year)})
    padded = valid.map(lambda day: {"day": f"{day.day:02}", "month": f"{day.month:02}", "year": f" {day.year} "})
    part = st.one_of(st.sampled_from(DATE_PARTS), st.integers(-10, 10**6).map(str), any_text)
    boxes = ("day", "month", "year")
    wrong = st.one_of(
        st.sampled_from(DATES_OUT_OF_RANGE),
        st.fixed_dictionaries({}, optional=dict.fromkeys(boxes, part)),
        st.dates().map(lambda day: {"day": str(day.day), "month": str(day.month), "year": str(day.year)}),
    )
    return Field(st.one_of(typed, padded, *([] if required else [st.just({})])), wrong)


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form submission: a date's boxes become `name_day`, `name_month` and `name_year`."""
    submitted: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, Mapping):
            submitted.update({f"{name}_{box}": part for box, part in value.items()})
        else:
            submitted[name] = value
    return submitted


def form_data(fields: Mapping[str, Field], *, always: Sequence[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Submissions of a form: all plausible, every field present but any of them hostile, or fields missing.

    `always` names fields that are never missing: on a page with two forms, the field by which the view tells
    which form was sent.
    """
    either = {name: st.one_of(field.valid, field.hostile) for name, field in fields.items()}
    return st.one_of(
        st.fixed_dictionaries({name: field.valid for name, field in fields.items()}),
        st.fixed_dictionaries(either),
        st.fixed_dictionaries(
            {name: either[name] for name in always},
            optional={name: value for name, value in either.items() if name not in always},
        ),
    ).map(flatten)


def sentinel(name: str) -> str:
    """A value the test replaces just before submitting: a current one-time code, the password of the moment.
    The private-use character keeps Hypothesis from ever writing one by chance."""
    return f"\ue000{name}"


def with_sentinels(data: Mapping[str, Any], values: Mapping[str, Callable[[], str]]) -> dict[str, Any]:
    """The submission with each sentinel replaced by its value, worked out now."""
    return {
        key: values[value]() if isinstance(value, str) and value in values else value for key, value in data.items()
    }


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def typed(name: str, day: datetime.date) -> dict[str, str]:
    """A date as a person types it into the three boxes, for the explicit examples."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


# E-mail addresses and passwords (the account and onboarding forms) ----------------------------------------

# Addresses a person could type, and the ones that stretch a validator: IDN, plus-tags, and lengths at the
# 254-character limit.
TYPED_EMAILS = st.one_of(
    st.sampled_from(
        [
            "new.address@example.test",
            "Someone+tag@Example.TEST",
            "ünïcode@exämple.test",
            "a" * 241 + "@example.test",
            "a" * 242 + "@example.test",
        ]
    ),
    st.emails().map(str),
)
# Letters whose lower case is longer than themselves: "İ" becomes two characters, so this valid address of 253
# becomes 493 once lower-cased, longer than any account's address (the log-in form refuses it; found by fuzzing).
STRETCHED_EMAIL = "İ" * 240 + "@example.test"
EMAILS = st.one_of(TYPED_EMAILS, st.just(STRETCHED_EMAIL))
NOT_EMAILS = st.one_of(
    st.sampled_from(
        ["@", "a@b", "a@b..c", "a@@b.c", "a b@c.d", "a@b.c\x00", *(f"{markup}@example.test" for markup in MARKUP)]
    ),
    hostile,
)

PASSPHRASES = st.one_of(
    st.sampled_from(["moss lantern quietly ferry", "ünïcode pässphrase wïth äccents", "😀 emoji kettle umbrella 😀"]),
    st.text(min_size=12, max_size=40).filter(lambda value: "\x00" not in value and len(set(value)) > 6),
)
BAD_PASSWORDS = st.one_of(
    st.sampled_from(["short", "password1234", "Alongside2026!", "123456789012", "lead.a@example.test", "x" * 257]),
    hostile,
)


def new_passwords(first: str, second: str) -> st.SearchStrategy[dict]:
    """The new password twice, the same or not, or fields missing."""
    same = PASSPHRASES.map(lambda value: {first: value, second: value})
    anything = form_data({first: Field(PASSPHRASES, BAD_PASSWORDS), second: Field(PASSPHRASES, BAD_PASSWORDS)})
    return st.one_of(same, BAD_PASSWORDS.map(lambda value: {first: value, second: value}), anything)


# Meeting links and times of day (the planning and change forms) ----------------------------------------

LINKS = (
    "https://meet.example.test/ashvale",
    "https://teams.example.test/l/meetup-join/19%3ameeting?context=%7b%22Tid%22%7d",
    'https://meet.example.test/"><svg/onload=alert(1)>',
    "https://meet.example.test/<script>alert(1)</script>",
    "meet.example.test/ashvale",
)
WRONG_LINKS = (
    "http://meet.example.test/ashvale",
    "javascript:alert(1)",
    "ftp://meet.example.test/",
    "https://",
    "//meet.example.test/x",
    "data:text/html,<script>alert(1)</script>",
    "https://meet.example.test/" + "x" * 500,
)
TIMES = ("09:30", "9:30", "00:00", "23:59", "14.15", "7.05")
WRONG_TIMES = ("24:00", "25:00", "9:60", "09:30:00", "0930", "9", "09:30 am", "12:00\x00", "-1:00")


def time_of_day() -> Field:
    return Field(
        st.one_of(st.sampled_from(TIMES), st.times().map(lambda t: f"{t:%H:%M}")),
        st.one_of(st.sampled_from(WRONG_TIMES), hostile),
    )


def meeting_links() -> Field:
    return Field(st.one_of(st.sampled_from(LINKS), st.just("")), st.one_of(st.sampled_from(WRONG_LINKS), hostile))
