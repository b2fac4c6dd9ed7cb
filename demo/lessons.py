"""Demo lessons for `seed_demo`: published lessons across the themes, and drafts waiting for consent.

Written for Alongside in its own words from the lessons of the Pioneer and Accelerate support. Some name places,
organisations and people on purpose: the anonymiser replaces them, as it would for a real author.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from demo.engagements import agree, ask, engage
from engagements.actions.engagement import close_engagement, start_closing_engagement
from engagements.actions.sessions import log_session
from engagements.models import EnablerProfile, Engagement, Offer
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from sites import access as site_access
from sites.models import Site, SiteMembership

# (audience, themes by slug, title, body)
LESSONS = [
    (
        "sites",
        ["relationships-and-shared-purpose"],
        "Agree the purpose before the plan",
        "Our board spent three meetings on why we were working together before touching a delivery plan. It felt "
        "slow, but when a budget row came later, the shared purpose held and nobody walked away.",
    ),
    (
        "sites",
        ["relationships-and-shared-purpose", "time-and-adaptive-action"],
        "Strong relationships absorb conflict",
        "We had a sharp disagreement over bed numbers. Because the directors had coached together for months, the "
        "argument stayed about the service and never became personal.",
    ),
    (
        "sites",
        ["connectivity"],
        "The value is in who now talks to whom",
        "The most useful thing to come out of the year was not a strategy. It was that a district nurse lead and a "
        "housing manager in Barnsley now phone each other directly.",
    ),
    (
        "sites",
        ["connectivity", "senior-and-operational-leadership"],
        "Connect the front line, not only the top",
        "We mapped which teams never met. Pairing managers across two trusts did more for joined-up discharge than "
        "another executive workshop would have.",
    ),
    (
        "sites",
        ["people-who-use-services-at-the-centre"],
        "Start from one person's story",
        "Each board meeting opened with the journey of one resident through our services. It kept the conversation "
        "on what people experience rather than on organisational boundaries.",
    ),
    (
        "sites",
        ["people-who-use-services-at-the-centre", "commitment-to-place"],
        "Communities hold energy you lack",
        "Voluntary groups in the neighbourhood brought ideas the statutory partners had not considered. Inviting them "
        "in early changed the shape of the programme.",
    ),
    (
        "sites",
        ["cross-boundary-senior-roles"],
        "Give the cross-boundary role real time",
        "We stopped asking a director to lead integration on top of her day job and appointed a joint director across "
        "the council and the CCG. Progress doubled within two quarters.",
    ),
    (
        "sites",
        ["senior-and-operational-leadership"],
        "Leaders at two levels, one conversation",
        "Senior leaders set the direction; service managers knew what would work on Monday. Bringing both into the "
        "same design sessions avoided plans that looked good and failed in practice.",
    ),
    (
        "sites",
        ["influence-rather-than-formal-power"],
        "Nobody is in charge, so persuade",
        "No single partner could instruct the others. The leaders who made change happen were the ones who listened, "
        "built alliances and framed proposals around what each partner needed.",
    ),
    (
        "sites",
        ["collective-leadership"],
        "From my organisation to our system",
        "Coaching helped the directors talk about shared ambition instead of defending their own budgets. "
        "Within a year they spoke of the system as something they led together.",
    ),
    (
        "sites",
        ["time-and-adaptive-action"],
        "Take the scenic route when you must",
        "Our first design stalled when two partners reorganised. We paused, kept meeting, and came back with a smaller "
        "first step. The relationships survived the delay.",
    ),
    (
        "sites",
        ["leadership-in-organisational-development"],
        "Build systems leadership into development",
        "We added systems leadership to the organisational development plan and to professional development for "
        "managers, so it outlived the support programme.",
    ),
    (
        "sites",
        ["commitment-to-place"],
        "Hold on to the place and its outcomes",
        "When national pressures pulled each organisation back to its own targets, naming the outcomes we wanted for "
        "our residents kept the partnership pointing the same way.",
    ),
    (
        "providers",
        ["flexible-support"],
        "No single model of support fits every site",
        "What helped one partnership, weekly coaching for one director, would have been wrong for another that needed "
        "facilitated workshops for a large stakeholder group. Agree the shape with each site.",
    ),
    (
        "providers",
        ["flexible-support", "time-and-adaptive-action"],
        "Adapt the offer as the site changes",
        "Halfway through, the site's priority moved from vision to delivery. We shifted from board coaching to small "
        "design groups with clinicians, and the support stayed useful.",
    ),
    (
        "providers",
        ["readiness-and-pull"],
        "Wait until the site says it is ready",
        "Support offered to every site at once landed badly where partners were not ready. Where a site asked for help "
        "in its own time, it used the support fully.",
    ),
    (
        "providers",
        ["readiness-and-pull", "relationships-and-shared-purpose"],
        "Readiness is about relationships",
        "The best sign that a site was ready was not a plan but whether its leaders already trusted each other enough "
        "to be honest in front of an outsider.",
    ),
    (
        "providers",
        ["practitioner-credibility"],
        "Senior experience earns the first conversation",
        "Directors tested Morgan Ellery's background in the first meeting. Having run services at a senior level in "
        "both health and social care gave the enabler credibility that training alone would not.",
    ),
    (
        "providers",
        ["practitioner-credibility", "cross-boundary-senior-roles"],
        "Know what the job is like",
        "Enablers who had carried a cross-boundary role themselves understood the pressures on the site's leaders and "
        "could challenge them without sounding naive.",
    ),
    (
        "providers",
        ["no-performance-reporting"],
        "Keep the support apart from judgement",
        "Because nothing about the site's leadership went back to the central team, leaders were candid about what was "
        "not working. That candour was the point of the support.",
    ),
    (
        "providers",
        ["no-performance-reporting", "collective-leadership"],
        "Report on the programme, never the people",
        "The central team asked how many sites were supported and how many days were used, not how good anyone's "
        "leadership was. Enablers could then work as allies rather than inspectors.",
    ),
    (
        "providers",
        ["connectivity", "flexible-support"],
        "Introduce sites to each other",
        "Linking two partnerships facing the same question about capitated budgets saved each of them months. The "
        "enabler's network was as valuable as the coaching.",
    ),
]
DRAFTS = [
    (
        "sites",
        ["relationships-and-shared-purpose"],
        "What we learned from our first joint budget",
        "Tamsin Okoro asked the board at Barnsley Metropolitan Borough Council to agree one shared budget line first.",
    ),
    (
        "providers",
        ["practitioner-credibility"],
        "Coaching a new director",
        "Working with the programme director in Calderdale showed how much a new leader values a peer "
        "to think aloud with.",
    ),
]
PAST_SITES = ["Southend", "South Tyneside", "North Staffordshire", "Worcestershire", "Cornwall and Isles of Scilly"]


PAST_LEADS = ["Rhian Castell", "Oliver Brandreth", "Nadia Fenwright", "Callum Ivesley", "Tess Morrow"]


def _past_engagement(
    site: Site, offer: Offer, enabler: EnablerProfile, programme_lead: User, password: str, lead_name: str
) -> Engagement:
    lead_email = f"{lead_name.lower().replace(' ', '.')}@example.org"
    lead = User.objects.filter(email=lead_email).first() or User.objects.create_user(
        lead_email, password, full_name=lead_name, job_title="Programme director"
    )
    SiteMembership.objects.get_or_create(user=lead, site=site, defaults={"role": SiteMembership.Role.LEAD})
    request = ask(
        site,
        offer,
        lead,
        "We are ready to work on leadership across the partnership.",
        "Coaching for the leadership team.",
        200,
    )
    engagement = engage(request, lead, programme_lead, enabler)
    agree(engagement, lead, "Trust.")
    engagement.refresh_from_db()
    log_session(
        engagement=engagement,
        by=enabler.user,
        held_on=timezone.localdate() - datetime.timedelta(days=90),
        length=Decimal("2"),
        format="partnership-board",
        place="on-site",
        participants="Board",
    )
    engagement.refresh_from_db()
    start_closing_engagement(engagement=engagement, by=enabler.user, follow_up_on=timezone.localdate())
    close_engagement(engagement=engagement, by=enabler.user)
    return engagement


def seed_lessons(*, users: dict[str, User], sites: dict[str, Site], password: str) -> None:
    if Lesson.objects.exists():
        return
    programme_lead = users["programme.lead@example.org"]
    weekly = Offer.objects.get(programme=sites["Barnsley"].programme, cadence=Offer.Cadence.WEEKLY)
    rowan = EnablerProfile.objects.get(user__email="rowan.hale@example.org")
    past = [
        _past_engagement(sites[name], weekly, rowan, programme_lead, password, lead)
        for name, lead in zip(PAST_SITES, PAST_LEADS, strict=True)
    ]
    sources = [*Engagement.objects.filter(state__in=["active", "closed"]).select_related("site", "enabler"), *past]
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for number, (audience, slugs, title, body) in enumerate(LESSONS):
        engagement = sources[number % len(sources)]
        site_lead = site_access.site_leads(engagement.site_id)[0]
        lesson = lesson_actions.draft_lesson(
            engagement=engagement,
            by=engagement.enabler,
            title=title,
            body=body,
            audience=audience,
            themes=[themes[slug] for slug in slugs],
        )
        lesson_actions.approve_lesson(lesson=lesson, by=engagement.enabler, version=lesson.version)
        lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=lesson.version)
    barnsley = Engagement.objects.get(site=sites["Barnsley"])
    calderdale = Engagement.objects.get(site=sites["Calderdale"])
    for engagement, (audience, slugs, title, body) in zip((barnsley, calderdale), DRAFTS, strict=True):
        lesson = lesson_actions.draft_lesson(
            engagement=engagement,
            by=engagement.enabler,
            title=title,
            body=body,
            audience=audience,
            themes=[themes[slug] for slug in slugs],
        )
        # Waiting for the site's lead.
        lesson_actions.approve_lesson(lesson=lesson, by=engagement.enabler, version=lesson.version)
