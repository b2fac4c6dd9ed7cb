from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("new/", views.site_create, name="site_create"),
    path("mine/", views.my_site, name="my_site"),
    path("<int:pk>/", views.site_detail, name="site_detail"),
    path("<int:pk>/edit/", views.site_edit, name="site_edit"),
    # Not a site's number, so never taken for one: <int:pk> matches digits only.
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
]
