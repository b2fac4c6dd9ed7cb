"""Files for the import tests, made the way a person would make them: CSV text, or a workbook saved by openpyxl."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.db import models
from openpyxl import Workbook

from accounts.models import AuditEvent, Notification, User
from engagements.models import EnablerProfile
from onboarding.models import ImportJob, Invitation
from sites.models import Organisation, Programme, Site, SiteMembership

ORGANISATIONS = "name,sector,aliases\n"
SITES = "name,programme,programme_year,region,councils,ccgs,boundaries_overlap,partners\n"
PEOPLE = "email,full_name,job_title,role,site,sectors,capacity\n"


def csv_file(text: str) -> bytes:
    return text.encode()


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def by_line(outcome: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """{line: (outcome, reason)}"""
    return {row["line"]: (row["outcome"], row["reason"]) for row in outcome}


TOUCHED: list[type[models.Model]] = [
    Organisation,
    Site,
    Site.partners.through,
    Programme,
    User,
    EnablerProfile,
    SiteMembership,
    Invitation,
    Notification,
]


def snapshot() -> dict[str, Any]:
    """Every row of every table an import may touch, and the audit trail but the imports' own events."""
    state: dict[str, Any] = {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in TOUCHED}
    state["audit"] = sorted(map(repr, AuditEvent.objects.exclude(verb=AuditEvent.Verb.IMPORTED_A_FILE).values_list()))
    state["jobs imported"] = ImportJob.objects.filter(state=ImportJob.State.IMPORTED).count()
    return state
