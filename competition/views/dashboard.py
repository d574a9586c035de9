"""The campaign dashboard (issue 4, item 7): plan issuance and progress against each target, for the board (every
unit and cluster) and for a unit user (their own unit's figures), through the scoping function.

Charts are inline SVG drawn on the server (``workflows/charts.py``), each followed by a table of its figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from workflows.charts import bar_chart, pct, trend_chart
from workflows.datacache import cached

from ..models import Campaign, ProgressReport, ReportingPeriod, Unit, UnitPlan
from ..scoping import scope, user_unit
from ..services.dashboard import PLAN_TARGET, build_dashboard


@login_required
def campaign_dashboard(request, pk):
    """Plans issued and progress against each target. Board roles and auditors see every unit and cluster; a unit
    user sees their own unit's figures (and gets 404 for a campaign their unit is not in): scope() decides."""
    user = request.user
    campaign = get_object_or_404(scope(user, Campaign.objects.all()), pk=pk)
    whole = user.has_perm("competition.view_progress", campaign)
    if not whole and not user.is_unit_user:
        raise PermissionDenied
    raw_period = request.GET.get("period") or None
    if raw_period is not None and not raw_period.isdigit():
        raise Http404
    period_pk = int(raw_period) if raw_period else None
    # The figures and charts, rendered, are kept in the data cache (workflows.datacache) for this reader until
    # anything but a record edit changes: the board's dashboard adds up every unit's reports.
    body = cached(
        f"dashboard:{user.pk}:{campaign.pk}:{period_pk or '-'}",
        lambda: _body(user, campaign, whole=whole, period_pk=period_pk),
        outline=True,
    )
    return render(request, "competition/dashboard.html", {"campaign": campaign, "body": body})


def _body(user, campaign, *, whole: bool, period_pk: int | None) -> str:
    try:
        data = build_dashboard(
            campaign,
            units=scope(user, Unit.objects.all()),
            plans=scope(user, UnitPlan.objects.all()),
            reports=scope(user, ProgressReport.objects.all()),
            whole=whole,
            period_pk=period_pk,
        )
    except ReportingPeriod.DoesNotExist as exc:
        raise Http404 from exc
    scope_label = _("Toàn tỉnh") if whole else str(user_unit(user))

    rate = data.plans.rate
    plan_chart = bar_chart(
        "chart-plans",
        [(scope_label, rate.percent, rate.meets)] + [(name, s.percent, s.meets) for name, s in data.plans.clusters],
        PLAN_TARGET,
        _("Biểu đồ: %(what)s so với mục tiêu %(target)s. Số liệu ở bảng ngay sau biểu đồ.")
        % {"what": _("Tỷ lệ đơn vị đã ban hành kế hoạch"), "target": pct(PLAN_TARGET)},
    )
    indicators = []
    for view in data.indicators:
        indicator, province = view.indicator, view.rollup.province
        target = indicator.target_percent
        bars = bar_chart(
            f"chart-{indicator.pk}",
            [(scope_label, province.percent, view.rollup.meets_target)]
            + [(cluster.name, tally.percent, tally.meets(target)) for cluster, tally in view.rollup.clusters],
            target,
            _("Biểu đồ: %(what)s so với mục tiêu %(target)s. Số liệu ở bảng ngay sau biểu đồ.")
            % {"what": f"{indicator.code}. {indicator.name}", "target": pct(target)},
        )
        trend = trend_chart(
            f"trend-{indicator.pk}",
            [(p.label, tally.percent) for p, tally in view.trend],
            target,
            _("Diễn biến qua các kỳ báo cáo: %(what)s, mục tiêu %(target)s. Số liệu ở bảng ngay sau biểu đồ.")
            % {"what": f"{indicator.code}. {indicator.name}", "target": pct(target)},
        )
        indicators.append((view, bars, trend))
    return render_to_string(
        "competition/_dashboard_body.html",
        {
            "campaign": campaign,
            "data": data,
            "scope_label": scope_label,
            "plan_chart": plan_chart,
            "indicators": indicators,
            "can_see_plan_status": user.has_perm("competition.view_plan_status"),
        },
    )
