from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import passkeys
from engagements import urls as engagement_urls
from engagements.views.requests import home
from reporting import urls as reporting_urls

from . import views

admin.site.site_header = "Alongside administration"
admin.site.site_title = "Alongside administration"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("status", views.status, name="status"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/", include("accounts.urls")),
    # Passkeys: django-otp-webauthn's ceremonies, under its own names (its scripts reverse them), as Alongside
    # declares them (accounts.passkeys).
    path("accounts/passkeys/", include((passkeys.urlpatterns, "otp_webauthn"))),
    path("sites/", include("sites.urls")),
    path("lessons/", include("lessons.urls")),
    path("onboarding/", include("onboarding.urls")),
    # The overview moved to reporting (it reads every app) and kept its names: engagements:overview and
    # engagements:overview_export.
    path("", include((engagement_urls.urlpatterns + reporting_urls.urlpatterns, "engagements"))),
    # One way in: the admin's own log-in page would skip two-factor and the lockout's clear message.
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True))),
    path("admin/", admin.site.urls),
]

# A failing page: 503 with a plain message while the database is away, the usual 500 otherwise.
handler500 = "config.views.server_error"
