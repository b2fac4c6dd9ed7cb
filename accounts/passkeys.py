"""Passkeys (WebAuthn) through django-otp-webauthn: a second factor after the password, and, once registered, a way
to sign in without one. The package's ceremony views are used as they are, declared here (config/urls.py mounts
them under the package's own `otp_webauthn` names) so that:

- registering a passkey needs the person to have confirmed it is them in the last few minutes (as every change to
  how one signs in does), and is recorded and told to them;
- signing in with a passkey is open to people not yet signed in, loads the person as every request does
  (config.people.PasskeyBackend), follows `next` only to a path of this site, and is written to the security log;
- the package's JavaScript comes from Alongside's own static files, under the Content Security Policy as it is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn import views as ceremony
from django_otp_webauthn.models import WebAuthnCredential

from core.http import AuthenticatedHttpRequest

from . import actions, two_factor
from .views import _recently_authenticated, _safe_next, reauthentication_required

security_log = logging.getLogger("alongside.security")
CONFIRM_FIRST = {
    "detail": "Confirm it is you first: open Sign-in and security, add a passkey, and enter your password again.",
    "code": "reauthentication_required",
}


class _Confirmed:
    """Registering a passkey is a change to how the person signs in: only within the re-authentication window."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _recently_authenticated(request):
            return JsonResponse(CONFIRM_FIRST, status=403)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class BeginRegistration(_Confirmed, ceremony.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_Confirmed, ceremony.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        if response.status_code == 200:
            credential_id = json.loads(response.content).get("id")
            credential = WebAuthnCredential.objects.filter(pk=credential_id, user=self.request.user).first()
            if credential is not None:
                actions.passkey_registered(user=self.request.user, passkey=credential)
        return response


@method_decorator(login_not_required, name="dispatch")
class BeginAuthentication(ceremony.BeginCredentialAuthenticationView):
    pass


@method_decorator(login_not_required, name="dispatch")
class CompleteAuthentication(ceremony.CompleteCredentialAuthenticationView):
    """A passkey used: the person signed in (without a password), or their session verified (after one)."""

    def complete_auth(self, device: WebAuthnCredential) -> Any:
        was_signed_in = self.request.user.is_authenticated
        super().complete_auth(device)  # signs in (or verifies the session); returns nothing in 0.10
        user = device.user
        security_log.info(
            "Passkey used",
            extra={
                "event": "passkey.second_factor" if was_signed_in else "passkey.signed_in",
                "user_id": user.pk,
            },
        )
        return user

    def get_success_url(self) -> str:
        return _safe_next(self.request)


urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path(
        "jsi18n/",
        login_not_required(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]


# The person's own pages, under Sign-in and security -------------------------------------------------------------


@reauthentication_required
def passkey_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registering a passkey: the browser asks the device (a phone, a security key, the computer's own) to make one."""
    return render(request, "accounts/passkey_add.html", {"passkeys": two_factor.passkeys_of(request.user)})


@require_POST
@reauthentication_required
def passkey_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    passkey = get_object_or_404(WebAuthnCredential.objects.filter(user=request.user), pk=pk)
    verified_this_session = request.session.get(DEVICE_ID_SESSION_KEY) == passkey.persistent_id
    actions.remove_passkey(user=request.user, passkey=passkey)
    if verified_this_session:
        two_factor.keep_verified(request)
    messages.success(request, "The passkey is removed: it no longer signs you in.")
    return redirect("accounts:security")
