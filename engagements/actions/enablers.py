"""Enablers' actions: an enabler's own profile, and the central team keeping the pool."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core.errors import NotAllowed
from core.records import save_changed

from ..models import EnablerProfile

Verb = AuditEvent.Verb


@transaction.atomic
def update_enabler_profile(*, profile: EnablerProfile, by: User, fields: dict[str, object]) -> EnablerProfile:
    """An enabler's own profile: their words, experience, capacity and the organisations they worked for."""
    if profile.user_id != by.pk:
        raise NotAllowed("An enabler's profile is changed by the enabler alone.")
    profile = EnablerProfile.objects.select_for_update().get(pk=profile.pk)
    worked_for = fields.pop("worked_for", None)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save(update_fields=list(fields))
    if worked_for is not None:
        profile.worked_for.set(worked_for)  # type: ignore[arg-type]
    return profile


MANAGED_PROFILE_FIELDS = (
    "biography",
    "years_in_health",
    "years_in_social_care",
    "sectors",
    "approaches",
    "regions",
    "capacity",
    "available_for_new_work",
)


@transaction.atomic
def manage_enabler_profile(*, profile: EnablerProfile, by: User, fields: dict[str, object]) -> bool:
    """The central team keeps the enabler pool up to date: an enabler's profile, their capacity and whether they are
    proposed for new work (work under way goes on either way). Saves what changed; False if nothing did."""
    if not is_central_team(by):
        raise NotAllowed("Only the central team manages the enabler pool.")
    profile = EnablerProfile.objects.select_for_update().get(pk=profile.pk)
    changed = save_changed(profile, fields, MANAGED_PROFILE_FIELDS)
    if changed:
        AuditEvent.record(actor=by, verb=Verb.EDITED_AN_ENABLER_PROFILE, target=profile, fields=changed)
        # Nothing about an enabler changes behind their back: they are told what was changed (never by whom).
        what = ", ".join(str(getattr(EnablerProfile._meta.get_field(name), "verbose_name", name)) for name in changed)
        notify(
            recipients=[profile.user],
            kind="enabler profile changed",
            subject="The central team updated your enabler profile",
            body=f"The central team changed your enabler profile: {what}. You can see and change it on your profile.",
            link=reverse("engagements:enabler_profile_edit"),
        )
    return bool(changed)
