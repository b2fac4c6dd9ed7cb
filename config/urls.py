from django.contrib import admin
from django.urls import include, path

from engagements import views as engagement_views

from . import views

admin.site.site_header = "Alongside administration"
admin.site.site_title = "Alongside administration"

urlpatterns = [
    path("", engagement_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/", include("accounts.urls")),
    path("sites/", include("sites.urls")),
    path("lessons/", include("lessons.urls")),
    path("", include("engagements.urls")),
    path("admin/", admin.site.urls),
]
