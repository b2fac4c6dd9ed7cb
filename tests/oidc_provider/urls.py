from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="idp/login.html"), name="login"),
    # /o/.well-known/openid-configuration, /o/.well-known/jwks.json, /o/authorize/, /o/token/, /o/userinfo/,
    # /o/logout/ (RP-initiated logout)
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
