"""A people file: `email, full_name, job_title, role, site, sectors, capacity`, one person in one role a row.

A row is keyed by its e-mail address, role and site. A person who has that role already, or has an invitation to it
still waiting, is compared and updated; anyone else is invited (onboarding.actions.invite), and the invitation is
e-mailed once the import's transaction has committed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format

from accounts import addresses
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from engagements.models import EnablerProfile
from engagements.models.enablers import Sector
from sites import access as site_access
from sites.models import Site, SiteMembership

from .. import actions as invitation_actions
from ..models import ImportJob, Invitation
from .cleaning import (
    CREATED,
    UPDATED,
    Planned,
    Refused,
    Tick,
    bounded_text,
    many_of,
    one_of,
    quoted,
    whole_number,
)
from .reading import Headers, Row

Role = Invitation.Role
HEADERS = Headers(
    required=("email", "full_name", "role"),
    optional=("job_title", "site", "sectors", "capacity"),
)
EXAMPLE = {
    "email": "sam.sample@example.org",
    "full_name": "Sam Sample",
    "job_title": "Leadership coach",
    "role": "enabler",
    "site": "",
    "sectors": "NHS provider; Council and social care",
    "capacity": "2",
}
MOST_CAPACITY = 20
TICK_EVERY = 100
INVITE_BATCH = 1000  # invitations saved, audited and e-mailed a thousand at a time


class Registry:
    """Who Alongside knows already, read once: accounts, enablers' profiles, site memberships, sites, and the
    invitations still waiting to be accepted."""

    def __init__(self) -> None:
        self.users = {user.email.lower(): user for user in User.objects.all()}
        self.skeletons = {user.email_skeleton: user.email for user in self.users.values()}  # accounts.addresses
        self.profiles = {profile.user_id: profile for profile in EnablerProfile.objects.all()}
        self.memberships = {
            (user_id, site_id): role
            for user_id, site_id, role in SiteMembership.objects.values_list("user_id", "site_id", "role")
        }
        self.sites = {site.name.casefold(): site for site in Site.objects.all()}
        self.waiting = {
            (invitation.email, invitation.role, invitation.site_id): invitation
            for invitation in Invitation.objects.pending().order_by("sent_at", "pk")
        }

    def has_role(self, user: User, role: str, site: Site | None) -> bool:
        """onboarding.actions.has_role, answered from what was read."""
        if role == Role.PROGRAMME_LEAD:
            return user.is_programme_lead
        if role == Role.ENABLER:
            return user.pk in self.profiles
        held = self.memberships.get((user.pk, site.pk)) if site is not None and user.is_active else None
        return held is not None and (role == Role.SITE_MEMBER or site_access.is_lead_role(held))


def plan(rows: list[Row], tick: Tick) -> list[Planned]:
    """What each row would do, from five reads of the database whatever the number of rows."""
    registry = Registry()
    seen: dict[tuple[str, str, int | None], int] = {}
    planned = []
    for done, row in enumerate(rows, start=1):
        item = Planned(line=row.line, label=row["email"] or "(no e-mail address)")
        try:
            _plan(item, row, registry, seen)
        except Refused as refusal:
            item.refuse(str(refusal))
        planned.append(item)
        if done % TICK_EVERY == 0:
            tick(done)
    return planned


def _plan(item: Planned, row: Row, registry: Registry, seen: dict[tuple[str, str, int | None], int]) -> None:
    email = addresses.normalised(row["email"])  # the one address rule of Alongside (accounts.addresses)
    item.label = email or item.label
    refusal = addresses.refusal_among(email, registry.skeletons)
    if refusal:
        raise Refused(addresses.IN_A_LIST[refusal])
    try:
        validate_email(email)
    except ValidationError:
        raise Refused("not an e-mail address") from None
    role = one_of(row["role"], Role, "role") if row["role"] else None
    if role is None:
        raise Refused("the role is blank: use site lead, site member, enabler or programme lead")
    site = _site(row, role, registry)
    profile = _profile(row, role)
    key = (email, role, site.pk if site else None)
    if key in seen:
        raise Refused(f"duplicate: line {seen[key]} has the same person in the same role")
    seen[key] = row.line
    person = {"full_name": bounded_text(row["full_name"], "full name", most=150, required=False)}
    if row["job_title"]:
        person["job_title"] = bounded_text(row["job_title"], "job title", most=150)
    item.values = {"email": email, "role": role, "site": site, "profile": profile, **person}
    user = registry.users.get(email)
    if user is not None and registry.has_role(user, role, site):
        item.existing = user
        enabler = registry.profiles.get(user.pk) if role == Role.ENABLER else None
        item.compare(_changes(user, enabler.sectors if enabler else None, enabler.capacity if enabler else None, item))
        return
    waiting = registry.waiting.get(key)
    if waiting is not None:
        item.existing = waiting
        start = waiting.profile or {}
        item.compare(_changes(waiting, start.get("sectors"), start.get("capacity"), item))
        return
    if not person["full_name"]:
        raise Refused("the full name is blank")


def _changes(record: User | Invitation, sectors: list[str] | None, capacity: int | None, item: Planned) -> list[str]:
    """What importing the row changes, each as `full name “Old” → “New”`, for the check page to show before
    anything is saved (a programme lead's own words for people the programme works with: never anything private)."""
    values = item.values
    changes = [
        f"{field.replace('_', ' ')} {_shown(getattr(record, field))} → {_shown(values[field])}"
        for field in ("full_name", "job_title")
        if values.get(field) and getattr(record, field) != values[field]
    ]
    wanted = values["profile"]
    for field in _profile_changes(sectors, capacity, wanted) if values["role"] == Role.ENABLER else []:
        old, new = (sectors, wanted["sectors"]) if field == "sectors" else (capacity, wanted["capacity"])
        changes.append(f"{field} {_shown(old)} → {_shown(new)}")
    return changes


def _shown(value: object) -> str:
    if isinstance(value, list):
        value = "; ".join(str(Sector(sector).label) if sector in Sector.values else sector for sector in value)
    return quoted(str(value)) if value not in (None, "") else "(blank)"


def _site(row: Row, role: str, registry: Registry) -> Site | None:
    words = Invitation(role=role).get_role_display().lower()
    words = f"an {words}" if words[0] in "aeiou" else f"a {words}"
    if role not in Invitation.SITE_ROLES:
        if row["site"]:
            raise Refused(f"{words} belongs to no site: leave the site blank for this role")
        return None
    if not row["site"]:
        raise Refused(f"{words} belongs to a site: name it in the site column")
    site = registry.sites.get(row["site"].casefold())
    if site is None:
        raise Refused(f"the site {quoted(row['site'])} does not exist: import it in a sites file first")
    return site


def _profile(row: Row, role: str) -> dict[str, Any]:
    if role != Role.ENABLER:
        if row["sectors"] or row["capacity"]:
            raise Refused("only an enabler has sectors and capacity: leave them blank for this role")
        return {}
    profile: dict[str, Any] = {}
    if row["sectors"]:
        profile["sectors"] = many_of(row["sectors"], Sector, "sector")
    if row["capacity"]:
        profile["capacity"] = whole_number(row["capacity"], "capacity", most=MOST_CAPACITY)
    return profile


def _profile_changes(sectors: list[str] | None, capacity: int | None, wanted: dict[str, Any]) -> list[str]:
    changed = []
    if "sectors" in wanted and set(sectors or []) != set(wanted["sectors"]):
        changed.append("sectors")
    if "capacity" in wanted and capacity != wanted["capacity"]:
        changed.append("capacity")
    return changed


def write(planned: list[Planned], by: User | None, tick: Tick, job: ImportJob) -> None:
    """A person or an invitation already there is brought up to date (a person is told what changed, and by which
    import); then the new people are invited, a thousand at a time, through onboarding.actions.invite_many (their
    audit events, and their e-mails after commit)."""
    new = [item for item in planned if item.outcome == CREATED]
    done = 0
    for item in planned:
        if item.outcome == CREATED:
            continue
        if item.outcome == UPDATED and isinstance(item.existing, User):
            _update_person(item.existing, item.values, by, job)
        elif item.outcome == UPDATED and isinstance(item.existing, Invitation):
            _update_invitation(item.existing, item.values)
        done += 1
        if done % TICK_EVERY == 0:
            tick(done)
    for first in range(0, len(new), INVITE_BATCH):
        batch = [_invitation(item.values) for item in new[first : first + INVITE_BATCH]]
        invitation_actions.invite_many(invitations=batch, by=by)
        tick(done + first + len(batch))


def _invitation(values: dict[str, Any]) -> Invitation:
    return Invitation(
        email=values["email"],
        full_name=values["full_name"],
        role=values["role"],
        site=values["site"],
        job_title=values.get("job_title", ""),
        profile=values["profile"],
    )


def _update_person(user: User, values: dict[str, Any], by: User | None, job: ImportJob) -> None:
    """The file's name, job title and (for an enabler) sectors and capacity, each change audited; the person is
    told which of them changed, by which import, so that nobody is renamed without a word."""
    fields = [
        field for field in ("full_name", "job_title") if values.get(field) and getattr(user, field) != values[field]
    ]
    for field in fields:
        setattr(user, field, values[field])
    if fields:
        user.save(update_fields=fields)
        AuditEvent.record(
            actor=by, verb=AuditEvent.Verb.CHANGED_A_PERSONS_DETAILS, target=user, fields=fields, import_job=job.pk
        )
    changed = _update_profile(user, values, by) if values["role"] == Role.ENABLER and values["profile"] else []
    if fields or changed:
        _tell_of_changes(user, [*fields, *changed], job)


def _tell_of_changes(user: User, fields: list[str], job: ImportJob) -> None:
    """The person hears which of their details an import changed, and which import: its file's name, its date and
    who ran it. Never the values of anyone else, nor anything a site or an enabler wrote."""
    words = _listed_fields([field.replace("_", " ") for field in fields])
    who = f" by {job.created_by}" if job.created_by else ""
    when = date_format(timezone.localdate(), "j F Y")
    body = (
        f"An import of people changed your {words} in Alongside: the file “{job.filename[:100]}”, imported on "
        f"{when}{who} for the programme's central team.\n\n"
        "If this is not right, tell the programme's central team: they can put it right."
    )
    notify(
        recipients=[user], kind="details changed by an import", subject="Your details in Alongside changed", body=body
    )


def _listed_fields(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _update_profile(user: User, values: dict[str, Any], by: User | None) -> list[str]:
    profile = EnablerProfile.objects.select_for_update().get(user=user)
    changed = _profile_changes(profile.sectors, profile.capacity, values["profile"])
    for field in changed:
        setattr(profile, field, values["profile"][field])
    if changed:
        profile.save(update_fields=changed)
        AuditEvent.record(actor=by, verb=AuditEvent.Verb.EDITED_AN_ENABLER_PROFILE, target=profile, fields=changed)
    return changed


def _update_invitation(invitation: Invitation, values: dict[str, Any]) -> None:
    """The invitation waiting for this person starts their account with the file's words; it is not sent again."""
    invitation.full_name = values["full_name"] or invitation.full_name
    invitation.job_title = values.get("job_title") or invitation.job_title
    invitation.profile = {**(invitation.profile or {}), **values["profile"]}
    invitation.save(update_fields=["full_name", "job_title", "profile"])
