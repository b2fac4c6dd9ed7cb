from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

from . import addresses, oidc, phones
from .models import User

EMAIL_LIMIT = 254  # the e-mail address column of accounts.User


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with an e-mail address. A failure never says whether the account exists."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. If you have forgotten your password, reset it.",
        "inactive": "Enter a correct email address and password. If you have forgotten your password, reset it.",
    }

    def clean_username(self) -> str:
        # Lower-casing can lengthen an address ("İ" becomes two characters): one longer than any account's can
        # match no account, and must not reach the lockout's records (255 characters) either.
        email = addresses.normalised(self.cleaned_data["username"])
        if len(email) > EMAIL_LIMIT:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        if oidc.sso_required(email):  # a rule of the address's domain: it says nothing of whether an account exists
            through = oidc.provider_for(email)
            raise forms.ValidationError(
                f"People at {email.rpartition('@')[2]} sign in with "
                f"{through.name if through else 'their organisation account'}, not a password: use the button below.",
                code="sso_required",
            )
        return email


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class UserCreationForm(forms.ModelForm):
    """For administrators adding an account in the Django admin: no password, which the person sets themselves
    from the link they are sent (accounts.admin)."""

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = addresses.normalised(self.cleaned_data["email"])
        refusal = User.objects.address_refusal(email)
        if refusal:
            raise forms.ValidationError(refusal)
        if User.objects.with_address(email) is not None:
            raise forms.ValidationError("Another account uses this email address")
        return email


class UserChangeForm(forms.ModelForm):
    """For administrators: never the password, whose hash no page shows."""

    class Meta:
        model = User
        fields = (
            "email",
            "full_name",
            "job_title",
            "is_programme_lead",
            "is_account_manager",
            "is_active",
            "is_staff",
            "is_superuser",
        )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nudges_enabled", "session_reminders"]
        labels = {
            "nudges_enabled": "Send me a gentle nudge when a weekly engagement has had no session for a while",
            "session_reminders": "Send me a reminder the day before each session I am invited to",
        }
        help_texts = {
            "nudges_enabled": "Sent to the enabler and the site's lead, never to the central team.",
            "session_reminders": "It says when and where the session is (the place or the meeting link), nothing "
            "else. Sent to the enabler and the people invited, never to the central team.",
        }


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={"required": "Enter the code"},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class ReauthenticateForm(forms.Form):
    """Proves it is still the account's owner at the keyboard: the password, and a code when two-factor is on."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, needs_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"] = CodeForm.base_fields["code"]
            self.fields["code"].label = "Code from your authenticator app, or a recovery code"


class NormalisedEmailField(forms.EmailField):
    """An e-mail address normalised (NFKC, lower case) before it is checked, and refused with a plain message when
    it holds hidden or look-alike characters (accounts.addresses), before the format is even looked at."""

    def to_python(self, value: Any) -> str:
        return addresses.normalised(super().to_python(value) or "")

    def validate(self, value: str) -> None:
        super().validate(value)
        problem = addresses.problem(value)
        if problem:
            raise forms.ValidationError(problem, code="look-alike")


class EmailChangeForm(forms.Form):
    """A new e-mail address, normalised (Unicode NFKC, lower case) and refused when it holds characters that hide
    or imitate others. It does not say whether another account has the address: that owner is told by e-mail."""

    email = NormalisedEmailField(
        label="New email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your new email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if addresses.same(email, self.user.email):
            raise forms.ValidationError("That is already your email address")
        return email


class MobileNumberForm(forms.Form):
    """A UK mobile number for text reminders, as people type it; kept in international form."""

    number = forms.CharField(
        label="UK mobile number",
        help_text="For example, 07700 900 982. We will text it a code to check it is yours.",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"required": "Enter your mobile number", "max_length": phones.NOT_A_MOBILE},
    )

    def clean_number(self) -> str:
        number = phones.uk_mobile(self.cleaned_data["number"])
        if number is None:
            raise forms.ValidationError(phones.NOT_A_MOBILE)
        return number


class MobileCodeForm(forms.Form):
    code = forms.CharField(
        label="The code in the text message",
        help_text="Six digits. It works for 10 minutes.",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the code from the text message", "max_length": "The code is six digits"},
    )


class TextRemindersForm(forms.Form):
    text_reminders = forms.BooleanField(
        label="Text me a reminder the day before each session I am invited to",
        help_text="It says the date, the time and the place, nothing else.",
        required=False,
    )
