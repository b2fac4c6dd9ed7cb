"""Themes, and the published lessons (only those: drafts, and who wrote any lesson, stay with the two parties)."""

from django.contrib import admin
from django.http import HttpRequest

from frontend.pagination import EstimatedCountPaginator

from .models import Lesson, LessonQuerySet, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title", "audience", "programme", "published_at")
    list_filter = ("audience", "programme")
    list_select_related = ("programme",)
    search_fields = ("title",)
    fields = ("title", "body", "audience", "programme", "year", "published_at")
    readonly_fields = fields
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # 200,000 lessons: the planner's estimate, not COUNT(*)

    def get_queryset(self, request: HttpRequest) -> LessonQuerySet:
        return Lesson.objects.published()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
