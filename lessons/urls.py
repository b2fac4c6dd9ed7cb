from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("", views.library, name="library"),
    path("export.csv", views.library_export, name="library_export"),
    path("digest/", views.digest_toggle, name="digest_toggle"),
    path("themes/new/", views.theme_create, name="theme_create"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("themes/<slug:slug>/pack/", views.theme_pack, name="theme_pack"),
    path("<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("<int:pk>/draft/", views.lesson_draft, name="lesson_draft"),
    path("<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
    path("<int:pk>/approve/", views.lesson_approve, name="lesson_approve"),
    path("<int:pk>/withdraw/", views.lesson_withdraw, name="lesson_withdraw"),
    path("engagement/<int:pk>/", views.engagement_lessons, name="engagement_lessons"),
    path("engagement/<int:pk>/new/", views.lesson_create, name="lesson_create"),
    path("feedback/<int:pk>/words/", views.shared_words_check, name="shared_words_check"),
    path("feedback/<int:pk>/words/approve/", views.shared_words_approve, name="shared_words_approve"),
    path("feedback/<int:pk>/words/edit/", views.shared_words_edit, name="shared_words_edit"),
    path("feedback/<int:pk>/words/withdraw/", views.shared_words_withdraw, name="shared_words_withdraw"),
]
