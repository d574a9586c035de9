"""Thin views of the campaign summary (tổng kết: nominations/services/summary.py, documents in
nominations/summary_documents.py) and of the yearly statistics of awards for the Ministry of Home Affairs
(nominations/services/statistics.py).

The summary: the board, the coordinating department and auditors (``nominations.view_summary_campaign``); a unit
user gets 403. The statistics: the board and auditors (``nominations.view_statistics``); only the board uploads and
chooses templates (``nominations.change_statisticstemplate``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import Campaign, Unit
from competition.scoping import scope, user_unit
from workflows.charts import bar_chart, pct
from workflows.exceptions import TransitionRefused
from workflows.web import perform, require_perm, stored_file_response

from .models import StatisticsTemplate
from .services import statistics as stats_services
from .services.summary import summary_for
from .summary_documents import summary_docx, summary_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR, LAST_YEAR = 1945, 2100


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The campaign summary ----------------------------------------------------------------------------------------


def _campaign(request, campaign_pk: int) -> Campaign:
    """The campaign, for someone who may read its summary: 403 for anyone else, 404 outside their scope."""
    require_perm(request.user, "nominations.view_summary_campaign")
    campaign = get_object_or_404(scope(request.user, Campaign.objects.select_related("rule_set")), pk=campaign_pk)
    require_perm(request.user, "nominations.view_summary_campaign", campaign)
    return campaign


def _charts(summary) -> tuple[str | None, list]:
    """The page's inline SVG charts (workflows/charts.py): the plan rate, province-wide and per cluster; each
    indicator against its target, province-wide and per cluster."""
    province = _("Toàn tỉnh")
    rate = summary.plans.rate
    plan_chart = None
    if summary.plans.enrolled:
        plan_chart = bar_chart(
            "summary-plans",
            [(province, rate.percent, rate.meets)] + [(n, s.percent, s.meets) for n, s in summary.plans.clusters],
            rate.target,
            _("Biểu đồ: %(what)s so với mục tiêu %(target)s. Số liệu ở bảng ngay sau biểu đồ.")
            % {"what": _("Tỷ lệ đơn vị đã ban hành kế hoạch"), "target": pct(rate.target)},
        )
    indicators = []
    for view in summary.indicators:
        indicator, tally = view.indicator, view.rollup.province
        target = indicator.target_percent
        chart = bar_chart(
            f"summary-indicator-{indicator.pk}",
            [(province, tally.percent, view.rollup.meets_target)]
            + [(cluster.name, t.percent, t.meets(target)) for cluster, t in view.rollup.clusters],
            target,
            _("Biểu đồ: %(what)s so với mục tiêu %(target)s. Số liệu ở bảng ngay sau biểu đồ.")
            % {"what": f"{indicator.code}. {indicator.name}", "target": pct(target)},
        )
        indicators.append((view, chart))
    return plan_chart, indicators


@login_required
def campaign_summary(request, campaign_pk):
    """The summary's figures as tables, with the downloads (DOCX report, XLSX with charts)."""
    campaign = _campaign(request, campaign_pk)
    summary = summary_for(campaign, request.user)
    plan_chart, indicators = _charts(summary)
    return render(
        request,
        "nominations/campaign_summary.html",
        {
            "campaign": campaign,
            "summary": summary,
            "plan_chart": plan_chart,
            "indicators": indicators,
            "can_view_statistics": request.user.has_perm("nominations.view_statistics"),
        },
    )


def _issuing_unit(user) -> Unit:
    """Who issues the report: the user's own department (the board's, or the coordinating department that
    co-summarises); the province for a user without a unit."""
    unit = user_unit(user)
    if unit is None:
        unit = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if unit is None:
        raise Http404
    return unit


@login_required
def campaign_summary_docx(request, campaign_pk):
    campaign = _campaign(request, campaign_pk)
    content = summary_docx(summary_for(campaign, request.user), issuing_unit=_issuing_unit(request.user))
    return _attachment(content, DOCX, f"tong-ket-{campaign.code}.docx")


@login_required
def campaign_summary_xlsx(request, campaign_pk):
    campaign = _campaign(request, campaign_pk)
    return _attachment(summary_xlsx(summary_for(campaign, request.user)), XLSX, f"tong-ket-{campaign.code}.xlsx")


# --- The yearly statistics -----------------------------------------------------------------------------------------


def _year(raw: str | None) -> int:
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise Http404
    return int(raw)


@login_required
def statistics(request):
    """The figures of a year per award form, the download in the active layout, and (for the board) the
    templates: upload, choose, back to the default."""
    require_perm(request.user, "nominations.view_statistics")
    year = _year(request.GET.get("year"))
    can_change = request.user.has_perm("nominations.change_statisticstemplate")
    data = stats_services.year_statistics(year, user=request.user)
    return render(
        request,
        "nominations/statistics.html",
        {
            "year": year,
            "years": stats_services.statistics_years(user=request.user),
            "stats": data,
            "rows": data.rows(),
            "active": stats_services.active_template(),
            "templates": StatisticsTemplate.objects.select_related("uploaded_by") if can_change else [],
            "can_change": can_change,
            "max_bytes": stats_services.max_template_bytes(),
            "grammar": [
                ("{{ year }}", _("năm thống kê")),
                ("{{ province }}", _("tên tỉnh")),
                ("{{ count bang_khen_tinh }}", _("số lượt khen thưởng của hình thức (mọi đối tượng)")),
                ("{{ count bang_khen_tinh collective }}", _("số tập thể; household: hộ gia đình")),
                ("{{ count bang_khen_tinh individual female }}", _("số cá nhân nữ; male: nam")),
                (
                    "{{ count bang_khen_tinh individual direct_worker }}",
                    _("số cá nhân trực tiếp lao động, công tác"),
                ),
                ("{{ amount bang_khen_tinh }}", _("tiền thưởng (đồng) của hình thức")),
                ("{{ count all individual }}", _("all thay cho mã hình thức: mọi hình thức (dòng tổng)")),
            ],
            "forms": data.forms,
        },
    )


@login_required
def statistics_download(request, year):
    """The statistics of ``year`` in the active layout (or the default one)."""
    require_perm(request.user, "nominations.view_statistics")
    year = _year(str(year))
    try:
        content = stats_services.statistics_xlsx(year, user=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('nominations:statistics')}?year={year}")
    return _attachment(content, XLSX, stats_services.export_filename(year))


@login_required
def statistics_default_template(request):
    """The default layout with its placeholders, to start the board's own template from."""
    require_perm(request.user, "nominations.view_statistics")
    return _attachment(stats_services.default_template_xlsx(), XLSX, stats_services.DEFAULT_TEMPLATE_NAME)


@login_required
def statistics_template_download(request, pk):
    require_perm(request.user, "nominations.change_statisticstemplate")
    template = get_object_or_404(StatisticsTemplate, pk=pk)
    return stored_file_response(template.file, f"mau-thong-ke-{template.pk}.xlsx", content_type=XLSX)


@login_required
@require_POST
def statistics_template_upload(request):
    require_perm(request.user, "nominations.change_statisticstemplate")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp mẫu thống kê (.xlsx)."))
    else:
        perform(
            request,
            lambda: stats_services.upload_template(upload, actor=request.user, name=request.POST.get("name", "")),
            success=_("Đã lưu mẫu thống kê “%(name)s” và dùng mẫu này từ bây giờ.")
            % {"name": request.POST.get("name", "").strip() or upload.name},
        )
    return redirect("nominations:statistics")


@login_required
@require_POST
def statistics_template_activate(request, pk):
    require_perm(request.user, "nominations.change_statisticstemplate")
    template = get_object_or_404(StatisticsTemplate, pk=pk)
    perform(
        request,
        lambda: stats_services.activate_template(template, actor=request.user),
        success=_("Đang dùng mẫu thống kê “%(name)s”.") % {"name": template.name},
    )
    return redirect("nominations:statistics")


@login_required
@require_POST
def statistics_template_default(request):
    require_perm(request.user, "nominations.change_statisticstemplate")
    perform(
        request,
        lambda: stats_services.activate_template(None, actor=request.user),
        success=_("Đang dùng mẫu thống kê mặc định."),
    )
    return redirect("nominations:statistics")
