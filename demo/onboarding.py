"""Demo onboarding for `seed_demo`: the Vanguard offer shaped by two lessons of the Pioneers, and invitations
waiting to be accepted. Every person is fictional. Runs once: it does nothing when invitations already exist."""

from __future__ import annotations

from accounts.models import Notification, User
from engagements.models import Offer
from lessons.models import Lesson
from onboarding import actions
from onboarding.models import Invitation
from sites.models import Programme, Site

# Two published lessons of the demo that the Vanguard offer of 2015/16 cites, by title.
CITED = ("Agree the purpose before the plan", "Strong relationships absorb conflict")


def seed_onboarding(*, users: dict[str, User], sites: dict[str, Site]) -> None:
    if Invitation.objects.exists():
        return
    programme_lead = users["programme.lead@example.org"]
    vanguard = Offer.objects.get(programme__kind=Programme.Kind.VANGUARD)
    lessons = list(Lesson.objects.published().filter(title__in=CITED)) or list(Lesson.objects.published()[:2])
    actions.update_offer(
        offer=vanguard,
        by=programme_lead,
        lessons=lessons,
        description=(
            "An enabler alongside the leaders of a new care model through its first year: systems leadership "
            "coaching, help to design the model with partners, and up to ten days of facilitated workshops."
        ),
        starts_with_diagnostic=True,
    )
    actions.invite(
        email="casey.newcombe@example.org",
        full_name="Casey Newcombe",
        role=Invitation.Role.ENABLER,
        job_title="Organisational development practitioner",
        by=programme_lead,
    )
    actions.invite(
        email="harper.vane@example.org",
        full_name="Harper Vane",
        role=Invitation.Role.SITE_LEAD,
        site=sites["Salford"],
        by=programme_lead,
    )
    actions.invite(
        email="ellis.marsh@example.org",
        full_name="Ellis Marsh",
        role=Invitation.Role.SITE_MEMBER,
        site=sites["Barnsley"],
        by=users["site.lead@example.org"],
    )


def waiting_links() -> list[tuple[str, str]]:
    """Each invitation still waiting, with the path of the link last sent for it (from its e-mail's row)."""
    links = []
    for invitation in Invitation.objects.pending().order_by("email"):
        sent = Notification.objects.filter(address=invitation.email, kind="invitation").order_by("-pk").first()
        if sent is not None:
            links.append((invitation.email, sent.link))
    return links
