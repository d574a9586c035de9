"""Progress on indicators: reporting periods (board), a unit's entry page, the board's roll-up page, XLSX export."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.web import perform, require_perm

from ..models import Campaign, ProgressReport, ReportingPeriod, Unit
from ..scoping import scope, user_unit
from ..services.progress import (
    REPORTING_STATES,
    ProgressRefused,
    applies_to_unit,
    create_period,
    progress_xlsx,
    record_progress,
    rollup,
    unit_progress,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Kỳ báo cáo"), max_length=100, help_text=gettext_lazy("Ví dụ: Quý III/2026")
    )
    start = forms.DateField(label=gettext_lazy("Từ ngày"), widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), widget=DATE_INPUT)
    due = forms.DateField(label=gettext_lazy("Hạn báo cáo"), widget=DATE_INPUT)


def _campaign(request, pk) -> Campaign:
    return get_object_or_404(scope(request.user, Campaign.objects.all()), pk=pk)


def _period(campaign, period_pk) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("campaign"), pk=period_pk, campaign=campaign)


@login_required
def progress_periods(request, pk):
    """The campaign's reporting periods; the board opens a new one here."""
    campaign = _campaign(request, pk)
    can_add = request.user.has_perm("competition.add_reportingperiod", campaign)
    form = PeriodForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, "competition.add_reportingperiod", campaign)
        if form.is_valid() and perform(
            request,
            lambda: create_period(campaign, actor=request.user, **form.cleaned_data),
            success=_("Đã mở kỳ báo cáo “%(l)s”.") % {"l": form.cleaned_data["label"]},
        ):
            return redirect("competition:progress_periods", campaign.pk)
    unit = user_unit(request.user)
    return render(
        request,
        "competition/progress_periods.html",
        {
            "campaign": campaign,
            "periods": campaign.periods.all(),
            "form": form,
            "can_add": can_add,
            "can_read_all": request.user.has_perm("competition.view_progress", campaign),
            "can_import": campaign.state in REPORTING_STATES
            and request.user.has_perm("competition.import_progress", campaign),
            "report_unit": unit
            if unit
            and request.user.has_perm("competition.report_progress", unit)
            and campaign.enrolments.filter(unit=unit).exists()
            else None,
        },
    )


@login_required
def progress_entry(request, pk, period_pk, unit_pk):
    """A unit's values for one period: one row per applicable indicator (numerator, denominator, evidence)."""
    campaign = _campaign(request, pk)
    period = _period(campaign, period_pk)
    unit = get_object_or_404(scope(request.user, Unit.objects.all()), pk=unit_pk)
    require_perm(request.user, "competition.view_unit_progress", unit)
    if not campaign.enrolments.filter(unit=unit).exists():
        raise Http404
    can_report = request.user.has_perm("competition.report_progress", unit)
    indicators = [i for i in campaign.indicators.select_related("parent") if applies_to_unit(i, unit)]
    stored = {r.indicator_id: r for r in scope(request.user, ProgressReport.objects.filter(period=period, unit=unit))}
    errors: dict[str, list[str]] = {}
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        require_perm(request.user, "competition.report_progress", unit)
        rows = []
        for indicator in indicators:
            values = {k: posted.get(f"{k}-{indicator.pk}", "").strip() for k in ("n", "d", "e")}
            if not any(values.values()) and indicator.pk not in stored:
                continue  # not reported yet: leave it for later
            rows.append(
                {
                    "indicator": indicator.pk,
                    "numerator": values["n"],
                    "denominator": values["d"],
                    "evidence": values["e"],
                }
            )
        caught: dict[str, dict] = {}

        def submit():
            try:
                return record_progress(unit, period, rows, actor=request.user)
            except ProgressRefused as exc:  # perform() shows the summary; keep the per-row messages too
                caught["errors"] = exc.errors
                raise

        ok = perform(request, submit, success=_("Đã lưu báo cáo tiến độ %(p)s.") % {"p": period.label})
        errors = caught.get("errors", {})
        if ok:
            return redirect("competition:progress_entry", campaign.pk, period.pk, unit.pk)
    form_rows = []
    for indicator in indicators:
        report = stored.get(indicator.pk)
        form_rows.append(
            {
                "indicator": indicator,
                "report": report,
                **(
                    {k: posted.get(f"{k}-{indicator.pk}", "") for k in ("n", "d", "e")}
                    if posted is not None
                    else {
                        "n": report.numerator if report else "",
                        "d": report.denominator if report else "",
                        "e": report.evidence if report else "",
                    }
                ),
                "errors": errors.get(indicator.code, []),
            }
        )
    return render(
        request,
        "competition/progress_entry.html",
        {
            "campaign": campaign,
            "period": period,
            "unit": unit,
            "rows": form_rows,
            "form_errors": errors.get("", []),
            "can_report": can_report,
        },
    )


@login_required
def progress_board(request, pk, period_pk):
    """Per indicator: the province roll-up against the target, each cluster, each unit."""
    campaign = _campaign(request, pk)
    require_perm(request.user, "competition.view_progress", campaign)
    period = _period(campaign, period_pk)
    reports = scope(request.user, ProgressReport.objects.all())
    units = scope(request.user, Unit.objects.all())
    rollups = rollup(campaign, period, queryset=reports)
    by_indicator: dict[int, list] = {}
    for row in unit_progress(campaign, period, units=units, queryset=reports):
        by_indicator.setdefault(row.indicator.pk, []).append(row)
    return render(
        request,
        "competition/progress_board.html",
        {
            "campaign": campaign,
            "period": period,
            "periods": campaign.periods.all(),
            "items": [(item, by_indicator.get(item.indicator.pk, [])) for item in rollups],
        },
    )


@login_required
def progress_export(request, pk, period_pk):
    campaign = _campaign(request, pk)
    require_perm(request.user, "competition.view_progress", campaign)
    period = _period(campaign, period_pk)
    data = progress_xlsx(
        campaign,
        period,
        units=scope(request.user, Unit.objects.all()),
        queryset=scope(request.user, ProgressReport.objects.all()),
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tien-do-{campaign.code}-{period.pk}.xlsx"'
    return response
