from django.urls import path

from . import passkeys, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("sign-in/<slug:slug>/", views.oidc_start, name="oidc_start"),
    path("sign-in/<slug:slug>/callback/", views.oidc_callback, name="oidc_callback"),
    path("security/linked/<int:pk>/remove/", views.external_identity_remove, name="external_identity_remove"),
    path("security/passkeys/add/", passkeys.passkey_add, name="passkey_add"),
    path("security/passkeys/<int:pk>/remove/", passkeys.passkey_remove, name="passkey_remove"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("password/", views.password_change, name="password_change"),
    path("password/changed/", views.password_change_done, name="password_change_done"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notify/receipts/", views.notify_receipt, name="notify_receipt"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/mobile/", views.mobile, name="mobile"),
    path("preferences/mobile/confirm/", views.mobile_confirm, name="mobile_confirm"),
    path("preferences/mobile/remove/", views.mobile_remove, name="mobile_remove"),
    path("security/", views.security, name="security"),
    path("security/confirm/", views.reauthenticate, name="reauthenticate"),
    path("security/email/", views.email_change, name="email_change"),
    path("security/email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("security/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/recovery-codes/", views.recovery_codes_regenerate, name="recovery_codes_regenerate"),
    path("security/two-factor/turn-off/", views.two_factor_turn_off, name="two_factor_turn_off"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
]
