"""Enablers' pages: an enabler's own profile, and the enabler pool for the central team.

The pool shows who the enablers are, their capacity, whether they are available for new work, and their
accounts. Alphabetical by name, never ranked or sorted by workload: the support must never read as
performance management.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import actions as accounts_actions
from accounts.access import central_team_required, sees_every_site
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from ..actions.enablers import manage_enabler_profile, update_enabler_profile
from ..forms.enablers import EnablerManageForm, EnablerPoolFilterForm, EnablerProfileForm
from ..models import EnablerProfile


def enabler_profile_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(
        EnablerProfile.objects.visible_to(request.user).select_related("user").prefetch_related("worked_for"), pk=pk
    )
    context = {"profile": profile, "sees_every_site": sees_every_site(request.user)}
    return render(request, "engagements/enabler_profile_detail.html", context)


def enabler_profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = get_object_or_404(EnablerProfile, user=request.user)  # one's own profile, and nobody else's
    form = EnablerProfileForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        update_enabler_profile(profile=profile, by=request.user, fields=dict(form.cleaned_data))
        messages.success(request, "Your profile is saved.")
        return redirect("engagements:enabler_profile_detail", pk=profile.pk)
    return render(request, "engagements/enabler_profile_edit.html", {"form": form, "profile": profile})


VIA = accounts_actions.ENABLER_POOL


def _profile(request: AuthenticatedHttpRequest, pk: int) -> EnablerProfile:
    return get_object_or_404(EnablerProfile.objects.visible_to(request.user).select_related("user"), pk=pk)


@central_team_required
def enabler_pool(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EnablerPoolFilterForm(request.GET or None)
    profiles = EnablerProfile.objects.visible_to(request.user).with_active_count().select_related("user")
    if form.is_valid():
        profiles = form.filter(profiles)
    page = Paginator(profiles.order_by("user__full_name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "engagements/enabler_pool.html", {"form": form, "page": page})


@central_team_required
def enabler_manage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk)
    form = EnablerManageForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            changed = manage_enabler_profile(profile=profile, by=request.user, fields=dict(form.cleaned_data))
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"{profile.user}'s profile is saved." if changed else "Nothing was changed.")
            return redirect("engagements:enabler_pool")
    return render(request, "engagements/enabler_manage.html", {"form": form, "profile": profile})


@require_POST
@central_team_required
def enabler_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Signs the enabler out at once and takes them out of matching; their engagements and records stay."""
    profile = _profile(request, pk)
    try:
        done = accounts_actions.deactivate_account(user=profile.user, by=request.user, via=VIA)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        text = "is signed out and can no longer sign in. Their records stay" if done else "was deactivated already"
        messages.success(request, f"{profile.user}'s account {text}.")
    return redirect("engagements:enabler_manage", pk=pk)


@require_POST
@central_team_required
def enabler_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk)
    try:
        done = accounts_actions.reactivate_account(user=profile.user, by=request.user, via=VIA)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        text = "is reactivated: they can sign in again" if done else "was active already"
        messages.success(request, f"{profile.user}'s account {text}.")
    return redirect("engagements:enabler_manage", pk=pk)
