"""Invitations: the central team's list, a site's people, and the link an invited person opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.access import central_team_required
from accounts.models import User
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted
from sites import access as site_access
from sites import actions as site_actions
from sites.models import Site, SiteMembership

from .. import actions
from ..forms import AcceptInvitationForm, InviteForm, SiteInviteForm
from ..models import Invitation

SIGN_IN_BACKEND = "config.people.PersonBackend"


@central_team_required
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The central team invites enablers and programme leads here, and sees every invitation it may see."""
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.invite(by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error("email", error.text())
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}.")
            return redirect("onboarding:invitation_list")
    invitations = Invitation.objects.visible_to(request.user).select_related("site", "invited_by")
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    return render(request, "onboarding/invitation_list.html", {"form": form, "page": page})


def _manageable(request: AuthenticatedHttpRequest, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.visible_to(request.user).select_related("site"), pk=pk)


def _back(invitation: Invitation) -> HttpResponse:
    if invitation.site_id is not None:
        return redirect("onboarding:site_people", pk=invitation.site_id)
    return redirect("onboarding:invitation_list")


@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = _manageable(request, pk)
    try:
        actions.resend_invitation(invitation=invitation, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"We have sent the invitation to {invitation.email} again, with a new link.")
    return _back(invitation)


@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = _manageable(request, pk)
    try:
        actions.revoke_invitation(invitation=invitation, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"The invitation to {invitation.email} is revoked: its link no longer works.")
    return _back(invitation)


@login_not_required
@sensitive_variables("token")
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. A new person sets a password and is signed in; a person who has an account signs
    in to it and accepts; anyone signed in to another account is asked to sign out first."""
    invitation = actions.invitation_for_token(token)
    if invitation is None or invitation.state != Invitation.State.PENDING:
        return render(
            request, "onboarding/invitation_accept.html", {"invitation": invitation, "works": False}, status=400
        )
    account = User.objects.with_address(invitation.email)
    signed_in = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "works": True, "account": account, "signed_in": signed_in}
    if signed_in is not None and (account is None or account.pk != signed_in.pk):
        return render(request, "onboarding/invitation_accept.html", {**context, "someone_else": True})
    if account is not None and signed_in is None:
        return render(request, "onboarding/invitation_accept.html", context)  # sign in first, then come back
    form = AcceptInvitationForm(User(email=invitation.email, full_name=invitation.full_name), posted(request))
    if request.method == "POST" and (account is not None or form.is_valid()):
        password = "" if account is not None else form.cleaned_data["new_password1"]
        try:
            person = actions.accept_invitation(token=token, user=signed_in, password=password)
        except NotAllowed as error:
            messages.error(request, error.text())
            return redirect("onboarding:invitation_accept", token=token)
        if signed_in is None:
            login(request, person, backend=SIGN_IN_BACKEND)
        messages.success(request, f"Welcome to Alongside. You are now {invitation.role_words}.")
        return redirect("home")
    return render(request, "onboarding/invitation_accept.html", {**context, "form": form})


def _site_for_people(request: AuthenticatedHttpRequest, pk: int) -> Site:
    """A site's people are managed by its leads, and its leads invited by the central team."""
    site = get_object_or_404(Site.objects.visible_to(request.user), pk=pk)
    if not site_access.manages_people_of(request.user, site):
        raise Http404
    return site


def site_people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    site = _site_for_people(request, pk)
    leads_here = site_access.is_site_lead(request.user, site)
    role = Invitation.Role.SITE_MEMBER if leads_here else Invitation.Role.SITE_LEAD
    form = SiteInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.invite(by=request.user, site=site, role=role, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error("email", error.text())
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}.")
            return redirect("onboarding:site_people", pk=site.pk)
    context = {
        "site": site,
        "form": form,
        "leads_here": leads_here,
        "inviting": Invitation(role=role, site=site).role_words,
        "memberships": [
            (membership, site_access.is_lead_role(membership.role))
            for membership in SiteMembership.objects.filter(site=site)
            .select_related("user")
            .order_by("user__full_name")
        ],
        "invitations": Invitation.objects.visible_to(request.user)
        .filter(site=site)
        .select_related("site", "invited_by")[:100],
    }
    return render(request, "onboarding/site_people.html", context)


def _membership_led_by(request: AuthenticatedHttpRequest, pk: int) -> SiteMembership:
    led = SiteMembership.objects.filter(site__in=site_access.sites_led_by(request.user))
    return get_object_or_404(led.select_related("user", "site"), pk=pk)


@require_POST
def membership_make_lead(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership_led_by(request, pk)
    try:
        site_actions.make_site_lead(membership=membership, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"{membership.user} is now a lead of {membership.site}.")
    return redirect("onboarding:site_people", pk=membership.site_id)


@require_POST
def membership_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership_led_by(request, pk)
    try:
        site_actions.remove_from_site(membership=membership, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"{membership.user} no longer belongs to {membership.site}.")
        if membership.user_id == request.user.pk:
            return redirect("home")
    return redirect("onboarding:site_people", pk=membership.site_id)
