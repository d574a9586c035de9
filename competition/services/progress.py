"""Progress on a campaign's indicators (issue 4, item 2): reporting periods, a unit's submission, roll-ups.

Rules kept here:

- a unit reports only on the indicators that apply to its kind (``Indicator.applies_to``; empty = every kind) of a
  campaign it is enrolled in, while the campaign runs (launched or summarising);
- numerator and denominator are non-negative integers, numerator ≤ denominator;
- an "of which" child indicator (``Indicator.parent``) takes the parent's numerator as its denominator: the child's
  denominator must equal the parent's numerator of the same unit and period, taken from the same submission or
  else from the value already stored. A submission that changes a parent's numerator so that a stored child no
  longer matches is refused too (the unit fixes both at once);
- a submission is all-or-nothing: every row is checked before anything is written, and every problem is reported
  (in Vietnamese, naming the indicator and what to fix);
- one audit event per submission that changes something, holding the changed values; a submission that changes
  nothing writes nothing.

Roll-ups are weighted by denominators: Σ numerators / Σ denominators over the units, never an average of the
units' percentages. Every read here costs a fixed number of queries whatever the number of units (aggregation in
the database, asserted in tests/competition/test_progress.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows import audit
from workflows.exceptions import TransitionRefused

from ..enums import CampaignState
from ..models import Campaign, Cluster, Enrolment, Indicator, ProgressReport, ReportingPeriod, Unit
from ..models.progress import percent_of

REPORTING_STATES = (CampaignState.LAUNCHED, CampaignState.SUMMARIZING)
MAX_VALUE = 2_000_000_000  # fits every database's integer column


class ProgressRefused(TransitionRefused):
    """A submission refused as a whole; ``errors`` maps an indicator code ("" for the whole form) to messages."""

    def __init__(self, message: str, *, errors: dict[str, list[str]]):
        super().__init__(message, reasons=[m for msgs in errors.values() for m in msgs])
        self.errors = errors


def applies_to_kind(indicator: Indicator, kind: str) -> bool:
    """An indicator applies to the unit kinds in ``applies_to``; an empty list means every kind."""
    return not indicator.applies_to or kind in indicator.applies_to


def applies_to_unit(indicator: Indicator, unit: Unit) -> bool:
    return applies_to_kind(indicator, unit.kind)


# --- periods ------------------------------------------------------------------------------------------------


@transaction.atomic
def create_period(campaign: Campaign, *, label: str, start: date, end: date, due: date, actor) -> ReportingPeriod:
    """The board opens a reporting period on ``campaign``. Side effects: one audit event."""
    label = (label or "").strip()
    problems = []
    if not label:
        problems.append(_("Chưa nhập tên kỳ báo cáo (ví dụ “Quý III/2026”)."))
    elif campaign.periods.filter(label=label).exists():
        problems.append(_("Kỳ báo cáo “%(l)s” đã có.") % {"l": label})
    if start and end and end < start:
        problems.append(_("Ngày kết thúc kỳ phải sau ngày bắt đầu."))
    if end and due and due < end:
        problems.append(_("Hạn báo cáo không được trước ngày kết thúc kỳ."))
    if start and end and (start < campaign.start_date or end > campaign.end_date):
        problems.append(_("Kỳ báo cáo phải nằm trong thời gian phong trào."))
    if problems:
        raise TransitionRefused(_("Chưa tạo được kỳ báo cáo:"), reasons=problems)
    period = ReportingPeriod.objects.create(campaign=campaign, label=label, start=start, end=end, due=due)
    audit.record(
        actor=actor,
        action="competition.progress.period",
        obj=campaign,
        payload={"period": label, "start": start, "end": end, "due": due},
    )
    return period


# --- a unit's submission --------------------------------------------------------------------------------------


def _as_count(raw, *, what: str, indicator: Indicator, errors: list[str]) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.append(_("Chỉ tiêu %(c)s: chưa nhập %(what)s.") % {"c": indicator.code, "what": what})
        return None
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(".", "").replace(" ", "")  # "1.234" as Vietnamese write thousands
        if not text.isdigit():
            errors.append(
                _("Chỉ tiêu %(c)s: %(what)s “%(v)s” phải là số nguyên không âm.")
                % {"c": indicator.code, "what": what, "v": raw}
            )
            return None
        raw = int(text)
    if not isinstance(raw, int) or raw < 0:
        errors.append(
            _("Chỉ tiêu %(c)s: %(what)s “%(v)s” phải là số nguyên không âm.")
            % {"c": indicator.code, "what": what, "v": raw}
        )
        return None
    if raw > MAX_VALUE:
        errors.append(_("Chỉ tiêu %(c)s: %(what)s quá lớn.") % {"c": indicator.code, "what": what})
        return None
    return raw


def record_progress(unit: Unit, period: ReportingPeriod, rows: Iterable[dict], *, actor) -> list[ProgressReport]:
    """Upsert ``unit``'s values for ``period``. ``rows``: dicts with ``indicator`` (an Indicator or its pk),
    ``numerator``, ``denominator`` (int or digit string) and optional ``evidence`` (a note or a link).

    All-or-nothing: raises :class:`ProgressRefused` listing every problem, and writes nothing, when any row is bad.
    Raises ``PermissionDenied`` when ``actor`` may not report for ``unit``. Side effects: inserts or updates
    ``ProgressReport`` rows; one audit event (on the period) listing the changed values, when anything changed.
    Returns the unit's reports of the period after the write.
    """
    if not getattr(actor, "is_system", False) and not actor.has_perm("competition.report_progress", unit):
        raise PermissionDenied(_("Bạn không được báo cáo tiến độ cho đơn vị “%(u)s”.") % {"u": unit})
    campaign = period.campaign
    form_errors: list[str] = []
    if campaign.state not in REPORTING_STATES:
        form_errors.append(_("Phong trào “%(c)s” không ở giai đoạn báo cáo tiến độ.") % {"c": campaign})
    if not Enrolment.objects.filter(campaign=campaign, unit=unit).exists():
        form_errors.append(_("Đơn vị “%(u)s” không tham gia phong trào này.") % {"u": unit})
    if form_errors:
        raise ProgressRefused(_("Chưa lưu được báo cáo tiến độ:"), errors={"": form_errors})

    indicators = {i.pk: i for i in campaign.indicators.all()}
    stored = {r.indicator_id: r for r in ProgressReport.objects.filter(period=period, unit=unit)}
    errors: dict[str, list[str]] = defaultdict(list)
    wanted: dict[int, tuple[int, int, str]] = {}
    for row in rows:
        ref = row.get("indicator")
        pk = ref.pk if isinstance(ref, Indicator) else ref
        try:
            indicator = indicators.get(int(pk))
        except (TypeError, ValueError):
            indicator = None
        if indicator is None:
            errors[""].append(_("Chỉ tiêu “%(v)s” không thuộc phong trào này.") % {"v": ref})
            continue
        if indicator.pk in wanted:
            errors[indicator.code].append(_("Chỉ tiêu %(c)s được nhập hai lần.") % {"c": indicator.code})
            continue
        if not applies_to_unit(indicator, unit):
            errors[indicator.code].append(
                _("Chỉ tiêu %(c)s không áp dụng cho loại đơn vị “%(k)s”.")
                % {"c": indicator.code, "k": unit.get_kind_display()}
            )
            continue
        messages: list[str] = []
        numerator = _as_count(row.get("numerator"), what=_("tử số"), indicator=indicator, errors=messages)
        denominator = _as_count(row.get("denominator"), what=_("mẫu số"), indicator=indicator, errors=messages)
        if numerator is not None and denominator is not None and numerator > denominator:
            messages.append(
                _("Chỉ tiêu %(c)s: tử số (%(n)s) không được lớn hơn mẫu số (%(d)s).")
                % {"c": indicator.code, "n": numerator, "d": denominator}
            )
        evidence = (row.get("evidence") or "").strip()
        if len(evidence) > 2000:
            messages.append(_("Chỉ tiêu %(c)s: minh chứng dài quá 2.000 ký tự.") % {"c": indicator.code})
        if messages:
            errors[indicator.code].extend(messages)
            continue
        wanted[indicator.pk] = (numerator, denominator, evidence)

    # "Of which" children: the child's denominator is the parent's numerator (same unit, same period).
    def value_of(pk: int) -> tuple[int, int] | None:
        if pk in wanted:
            return wanted[pk][:2]
        if pk in stored:
            return stored[pk].numerator, stored[pk].denominator
        return None

    touched = set(wanted)
    for indicator in indicators.values():
        if indicator.parent_id is None or not applies_to_unit(indicator, unit):
            continue
        if indicator.pk not in touched and indicator.parent_id not in touched:
            continue
        child, parent = value_of(indicator.pk), value_of(indicator.parent_id)
        if child is None:
            continue
        parent_code = indicators[indicator.parent_id].code
        if parent is None:
            errors[indicator.code].append(
                _("Chỉ tiêu %(c)s: hãy nhập chỉ tiêu %(p)s trước (mẫu số của %(c)s là tử số của %(p)s).")
                % {"c": indicator.code, "p": parent_code}
            )
        elif child[1] != parent[0]:
            errors[indicator.code].append(
                _("Chỉ tiêu %(c)s: mẫu số (%(d)s) phải bằng tử số của chỉ tiêu %(p)s (%(n)s).")
                % {"c": indicator.code, "d": child[1], "p": parent_code, "n": parent[0]}
            )
    if errors:
        raise ProgressRefused(_("Chưa lưu được báo cáo tiến độ, hãy sửa:"), errors=dict(errors))

    now = timezone.now()
    reporter = None if getattr(actor, "is_system", False) else actor
    changes, to_create, to_update = [], [], []
    for pk, (numerator, denominator, evidence) in wanted.items():
        code = indicators[pk].code
        report = stored.get(pk)
        if report is None:
            to_create.append(
                ProgressReport(
                    period=period,
                    unit=unit,
                    indicator_id=pk,
                    numerator=numerator,
                    denominator=denominator,
                    evidence=evidence,
                    reported_by=reporter,
                    reported_at=now,
                )
            )
            changes.append({"indicator": code, "from": None, "to": [numerator, denominator], "evidence": evidence})
        elif (report.numerator, report.denominator, report.evidence) != (numerator, denominator, evidence):
            change = {
                "indicator": code,
                "from": [report.numerator, report.denominator],
                "to": [numerator, denominator],
            }
            if report.evidence != evidence:
                change["evidence"] = evidence
            changes.append(change)
            report.numerator, report.denominator, report.evidence = numerator, denominator, evidence
            report.reported_by, report.reported_at = reporter, now
            to_update.append(report)
    if changes:
        with transaction.atomic():
            ProgressReport.objects.bulk_create(to_create)
            ProgressReport.objects.bulk_update(
                to_update, ["numerator", "denominator", "evidence", "reported_by", "reported_at"]
            )
            audit.record(
                actor=actor,
                action="competition.progress.report",
                obj=period,
                payload={"unit": unit.code, "changes": sorted(changes, key=lambda c: c["indicator"])},
            )
    return list(ProgressReport.objects.filter(period=period, unit=unit).select_related("indicator"))


# --- reading: roll-ups and per-unit rows, in a fixed number of queries ---------------------------------------


@dataclass
class Tally:
    numerator: int = 0
    denominator: int = 0
    reporting: int = 0  # units that reported
    enrolled: int = 0  # enrolled units the indicator applies to

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.numerator, self.denominator)

    def meets(self, target: Decimal) -> bool | None:
        if not self.denominator:
            return None
        return self.numerator * 100 >= target * self.denominator


@dataclass
class IndicatorRollup:
    indicator: Indicator
    province: Tally
    clusters: list[tuple[Cluster, Tally]] = field(default_factory=list)

    @property
    def meets_target(self) -> bool | None:
        return self.province.meets(self.indicator.target_percent)


def _reports(period: ReportingPeriod, queryset: QuerySet | None) -> QuerySet:
    base = queryset if queryset is not None else ProgressReport.objects.all()
    return base.filter(period=period).order_by()


def rollup(
    campaign: Campaign, period: ReportingPeriod, *, by: str = "cluster", queryset: QuerySet | None = None
) -> list[IndicatorRollup]:
    """Per indicator: the province tally and (``by="cluster"``) one tally per cluster, each Σ numerators /
    Σ denominators over the units, with the count of units reporting vs enrolled (those the indicator applies
    to). ``queryset``: the ``ProgressReport`` rows the caller may see (already scoped). A unit in two clusters
    counts in both. Five queries whatever the number of units. No side effects."""
    if by not in ("cluster", "province"):
        raise ValueError(by)
    if period.campaign_id != campaign.pk:
        raise ValueError("period of another campaign")
    indicators = list(campaign.indicators.all())
    reports = _reports(period, queryset)
    province = {
        row["indicator_id"]: row
        for row in reports.values("indicator_id").annotate(
            num=Sum("numerator"), den=Sum("denominator"), units=Count("unit_id", distinct=True)
        )
    }
    enrolled_by_kind = dict(
        Enrolment.objects.filter(campaign=campaign)
        .order_by()
        .values_list("unit__kind")
        .annotate(n=Count("unit_id", distinct=True))
    )

    def enrolled(indicator: Indicator, counts: dict[str, int]) -> int:
        return sum(n for kind, n in counts.items() if not indicator.applies_to or kind in indicator.applies_to)

    result = []
    for indicator in indicators:
        row = province.get(indicator.pk) or {}
        tally = Tally(row.get("num") or 0, row.get("den") or 0, row.get("units") or 0)
        tally.enrolled = enrolled(indicator, enrolled_by_kind)
        result.append(IndicatorRollup(indicator, tally))
    if by == "province":
        return result

    per_cluster: dict[tuple[int, int], dict] = {
        (row["indicator_id"], row["unit__clusters"]): row
        for row in reports.filter(unit__clusters__isnull=False)
        .values("indicator_id", "unit__clusters")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), units=Count("unit_id", distinct=True))
    }
    enrolled_by_cluster: dict[int, dict[str, int]] = defaultdict(dict)
    for cluster_id, kind, n in (
        Enrolment.objects.filter(campaign=campaign, unit__clusters__isnull=False)
        .order_by()
        .values_list("unit__clusters", "unit__kind")
        .annotate(n=Count("unit_id", distinct=True))
    ):
        enrolled_by_cluster[cluster_id][kind] = n
    clusters = list(Cluster.objects.filter(pk__in=enrolled_by_cluster.keys()))
    for item in result:
        for cluster in clusters:
            row = per_cluster.get((item.indicator.pk, cluster.pk)) or {}
            tally = Tally(row.get("num") or 0, row.get("den") or 0, row.get("units") or 0)
            tally.enrolled = enrolled(item.indicator, enrolled_by_cluster[cluster.pk])
            if tally.enrolled or tally.reporting:
                item.clusters.append((cluster, tally))
    return result


@dataclass
class UnitRow:
    unit: Unit
    indicator: Indicator
    report: ProgressReport | None
    clusters: list[Cluster]

    @property
    def percent(self) -> Decimal | None:
        return self.report.percent if self.report else None

    @property
    def meets_target(self) -> bool | None:
        if not self.report or not self.report.denominator:
            return None
        return self.report.numerator * 100 >= self.indicator.target_percent * self.report.denominator


def unit_progress(
    campaign: Campaign, period: ReportingPeriod, *, units: QuerySet | None = None, queryset: QuerySet | None = None
) -> list[UnitRow]:
    """One row per enrolled unit (``units``: the ``Unit`` rows the caller may see) and applicable indicator,
    with the unit's report or None when it has not reported. Four queries whatever the number of units."""
    enrolled = Unit.objects.filter(enrolments__campaign=campaign)
    if units is not None:
        enrolled = enrolled.filter(pk__in=units.values("pk"))
    enrolled = list(enrolled.order_by("path").prefetch_related("clusters"))
    indicators = list(campaign.indicators.all())
    reports = _reports(period, queryset).select_related("reported_by")
    if units is not None:
        reports = reports.filter(unit__in=units.values("pk"))
    by_key = {(r.unit_id, r.indicator_id): r for r in reports}
    rows = []
    for unit in enrolled:
        clusters = list(unit.clusters.all())
        for indicator in indicators:
            if applies_to_unit(indicator, unit):
                rows.append(UnitRow(unit, indicator, by_key.get((unit.pk, indicator.pk)), clusters))
    return rows


# --- export ---------------------------------------------------------------------------------------------------


def rollup_sheet_rows(items) -> list[list]:
    """The roll-up block of an export sheet (progress, interim review): a header row, then for each
    ``(indicator, [(cluster name, Tally)…], province Tally)`` one row for the province and one per cluster."""
    from workflows.exports import Styled

    def pct(value):
        return float(value) if value is not None else None

    headers = (
        _("Mã chỉ tiêu"),
        _("Chỉ tiêu"),
        _("Phạm vi"),
        _("Tử số"),
        _("Mẫu số"),
        _("Tỷ lệ (%)"),
        _("Mục tiêu (%)"),
        _("Đơn vị đã báo cáo"),
        _("Đơn vị tham gia"),
    )
    rows: list[list] = [[Styled(h, bold=True) for h in headers]]
    for indicator, clusters, province in items:
        for label, tally in [(_("Toàn tỉnh"), province), *clusters]:
            rows.append(
                [
                    indicator.code,
                    indicator.name,
                    label,
                    tally.numerator,
                    tally.denominator,
                    pct(tally.percent),
                    float(indicator.target_percent),
                    tally.reporting,
                    tally.enrolled,
                ]
            )
    return rows


def progress_xlsx(
    campaign: Campaign,
    period: ReportingPeriod,
    *,
    units: QuerySet | None = None,
    queryset: QuerySet | None = None,
) -> bytes:
    """Indicator progress per cluster and province, then per unit, as one XLSX sheet through the one export
    helper (formula escaping included). No side effects."""
    from workflows.exports import Styled, xlsx_bytes

    def pct(value):
        return float(value) if value is not None else None

    rows: list[list] = [
        [Styled(f"{campaign.name} — {period.label}", bold=True)],
        [],
        [Styled(_("TỔNG HỢP THEO CỤM VÀ TOÀN TỈNH"), bold=True)],
    ]
    rows += rollup_sheet_rows(
        (item.indicator, [(c.name, t) for c, t in item.clusters], item.province)
        for item in rollup(campaign, period, queryset=queryset)
    )
    rows += [
        [],
        [Styled(_("CHI TIẾT THEO ĐƠN VỊ"), bold=True)],
        [
            Styled(h, bold=True)
            for h in (
                _("Mã đơn vị"),
                _("Đơn vị"),
                _("Cụm, khối"),
                _("Mã chỉ tiêu"),
                _("Chỉ tiêu"),
                _("Tử số"),
                _("Mẫu số"),
                _("Tỷ lệ (%)"),
                _("Mục tiêu (%)"),
                _("Minh chứng"),
                _("Báo cáo lúc"),
            )
        ],
    ]
    for row in unit_progress(campaign, period, units=units, queryset=queryset):
        report = row.report
        rows.append(
            [
                row.unit.code,
                row.unit.name,
                ", ".join(c.name for c in row.clusters),
                row.indicator.code,
                row.indicator.name,
                report.numerator if report else None,
                report.denominator if report else None,
                pct(row.percent),
                float(row.indicator.target_percent),
                report.evidence if report else _("Chưa báo cáo"),
                timezone.localtime(report.reported_at).strftime("%d/%m/%Y %H:%M") if report else None,
            ]
        )
    return xlsx_bytes(rows, sheet_title=_("Tiến độ"), column_widths=[12, 40, 24, 10, 40, 10, 10, 10, 10, 40, 18])
