"""The campaign dashboard (issue 4, item 7): at any moment, which units have issued their plan and how far every
unit and cluster is from each target.

Rules kept here:

- the plan rate is (submitted + accepted plans) / enrolled units, against 100%: Decision 987's first target is
  itself "100% of localities issue a plan". A draft or a returned plan does not count; a plan is ``late`` when its
  first submission came after the campaign's plan deadline (``UnitPlan.late``), whatever its state now;
- a unit is overdue with its plan when the plan deadline has passed (the deadline day itself is still on time) and
  it has no submitted or accepted plan;
- a unit is overdue with a period when the period's due date has passed and it has not reported every indicator
  that applies to its kind (a unit that reported some of them is listed with how many);
- every percentage is Σ numerators / Σ denominators (for plans: counts of units), never an average of units'
  percentages (the roll-ups are :func:`competition.services.progress.rollup`);
- the period shown defaults to the latest that has started; the trend covers every period of the campaign;
- per-unit lists are capped (``limit`` rows each, with the full count): a province has 3,321 wards.

Every figure is read through the caller's scoped querysets (``scope(user, …)``, architecture principle 7). The
number of queries does not depend on the number of units: it is fixed, plus one per period whose due date has
passed (asserted in tests/competition/test_dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import timezone

from ..enums import CampaignState, PlanState
from ..models import Campaign, Enrolment, Indicator, ReportingPeriod, Unit
from ..models.progress import percent_of
from ..rules import PLAN_ISSUED
from .progress import IndicatorRollup, Tally, applies_to_kind, rollup

PLAN_TARGET = Decimal("100")
LIST_LIMIT = 10
MISSING = "missing"  # an enrolled unit without a plan (the key next to the PlanState values in ``counts``)


def gap_to(target: Decimal, numerator: int, denominator: int) -> Decimal | None:
    """Percentage points still missing to reach ``target`` (rounded up to 0.1, so a value below its target never
    shows a gap of 0); None when there is no denominator or the target is met."""
    if not denominator or numerator * 100 >= target * denominator:
        return None
    return (target - Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_UP)


@dataclass
class Share:
    """``done`` units out of ``total`` against a target percentage (the plan rate)."""

    done: int
    total: int
    target: Decimal = PLAN_TARGET

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.done, self.total)

    @property
    def meets(self) -> bool | None:
        if not self.total:
            return None
        return self.done * 100 >= self.target * self.total

    @property
    def gap(self) -> Decimal | None:
        return gap_to(self.target, self.done, self.total)


@dataclass
class UnitList:
    """The first ``rows`` of a list of units (by path) and how many there are in all."""

    count: int = 0
    rows: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass
class PlanSummary:
    deadline: date | None
    enrolled: int
    counts: dict[str, int]  # every PlanState value and MISSING
    late: int
    rate: Share
    clusters: list[tuple[str, Share]]  # (cluster name, share), only for the whole province
    overdue: UnitList | None  # None while the deadline has not passed (or there is none)


@dataclass
class BelowRow:
    unit: Unit
    numerator: int
    denominator: int
    target: Decimal

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.numerator, self.denominator)

    @property
    def gap(self) -> Decimal | None:
        return gap_to(self.target, self.numerator, self.denominator)


@dataclass
class IndicatorView:
    rollup: IndicatorRollup
    trend: list[tuple[ReportingPeriod, Tally]]
    below: UnitList  # rows: BelowRow, furthest below the target first

    @property
    def indicator(self) -> Indicator:
        return self.rollup.indicator

    @property
    def gap(self) -> Decimal | None:
        tally = self.rollup.province
        return gap_to(self.indicator.target_percent, tally.numerator, tally.denominator)

    def cluster_gaps(self) -> list[tuple[object, Tally, Decimal | None]]:
        target = self.indicator.target_percent
        return [(c, t, gap_to(target, t.numerator, t.denominator)) for c, t in self.rollup.clusters]


@dataclass
class LateReports:
    """Units that have not reported every applicable indicator for ``period``, whose due date has passed.
    ``units.rows``: Unit objects with ``reported`` and ``expected`` (numbers of indicators)."""

    period: ReportingPeriod
    units: UnitList


@dataclass
class Dashboard:
    campaign: Campaign
    today: date
    whole: bool  # the caller sees the whole campaign (figures per cluster are shown)
    plans: PlanSummary
    periods: list[ReportingPeriod]
    period: ReportingPeriod | None
    indicators: list[IndicatorView]
    late_reports: list[LateReports]


def build_dashboard(
    campaign: Campaign,
    *,
    units: QuerySet,
    plans: QuerySet,
    reports: QuerySet,
    whole: bool,
    period_pk: int | None = None,
    today: date | None = None,
    limit: int = LIST_LIMIT,
) -> Dashboard:
    """The dashboard of ``campaign`` as the caller may see it. ``units``, ``plans`` and ``reports``: the ``Unit``,
    ``UnitPlan`` and ``ProgressReport`` rows the caller may see (already scoped); ``whole``: the caller sees every
    unit of the campaign (board, auditor), so the figures per cluster are meaningful and shown. ``period_pk``: the
    period to show (default: the latest that has started on ``today``); raises ``ReportingPeriod.DoesNotExist``
    when it is not a period of ``campaign``. No side effects; a fixed number of queries whatever the number of
    units (one more per period whose due date has passed)."""
    today = today or timezone.localdate()
    enrolments = Enrolment.objects.filter(campaign=campaign, unit__in=units).order_by()
    enrolled_units = enrolments.values("unit_id")
    by_kind: dict[str, int] = dict(enrolments.values_list("unit__kind").annotate(n=Count("unit_id")))

    plan_summary = _plan_summary(campaign, enrolments, by_kind, plans, whole=whole, today=today, limit=limit)

    periods = list(campaign.periods.order_by("start", "pk"))
    if period_pk is not None:
        period = next((p for p in periods if p.pk == period_pk), None)
        if period is None:
            raise ReportingPeriod.DoesNotExist(period_pk)
    else:
        started = [p for p in periods if p.start <= today]
        period = started[-1] if started else None  # periods are ordered by start

    views: list[IndicatorView] = []
    if period is None:
        indicators = list(campaign.indicators.order_by("order", "code"))
    else:
        items = rollup(campaign, period, by="cluster" if whole else "province", queryset=reports)
        indicators = [item.indicator for item in items]
        for item in items:
            # rollup() counts the campaign's enrolled units; the caller may see fewer (a unit user: their unit).
            item.province.enrolled = _applicable(item.indicator, by_kind)
        trend = _trend(periods, reports)
        below = _below_target(period, reports, limit=limit)
        for item in items:
            pk = item.indicator.pk
            views.append(
                IndicatorView(
                    rollup=item,
                    trend=[(p, trend.get((p.pk, pk)) or Tally()) for p in periods],
                    below=below.get(pk) or UnitList(),
                )
            )

    late_reports = []
    if campaign.state != CampaignState.DRAFT and by_kind:
        expected = {kind: sum(1 for i in indicators if applies_to_kind(i, kind)) for kind in by_kind}
        for p in periods:
            if p.due < today:
                late_reports.append(LateReports(p, _late_units(p, enrolled_units, reports, expected, limit=limit)))

    return Dashboard(
        campaign=campaign,
        today=today,
        whole=whole,
        plans=plan_summary,
        periods=periods,
        period=period,
        indicators=views,
        late_reports=late_reports,
    )


def _applicable(indicator: Indicator, by_kind: dict[str, int]) -> int:
    return sum(n for kind, n in by_kind.items() if applies_to_kind(indicator, kind))


# --- plans ----------------------------------------------------------------------------------------------------


def _plan_summary(campaign, enrolments, by_kind, plans, *, whole, today, limit) -> PlanSummary:
    enrolled = sum(by_kind.values())
    campaign_plans = plans.filter(campaign=campaign, unit__in=enrolments.values("unit_id")).order_by()
    counts = dict.fromkeys(PlanState.values, 0)
    late = 0
    for row in campaign_plans.values("state").annotate(n=Count("pk"), late=Count("pk", filter=Q(late=True))):
        counts[row["state"]] = row["n"]
        late += row["late"]
    counts[MISSING] = enrolled - sum(counts.values())
    issued = sum(counts[s] for s in PLAN_ISSUED)

    issued_plan = plans.filter(campaign=campaign, unit=OuterRef("unit_id"), state__in=PLAN_ISSUED).order_by()
    clusters = []
    if whole:
        rows = (
            enrolments.filter(unit__clusters__isnull=False)
            .values("unit__clusters", "unit__clusters__kind", "unit__clusters__code", "unit__clusters__name")
            .annotate(
                total=Count("unit_id", distinct=True),
                done=Count("unit_id", distinct=True, filter=Exists(issued_plan)),
            )
            .order_by("unit__clusters__kind", "unit__clusters__code")
        )
        clusters = [(row["unit__clusters__name"], Share(row["done"], row["total"])) for row in rows]

    overdue = None
    deadline = campaign.plan_deadline
    if deadline and today > deadline and campaign.state != CampaignState.DRAFT:
        state = plans.filter(campaign=campaign, unit=OuterRef("pk")).order_by().values("state")[:1]
        issued_by_unit = plans.filter(campaign=campaign, unit=OuterRef("pk"), state__in=PLAN_ISSUED).order_by()
        rows = (
            Unit.objects.filter(pk__in=enrolments.values("unit_id"))
            .filter(~Exists(issued_by_unit))
            .annotate(plan_state=Subquery(state))
            .order_by("path")[:limit]
        )
        overdue = UnitList(count=enrolled - issued, rows=list(rows))
        for unit in overdue.rows:
            unit.plan_state_label = PlanState(unit.plan_state).label if unit.plan_state else None
    return PlanSummary(
        deadline=deadline,
        enrolled=enrolled,
        counts=counts,
        late=late,
        rate=Share(issued, enrolled),
        clusters=clusters,
        overdue=overdue,
    )


# --- progress -------------------------------------------------------------------------------------------------


def _trend(periods: list[ReportingPeriod], reports: QuerySet) -> dict[tuple[int, int], Tally]:
    """The province tally of every (period, indicator), in one query."""
    if not periods:
        return {}
    rows = (
        reports.filter(period__in=[p.pk for p in periods])
        .order_by()
        .values("period_id", "indicator_id")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), units=Count("unit_id", distinct=True))
    )
    return {(r["period_id"], r["indicator_id"]): Tally(r["num"] or 0, r["den"] or 0, r["units"]) for r in rows}


def _below_target(period: ReportingPeriod, reports: QuerySet, *, limit: int) -> dict[int, UnitList]:
    """Per indicator, the units of ``period`` below the indicator's target, furthest below first (capped at
    ``limit``), and how many there are. Two queries (the ranking is a window function in the database)."""
    below = (
        reports.filter(period=period, denominator__gt=0)
        .order_by()
        .alias(
            short=ExpressionWrapper(
                F("indicator__target_percent") * F("denominator") - F("numerator") * 100,
                output_field=DecimalField(max_digits=20, decimal_places=2),
            )
        )
        .filter(short__gt=0)
    )
    result: dict[int, UnitList] = {
        row["indicator_id"]: UnitList(count=row["n"])
        for row in below.values("indicator_id").annotate(n=Count("pk")).order_by()
    }
    if not result:
        return result
    ranked = (
        below.annotate(
            ratio=ExpressionWrapper(Cast("numerator", FloatField()) / F("denominator"), output_field=FloatField()),
            rank=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=[F("ratio").asc(), F("unit__path")]),
        )
        .filter(rank__lte=limit)
        .select_related("unit", "indicator")
        .order_by("indicator_id", "rank")
    )
    for report in ranked:
        result[report.indicator_id].rows.append(
            BelowRow(report.unit, report.numerator, report.denominator, report.indicator.target_percent)
        )
    return result


def _late_units(
    period: ReportingPeriod, enrolled_units: QuerySet, reports: QuerySet, expected: dict[str, int], *, limit: int
) -> UnitList:
    """The enrolled units that reported fewer than the indicators applying to their kind for ``period``; the
    first ``limit`` by path, each with ``reported`` and ``expected``, and the full count. One query."""
    reported = (
        reports.filter(period=period, unit=OuterRef("pk"))
        .order_by()
        .values("unit")
        .annotate(n=Count("indicator_id", distinct=True))
        .values("n")
    )
    rows = list(
        Unit.objects.filter(pk__in=enrolled_units)
        .annotate(
            reported=Coalesce(Subquery(reported, output_field=IntegerField()), 0),
            expected=Case(
                *[When(kind=kind, then=Value(n)) for kind, n in expected.items()],
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .filter(reported__lt=F("expected"))
        .annotate(total=Window(Count("pk")))
        .order_by("path")[:limit]
    )
    return UnitList(count=rows[0].total if rows else 0, rows=rows)
