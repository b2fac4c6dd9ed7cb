from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("mine/", views.my_site, name="my_site"),
    path("<int:pk>/", views.site_detail, name="site_detail"),
]
