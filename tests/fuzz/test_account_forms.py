"""Fuzzing the account forms: log in, password reset and change, e-mail change, preferences, two-factor codes.

Each is submitted as the person it is for, in the state that person meets it in: signed out for the log-in and
reset forms, recently re-authenticated for the changes to how one signs in, not yet verified for the code.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import example, given
from hypothesis import strategies as st

from accounts import two_factor
from accounts.forms import CodeForm, EmailChangeForm, LoginForm, PasswordResetForm, PreferencesForm, ReauthenticateForm
from accounts.models import User
from accounts.signals import REAUTHENTICATED_AT
from tests.helpers.people import DEMO_TOTP_SECRET, PASSWORD, client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import (
    EMAILS,
    FUZZ,
    NOT_EMAILS,
    STRETCHED_EMAIL,
    Field,
    any_text,
    form_data,
    hostile,
    huge,
    new_passwords,
    sentinel,
    with_sentinels,
)

OFF_SITE = (
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "http:/evil.example",
    "\x00/",
    " https://evil.example",
)
# Where to go after the form. Off-site addresses, and anything that is not a path at all ("0", "abc", which
# redirect() would take for a view's name), must be ignored.
NEXT = Field(st.sampled_from(["", "/accounts/preferences/"]), st.sampled_from((*OFF_SITE, "0", "home", "abc")))
TOTP = sentinel("current code from the authenticator")
RECOVERY = sentinel("an unused recovery code")
CURRENT_PASSWORD = sentinel("the password of the moment")


def _forget_failed_logins() -> None:
    """Five wrong passwords lock an address out for 15 minutes (a different page, tested in tests/accounts): the
    fuzzing starts each example with no failures counted, so the form stays reachable."""
    AccessAttempt.objects.all().delete()


def _recently_reauthenticated(client: Client) -> None:
    session = client.session
    session[REAUTHENTICATED_AT] = timezone.now().timestamp()
    session.save()


def _current_code(device: TOTPDevice) -> Callable[[], str]:
    return lambda: f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}}"


class RecoveryCodes:
    """Unused recovery codes of one person, newly issued when they run out."""

    def __init__(self, user: User) -> None:
        self.user, self.codes = user, []

    def take(self) -> str:
        if not self.codes:
            self.codes = two_factor.issue_recovery_codes(self.user)
        return self.codes.pop()


def _unthrottle(user: User) -> None:
    """Wrong codes make each device wait longer before the next try; the fuzzing starts each example unthrottled,
    so that a right code is judged on its merits."""
    for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
        device.throttle_reset()


@fuzzes(LoginForm, "accounts:login", "anonymous")
def test_login_form_refuses_with_form_errors_and_never_redirects_off_the_site(site_lead: User) -> None:
    """The log-in form, signed out, with right and wrong addresses and passwords and a `next` that tries to leave."""
    fields = {
        "username": Field(
            st.sampled_from([site_lead.email, site_lead.email.upper(), " lead.a@example.test ", "nobody@example.test"]),
            st.one_of(NOT_EMAILS, EMAILS),
        ),
        "password": Field(st.sampled_from([PASSWORD, "not the password"]), hostile),
        "next": NEXT,
    }
    login = FormUnderFuzz(Client(), reverse("accounts:login"), LoginForm)

    @FUZZ
    @given(form_data(fields))
    @example({"username": site_lead.email, "password": PASSWORD, "next": "https://evil.example/"})
    @example({})
    def submit(data: dict) -> None:
        _forget_failed_logins()
        login.client = Client()  # signed out again: a signed-in person is sent past the log-in page
        login.submit(data)

    submit()

    login.assert_accepted_and_refused()


@fuzzes(PasswordResetForm, "accounts:password_reset", "anonymous")
def test_password_reset_form_refuses_with_form_errors(site_lead: User) -> None:
    """Asking for a reset link: the same answer for known and unknown addresses, an error for anything else."""
    fields = {"email": Field(st.one_of(st.sampled_from([site_lead.email, "NOBODY@example.test"]), EMAILS), NOT_EMAILS)}
    reset = FormUnderFuzz(Client(), reverse("accounts:password_reset"), PasswordResetForm)

    @FUZZ
    @given(form_data(fields))
    @example({"email": site_lead.email.upper()})
    @example({"email": "<script>alert(1)</script>@example.test"})
    def submit(data: dict) -> None:
        reset.submit(data)

    submit()

    reset.assert_accepted_and_refused()


def _open_reset_link(client: Client, user: User) -> str:
    """Follows a fresh reset link as the e-mail would; Django keeps the token in the session and answers with the
    address of the form itself."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    assert response.status_code == 302
    return response["Location"]


@fuzzes(SetPasswordForm, "accounts:password_reset_confirm", "anonymous")
def test_new_password_form_from_a_reset_link_refuses_with_form_errors(site_lead: User) -> None:
    """Choosing a new password from a reset link, with a new link after each success (a link works once)."""
    client = Client()
    choose = FormUnderFuzz(
        client,
        _open_reset_link(client, site_lead),
        SetPasswordForm,
        redirects_to=reverse("accounts:password_reset_complete"),
    )

    @FUZZ
    @given(new_passwords("new_password1", "new_password2"))
    @example({"new_password1": "moss lantern quietly ferry", "new_password2": "moss lantern quietly ferry"})
    @example({"new_password1": "moss lantern quietly ferry", "new_password2": "moss lantern quietly fern"})
    def submit(data: dict) -> None:
        if choose.submit(data):
            choose.url = _open_reset_link(client, User.objects.get(pk=site_lead.pk))

    submit()

    choose.assert_accepted_and_refused()


@fuzzes(PasswordChangeForm, "accounts:password_change", "site_lead")
def test_password_change_form_refuses_with_form_errors(site_lead: User) -> None:
    """Changing one's password, recently re-authenticated, with the current password right or wrong."""
    client = client_for(site_lead)
    password = {"current": PASSWORD}
    fields = {"old_password": Field(st.sampled_from([CURRENT_PASSWORD, "not the password"]), hostile)}
    data = st.builds(
        lambda old, new: {**old, **new}, form_data(fields), new_passwords("new_password1", "new_password2")
    )
    change = FormUnderFuzz(
        client,
        reverse("accounts:password_change"),
        PasswordChangeForm,
        redirects_to=reverse("accounts:password_change_done"),
    )

    @FUZZ
    @given(data)
    @example({"old_password": CURRENT_PASSWORD, "new_password1": "moss ferry", "new_password2": "moss ferry"})
    @example({"old_password": CURRENT_PASSWORD, "new_password1": "lantern moss ferry", "new_password2": "x"})
    @example(
        {"old_password": CURRENT_PASSWORD, "new_password1": "moss lantern ferry", "new_password2": "moss lantern ferry"}
    )
    def submit(data: dict) -> None:
        _recently_reauthenticated(client)
        if change.submit(with_sentinels(data, {CURRENT_PASSWORD: lambda: password["current"]})):
            password["current"] = data["new_password1"]

    submit()

    change.assert_accepted_and_refused()


@fuzzes(EmailChangeForm, "accounts:email_change", "site_lead")
def test_email_change_form_refuses_with_form_errors(site_lead: User, other_site_lead: User) -> None:
    """Changing one's e-mail address, recently re-authenticated: another person's address is refused too."""
    client = client_for(site_lead)
    fields = {"email": Field(st.one_of(EMAILS, st.just(other_site_lead.email.upper())), NOT_EMAILS)}
    change = FormUnderFuzz(
        client,
        reverse("accounts:email_change"),
        EmailChangeForm,
        redirects_to=reverse("accounts:security"),
        shows=[reverse("accounts:preferences")],
    )

    @FUZZ
    @given(form_data(fields))
    @example({"email": "New.Address@Example.test"})
    @example({"email": other_site_lead.email})
    def submit(data: dict) -> None:
        _recently_reauthenticated(client)
        change.submit(data)

    submit()

    change.assert_accepted_and_refused()


@fuzzes(PreferencesForm, "accounts:preferences", "site_lead")
def test_preferences_form_accepts_any_checkbox_value(site_lead: User) -> None:
    """Two checkboxes: whatever is sent is read as on or off, never an error."""
    checkbox = Field(st.sampled_from(["on", "true", "false", "False", "0", "1", "off"]), hostile)
    fields = {"nudges_enabled": checkbox, "session_reminders": checkbox}
    preferences = FormUnderFuzz(
        client_for(site_lead),
        reverse("accounts:preferences"),
        PreferencesForm,
        redirects_to=reverse("accounts:preferences"),
    )

    @FUZZ
    @given(form_data(fields))
    @example({})
    @example({"nudges_enabled": "on"})
    @example({"session_reminders": "on"})
    def submit(data: dict) -> None:
        preferences.submit(data)
        site_lead.refresh_from_db(fields=["nudges_enabled", "session_reminders"])
        assert isinstance(site_lead.nudges_enabled, bool)
        assert isinstance(site_lead.session_reminders, bool)
        if "session_reminders" not in data:  # an unticked box is not sent: it turns reminders off
            assert site_lead.session_reminders is False

    submit()

    preferences.assert_accepted_and_refused(refusable=False)


@fuzzes(ReauthenticateForm, "accounts:reauthenticate", "programme_lead")
def test_reauthenticate_form_refuses_with_form_errors(programme_lead: User) -> None:
    """Proving it is still them: the password and, for a person with two-factor, a code or a recovery code."""
    client = client_for(programme_lead)
    device = two_factor.authenticator_for(programme_lead)
    recovery = RecoveryCodes(programme_lead)
    fields = {
        "password": Field(st.sampled_from([PASSWORD, "not the password"]), hostile),
        "code": Field(st.sampled_from([TOTP, RECOVERY, "000000", "abcde-fghjk"]), hostile),
        "next": NEXT,
    }
    reauthenticate = FormUnderFuzz(client, reverse("accounts:reauthenticate"), ReauthenticateForm)

    @FUZZ
    @given(form_data(fields))
    @example({"password": PASSWORD, "code": RECOVERY, "next": "//evil.example/"})
    @example({"password": PASSWORD, "code": "123"})
    def submit(data: dict) -> None:
        _forget_failed_logins()
        _unthrottle(programme_lead)
        reauthenticate.submit(with_sentinels(data, {TOTP: _current_code(device), RECOVERY: recovery.take}))

    submit()

    reauthenticate.assert_accepted_and_refused()


@fuzzes(CodeForm, "accounts:two_factor_verify", "programme_lead")
def test_two_factor_code_form_refuses_with_form_errors(programme_lead: User) -> None:
    """The code asked for after the password, by a programme lead whose session has not used two-factor yet."""
    device = two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    recovery = RecoveryCodes(programme_lead)
    fields = {
        "code": Field(st.sampled_from([TOTP, RECOVERY, " " + RECOVERY, "000000", "12 34 56"]), hostile),
        "next": NEXT,
    }
    verify = FormUnderFuzz(Client(), reverse("accounts:two_factor_verify"), CodeForm)

    def signed_in_not_verified() -> Client:
        client = Client()
        client.force_login(programme_lead)
        return client

    verify.client = signed_in_not_verified()

    @FUZZ
    @given(form_data(fields))
    @example({"code": RECOVERY, "next": "https://evil.example/"})
    @example({"code": "\x00" * 6})
    def submit(data: dict) -> None:
        _unthrottle(programme_lead)
        if verify.submit(with_sentinels(data, {TOTP: _current_code(device), RECOVERY: recovery.take})):
            verify.client = signed_in_not_verified()

    submit()

    verify.assert_accepted_and_refused()


@fuzzes(CodeForm, "accounts:two_factor_setup", "site_lead")
def test_two_factor_set_up_form_refuses_with_form_errors(site_lead: User) -> None:
    """Confirming a new authenticator with a code from it; success is the page of new recovery codes."""
    client = client_for(site_lead)
    fields = {
        "code": Field(st.sampled_from([TOTP, "000000", "12 34 56"]), st.one_of(hostile, any_text, huge)),
        "next": NEXT,
    }
    set_up = FormUnderFuzz(
        client,
        reverse("accounts:two_factor_setup"),
        CodeForm,
        success_template="accounts/recovery_codes.html",
        shows=[reverse("accounts:security")],
    )

    @FUZZ
    @given(form_data(fields))
    @example({"code": TOTP})
    @example({"code": "1" * 21})
    def submit(data: dict) -> None:
        _recently_reauthenticated(client)
        pending = two_factor.pending_authenticator(site_lead)
        set_up.submit(with_sentinels(data, {TOTP: _current_code(pending)}))

    submit()

    set_up.assert_accepted_and_refused()


@pytest.mark.parametrize(
    ("url_name", "default"), [("accounts:two_factor_verify", "home"), ("accounts:reauthenticate", "accounts:security")]
)
def test_a_next_that_is_not_a_path_is_ignored_after_the_code(programme_lead: User, url_name: str, default: str) -> None:
    """A right code with `next=0`: the person goes where they would without a `next`, not to a server error."""
    if url_name == "accounts:two_factor_verify":  # signed in, not yet verified
        client = Client()
        client.force_login(programme_lead)
        two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)
    else:  # verified, proving it again
        client = client_for(programme_lead)
    code = RecoveryCodes(programme_lead).take()

    response = client.post(reverse(url_name), {"code": code, "password": PASSWORD, "next": "0"})

    assert response.status_code == 302
    assert response["Location"] == reverse(default)


def test_a_log_in_with_an_address_that_lengthens_when_lower_cased_is_refused(site_lead: User) -> None:
    """The address is valid as typed; lower-cased it is too long to be anyone's: the form says so, or that the
    address and password are wrong."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce a column's length, so only PostgreSQL shows the failure")

    response = Client().post(reverse("accounts:login"), {"username": STRETCHED_EMAIL, "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="nhsuk-error-summary"' in response.content.decode()
