"""Every form of the project has a fuzz test, so a new form without one fails the suite.

"Every form" is every form class defined in the project's apps, and every form class a page of the URL
configuration uses (Django's own password forms included), less the exemptions below, each with its reason.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

from django.contrib import admin
from django.forms import BaseForm
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.forms import UserChangeForm, UserCreationForm
from tests.helpers.people import PERSONAS

from .harness import FUZZED, Fuzzed

PROJECT_APPS = ("accounts", "sites", "engagements", "lessons", "onboarding", "reporting", "frontend", "config")

# Forms that are no page of Alongside's own: the Django admin's user pages use these two, and the admin (its own
# forms, for administrators only) is outside what this fuzzing covers. Checked below to be the admin's.
EXEMPT = {UserCreationForm, UserChangeForm}


def _project_modules() -> Iterator[str]:
    """Every module of the project's apps but migrations, which hold no forms and are not for importing."""
    root = Path(__file__).resolve().parents[2]
    for app in PROJECT_APPS:
        yield app
        for module in pkgutil.walk_packages([str(root / app)], prefix=f"{app}."):
            if ".migrations" not in module.name:
                yield module.name


def _subclasses(cls: type) -> Iterator[type]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _forms_defined_in_the_project() -> set[type[BaseForm]]:
    for module in _project_modules():
        importlib.import_module(module)
    return {form for form in _subclasses(BaseForm) if form.__module__.split(".")[0] in PROJECT_APPS}


def _url_names(patterns: list, namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(
                pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def _declarations() -> list[Fuzzed]:
    """What the fuzz tests declare, having imported every one of them (this file may be run on its own)."""
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("test_"):
            importlib.import_module(f"{__package__}.{module.name}")
    return FUZZED


def _forms_of_pages(patterns: list, namespace: str = "") -> Iterator[tuple[str, type[BaseForm]]]:
    """The form class of each class-based page, by URL name (function views name their forms in their code, and
    those forms are the project's own, found above)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from _forms_of_pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            view = pattern.callback
            options = getattr(view, "view_initkwargs", {})
            view_class = getattr(view, "view_class", None)
            # As LoginView.get_form_class(): its authentication_form, if any, before the form_class of any view.
            candidates = [
                options.get(name) or getattr(view_class, name, None) for name in ("authentication_form", "form_class")
            ]
            form = next((candidate for candidate in candidates if candidate), None)
            if isinstance(form, type) and issubclass(form, BaseForm):
                yield f"{namespace}{pattern.name}", form


def test_every_form_in_the_project_and_its_pages_has_a_fuzz_test() -> None:
    """A form without a fuzz test fails here, naming the form."""
    forms = _forms_defined_in_the_project() | {form for _, form in _forms_of_pages(get_resolver().url_patterns)}
    fuzzed = {declaration.form for declaration in _declarations()}

    missing = sorted(f"{form.__module__}.{form.__qualname__}" for form in forms - fuzzed - EXEMPT)

    assert not missing, f"forms with no test in tests/fuzz: {missing}"


def test_each_page_form_is_fuzzed_at_its_own_page() -> None:
    """Django's password forms are fuzzed where Alongside uses them, not only somewhere."""
    fuzzed = {(declaration.url_name, declaration.form) for declaration in _declarations()}

    for url_name, form in _forms_of_pages(get_resolver().url_patterns):
        assert (url_name, form) in fuzzed, f"{form.__name__} at {url_name} has no fuzz test"


def test_the_exempt_forms_are_the_admins() -> None:
    """The exemptions hold only while these forms serve the Django admin and no page of Alongside's own."""
    user_admin = admin.site._registry[UserCreationForm.Meta.model]
    page_forms = {form for _, form in _forms_of_pages(get_resolver().url_patterns)}

    assert {user_admin.add_form, user_admin.form} == EXEMPT
    assert not EXEMPT & page_forms


def test_each_declaration_names_a_real_page_and_persona() -> None:
    """The declarations the first test relies on name pages that exist and personas of tests/conftest.py."""
    url_names = set(_url_names(get_resolver().url_patterns))

    for declaration in _declarations():
        assert declaration.url_name in url_names, declaration
        assert declaration.persona in PERSONAS, declaration
