"""The overview's pages. config/urls.py serves them in the engagements namespace, under the names they had."""

from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("overview/export.csv", views.overview_export, name="overview_export"),
]
