from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone

from frontend.forms import posted

from .forms import LoginForm, PasswordResetForm, PreferencesForm
from .models import Notification

# Django's own views do the work; these name the templates and forms after Alongside's conventions.
# Django marks the log-in and password reset views as public (login_not_required) itself.
login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=PasswordResetForm,
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


def notification_list(request: HttpRequest) -> HttpResponse:
    """A person's own notifications: what was e-mailed to them, also kept here. Opening the list marks them read."""
    notifications = list(Notification.objects.visible_to(request.user)[:100])
    Notification.objects.visible_to(request.user).filter(read_at=None).update(read_at=timezone.now())
    return render(request, "accounts/notification_list.html", {"notifications": notifications})


def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your preferences are saved.")
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})
