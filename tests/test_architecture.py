"""The shape of the code, checked (docs/architecture.md): every audit verb comes from the catalogue, no view writes
a row, and the rules of who someone is are written once. import-linter and mypy hold the rest (`make lint`)."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent, AuditVerb, User

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "frontend",
    "accounts",
    "sites",
    "engagements",
    "lessons",
    "onboarding",
    "reporting",
    "retention",
    "config",
    "demo",
]
WRITES = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def _modules(*apps: str) -> Iterator[Path]:
    for app in apps or APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_these_checks_read_every_app_the_import_contracts_hold() -> None:
    """A new app is read by the checks below as soon as import-linter knows it (pyproject's root_packages)."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]

    assert sorted(settings["root_packages"]) == sorted(APPS)


ACTION_MODULES = {"actions", "lesson_actions", "accounts_actions", "notes", "two_factor"}


def _calls(path: Path) -> Iterator[tuple[ast.Call, str]]:
    """Every method call in a module, but calls of an action (`actions.close_engagement(...)`): those are the way."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id in ACTION_MODULES:
                continue
            yield node, node.func.attr


def _is_view_module(path: Path) -> bool:
    return path.name == "views.py" or path.parent.name == "views"


def _model_methods_that_write() -> set[str]:
    """Methods of Alongside's models that save, create, update or delete rows: a view must not call them either,
    but the action that owns the change."""
    calls: dict[str, set[str]] = {}  # method name: the method names it calls
    for path in _modules():
        if path.name != "models.py" and path.parent.name != "models":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for method in node.body:
                    if isinstance(method, ast.FunctionDef):
                        calls.setdefault(method.name, set()).update(
                            call.func.attr
                            for call in ast.walk(method)
                            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        )
    writers = set(WRITES)
    while True:  # a method that calls a writer (self._move(), which saves) writes too
        more = {name for name, called in calls.items() if called & writers} - writers
        if not more:
            break
        writers |= more
    return writers - WRITES - {"from_db"}


def test_the_model_methods_that_write_are_found() -> None:
    assert {"withdraw", "pause", "close", "approve", "withdraw_consent", "mark_done", "stop"} <= (
        _model_methods_that_write()
    )


def test_no_view_saves_creates_updates_or_deletes_a_row() -> None:
    forbidden = WRITES | _model_methods_that_write()
    found = [
        f"{path.relative_to(ROOT)}:{call.lineno} .{name}()"
        for path in _modules()
        if _is_view_module(path)
        for call, name in _calls(path)
        if name in forbidden
    ]

    assert found == [], "Views call an action (<app>/actions.py) for every change: " + ", ".join(found)


def test_tasks_and_forms_do_not_write_rows_either() -> None:
    # accounts/tasks.py is the outbox itself: claiming a notification and marking it sent is its delivery.
    forbidden = WRITES | _model_methods_that_write()
    found = [
        f"{path.relative_to(ROOT)}:{call.lineno} .{name}()"
        for path in _modules()
        if path.name in {"tasks.py", "forms.py"} or path.parent.name == "forms"  # a forms package too
        if path != ROOT / "accounts" / "tasks.py"
        for call, name in _calls(path)
        if name in forbidden
    ]

    assert found == []


# The audit catalogue ------------------------------------------------------------------------------------------


def _verb_is_from_the_catalogue(node: ast.expr) -> bool:
    """`AuditEvent.Verb.X`, `Verb.X` or `AuditVerb.X`, with X a member of the catalogue."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in AuditVerb.__members__
        and (
            (isinstance(node.value, ast.Name) and node.value.id in {"Verb", "AuditVerb"})
            or (isinstance(node.value, ast.Attribute) and node.value.attr == "Verb")
        )
    )


def test_every_audit_event_in_the_code_names_a_verb_of_the_catalogue() -> None:
    found = []
    for path in _modules():
        for call, name in _calls(path):
            if name not in {"record", "record_many"}:
                continue
            for keyword in call.keywords:
                # LOCKED_OUT_VERB and a passed-through `verb` are checked where they are defined
                named = isinstance(keyword.value, ast.Name) and keyword.value.id in {"LOCKED_OUT_VERB", "verb"}
                if keyword.arg == "verb" and not _verb_is_from_the_catalogue(keyword.value) and not named:
                    found.append(f"{path.relative_to(ROOT)}:{call.lineno}")

    assert found == []


def test_a_verb_outside_the_catalogue_is_refused_by_record(site_lead: User) -> None:
    with pytest.raises(ValueError, match="not in the audit catalogue"):
        AuditEvent.record(actor=site_lead, verb="read a private note", target=site_lead)  # type: ignore[arg-type]

    assert not AuditEvent.objects.exists()


def test_a_verb_outside_the_catalogue_is_refused_by_the_database(site_lead: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(
            actor=site_lead,
            verb="read a private note",
            target_type=ContentType.objects.get_for_model(User),
            target_id=site_lead.pk,
        )


def test_the_architecture_page_lists_every_verb_with_what_it_records() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()

    missing = [verb.value for verb in AuditVerb if f"| `{verb.value}` |" not in page]

    assert missing == []


# Who someone is: asked of the access modules, written once -----------------------------------------------------


def _source_lines(*, skip: set[str]) -> Iterator[tuple[str, int, str]]:
    for path in _modules():
        relative = str(path.relative_to(ROOT))
        if relative in skip or relative.startswith("demo/"):  # the demo builds memberships; it decides nothing
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            yield relative, number, line


def test_the_site_lead_rule_is_written_once() -> None:
    # sites/models.py defines the role; sites/access.py is the one place that asks it.
    found = [
        f"{relative}:{number}"
        for relative, number, line in _source_lines(skip={"sites/models.py", "sites/access.py"})
        if "Role.LEAD" in line or 'role="lead"' in line or '== "lead"' in line
    ]

    assert found == [], "Ask sites.access (is_site_lead, sites_led_by, site_leads) instead: " + ", ".join(found)


def test_the_visible_to_preamble_is_written_once() -> None:
    """Every "which rows?" method starts from accounts.access.visible(), or from another that does; none asks
    again whether the person is signed in, active or of the central team."""
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in {
                "visible_to",
                "working_with",
                "diagnostic_readable_by",
            }:
                asked = {sub.attr for sub in ast.walk(node) if isinstance(sub, ast.Attribute)}
                if asked & {"is_authenticated", "is_active", "sees_every_site", "is_programme_lead", "is_superuser"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert found == [], "Use accounts.access.visible() in a visible_to: " + ", ".join(found)


def test_nobody_outside_the_notes_package_imports_its_crypto() -> None:
    found = []
    for path in _modules():
        if path.is_relative_to(ROOT / "engagements" / "notes"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *[f"{node.module}.{alias.name}" for alias in node.names]]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name.endswith("notes.crypto") or name == "engagements.crypto" for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert found == []


def test_every_migration_is_named_for_what_it_does() -> None:
    """`makemigrations --name` for every change: "0012_auto_20261208_1200" tells a reader nothing."""
    unnamed = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sorted((ROOT / app / "migrations").glob("[0-9]*.py"))
        if "_auto_" in path.stem
    ]

    assert unnamed == []


def test_migrations_are_found_for_this_check() -> None:
    assert len(list((ROOT / "engagements" / "migrations").glob("[0-9]*.py"))) > 10
