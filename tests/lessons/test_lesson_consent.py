from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from core.errors import NotAllowed
from engagements.models import Engagement
from lessons import actions as lesson_actions
from lessons.models import Lesson, Theme
from tests.helpers.people import client_for


@pytest.fixture
def theme(db: None) -> Theme:
    return Theme.objects.get(slug="readiness-and-pull")


def _draft(engagement: Engagement, by: User, theme: Theme, body: str = "Trust came before plans.") -> Lesson:
    return lesson_actions.draft_lesson(
        engagement=engagement, by=by, title="Trust first", body=body, audience="sites", themes=[theme]
    )


def test_drafting_replaces_names_and_the_preview_highlights_each_replacement(
    engagement_a: Engagement, site_lead: User, theme: Theme
) -> None:
    client = client_for(engagement_a.enabler)

    response = client.post(
        reverse("lessons:lesson_create", kwargs={"pk": engagement_a.pk}),
        {
            "title": "What Ashvale learned",
            "body": "Avery Lead and Ashvale Borough Council (AB Council) built trust; e-mail lead.a@example.test.",
            "audience": "sites",
            "themes": [theme.pk],
        },
        follow=True,
    )

    lesson = Lesson.objects.get()
    assert lesson.title == "What [a Pioneer site] learned"
    assert lesson.body == "[a senior leader] and [a council] ([a council]) built trust; e-mail [an e-mail address]."
    html = response.content.decode()
    assert '<mark class="alongside-placeholder">[a council]</mark>' in html
    assert "Ashvale" not in html.split('id="maincontent"')[1]


def test_drafting_replaces_given_names_alone_and_the_preview_highlights_them(
    engagement_a: Engagement, site_lead: User, theme: Theme
) -> None:
    client = client_for(engagement_a.enabler)

    response = client.post(
        reverse("lessons:lesson_create", kwargs={"pk": engagement_a.pk}),
        {
            "title": "Avery-led planning",
            "body": "Avery listened first; EMERY\u2019S questions helped, and avery agreed.",
            "audience": "sites",
            "themes": [theme.pk],
        },
        follow=True,
    )

    lesson = Lesson.objects.get()
    assert lesson.title == "[a senior leader]-led planning"
    assert (
        lesson.body
        == "[a senior leader] listened first; [an enabler]'s questions helped, and [a senior leader] agreed."
    )
    html = response.content.decode()
    mark = '<mark class="alongside-placeholder">{}</mark>'.format
    assert f"<h1>{mark('[a senior leader]')}-led planning</h1>" in html
    assert (
        f"<p>{mark('[a senior leader]')} listened first; {mark('[an enabler]')}&#x27;s questions helped, and "
        f"{mark('[a senior leader]')} agreed.</p>"
    ) in html


def test_an_empty_lesson_is_refused(engagement_a: Engagement, theme: Theme) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse("lessons:lesson_create", kwargs={"pk": engagement_a.pk}), {"audience": "sites", "themes": [theme.pk]}
    )

    assert "Enter a title" in response.content.decode() and "Write the lesson" in response.content.decode()
    assert not Lesson.objects.exists()


def test_a_lesson_that_is_only_names_is_refused(engagement_a: Engagement, theme: Theme) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse("lessons:lesson_create", kwargs={"pk": engagement_a.pk}),
        {"title": "Ashvale", "body": "Avery Lead, Ashvale Borough Council.", "audience": "sites", "themes": [theme.pk]},
    )

    assert "Nothing is left once names are removed" in response.content.decode()
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("url_name", ["lessons:lesson_create", "lessons:lesson_edit"])
def test_a_title_that_grows_too_long_once_names_are_replaced_is_refused(
    engagement_a: Engagement, theme: Theme, url_name: str
) -> None:
    """Found by fuzzing (tests/fuzz): 200 characters of "trust Ashvale" become over 300 with "[a Pioneer site]",
    and PostgreSQL refused to store them (a server error); SQLite stored a title over its limit."""
    lesson = _draft(engagement_a, engagement_a.enabler, theme)
    target = {"pk": engagement_a.pk} if url_name == "lessons:lesson_create" else {"pk": lesson.pk}
    title = ("trust Ashvale " * 15)[:200]

    response = client_for(engagement_a.enabler).post(
        reverse(url_name, kwargs=target),
        {"title": title, "body": "Trust first.", "audience": "sites", "themes": [theme.pk]},
    )

    assert response.status_code == 200
    assert "characters long. Shorten it to 200 or fewer with the names replaced." in response.content.decode()
    assert list(Lesson.objects.values_list("title", "version")) == [("Trust first", 1)]


def test_published_only_when_both_approve_the_same_version(
    engagement_a: Engagement, site_lead: User, theme: Theme, programme_lead: User
) -> None:
    lesson = _draft(engagement_a, engagement_a.enabler, theme)

    client_for(engagement_a.enabler).post(
        reverse("lessons:lesson_approve", kwargs={"pk": lesson.pk}), {"version": lesson.version}
    )
    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.AWAITING
    assert not Lesson.objects.in_library_for(programme_lead).exists()
    client_for(site_lead).post(reverse("lessons:lesson_approve", kwargs={"pk": lesson.pk}), {"version": lesson.version})

    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.PUBLISHED
    assert list(Lesson.objects.in_library_for(programme_lead)) == [lesson]


def test_an_edit_withdraws_approvals_and_takes_the_lesson_out_of_the_library(
    engagement_a: Engagement, site_lead: User, theme: Theme, programme_lead: User
) -> None:
    lesson = _draft(engagement_a, engagement_a.enabler, theme)
    lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=1)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)

    client_for(site_lead).post(
        reverse("lessons:lesson_edit", kwargs={"pk": lesson.pk}),
        {
            "title": "Trust first",
            "body": "Trust came before any plan at all.",
            "audience": "sites",
            "themes": [theme.pk],
        },
    )

    lesson.refresh_from_db()
    assert lesson.version == 2
    assert (lesson.site_approved_version, lesson.enabler_approved_version) == (None, None)
    assert not Lesson.objects.in_library_for(programme_lead).exists()


def test_approving_a_version_that_has_since_changed_is_refused(
    engagement_a: Engagement, site_lead: User, theme: Theme
) -> None:
    lesson = _draft(engagement_a, engagement_a.enabler, theme)
    lesson_actions.revise_lesson(
        lesson=lesson,
        by=engagement_a.enabler,
        title="Trust first",
        body="Trust, then plans.",
        audience="sites",
        themes=[theme],
    )

    response = client_for(site_lead).post(
        reverse("lessons:lesson_approve", kwargs={"pk": lesson.pk}), {"version": 1}, follow=True
    )

    lesson.refresh_from_db()
    assert "The lesson has changed since you read it" in response.content.decode()
    assert lesson.site_approved_version is None


def test_either_party_withdraws_consent_and_the_lesson_leaves_the_library_at_once(
    engagement_a: Engagement, site_lead: User, theme: Theme, programme_lead: User
) -> None:
    lesson = _draft(engagement_a, engagement_a.enabler, theme)
    lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=1)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)

    client_for(engagement_a.enabler).post(reverse("lessons:lesson_withdraw", kwargs={"pk": lesson.pk}))

    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.WITHDRAWN
    assert client_for(programme_lead).get(reverse("lessons:lesson_detail", kwargs={"pk": lesson.pk})).status_code == 404


def test_a_site_member_who_is_not_the_lead_cannot_approve(
    engagement_a: Engagement, site_member: User, theme: Theme
) -> None:
    lesson = _draft(engagement_a, engagement_a.enabler, theme)

    with pytest.raises(NotAllowed, match="approved by the site's lead and by the enabler"):
        lesson_actions.approve_lesson(lesson=lesson, by=site_member, version=1)


def test_who_wrote_a_lesson_is_never_shown_in_the_library(
    engagement_a: Engagement, site_lead: User, theme: Theme, programme_lead: User
) -> None:
    lesson = _draft(engagement_a, site_lead, theme)
    lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=1)
    lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)

    pages = [
        client_for(programme_lead).get(reverse("lessons:lesson_detail", kwargs={"pk": lesson.pk})),
        client_for(programme_lead).get(reverse("lessons:library")),
        client_for(programme_lead).get(reverse("lessons:library_export")),
    ]

    for page in pages:
        body = page.content.decode()
        assert "Avery Lead" not in body.split('id="maincontent"')[-1]
        assert "Emery Enabler" not in body
