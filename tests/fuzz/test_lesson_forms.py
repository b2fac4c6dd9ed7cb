"""Fuzzing the lessons' forms: drafting and revising a lesson, adding a theme, and searching the library.

A lesson's words go through the anonymiser before they are stored, so the fuzzing also writes the names it
replaces (sites, organisations, people, places): a placeholder is longer than most names, and what is stored must
still fit.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.models import Engagement
from lessons import actions as lesson_actions
from lessons.forms import LessonForm, LibraryFilterForm, ThemeForm
from lessons.models import KNOWN_PLACES, Lesson, Theme
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, Field, choice, choices, form_data, hostile, text

NAMES = (
    "Ashvale",
    "Ashvale Borough Council",
    "AB Council",
    "Avery Lead",
    "Emery Enabler",
    "London",
    "lead.a@example.test",
    "020 7946 0000",
    "https://ashvale.example/board",
    "SW1A 1AA",
    "943 476 5919",
    *KNOWN_PLACES[:8],
)


WORDS = ("trust", "before", "plans", "the board", "listened")


def _named(max_length: int) -> st.SearchStrategy[str]:
    """Words among the names the anonymiser replaces, repeated to the field's limit (where a longer placeholder
    matters most) or not."""

    def written(words: list[str], fill: bool) -> str:
        text = " ".join(words)
        return (f"{text} " * (max_length // len(text) + 1) if fill else text)[:max_length]

    words = st.lists(st.sampled_from(NAMES + WORDS), min_size=1, max_size=8)
    return st.builds(written, st.builds(lambda word, more: [word, *more], st.sampled_from(WORDS), words), st.booleans())


def _lesson_fields(themes: list[Theme]) -> dict[str, Field]:
    title, body = text(200), text(10_000)
    return {
        "title": Field(st.one_of(title.valid, _named(200)), title.hostile),
        "body": Field(st.one_of(body.valid, _named(10_000)), body.hostile),
        "audience": choice(Lesson.Audience.values),
        "themes": choices([theme.pk for theme in themes], required=True),
    }


@fuzzes(LessonForm, "lessons:lesson_create", "site_lead")
def test_lesson_form_refuses_with_form_errors(engagement_a: Engagement, site_lead: User, themes: list[Theme]) -> None:
    """Drafting a lesson from an engagement; the draft page shows the anonymised words, escaped."""
    create = FormUnderFuzz(
        client_for(site_lead), reverse("lessons:lesson_create", kwargs={"pk": engagement_a.pk}), LessonForm
    )
    named_title = "Ashvale Borough Council " * 8

    @FUZZ
    @given(form_data(_lesson_fields(themes)))
    @example(
        {"title": named_title[:200], "body": "<script>alert(1)</script>", "audience": "sites", "themes": themes[0].pk}
    )
    @example({"title": "Ashvale", "body": "Avery Lead", "audience": "sites", "themes": themes[0].pk})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(LessonForm, "lessons:lesson_edit", "enabler")
def test_lesson_edit_form_refuses_with_form_errors(engagement_a: Engagement, themes: list[Theme]) -> None:
    """Revising a draft: the same rules as drafting it, and each accepted revision is a new version."""
    lesson = lesson_actions.draft_lesson(
        engagement=engagement_a,
        by=engagement_a.enabler,
        title="Trust",
        body="Trust first.",
        audience="sites",
        themes=themes[:1],
    )
    draft = reverse("lessons:lesson_draft", kwargs={"pk": lesson.pk})
    edit = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("lessons:lesson_edit", kwargs={"pk": lesson.pk}),
        LessonForm,
        redirects_to=draft,
    )

    @FUZZ
    @given(form_data(_lesson_fields(themes)))
    @example(
        {"title": "'><svg/onload=alert(1)>", "body": "Ashvale " * 1250, "audience": "providers", "themes": themes[1].pk}
    )
    @example({"title": "Trust", "body": "Trust first.", "audience": "everyone", "themes": themes[0].pk})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(ThemeForm, "lessons:theme_create", "programme_lead")
def test_theme_form_refuses_with_form_errors(programme_lead: User, themes: list[Theme]) -> None:
    """Adding a theme: its address is made from its name, so names that make no address, or the address of a
    theme that exists, must be refused like a name that exists."""
    name = text(100)
    fields = {
        "name": Field(
            st.one_of(
                name.valid,
                st.sampled_from([themes[0].name.upper(), themes[0].name + "!", "日本語のテーマ", "!!!", "---"]),
            ),
            name.hostile,
        ),
        "description": text(300, required=False),
    }
    create = FormUnderFuzz(client_for(programme_lead), reverse("lessons:theme_create"), ThemeForm)

    @FUZZ
    @given(form_data(fields))
    @example({"name": "<script>alert(1)</script> and trust", "description": "<b>x</b>"})
    @example({"name": themes[0].name})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(LibraryFilterForm, "lessons:library", "site_member")
def test_library_search_shows_errors_or_the_lessons(
    engagement_a: Engagement, site_lead: User, site_member: User, themes: list[Theme]
) -> None:
    """Searching the library (and its CSV export) from the address: any search, theme or audience, and any page
    number, shows lessons or says what is wrong."""
    published = lesson_actions.draft_lesson(
        engagement=engagement_a,
        by=site_lead,
        title="<script>alert(1)</script> Trust",
        body="Pull, not push. <img src=x onerror=alert(1)>",
        audience="sites",
        themes=themes[:1],
    )
    lesson_actions.approve_lesson(lesson=published, by=site_lead, version=published.version)
    lesson_actions.approve_lesson(lesson=published, by=engagement_a.enabler, version=published.version)
    q = text(200, required=False)
    fields = {
        "q": Field(
            st.one_of(q.valid, st.sampled_from(['"trust', "-push", "trust | push", "pull & !push", "x:*"])), q.hostile
        ),
        "theme": choice(["", *(theme.slug for theme in themes)]),
        "audience": choice(["", *Lesson.Audience.values]),
        "page": Field(st.sampled_from(["1", "2", "last"]), hostile),
    }
    client = client_for(site_member)
    library = FormUnderFuzz(client, reverse("lessons:library"), LibraryFilterForm, method="get")
    export = reverse("lessons:library_export")

    @FUZZ
    @given(form_data(fields), st.booleans())
    @example({"q": "trust script"}, True)
    @example({"q": "x" * 201, "theme": "no-such-theme"}, False)
    def submit(data: dict, also_export: bool) -> None:
        library.submit(data)
        if also_export:
            response = client.get(export, data)
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")

    submit()

    library.assert_accepted_and_refused()
