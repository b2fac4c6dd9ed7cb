from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms

from .models import User


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
        email = self.cleaned_data["username"].strip().lower()
        if len(email) > User._meta.get_field("email").max_length:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
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


class UserCreationForm(auth_forms.BaseUserCreationForm):
    """For administrators adding an account in the Django admin."""

    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nudges_enabled"]
        labels = {"nudges_enabled": "Send me a gentle nudge when a weekly engagement has had no session for a while"}
        help_texts = {"nudges_enabled": "Sent to the enabler and the site's lead, never to the central team."}


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

    def __init__(self, *args: object, needs_code: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"] = CodeForm.base_fields["code"]
            self.fields["code"].label = "Code from your authenticator app, or a recovery code"


class EmailChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email"]
        labels = {"email": "New email address"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})}
        error_messages = {
            "email": {
                "required": "Enter your new email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
                "unique": "Another account uses this email address",
            }
        }

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account uses this email address")
        return email
