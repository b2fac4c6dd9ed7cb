"""Submitting fuzzed data to a form through its real view, and what every answer must satisfy.

The rules, for every example:
- never a server error (the test client re-raises the view's exception, so Hypothesis shows it with its input);
- no submitted or stored markup in any page, only its escaped form;
- a refusal is the form shown again with every error in the NHS.UK error summary and beside its field;
- an acceptance is a redirect to a page of this site that says nothing went wrong, and the pages that show what was
  stored still open and still escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.forms import BaseForm
from django.http import HttpResponse
from django.test import Client
from django.utils.html import conditional_escape

from .strategies import RAW_MARKERS

ERROR_SUMMARY = 'class="nhsuk-error-summary"'
# base.html marks a success message with the --success modifier; an error (a refusal) is the other "alert".
REFUSAL_BANNER = 'class="nhsuk-notification-banner" data-module="nhsuk-notification-banner" role="alert"'

Test = TypeVar("Test", bound=Callable[..., Any])


@dataclass(frozen=True)
class Fuzzed:
    form: type[BaseForm]
    url_name: str
    persona: str


FUZZED: list[Fuzzed] = []


def fuzzes(form: type[BaseForm], url_name: str, persona: str) -> Callable[[Test], Test]:
    """Declares which form a test fuzzes, through which URL and as whom; tests/fuzz/test_every_form_is_fuzzed.py
    compares these declarations with the forms the project has. The harness checks the declaration on every
    refusal: the page must really show that form."""

    def declare(test: Test) -> Test:
        FUZZED.append(Fuzzed(form, url_name, persona))
        return test

    return declare


def assert_escaped(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where} sent {marker!r} unescaped"


def _local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@dataclass
class FormUnderFuzz:
    """One form at one URL, submitted by one persona's client.

    `redirects_to` is where an accepted submission goes (any page of the site when None); `shows` are the pages
    where accepted values appear, beyond that one (or a function of the submission that says which).
    `success_template` is for a form whose success is a page rather than a redirect (new recovery codes).
    `context_name` is the form's name in the template context, where a page shows several forms.
    """

    client: Client
    url: str
    form: type[BaseForm]
    redirects_to: str | None = None
    shows: Sequence[str] | Callable[[dict[str, Any]], Sequence[str]] = ()
    method: str = "post"
    context_name: str = "form"
    success_template: str | None = None
    accepted: int = field(default=0, init=False)
    refused: int = field(default=0, init=False)

    def submit(self, data: dict[str, Any]) -> bool:
        """Submits the data, checks the answer, and says whether it was accepted."""
        # A savepoint per example: a database error in one example fails that example alone, so Hypothesis can
        # shrink it, instead of breaking the transaction the whole run shares.
        with transaction.atomic():
            return self._submit(data)

    def _submit(self, data: dict[str, Any]) -> bool:
        response: HttpResponse = getattr(self.client, self.method)(self.url, data)
        assert response.status_code < 500
        assert_escaped(response.content.decode(), self.url)
        if response.status_code == 302:
            self._check_accepted(response["Location"], data)
            return True
        assert response.status_code == 200, f"{self.url} answered {response.status_code}, not a form error"
        if self.success_template and self.success_template in (template.name for template in response.templates):
            self._check_shows(data)
            return True
        form = response.context[self.context_name]
        assert isinstance(form, self.form), f"{self.url} shows {type(form).__name__}, not {self.form.__name__}"
        if self.method == "get" and not form.errors:  # a filter: no errors means the filter was applied
            self.accepted += 1
            return True
        self._check_refused(form, response.content.decode())
        return False

    def _check_refused(self, form: BaseForm, html: str) -> None:
        assert form.errors, f"{self.url} showed the form again without saying what is wrong"
        assert ERROR_SUMMARY in html, f"{self.url} refused the form without an error summary"
        for name, errors in form.errors.items():
            shown = 1 if name == "__all__" else 2  # in the summary, and beside the field it is about
            for error in errors:
                times = html.count(str(conditional_escape(error)))
                assert times >= shown, f"{self.url} showed the error {error!r} on {name} {times} times, not {shown}"
        self.refused += 1

    def _check_accepted(self, location: str, data: dict[str, Any]) -> None:
        assert _local(location), f"{self.url} redirected off the site, to {location!r}"
        if self.redirects_to is not None:
            assert location.split("?")[0] == self.redirects_to, f"{self.url} led to {location}, not {self.redirects_to}"
        page = self.client.get(location)
        assert page.status_code == 200, f"{location}, where {self.url} led, answered {page.status_code}"
        html = page.content.decode()
        assert REFUSAL_BANNER not in html, f"{self.url} refused the submission with a message, not a form error"
        assert_escaped(html, location)
        self._check_shows(data)

    def _check_shows(self, data: dict[str, Any]) -> None:
        for url in self.shows(data) if callable(self.shows) else self.shows:
            page = self.client.get(url)
            assert page.status_code == 200, f"{url} answered {page.status_code} after {self.url} accepted a form"
            assert_escaped(page.content.decode(), url)
        self.accepted += 1

    def assert_accepted_and_refused(self, *, refusable: bool = True) -> None:
        """Both paths were taken: the explicit examples make sure of it, so this fails only if a form changed.
        A form with nothing to refuse (one checkbox) must then never have refused anything."""
        assert self.accepted, f"no submission to {self.url} was accepted"
        if refusable:
            assert self.refused, f"no submission to {self.url} was refused"
        else:
            assert not self.refused, f"{self.url} refused a submission of a form that has nothing to refuse"
