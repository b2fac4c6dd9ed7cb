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
        return self.cleaned_data["username"].strip().lower()


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
