"""Bulk import pages, for the central team: upload a file, see every row checked, import it, download templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import central_team_required
from core.errors import NotAllowed
from core.http import AuthenticatedHttpRequest
from frontend.forms import posted

from .. import imports, tasks
from ..forms import ImportUploadForm
from ..imports import examples
from ..models import ImportJob

ROWS_A_PAGE = 100


@central_team_required
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload: a file that cannot be read is refused here, beside the field; one that can is checked next."""
    form = ImportUploadForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = imports.start_check(
            kind=data["kind"], filename=data["file"].name, content=data["content"], by=request.user
        )
        tasks.enqueue_check(job)
        return redirect("onboarding:import_detail", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).select_related("created_by").defer("content", "outcome")[:10]
    context = {"form": form, "recent": recent, "kinds": ImportJob.Kind.choices}
    return render(request, "onboarding/import_start.html", context)


@central_team_required
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The job's state, its progress while it runs, and every row's outcome: refusals first, or refusals only."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).defer("content"), pk=pk)
    refused_only = request.GET.get("show") == "refused"
    rows = [row for row in job.outcome if not refused_only or row["outcome"] == "refused"]
    rows.sort(key=lambda row: row["outcome"] != "refused")  # stable: in line order within each group
    page = Paginator(rows, ROWS_A_PAGE).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "counts": job.counts(),
        "progress": imports.progress(job) if job.is_running else None,
        "page": page,
        "refused_only": refused_only,
    }
    return render(request, "onboarding/import_detail.html", context)


@require_POST
@central_team_required
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).defer("content", "outcome"), pk=pk)
    try:
        job = imports.start_import(job=job, by=request.user)
    except NotAllowed as error:
        messages.error(request, error.text())
        return redirect("onboarding:import_detail", pk=pk)
    if not tasks.enqueue_import(job, request.user):
        messages.error(request, tasks.QUEUE_AWAY)
    elif ImportJob.objects.filter(pk=pk, state=ImportJob.State.IMPORTED).exists():  # Celery ran it inline
        messages.success(request, f"{job.filename} is imported.")
    else:
        messages.success(request, f"The import of {job.filename} has started: this page shows how far it has got.")
    return redirect("onboarding:import_detail", pk=pk)


@central_team_required
def import_template(request: AuthenticatedHttpRequest, kind: str, extension: str) -> HttpResponse:
    """A template file: the header row and one fictional example row."""
    if kind not in examples.EXAMPLES or extension not in examples.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(examples.template(kind, extension), content_type=examples.CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="alongside-{kind}.{extension}"'
    return response
