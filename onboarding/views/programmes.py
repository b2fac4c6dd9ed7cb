"""The central team's start page for a new cohort, and programme years with their offers."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import central_team_required
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from engagements.models import Offer, SupportRequest
from frontend.forms import posted
from sites import actions as site_actions
from sites.models import Programme

from .. import actions
from ..forms import OfferForm, ProgrammeForm


@central_team_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Bringing a programme on board, in the order it is done: programme year and offers, places, then people."""
    return render(request, "onboarding/start.html")


@central_team_required
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    offers = Offer.objects.annotate(lesson_count=Count("shaping_lessons")).order_by("-is_open", "name")
    programmes = (
        Programme.objects.annotate(site_count=Count("sites", distinct=True))
        .prefetch_related(Prefetch("offers", queryset=offers))
        .order_by("-year", "kind")
    )
    return render(request, "onboarding/programme_list.html", {"programmes": programmes})


@central_team_required
def programme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProgrammeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = site_actions.create_programme_year(by=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.text())
        else:
            messages.success(request, f"{programme} is ready for its offers.")
            return redirect("onboarding:programme_list")
    return render(request, "onboarding/programme_create.html", {"form": form})


@central_team_required
def offer_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme, pk=pk)
    find = request.GET.get("find", "")[:100]
    form = OfferForm(posted(request), find=find)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        offer = actions.create_offer(programme=programme, by=request.user, lessons=list(data.pop("lessons")), **data)
        messages.success(request, f"{offer} is open to requests from {programme}'s sites.")
        return redirect("onboarding:programme_list")
    return render(request, "onboarding/offer_create.html", {"form": form, "programme": programme, "find": find})


@central_team_required
def offer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("programme"), pk=pk)
    initial = {**model_to_dict(offer), "lessons": list(offer.shaping_lessons.values_list("pk", flat=True))}
    find = request.GET.get("find", "")[:100]
    form = OfferForm(posted(request), initial=initial, find=find)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = actions.update_offer(offer=offer, by=request.user, lessons=list(data.pop("lessons")), **data)
        messages.success(request, f"{offer} is saved." if changed else "Nothing had changed.")
        return redirect("onboarding:programme_list")
    waiting = offer.support_requests.filter(state__in=SupportRequest.OPEN_STATES).count()
    context = {"form": form, "offer": offer, "open_requests": waiting, "find": find}
    return render(request, "onboarding/offer_edit.html", context)


@require_POST
@central_team_required
def offer_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer, pk=pk)
    try:
        actions.retire_offer(offer=offer, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
    else:
        messages.success(request, f"{offer} is retired: sites can no longer ask for it. Work under way goes on.")
    return redirect("onboarding:programme_list")
