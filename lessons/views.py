from __future__ import annotations

from collections.abc import Hashable
from typing import cast

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from accounts.access import central_team_required
from core import memo
from core.errors import NotAllowed
from core.exports import CsvWriter
from core.http import AuthenticatedHttpRequest
from engagements import access as engagement_access
from engagements.models import Feedback
from frontend.forms import posted
from frontend.pagination import CappedPaginator

from . import access, actions
from .access import library_required
from .forms import LessonForm, LibraryFilterForm, SharedWordsForm, ThemeForm
from .models import DigestSubscription, Lesson, LibraryEdition, Theme, anonymised_feedback, context_lines
from .search import marked, search

PAGE_SIZE = 20
RELATED_FROM = 50


def _library_selection(request: AuthenticatedHttpRequest) -> tuple[LibraryFilterForm, QuerySet[Lesson], str]:
    """The lessons the library shows for these filters, best match first when searching."""
    form = LibraryFilterForm(request.GET or None)
    lessons: QuerySet[Lesson] = Lesson.objects.in_library_for(request.user).select_related("programme")
    query = ""
    if form.is_valid():
        if form.cleaned_data["theme"]:
            lessons = lessons.filter(themes=form.cleaned_data["theme"])
        if form.cleaned_data["audience"]:
            lessons = lessons.filter(audience=form.cleaned_data["audience"])
        query = form.cleaned_data["q"]
    lessons = search(lessons, query) if query else lessons.order_by("-published_at", "-pk")
    return form, lessons, query


def _kept_page(lessons: QuerySet[Lesson], selection: Hashable, number: str | None) -> tuple[Page, tuple]:
    """A page of the selection, and the id and version of each lesson on it. Both the count and the page's ids are
    the same for everyone who may use the library, so they are kept (core/memo.py) under the library's edition,
    read afresh on every request: once a lesson is published, withdrawn or revised, no kept page is read again."""
    edition = LibraryEdition.current()
    paginator = CappedPaginator(lessons, PAGE_SIZE)
    paginator.__dict__["count"] = memo.remembered(("library count", edition, selection), lambda: paginator.count)
    page = paginator.get_page(number)
    shown = memo.remembered(
        ("library page", edition, selection, page.number),
        lambda: tuple(cast(QuerySet[Lesson], page.object_list).values_list("pk", "version")),
    )
    return page, shown


def _with_context(
    lessons: list[Lesson], query: str = "", themes: dict[int, list[str]] | None = None
) -> list[dict[str, object]]:
    lines = context_lines(lessons)
    return [
        {
            "lesson": lesson,
            "context": lines.get(lesson.pk, []),
            "title": marked(getattr(lesson, "title_marked", lesson.title), query),
            "excerpt": marked(getattr(lesson, "excerpt_marked", lesson.body[:300]), query),
            "themes": themes[lesson.pk] if themes is not None else [theme.name for theme in lesson.themes.all()],
        }
        for lesson in lessons
    ]


def _cards(shown: tuple, query: str = "") -> str:
    """One page's lesson cards, from the ids and versions of its lessons (`_kept_page`): rendered once for everyone
    who may use the library and kept under those ids and versions (core/memo.py), on every server alike."""
    return memo.fragment(("lesson cards", query, shown), lambda: _render_cards([pk for pk, _ in shown], query))


def _render_cards(ids: list[int], query: str) -> str:
    lessons: QuerySet[Lesson] = Lesson.objects.published().filter(pk__in=ids)
    if query:
        lessons = search(lessons, query)  # the matches, marked
    by_pk = {lesson.pk: lesson for lesson in lessons.select_related("engagement__site", "programme")}
    in_order = [by_pk[pk] for pk in ids if pk in by_pk]
    themes: dict[int, list[str]] = {pk: [] for pk in ids}
    through = Lesson.themes.through.objects.filter(lesson_id__in=ids).order_by("theme__name")
    for lesson_id, name in through.values_list("lesson_id", "theme__name"):
        themes[lesson_id].append(name)
    return render_to_string("lessons/_lesson_cards.html", {"items": _with_context(in_order, query, themes)})


def _prefetched(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    return lessons.select_related("engagement__site", "programme").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name"))
    )


@library_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Published lessons: browse by theme and audience, or search."""
    form, lessons, query = _library_selection(request)
    selection = (
        ("library", query, request.GET.get("theme", ""), request.GET.get("audience", "")) if form.is_valid() else None
    )
    page, shown = _kept_page(lessons, selection, request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "cards": _cards(shown, query),
        "query": query,
        "themes": memo.remembered(("library-themes",), _themes_with_counts),
        "subscribed": DigestSubscription.objects.filter(user=request.user).exists(),
    }
    return render(request, "lessons/library.html", context)


def _themes_with_counts() -> list[Theme]:
    """Every theme with its number of published lessons: the same for everyone, so kept for a few minutes."""
    return list(Theme.objects.annotate(count=Count("lessons", filter=Q(lessons__state=Lesson.State.PUBLISHED))))


@library_required
def library_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The current selection as CSV: the anonymised words and the context the library may show, nothing more."""
    _, selection, _ = _library_selection(request)
    lessons = list(_prefetched(selection)[:5000])
    lines = context_lines(lessons)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alongside-lessons.csv"'
    writer = CsvWriter(response)
    writer.writerow(["title", "audience", "themes", "context", "published", "lesson"])
    for lesson in lessons:
        writer.writerow(
            [
                lesson.title,
                lesson.get_audience_display(),
                "; ".join(theme.name for theme in lesson.themes.all()),
                ", ".join(lines[lesson.pk]),
                lesson.published_at.date().isoformat() if lesson.published_at else "",
                lesson.body,
            ]
        )
    return response


def lesson_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A published lesson, for whoever may use the library (anyone else: 404). What it shows is the same for all of
    them, so it is rendered once and kept under the library's edition (core/memo.py): a lesson withdrawn or changed,
    this one or a related one, is a new edition, and the next request renders the page afresh or answers 404."""
    if not access.may_use_library(request.user):
        raise Http404("No lesson here")
    page = memo.fragment(("lesson page", LibraryEdition.current(), pk), lambda: _lesson_page(pk))
    if page is None:
        raise Http404("No lesson here")
    title, content = page
    return render(request, "lessons/lesson_detail.html", {"title": title, "content": content})


def _lesson_page(pk: int) -> tuple[str, str] | None:
    lesson = _prefetched(Lesson.objects.published()).filter(pk=pk).first()
    if lesson is None:
        return None
    theme_ids = [theme.pk for theme in lesson.themes.all()]
    # Related: of the latest lessons sharing a theme, those sharing the most. Bounded, so that a theme with a
    # hundred thousand lessons costs no more than one with ten.
    recent = (
        Lesson.objects.published()
        .filter(themes__in=theme_ids)
        .exclude(pk=lesson.pk)
        .order_by("-published_at", "-pk")
        .values("pk")[:RELATED_FROM]
    )
    related = list(
        _prefetched(Lesson.objects.filter(pk__in=Subquery(recent)))
        .annotate(shared=Count("themes", filter=Q(themes__in=theme_ids)))
        .order_by("-shared", "-published_at")[:3]
    )
    context = {"lesson": lesson, "context": context_lines([lesson])[lesson.pk], "related": related}
    return lesson.title, render_to_string("lessons/_lesson_page.html", context)


@library_required
def theme_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    lessons = Lesson.objects.in_library_for(request.user).filter(themes=theme).order_by("-published_at", "-pk")
    page, shown = _kept_page(lessons, ("theme", theme.pk), request.GET.get("page"))
    context = {"theme": theme, "page": page, "cards": _cards(shown)}
    return render(request, "lessons/theme_detail.html", context)


@library_required
def theme_pack(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Every lesson of a theme on one page, laid out to print (or save as PDF from the browser)."""
    theme = get_object_or_404(Theme, slug=slug)
    lessons = list(_prefetched(Lesson.objects.in_library_for(request.user).filter(themes=theme))[:500])
    return render(request, "lessons/theme_pack.html", {"theme": theme, "items": _with_context(lessons)})


@central_team_required
def theme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ThemeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        theme = actions.add_theme(by=request.user, **form.cleaned_data)
        messages.success(request, f"The theme “{theme}” is added.")
        return redirect("lessons:theme_detail", slug=theme.slug)
    return render(request, "lessons/theme_create.html", {"form": form})


@require_POST
@central_team_required
def digest_toggle(request: AuthenticatedHttpRequest) -> HttpResponse:
    if actions.toggle_digest(by=request.user):
        messages.success(request, "You will get a weekly e-mail of newly published lessons.")
    else:
        messages.success(request, "You will no longer get the weekly e-mail of new lessons.")
    return redirect("lessons:library")


# Drafting and consent, for the two parties of an engagement ----------------------------------------------------


def engagement_lessons(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_access.engagement_for(request.user, pk, related=("site",))
    lessons = Lesson.objects.drafted_with(request.user).filter(engagement=engagement).select_related("created_by")
    return render(request, "lessons/engagement_lessons.html", {"engagement": engagement, "lessons": lessons})


def lesson_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_access.engagement_for(request.user, pk, related=("site",))
    form = LessonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            lesson = actions.draft_lesson(engagement=engagement, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "Your draft is saved. Check every replacement below before approving it.")
            return redirect("lessons:lesson_draft", pk=lesson.pk)
    return render(request, "lessons/lesson_create.html", {"form": form, "engagement": engagement})


def _draft(request: AuthenticatedHttpRequest, pk: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.drafted_with(request.user).select_related("engagement__site", "created_by", "site_approved_by"),
        pk=pk,
    )


def lesson_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The anonymised lesson with every replacement highlighted, and both parties' consent."""
    lesson = _draft(request, pk)
    context = {
        "lesson": lesson,
        "may_approve": access.consenting_party(request.user, lesson) is not None,
        "context": context_lines([lesson])[lesson.pk],
    }
    return render(request, "lessons/lesson_draft.html", context)


def lesson_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    initial = {"title": lesson.title, "body": lesson.body, "audience": lesson.audience, "themes": lesson.themes.all()}
    form = LessonForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.revise_lesson(lesson=lesson, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, "The lesson is saved as a new version. Both of you need to approve it again.")
            return redirect("lessons:lesson_draft", pk=pk)
    return render(request, "lessons/lesson_edit.html", {"form": form, "lesson": lesson})


@require_POST
def lesson_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    try:
        version = int(request.POST.get("version") or 0)
    except ValueError:
        messages.error(request, "Approve the version you have read.")
        return redirect("lessons:lesson_draft", pk=pk)
    try:
        lesson = actions.approve_lesson(lesson=lesson, by=request.user, version=version)
    except NotAllowed as error:
        messages.error(request, error.text())
        return redirect("lessons:lesson_draft", pk=pk)
    published = lesson.state == Lesson.State.PUBLISHED
    messages.success(request, "The lesson is published in the library." if published else "You approved the lesson.")
    return redirect("lessons:lesson_draft", pk=pk)


@require_POST
def lesson_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    try:
        actions.withdraw_consent(lesson=lesson, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
        return redirect("lessons:lesson_draft", pk=pk)
    messages.success(request, "Your consent is withdrawn. The lesson is not in the library.")
    return redirect("lessons:lesson_draft", pk=pk)


def _shared_feedback(request: AuthenticatedHttpRequest, pk: int) -> Feedback:
    """Feedback whose author said the central team may read what helped: its author alone checks the words."""
    feedback = Feedback.objects.visible_to(request.user).filter(
        given_by=request.user, share_what_helped=True, words_removed_at=None
    )
    return get_object_or_404(feedback.select_related("engagement__site", "engagement__enabler"), pk=pk)


def shared_words_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What helped as the central team would read it, every replacement highlighted, to approve exactly."""
    feedback = _shared_feedback(request, pk)
    approved = feedback.shared_words_approved
    words = feedback.shared_words if approved else anonymised_feedback(feedback.what_helped).text
    context = {
        "feedback": feedback,
        "words": words,
        "seen": Feedback.digest(words),
        "approved": approved,
        "may_approve": access.approves_shared_words(request.user, feedback),
    }
    return render(request, "lessons/shared_words_check.html", context)


@require_POST
def shared_words_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    feedback = _shared_feedback(request, pk)
    try:
        actions.approve_shared_words(feedback=feedback, by=request.user, seen=request.POST.get("words", ""))
    except NotAllowed as error:
        messages.error(request, error.text())
        return redirect("lessons:shared_words_check", pk=pk)
    messages.success(
        request,
        "You approved these words. The central team reads them once the quarter is over, among words from at "
        "least 5 sites.",
    )
    return redirect("lessons:shared_words_check", pk=pk)


def shared_words_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """New words for what helped: any approval is forgotten, and the new words are checked again."""
    feedback = _shared_feedback(request, pk)
    form = SharedWordsForm(posted(request), initial={"what_helped": feedback.what_helped})
    if request.method == "POST" and form.is_valid():
        actions.change_what_helped(feedback=feedback, by=request.user, **form.cleaned_data)
        messages.success(request, "Your words are changed. Check them with names taken out, and approve them again.")
        return redirect("lessons:shared_words_check", pk=pk)
    return render(request, "lessons/shared_words_edit.html", {"form": form, "feedback": feedback})


def shared_words_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Stop sharing, after a confirmation: these words cannot be shared again (new feedback can be)."""
    feedback = _shared_feedback(request, pk)
    if request.method == "POST":
        actions.withdraw_shared_words(feedback=feedback, by=request.user)
        messages.success(request, "The central team will not read these words.")
        return redirect("engagements:feedback_list", pk=feedback.engagement_id)
    return render(request, "lessons/shared_words_withdraw.html", {"feedback": feedback})
