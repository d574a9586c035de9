"""Importing indicator values from a file: the upload page with the template, and the page of one import
(progress while a background task works, every bad row, the confirm button)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workflows.web import perform, require_perm

from ..enums import ImportState
from ..forms import ImportUploadForm
from ..models import Campaign, IndicatorImport, Unit
from ..scoping import scope
from ..services.indicator_import import (
    INDICATOR_COLUMNS,
    allowed_units,
    background_threshold,
    confirm_import,
    indicator_template_xlsx,
    start_import,
    visible_jobs,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request, pk) -> Campaign:
    campaign = get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)
    require_perm(request.user, "competition.import_progress", campaign)
    return campaign


@login_required
def indicator_import(request, pk):
    """Upload a file; small files are checked at once, large ones by a background task. Then the job's page."""
    campaign = _campaign(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = start_import(campaign, form.cleaned_data["file"], actor=request.user)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("competition:indicator_import_job", job.pk)
    return render(
        request,
        "competition/indicator_import.html",
        {
            "campaign": campaign,
            "form": form,
            "periods": campaign.periods.all(),
            "columns": INDICATOR_COLUMNS,
            "threshold": background_threshold(),
            "jobs": visible_jobs(request.user, campaign)[:20],
        },
    )


@login_required
def indicator_import_job(request, pk):
    job = get_object_or_404(IndicatorImport.objects.select_related("campaign", "uploaded_by"), pk=pk)
    if not visible_jobs(request.user, job.campaign).filter(pk=job.pk).exists():
        raise Http404
    campaign = _campaign(request, job.campaign_id)
    if request.method == "POST" and request.POST.get("confirm"):
        if perform(
            request,
            lambda: confirm_import(job, actor=request.user),
            success=_("Đã xác nhận nhập tệp “%(f)s”.") % {"f": job.filename},
        ):
            return redirect("competition:indicator_import_job", job.pk)
        job.refresh_from_db()
    return render(
        request,
        "competition/indicator_import_job.html",
        {"campaign": campaign, "job": job, "ready": job.state == ImportState.READY, "refresh": job.running},
    )


@login_required
def indicator_template(request, pk):
    """The template to fill in, for the units the person may import for, with a period's stored values."""
    campaign = _campaign(request, pk)
    period = None
    if request.GET.get("period"):
        period = get_object_or_404(campaign.periods, pk=request.GET["period"])
    units = scope(request.user, Unit.objects.all())
    allowed = allowed_units(request.user, campaign)
    if allowed is not None:
        units = units.filter(pk__in=allowed)
    data = indicator_template_xlsx(campaign, period, units=units)
    response = HttpResponse(data, content_type=XLSX)
    suffix = f"-{period.pk}" if period else ""
    response["Content-Disposition"] = f'attachment; filename="so-lieu-chi-tieu-{campaign.code}{suffix}.xlsx"'
    return response
