from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY

from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from . import actions, notify, oidc, phones, two_factor
from .forms import (
    CodeForm,
    EmailChangeForm,
    LoginForm,
    MobileCodeForm,
    MobileNumberForm,
    PasswordResetForm,
    PreferencesForm,
    ReauthenticateForm,
    TextRemindersForm,
)
from .models import ExternalIdentity, MobileNumber, Notification
from .signals import REAUTHENTICATED_AT

logger = logging.getLogger(__name__)

OIDC_NEXT = "alongside_oidc_next"
OIDC_CONFIRM = "alongside_oidc_confirm"


# Django's own views do the work; these name the templates and forms after Alongside's conventions.
# Django marks the log-in and password reset views as public (login_not_required) itself. Logging in gives the
# session a new key and starts its clocks (accounts.signals); two-factor follows (accounts.middleware).
class LoginView(auth_views.LoginView):
    """Django's log-in, following `next` only to a path of this site: "0" or "home", which Django's check allows as
    relative addresses, would lead below the log-in page itself."""

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:  # as django-stubs types it
        target = super().get_redirect_url()
        return target if target.startswith("/") and not target.startswith("//") else ""


login = LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
    extra_context={"providers": oidc.providers},  # called per request: the providers configured now
)


class LogoutView(auth_views.LogoutView):
    """Django's log-out; for a person who signed in through their organisation's provider, the provider's own
    session is ended too, where it supports that (RP-initiated logout). If the provider cannot be reached, the
    person is still signed out of Alongside."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        at_provider = oidc.logout_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return redirect(at_provider) if at_provider else response


logout = LogoutView.as_view()


@login_not_required
def oidc_start(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider's button on the log-in page: to its own sign-in page."""
    each = oidc.provider(slug)
    if each is None:
        raise Http404
    request.session[OIDC_NEXT] = _safe_next(request)
    # A signed-in person confirming it is them (before a change to how they sign in) signs in at the provider again.
    confirming = request.user.is_authenticated and request.GET.get("confirm") == "1"
    request.session[OIDC_CONFIRM] = confirming
    try:
        return oidc.begin(request, each, again=confirming)
    except oidc.Unavailable:
        return _provider_unavailable(request, each)


@login_not_required
def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider sends the person back here: signed in, or told plainly why not."""
    each = oidc.provider(slug)
    if each is None:
        raise Http404
    try:
        claims = oidc.finish(request, each)
        next_url = request.session.pop(OIDC_NEXT, None) or reverse("home")
        if request.session.pop(OIDC_CONFIRM, False) and request.user.is_authenticated:
            oidc.confirm_it_is_them(request, each, claims)
            request.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
        else:
            oidc.sign_in(request, each, claims)
    except oidc.Unavailable:
        return _provider_unavailable(request, each)
    except oidc.Refused as refusal:
        oidc.refused(request, each, refusal.reason)
        return render(request, "accounts/oidc_refused.html", {"provider": each, "message": refusal.message}, status=403)
    return redirect(next_url if str(next_url).startswith("/") and not str(next_url).startswith("//") else "home")


def _provider_unavailable(request: HttpRequest, each: oidc.Provider) -> HttpResponse:
    oidc.refused(request, each, "unavailable")
    messages.error(
        request,
        f"{each.name} is not answering just now, so you cannot sign in with it. Try again in a few minutes"
        + ("." if oidc.sso_required_for_provider(each) else ", or log in with your password."),
    )
    return redirect("accounts:login")


@login_not_required
def password_reset(request: HttpRequest) -> HttpResponse:
    """Asks for a link to choose a new password. The link goes through the outbox, as every e-mail does (Django's
    own view would send it past the outbox, straight to EMAIL_URL), and the answer is the same whether or not the
    address has an account."""
    form = PasswordResetForm(posted(request))
    if request.method == "POST" and form.is_valid():
        for person in form.get_users(form.cleaned_data["email"]):  # active, with a password, this address
            actions.send_own_password_reset_link(user=person)
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def _safe_next(request: HttpRequest, default: str = "home") -> str:
    """Where to go after a step of signing in: a path on this site only ("0" or "home" would be taken for a view's
    name by redirect(), and another site's address is never followed)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return reverse(default)


def _recently_authenticated(request: HttpRequest) -> bool:
    try:
        at = datetime.fromtimestamp(float(request.session[REAUTHENTICATED_AT]), tz=timezone.get_current_timezone())
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return False
    return timezone.now() - at <= settings.REAUTHENTICATION_WINDOW


CONFIRM_IT_IS_YOU = {
    "code": "reauthentication_required",
    "errors": [
        "For your security, confirm it is you first, as for any change to how your account or your notes are "
        "protected. Nothing has been saved."
    ],
}


def reauthentication_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Changing how a person signs in (e-mail, password, two-factor) first asks them to prove it is them, unless
    they did so in the last few minutes. A POST that arrives without it is not carried out, and nothing is kept.
    A page's script that asks for JSON is answered 403 in JSON instead, with where to confirm, for the page to show
    while it keeps what it holds."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _recently_authenticated(request):
            if "application/json" in request.headers.get("Accept", ""):
                confirm = f"{reverse('accounts:reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
                return JsonResponse({**CONFIRM_IT_IS_YOU, "confirm": confirm}, status=403)
            return_to = request.get_full_path() if request.method == "GET" else reverse("accounts:security")
            return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': return_to})}")
        return view(request, *args, **kwargs)

    return wrapper


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password; for an account made by a first sign-in through a provider (which has none), setting
    one, without an old password to give."""

    def get_form_class(self) -> type[Any]:
        person = self.request.user  # signed in: the view is behind the log-in and re-authentication
        has_one = person.is_authenticated and person.has_usable_password()
        return super().get_form_class() if has_one else SetPasswordForm


password_change = reauthentication_required(
    PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
    )
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A person's own notifications: what was e-mailed to them, also kept here. Opening the list marks them read."""
    notifications = list(Notification.objects.visible_to(request.user)[:100])
    actions.mark_notifications_read(user=request.user)
    request.user.forget_roles()  # the header's count of unread notifications is now zero
    undeliverable = [n for n in notifications if n.delivery == Notification.Delivery.PERMANENT_FAILURE]
    context = {"notifications": notifications, "undeliverable": undeliverable}
    return render(request, "accounts/notification_list.html", context)


def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        actions.update_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, "Your preferences are saved.")
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How a person signs in: e-mail, password and two-factor, each changed from here."""
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "authenticator": two_factor.authenticator_for(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
            "two_factor_required": two_factor.is_required_for(user),
            "identities": list(user.external_identities.all()),
            "passkeys": two_factor.passkeys_of(user),
            "providers": oidc.providers(),
        },
    )


def reauthenticate(request: AuthenticatedHttpRequest) -> HttpResponse:
    needs_code = two_factor.has_authenticator_app(request.user)
    form = ReauthenticateForm(posted(request), needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=request.user.email, password=form.cleaned_data["password"])
        if user is None or user.pk != request.user.pk:
            form.add_error("password", "Enter your correct password")
        elif needs_code and two_factor.verify(request, form.cleaned_data["code"]) is None:
            form.add_error("code", "Enter a current code from your authenticator app, or an unused recovery code")
        else:
            request.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
            return redirect(_safe_next(request, "accounts:security"))
    context = {
        "form": form,
        "next": _safe_next(request),
        "has_password": request.user.has_usable_password(),
        "linked": oidc.providers_linked_to(request.user),
    }
    return render(request, "accounts/reauthenticate.html", context)


@reauthentication_required
def email_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Asks for a new address and sends a link to it; the answer is the same whether or not the address is free."""
    form = EmailChangeForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        actions.request_email_change(user=request.user, new_email=form.cleaned_data["email"])
        hours = int(actions.email_change_link_lifetime().total_seconds() // 3600)
        messages.success(
            request,
            f"We have sent a link to {form.cleaned_data['email']}. Your email address changes when you open it, "
            f"signed in to Alongside, within {hours} hours. Until then you keep signing in with {request.user.email}.",
        )
        return redirect("accounts:security")
    return render(request, "accounts/email_change.html", {"form": form})


@sensitive_variables("token")
def email_change_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: shows the change, and makes it when the person confirms (a POST, so a mail
    scanner that opens links changes nothing)."""
    try:
        new_email = actions.email_change_in_link(user=request.user, token=token)
    except actions.EmailChangeLinkInvalid:
        return render(request, "accounts/email_change_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:  # checked again with the account locked: another change may have come in between
            actions.confirm_email_change(user=request.user, token=token)
        except actions.EmailChangeLinkInvalid:
            return render(request, "accounts/email_change_confirm.html", {"invalid": True}, status=400)
        messages.success(request, f"Your email address is now {new_email}.")
        return redirect("accounts:security")
    return render(request, "accounts/email_change_confirm.html", {"new_email": new_email})


def _render_recovery_codes(request: AuthenticatedHttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Scan a QR code (or type the key) into an authenticator app, then give a code from it to confirm."""
    user = request.user
    if two_factor.has_authenticator(user) and not two_factor.is_verified(user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': _safe_next(request)})}")
    if not _recently_authenticated(request):  # a change to how one signs in (fresh after logging in)
        return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        enrolment = two_factor.confirm_authenticator(request, device, form.cleaned_data["code"])
        if enrolment is not None:
            request.session[REAUTHENTICATED_AT] = timezone.now().timestamp()
            return _render_recovery_codes(request, enrolment.recovery_codes, _safe_next(request))
        form.add_error("code", "Enter the 6-digit code your authenticator app shows now")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#212b32", light="#ffffff"),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": two_factor.is_required_for(user),
            "next": _safe_next(request),
        },
    )


def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.is_verified(user):
        return redirect(_safe_next(request))
    if not two_factor.has_authenticator(user):
        return redirect("accounts:two_factor_setup" if two_factor.is_required_for(user) else "home")
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        used = two_factor.verify(request, form.cleaned_data["code"])
        if used is not None:
            if used == two_factor.RECOVERY:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request, f"You used a recovery code. You have {left} left: make new ones from Sign-in and security."
                )
            return redirect(_safe_next(request))
        form.add_error(
            "code",
            "Enter the 6-digit code your authenticator app shows now, or an unused recovery code. "
            "After several wrong codes you will need to wait a little longer before each try.",
        )
    context = {
        "form": form if two_factor.has_authenticator_app(user) else None,
        "has_passkey": bool(two_factor.passkeys_of(user)),
        "next": _safe_next(request),
    }
    return render(request, "accounts/two_factor_verify.html", context)


@require_POST
@reauthentication_required
def recovery_codes_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not two_factor.has_authenticator_app(request.user):
        messages.error(request, "Set up an authenticator app first.")
        return redirect("accounts:security")
    codes = two_factor.renew_recovery_codes(request.user)
    return _render_recovery_codes(request, codes, reverse("accounts:security"))


@require_POST
@reauthentication_required
def two_factor_turn_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    if two_factor.is_required_for(request.user):
        messages.error(request, "Two-factor stays on: your role needs it. You can set up a new authenticator instead.")
        return redirect("accounts:security")
    two_factor.turn_off(request.user, by=request.user)
    if two_factor.passkeys_of(request.user):
        messages.success(request, "Your authenticator app and recovery codes are removed. Your passkeys still work.")
    else:
        messages.success(request, "Two-factor is off. You sign in with your password only.")
    return redirect("accounts:security")


@login_not_required
def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this instead of logging in once an account and address have failed too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
@reauthentication_required
def external_identity_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(ExternalIdentity.objects.filter(user=request.user), pk=pk)
    session_device = str(request.session.get(DEVICE_ID_SESSION_KEY, ""))
    actions.remove_external_identity(identity=identity, by=request.user)
    if session_device.startswith("accounts.providersignin/"):  # the provider's multi-factor verified this session
        two_factor.keep_verified(request)
    messages.success(request, f"Your {identity.provider} account no longer signs you in to Alongside.")
    return redirect("accounts:security")


@csrf_exempt  # Notify's servers post here, with a bearer token instead of a session
@login_not_required
@require_POST
def notify_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt for one message: a bearer token checked in constant time, then the message's
    reference, id and status. A receipt for a message Alongside does not know is answered 200 (Notify would only
    send it again) and logged."""
    if not notify.callback_token_matches(request.headers.get("Authorization", "")):
        return JsonResponse({"error": "unauthorised"}, status=401)
    receipt = _receipt_fields(request.body)
    if receipt is None:
        return JsonResponse({"error": "a delivery receipt has a reference, an id and a status"}, status=400)
    reference, provider_id, status = receipt
    done = actions.record_delivery_receipt(reference=reference, provider_id=provider_id, status=status)
    if done == "ignored":
        logger.warning("A delivery receipt for a message Alongside does not know was ignored (status %s)", status)
    return JsonResponse({"done": done})


def _receipt_fields(body: bytes) -> tuple[str, str, str] | None:
    """A receipt's reference, id and status, as text; None for anything else: not JSON, not UTF-8, nested too deep
    to read (RecursionError), not an object, or a field missing or not a string (a reference may be null)."""
    try:
        receipt = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not isinstance(receipt, dict):
        return None
    reference, provider_id, status = receipt.get("reference"), receipt.get("id"), receipt.get("status")
    if not (isinstance(reference, str) or reference is None) or not isinstance(provider_id, str):
        return None
    if not isinstance(status, str):
        return None
    return reference or "", provider_id, status


def mobile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A mobile number for text reminders of planned sessions: added and confirmed with a texted code, then the
    reminders turned on or off, or the number removed."""
    number = MobileNumber.objects.filter(person=request.user).first()
    available = notify.texts_available()
    if number is not None and number.confirmed:
        form: Any = TextRemindersForm(posted(request), initial={"text_reminders": number.text_reminders})
        if request.method == "POST" and form.is_valid():
            actions.set_text_reminders(user=request.user, on=form.cleaned_data["text_reminders"])
            messages.success(request, "Your text reminders are saved.")
            return redirect("accounts:mobile")
    else:
        initial = {"number": phones.shown(number.number)} if number is not None else None
        form = MobileNumberForm(posted(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                actions.ask_to_confirm_mobile(user=request.user, number=form.cleaned_data["number"])
            except NotAllowed as error:
                form.add_error("number", error.text())
            else:
                messages.success(request, f"We have texted a code to {phones.shown(form.cleaned_data['number'])}.")
                return redirect("accounts:mobile_confirm")
    context = {
        "form": form,
        "number": number,
        "shown": phones.shown(number.number) if number else "",
        "available": available,
    }
    return render(request, "accounts/mobile.html", context)


@sensitive_post_parameters("code")
def mobile_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    number = MobileNumber.objects.filter(person=request.user).first()
    if number is None or number.confirmed or not number.code_digest:
        return redirect("accounts:mobile")
    form = MobileCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_mobile(user=request.user, code=form.cleaned_data["code"])
        except NotAllowed as error:
            form.add_error("code", error.text())
        else:
            messages.success(request, "Your mobile number is confirmed. Text reminders are on.")
            return redirect("accounts:mobile")
    return render(request, "accounts/mobile_confirm.html", {"form": form, "shown": phones.shown(number.number)})


@require_POST
def mobile_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    actions.remove_mobile(user=request.user)
    messages.success(request, "Your mobile number is removed. No text messages will be sent to it.")
    return redirect("accounts:mobile")
