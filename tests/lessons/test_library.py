from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement
from lessons import actions as lesson_actions
from lessons.models import DigestSubscription, Lesson, Theme
from lessons.tasks import send_lessons_digest
from tests.helpers.people import client_for

CORPUS = [
    ("Trust before plans", "Partners built trust over months before agreeing any delivery plan."),
    ("Budgets pooled late", "The pooled budget came late, after the board had learned to disagree well."),
    ("Coaching the director", "Weekly coaching gave the programme director a place to think aloud."),
    ("Residents at the centre", "Stories from residents opened every board meeting and kept the focus on people."),
    ("Design with clinicians", "GPs and community nurses designed out-of-hospital care together with social workers."),
]


@pytest.fixture
def corpus(engagement_a: Engagement, site_lead: User) -> list[Lesson]:
    theme = Theme.objects.get(slug="relationships-and-shared-purpose")
    lessons = []
    for title, body in CORPUS:
        lesson = lesson_actions.draft_lesson(
            engagement=engagement_a, by=site_lead, title=title, body=body, audience="sites", themes=[theme]
        )
        lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=1)
        lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)
        lessons.append(lesson)
    return lessons


def _titles(response: object) -> list[str]:
    return [item["lesson"].title for item in response.context["items"]]


def test_search_finds_the_expected_lesson_first(corpus: list[Lesson], programme_lead: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Ranking is PostgreSQL full-text search; SQLite has the plain fallback tested below")
    client = client_for(programme_lead)

    trust = client.get(reverse("lessons:library"), {"q": "trust"})
    phrase = client.get(reverse("lessons:library"), {"q": '"community nurses"'})
    stemmed = client.get(reverse("lessons:library"), {"q": "designing"})

    assert _titles(trust)[0] == "Trust before plans"
    assert _titles(phrase) == ["Design with clinicians"]
    assert _titles(stemmed) == ["Design with clinicians"]
    assert "<mark>" in trust.content.decode()


def test_search_falls_back_to_word_matching_without_postgresql(corpus: list[Lesson], programme_lead: User) -> None:
    response = client_for(programme_lead).get(reverse("lessons:library"), {"q": "board residents"})

    assert _titles(response) == ["Residents at the centre"]
    assert "<mark>" in response.content.decode()


@pytest.mark.parametrize(
    "query", ['"unclosed quote', "trust & | ! (budget", "-", "' OR 1=1 --", "<script>alert(1)</script>", "ß ü 日本"]
)
def test_odd_searches_answer_without_errors(corpus: list[Lesson], programme_lead: User, query: str) -> None:
    response = client_for(programme_lead).get(reverse("lessons:library"), {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_search_of_1000_characters_gets_a_clear_message(corpus: list[Lesson], programme_lead: User) -> None:
    response = client_for(programme_lead).get(reverse("lessons:library"), {"q": "trust " * 170})

    assert response.status_code == 200
    assert "Search for 200 characters or fewer" in response.content.decode()


def test_browse_by_theme_and_audience_with_related_lessons(corpus: list[Lesson], programme_lead: User) -> None:
    client = client_for(programme_lead)

    theme_page = client.get(reverse("lessons:theme_detail", kwargs={"slug": "relationships-and-shared-purpose"}))
    for_providers = client.get(reverse("lessons:library"), {"audience": "providers"})
    detail = client.get(reverse("lessons:lesson_detail", kwargs={"pk": corpus[0].pk}))

    assert len(theme_page.context["items"]) == 5
    assert _titles(for_providers) == []
    assert len(detail.context["related"]) == 3


def test_export_and_pack_carry_the_selection(corpus: list[Lesson], programme_lead: User) -> None:
    client = client_for(programme_lead)

    export = client.get(reverse("lessons:library_export"), {"q": "coaching"}).content.decode()
    pack = client.get(reverse("lessons:theme_pack", kwargs={"slug": "relationships-and-shared-purpose"}))

    assert export.splitlines()[0] == "title,audience,themes,context,published,lesson"
    assert "Coaching the director" in export and "Trust before plans" not in export
    assert pack.content.decode().count("<article") == 5


def test_library_query_count_does_not_grow_with_lessons(
    corpus: list[Lesson],
    programme_lead: User,
    engagement_a: Engagement,
    site_lead: User,
    django_assert_max_num_queries: object,
) -> None:
    theme = Theme.objects.first()
    for number in range(25):
        lesson = lesson_actions.draft_lesson(
            engagement=engagement_a,
            by=site_lead,
            title=f"Lesson {number}",
            body="Words.",
            audience="sites",
            themes=[theme],
        )
        lesson_actions.approve_lesson(lesson=lesson, by=engagement_a.enabler, version=1)
        lesson_actions.approve_lesson(lesson=lesson, by=site_lead, version=1)
    client = client_for(programme_lead)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("lessons:library"))

    assert len(response.context["items"]) == 20


def test_programme_lead_adds_a_theme(programme_lead: User) -> None:
    client = client_for(programme_lead)

    client.post(reverse("lessons:theme_create"), {"name": "Digital shared records", "description": "Data."})
    duplicate = client.post(reverse("lessons:theme_create"), {"name": "Digital shared records"})

    assert Theme.objects.filter(slug="digital-shared-records").exists()
    assert "There is already a theme with that name" in duplicate.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("DIGITAL SHARED RECORDS", "There is already a theme with that name"),
        ("Digital: shared records!", "There is already a theme with that name"),
        ("日本語のテーマ", "Use some letters or numbers from A to Z or 0 to 9 in the name"),
        ("!!!", "Use some letters or numbers from A to Z or 0 to 9 in the name"),
    ],
)
def test_a_theme_name_that_makes_an_existing_address_or_none_is_refused(
    programme_lead: User, name: str, message: str
) -> None:
    """Found by fuzzing (tests/fuzz): the second name was a server error (the address is unique), the third a page
    that could not link to the theme (no address at all)."""
    client = client_for(programme_lead)
    client.post(reverse("lessons:theme_create"), {"name": "Digital shared records"})

    response = client.post(reverse("lessons:theme_create"), {"name": name})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Theme.objects.filter(name__iexact="digital shared records").count() == 1


def test_weekly_digest_goes_to_programme_leads_who_asked(
    corpus: list[Lesson], programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    client_for(programme_lead).post(reverse("lessons:digest_toggle"))
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        readers = send_lessons_digest()

    assert readers == 1 and DigestSubscription.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[programme_lead.email]]
    assert "Trust before plans" in mail.outbox[0].body


def _plan(lessons: object) -> str:
    sql, params = lessons.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def larger_library(corpus: list[Lesson]) -> None:
    """Five thousand more published lessons about something else, so that, as with 200,000, reading every row
    costs the planner more than the index (with five rows it rightly reads them all)."""
    if connection.vendor != "postgresql":
        pytest.skip("The GIN index on the stored search vector is PostgreSQL's; SQLite has the plain fallback")
    from lessons.search import lesson_vector

    model = corpus[0]
    Lesson.objects.bulk_create(
        Lesson(
            engagement_id=model.engagement_id,
            created_by_id=model.created_by_id,
            title=f"Minutes {number}",
            body="Agendas, minutes and papers were circulated a week ahead of each meeting.",
            audience=model.audience,
            programme_id=model.programme_id,
            year=model.year,
            state=Lesson.State.PUBLISHED,
            published_at=model.published_at,
        )
        for number in range(5000)
    )
    Lesson.objects.filter(search_vector=None).update(search_vector=lesson_vector())
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: new entries leave GIN's pending list for the index proper.
        cursor.execute("SELECT gin_clean_pending_list('lessons_lesson_search_vector_gin')")
        cursor.execute("ANALYZE lessons_lesson")


@pytest.mark.parametrize("query", ["trust", "designing", '"community nurses"'])
def test_library_search_is_answered_from_the_gin_index(larger_library: None, programme_lead: User, query: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The GIN index on the stored search vector is PostgreSQL's; SQLite has the plain fallback")
    from lessons.search import search

    searched = search(Lesson.objects.in_library_for(programme_lead), query)[:20]
    browsed = Lesson.objects.in_library_for(programme_lead).order_by("-published_at", "-pk")[:20]

    assert "lessons_lesson_search_vector_gin" in _plan(searched)
    assert "lessons_lesson_search_vector_gin" not in _plan(browsed)  # the check tells one plan from another
