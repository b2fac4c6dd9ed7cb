"""Ranking enablers for a support request, with the reasons shown to the programme lead.

Plain functions over plain data, so the rank can be explained and tested on a small fixed pool. An enabler who has
worked for one of the site's partner organisations (a conflict of interest) or has no free capacity is never
ranked, nor is one whose pairing for the request ended early (a change of enabler); the reason is listed so the
programme lead can see why someone is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sites.models import Site

from .models import EnablerProfile, Engagement, SupportRequest
from .models.enablers import SECTOR_FIT, Sector
from .models.requests import Approach

# Points for each kind of fit. Senior experience counts most: it is what gives an enabler credibility with a site.
POINTS_PER_SECTOR = 2
POINTS_PER_APPROACH = 2
POINTS_FOR_REGION = 2
POINTS_PER_FIVE_YEARS = 1
MAX_EXPERIENCE_POINTS = 5
POINTS_PER_FREE_PLACE = 1
MAX_CAPACITY_POINTS = 2


@dataclass
class Match:
    profile: EnablerProfile
    score: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Exclusion:
    profile: EnablerProfile
    reason: str


def site_sectors(site: Site) -> set[str]:
    return {
        SECTOR_FIT[organisation.sector] for organisation in site.partners.all() if organisation.sector in SECTOR_FIT
    }


def score(profile: EnablerProfile, request: SupportRequest, sectors: set[str], free_places: int) -> Match:
    match = Match(profile)
    sector_fit = sorted(sectors & set(profile.sectors))
    if sector_fit:
        match.score += POINTS_PER_SECTOR * len(sector_fit)
        match.reasons.append("Sector fit: " + ", ".join(Sector(value).label for value in sector_fit))
    years = profile.years_in_health + profile.years_in_social_care
    if years:
        match.score += min(years // 5 * POINTS_PER_FIVE_YEARS, MAX_EXPERIENCE_POINTS)
        match.reasons.append(
            f"Senior experience: {profile.years_in_health} years in health, "
            f"{profile.years_in_social_care} in social care"
        )
    approaches = sorted(set(request.approaches_wanted) & set(profile.approaches))
    if approaches:
        match.score += POINTS_PER_APPROACH * len(approaches)
        match.reasons.append("Approaches asked for: " + ", ".join(Approach(value).label for value in approaches))
    if request.site.region in profile.regions:
        match.score += POINTS_FOR_REGION
        match.reasons.append(f"Works in {request.site.get_region_display()}")
    match.score += min(free_places * POINTS_PER_FREE_PLACE, MAX_CAPACITY_POINTS)
    match.reasons.append(f"Free capacity: {free_places} of {profile.capacity}")
    return match


def rank_enablers(request: SupportRequest) -> tuple[list[Match], list[Exclusion]]:
    """Every enabler who could be proposed, best fit first (ties by name), and those who cannot, with why."""
    site = request.site
    sectors = site_sectors(site)
    partner_ids = {organisation.pk for organisation in site.partners.all()}
    profiles = (
        EnablerProfile.objects.filter(user__is_active=True, available_for_new_work=True)
        .with_active_count()
        .select_related("user")
        .prefetch_related("worked_for")
    )
    ended = set(ended_pairings(request))
    matches, exclusions = [], []
    for profile in profiles:
        conflicts = [org.name for org in profile.worked_for.all() if org.pk in partner_ids]
        active_count = int(profile.__dict__["active_count"])  # with_active_count()
        free_places = profile.capacity - active_count
        if profile.user_id in ended:
            exclusions.append(Exclusion(profile, ENDED_PAIRING))
        elif conflicts:
            exclusions.append(Exclusion(profile, "Conflict of interest: has worked for " + ", ".join(conflicts)))
        elif free_places <= 0:
            exclusions.append(Exclusion(profile, f"No free capacity: {active_count} of {profile.capacity}"))
        else:
            matches.append(score(profile, request, sectors, free_places))
    matches.sort(key=lambda match: (-match.score, match.profile.user.full_name))
    return matches, exclusions


ENDED_PAIRING = "Left out after a change of enabler: their pairing for this request ended early"


def ended_pairings(request: SupportRequest) -> list[int]:
    """The enablers whose pairing for this request ended early: they are not proposed for it again."""
    return list(request.engagements.filter(state=Engagement.State.ENDED).values_list("enabler_id", flat=True))


def exclusion_reason(profile: EnablerProfile, site: Site, *, request: SupportRequest | None = None) -> str | None:
    """Why this enabler cannot be proposed to this site (for this request) now, or None."""
    if request is not None and profile.user_id in ended_pairings(request):
        return f"{profile.user}'s pairing for this request ended early: propose a different enabler."
    if not profile.user.is_active or not profile.available_for_new_work:
        return f"{profile.user} is not taking on new work."
    if profile.has_conflict_with(site):
        return f"{profile.user} has worked for one of the site's partner organisations (a conflict of interest)."
    if profile.active_engagement_count() >= profile.capacity:
        return f"{profile.user} has no free capacity."
    return None
