from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config import memo
from core.exports import CsvWriter
from engagements.models import Engagement, NotAllowed
from frontend.forms import posted
from frontend.pagination import CappedPaginator
from sites.models import SiteMembership

from .forms import LessonForm, LibraryFilterForm, ThemeForm
from .models import DigestSubscription, Lesson, Theme, context_lines, may_use_library
from .search import marked, search

PAGE_SIZE = 20
RELATED_FROM = 50


def _library_selection(request: HttpRequest) -> tuple[LibraryFilterForm, object, str]:
    """The lessons the library shows for these filters, best match first when searching."""
    form = LibraryFilterForm(request.GET or None)
    lessons = Lesson.objects.in_library_for(request.user).select_related("programme")
    query = ""
    if form.is_valid():
        if form.cleaned_data["theme"]:
            lessons = lessons.filter(themes=form.cleaned_data["theme"])
        if form.cleaned_data["audience"]:
            lessons = lessons.filter(audience=form.cleaned_data["audience"])
        query = form.cleaned_data["q"]
    lessons = search(lessons, query) if query else lessons.order_by("-published_at", "-pk")
    return form, lessons, query


def _with_context(lessons: list[Lesson], query: str = "") -> list[dict]:
    lines = context_lines(lessons)
    return [
        {
            "lesson": lesson,
            "context": lines.get(lesson.pk, []),
            "title": marked(getattr(lesson, "title_marked", lesson.title), query),
            "excerpt": marked(getattr(lesson, "excerpt_marked", lesson.body[:300]), query),
        }
        for lesson in lessons
    ]


def _prefetched(lessons: object) -> object:
    return lessons.select_related("engagement__site", "programme").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name"))
    )


def library(request: HttpRequest) -> HttpResponse:
    """Published lessons: browse by theme and audience, or search."""
    if not _may_use_library(request):
        raise Http404
    form, lessons, query = _library_selection(request)
    page = CappedPaginator(_prefetched(lessons), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "items": _with_context(list(page.object_list), query),
        "query": query,
        "themes": memo.remembered(("library-themes",), _themes_with_counts),
        "subscribed": DigestSubscription.objects.filter(user=request.user).exists(),
    }
    return render(request, "lessons/library.html", context)


def _themes_with_counts() -> list[Theme]:
    """Every theme with its number of published lessons: the same for everyone, so kept for a few minutes."""
    return list(Theme.objects.annotate(count=Count("lessons", filter=Q(lessons__state=Lesson.State.PUBLISHED))))


def _may_use_library(request: HttpRequest) -> bool:
    return may_use_library(request.user)


def library_export(request: HttpRequest) -> HttpResponse:
    """The current selection as CSV: the anonymised words and the context the library may show, nothing more."""
    if not _may_use_library(request):
        raise Http404
    _, lessons, _ = _library_selection(request)
    lessons = list(_prefetched(lessons)[:5000])
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
                lesson.published_at.date().isoformat(),
                lesson.body,
            ]
        )
    return response


def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(_prefetched(Lesson.objects.in_library_for(request.user)), pk=pk)
    theme_ids = [theme.pk for theme in lesson.themes.all()]
    # Related: of the latest lessons sharing a theme, those sharing the most. Bounded, so that a theme with a
    # hundred thousand lessons costs no more than one with ten.
    recent = (
        Lesson.objects.in_library_for(request.user)
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
    return render(request, "lessons/lesson_detail.html", context)


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not _may_use_library(request):
        raise Http404
    theme = get_object_or_404(Theme, slug=slug)
    lessons = _prefetched(Lesson.objects.in_library_for(request.user).filter(themes=theme)).order_by("-published_at")
    page = CappedPaginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"theme": theme, "page": page, "items": _with_context(list(page.object_list))}
    return render(request, "lessons/theme_detail.html", context)


def theme_pack(request: HttpRequest, slug: str) -> HttpResponse:
    """Every lesson of a theme on one page, laid out to print (or save as PDF from the browser)."""
    if not _may_use_library(request):
        raise Http404
    theme = get_object_or_404(Theme, slug=slug)
    lessons = list(_prefetched(Lesson.objects.in_library_for(request.user).filter(themes=theme))[:500])
    return render(request, "lessons/theme_pack.html", {"theme": theme, "items": _with_context(lessons)})


def theme_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_programme_lead:
        raise Http404
    form = ThemeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        theme = form.save()
        messages.success(request, f"The theme “{theme}” is added.")
        return redirect("lessons:theme_detail", slug=theme.slug)
    return render(request, "lessons/theme_create.html", {"form": form})


@require_POST
def digest_toggle(request: HttpRequest) -> HttpResponse:
    if not request.user.is_programme_lead:
        raise Http404
    subscription = DigestSubscription.objects.filter(user=request.user)
    if subscription.exists():
        subscription.delete()
        messages.success(request, "You will no longer get the weekly e-mail of new lessons.")
    else:
        DigestSubscription.objects.create(user=request.user)
        messages.success(request, "You will get a weekly e-mail of newly published lessons.")
    return redirect("lessons:library")


# Drafting and consent, for the two parties of an engagement ----------------------------------------------------


def engagement_lessons(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.working_with(request.user).select_related("site"), pk=pk)
    lessons = Lesson.objects.drafted_with(request.user).filter(engagement=engagement).select_related("created_by")
    return render(request, "lessons/engagement_lessons.html", {"engagement": engagement, "lessons": lessons})


def lesson_create(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.working_with(request.user).select_related("site"), pk=pk)
    form = LessonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            lesson = Lesson.draft(engagement=engagement, by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, "Your draft is saved. Check every replacement below before approving it.")
            return redirect("lessons:lesson_draft", pk=lesson.pk)
    return render(request, "lessons/lesson_create.html", {"form": form, "engagement": engagement})


def _draft(request: HttpRequest, pk: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.drafted_with(request.user).select_related("engagement__site", "created_by", "site_approved_by"),
        pk=pk,
    )


def lesson_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The anonymised lesson with every replacement highlighted, and both parties' consent."""
    lesson = _draft(request, pk)
    context = {
        "lesson": lesson,
        "may_approve": lesson.engagement.enabler_id == request.user.pk
        or SiteMembership.objects.filter(
            user=request.user, site=lesson.engagement.site, role=SiteMembership.Role.LEAD
        ).exists(),
        "context": context_lines([lesson])[lesson.pk],
    }
    return render(request, "lessons/lesson_draft.html", context)


def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    initial = {"title": lesson.title, "body": lesson.body, "audience": lesson.audience, "themes": lesson.themes.all()}
    form = LessonForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson.revise(by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, "The lesson is saved as a new version. Both of you need to approve it again.")
            return redirect("lessons:lesson_draft", pk=pk)
    return render(request, "lessons/lesson_edit.html", {"form": form, "lesson": lesson})


@require_POST
def lesson_approve(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    try:
        lesson.approve(by=request.user, version=int(request.POST.get("version") or 0))
    except (NotAllowed, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", ["Approve the version you have read."])))
        return redirect("lessons:lesson_draft", pk=pk)
    published = lesson.state == Lesson.State.PUBLISHED
    messages.success(request, "The lesson is published in the library." if published else "You approved the lesson.")
    return redirect("lessons:lesson_draft", pk=pk)


@require_POST
def lesson_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _draft(request, pk)
    try:
        lesson.withdraw_consent(by=request.user)
    except NotAllowed as error:
        messages.error(request, " ".join(error.messages))
        return redirect("lessons:lesson_draft", pk=pk)
    messages.success(request, "Your consent is withdrawn. The lesson is not in the library.")
    return redirect("lessons:lesson_draft", pk=pk)
