"""A lesson says only as much about where it comes from as at least three sites share."""

from __future__ import annotations

from accounts.models import User
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme, context_lines
from sites.models import Programme, Site, SiteMembership
from tests.helpers.engagements import ask_for_support, start_engagement


def _site_with_engagement(name: str, programme: Programme, offer: object, enabler: User, lead_of_centre: User, **geo):
    site = Site.objects.create(name=name, programme=programme, region="london", **geo)
    lead = User.objects.create_user(f"{name.lower()}@example.test", "x", full_name=f"Lee {name}")
    SiteMembership.objects.create(user=lead, site=site, role="lead")
    return start_engagement(ask_for_support(site, offer, lead), enabler, lead, lead_of_centre)


def _lesson(engagement: object) -> Lesson:
    theme = Theme.objects.first()
    return lesson_actions.draft_lesson(
        engagement=engagement,
        by=engagement.enabler,
        title="Trust",
        body="Trust first.",
        audience="sites",
        themes=[theme],
    )


def test_context_is_dropped_then_the_year_until_three_sites_share_it(
    programme: Programme, offer: object, enabler: User, programme_lead: User
) -> None:
    enabler.enabler_profile.capacity = 10
    enabler.enabler_profile.save()
    simple = [_site_with_engagement(f"Simple{n}", programme, offer, enabler, programme_lead) for n in range(3)]
    complex_ = _site_with_engagement(
        "Tangled", programme, offer, enabler, programme_lead, council_count=3, boundaries_overlap=True
    )
    lessons = [_lesson(simple[0]), _lesson(complex_)]

    lines = context_lines(lessons)

    year = simple[0].created_at.year
    band = f"{year - year % 2} to {year - year % 2 + 1}"
    assert lines[lessons[0].pk] == ["Integrated Care Pioneer", band, "one council and one CCG"]
    assert lines[lessons[1].pk] == ["Integrated Care Pioneer", band]  # only one site is "several, overlapping"


def test_with_fewer_than_three_sites_only_a_support_programme_is_said(
    engagement_a: object, engagement_b: object
) -> None:
    lesson = _lesson(engagement_a)

    assert context_lines([lesson])[lesson.pk] == ["A support programme"]


def test_the_context_of_many_lessons_costs_three_queries(
    engagement_a: object, engagement_b: object, django_assert_num_queries: object
) -> None:
    lessons = [_lesson(engagement_a) for _ in range(10)]
    lessons = list(
        Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]).select_related("programme", "engagement__site")
    )

    with django_assert_num_queries(3):
        lines = context_lines(lessons)

    assert len(lines) == 10
