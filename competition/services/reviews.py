"""Interim reviews (sơ kết, issue 4 item 3): the board schedules a review at a date; on that date the progress of
every enrolled unit is copied into a snapshot that later reports do not change; the board writes its remarks (on
the whole and per unit) and publishes; the snapshot exports to XLSX.

Rules kept here:

- a review belongs to a running campaign (launched or summarising), its date lies within the campaign, its title
  is unique in the campaign; its period, when given, is one of the campaign's;
- the snapshot is taken on or after the review date, by the board ("take now") or by the daily schedule
  (:func:`take_due_reviews`), through the door (``scheduled → taken``); it holds, for each enrolled unit, the plan
  state and lateness, the unit's clusters, and its values of the review's period (the latest period started by
  the review date when none was chosen) on each indicator that applies to it;
- remarks can be changed while the review is taken, not after it is published; publishing needs the general
  remarks and notifies the units;
- roll-ups of a snapshot are weighted by denominators, like live progress. Reading and taking a snapshot cost a
  fixed number of queries whatever the number of units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import UNIT_ROLES
from workflows import SYSTEM, audit
from workflows.door import transition
from workflows.exceptions import TransitionRefused
from workflows.notifications import notify

from ..enums import ReviewState
from ..models import (
    Campaign,
    InterimReview,
    InterimReviewLine,
    InterimReviewUnit,
    Membership,
    ProgressReport,
    ReportingPeriod,
    Unit,
    UnitPlan,
)
from .progress import REPORTING_STATES, Tally, applies_to_unit, rollup_sheet_rows


def _require(actor, perm: str, obj=None) -> None:
    from django.core.exceptions import PermissionDenied

    if getattr(actor, "is_system", False):
        return
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


@transaction.atomic
def schedule_review(
    campaign: Campaign, *, title: str, review_date: date, period: ReportingPeriod | None = None, actor
) -> InterimReview:
    """The board schedules an interim review. Side effects: one audit event on the campaign."""
    _require(actor, "competition.add_interimreview", campaign)
    title = (title or "").strip()
    problems = []
    if campaign.state not in REPORTING_STATES:
        problems.append(_("Phong trào “%(c)s” chưa phát động hoặc đã kết thúc.") % {"c": campaign})
    if not title:
        problems.append(_("Chưa nhập tên đợt sơ kết (ví dụ “Sơ kết 6 tháng đầu năm 2026”)."))
    elif campaign.interim_reviews.filter(title=title).exists():
        problems.append(_("Đợt sơ kết “%(t)s” đã có.") % {"t": title})
    if review_date is None:
        problems.append(_("Chưa chọn ngày sơ kết."))
    elif not (campaign.start_date <= review_date <= campaign.end_date):
        problems.append(
            _("Ngày sơ kết phải nằm trong thời gian phong trào (%(s)s – %(e)s).")
            % {"s": campaign.start_date.strftime("%d/%m/%Y"), "e": campaign.end_date.strftime("%d/%m/%Y")}
        )
    if period is not None and period.campaign_id != campaign.pk:
        problems.append(_("Kỳ báo cáo không thuộc phong trào này."))
    if problems:
        raise TransitionRefused(_("Chưa lên lịch được đợt sơ kết:"), reasons=problems)
    review = InterimReview.objects.create(
        campaign=campaign,
        title=title,
        review_date=review_date,
        period=period,
        created_by=None if getattr(actor, "is_system", False) else actor,
    )
    audit.record(
        actor=actor,
        action="competition.review.schedule",
        obj=campaign,
        payload={"review": review.pk, "title": title, "date": review_date, "period": period.label if period else None},
    )
    return review


def _period_for(review: InterimReview) -> ReportingPeriod | None:
    if review.period_id:
        return review.period
    return (
        ReportingPeriod.objects.filter(campaign=review.campaign_id, start__lte=review.review_date)
        .order_by("-start", "-pk")
        .first()
    )


def _copy_progress(review: InterimReview, period: ReportingPeriod) -> dict:
    """Write the snapshot rows of ``review``. Seven queries whatever the number of units."""
    campaign = review.campaign
    units = list(Unit.objects.filter(enrolments__campaign=campaign).order_by("path").prefetch_related("clusters"))
    plans = {
        unit_id: (state, late)
        for unit_id, state, late in UnitPlan.objects.filter(campaign=campaign).values_list("unit_id", "state", "late")
    }
    reports = {
        (unit_id, ind_id): (n, d)
        for unit_id, ind_id, n, d in ProgressReport.objects.filter(period=period).values_list(
            "unit_id", "indicator_id", "numerator", "denominator"
        )
    }
    indicators = list(campaign.indicators.all())
    rows = InterimReviewUnit.objects.bulk_create(
        [
            InterimReviewUnit(
                review=review,
                unit=unit,
                plan_state=plans.get(unit.pk, ("", False))[0],
                plan_late=plans.get(unit.pk, ("", False))[1],
                clusters=", ".join(c.name for c in unit.clusters.all())[:500],
            )
            for unit in units
        ],
        batch_size=1000,
    )
    if not all(r.pk for r in rows):  # backends that do not return ids from bulk inserts
        rows = list(InterimReviewUnit.objects.filter(review=review))
    row_of = {r.unit_id: r for r in rows}
    lines = []
    reported = 0
    for unit in units:
        row = row_of[unit.pk]
        for indicator in indicators:
            if not applies_to_unit(indicator, unit):
                continue
            numerator, denominator = reports.get((unit.pk, indicator.pk), (None, None))
            reported += numerator is not None
            lines.append(
                InterimReviewLine(review_unit=row, indicator=indicator, numerator=numerator, denominator=denominator)
            )
    InterimReviewLine.objects.bulk_create(lines, batch_size=2000)
    return {"units": len(rows), "values": reported, "lines": len(lines)}


def take_snapshot(review: InterimReview, *, actor, at=None) -> InterimReview:
    """Copy every enrolled unit's progress into the review (``scheduled → taken``), through the door. Refused
    before the review date or when the campaign has no reporting period yet. Side effects: the snapshot rows and
    one audit event (with the counts), in one transaction."""
    period = _period_for(review)
    if period is None:
        raise TransitionRefused(
            _("Chưa chụp được số liệu sơ kết:"),
            reasons=[_("Phong trào chưa có kỳ báo cáo nào bắt đầu trước ngày sơ kết.")],
        )
    counts: dict = {}  # units, values and lines copied (read by the caller's tests and the command output)

    def copy(record: InterimReview, event) -> None:
        if record.period_id is None:
            InterimReview.objects.filter(pk=record.pk).update(period=period)
            record.period = period
        counts.update(_copy_progress(record, period))

    return transition(
        review,
        "take",
        actor=actor,
        at=at,
        after=copy,
        payload={"period": period.label},
    )


def take_due_reviews(today: date | None = None) -> list[InterimReview]:
    """The daily schedule's step: take every scheduled review whose date has come (each in its own transaction,
    as the system). A review refused (no period yet) stays scheduled and is tried again the next day."""
    today = today or timezone.localdate()
    taken = []
    for review in InterimReview.objects.filter(state=ReviewState.SCHEDULED, review_date__lte=today).select_related(
        "campaign"
    ):
        if review.campaign.state not in REPORTING_STATES:
            continue
        try:
            taken.append(take_snapshot(review, actor=SYSTEM))
        except TransitionRefused:
            continue
    return taken


@transaction.atomic
def save_remarks(review: InterimReview, *, remarks: str | None = None, unit_remarks: dict[int, str], actor) -> int:
    """Save the general remarks (when given) and the remarks on units (``{InterimReviewUnit pk: text}``) of a
    taken review. Returns how many remarks changed. Side effects: one audit event listing the changes."""
    _require(actor, "competition.change_interimreview", review)
    review = InterimReview.objects.select_for_update().get(pk=review.pk)
    if review.state != ReviewState.TAKEN:
        raise TransitionRefused(
            _("Chưa ghi được nhận xét:"),
            reasons=[_("Chỉ ghi nhận xét khi đã chụp số liệu và chưa công bố.")],
        )
    changes: list[dict] = []
    if remarks is not None and remarks.strip() != review.remarks:
        review.remarks = remarks.strip()
        review.save(update_fields=["remarks"])
        changes.append({"unit": None, "remark": review.remarks})
    rows = {r.pk: r for r in review.units.filter(pk__in=list(unit_remarks)).select_related("unit")}
    changed_rows = []
    for pk, text in unit_remarks.items():
        row = rows.get(pk)
        if row is None or (text or "").strip() == row.remark:
            continue
        row.remark = (text or "").strip()
        changed_rows.append(row)
        changes.append({"unit": row.unit.code, "remark": row.remark})
    InterimReviewUnit.objects.bulk_update(changed_rows, ["remark"])
    if changes:
        audit.record(actor=actor, action="competition.review.remarks", obj=review, payload={"changes": changes})
    return len(changes)


def publish_review(review: InterimReview, *, actor) -> InterimReview:
    """Publish a taken review (``taken → published``) through the door; the units are told in the app."""

    def tell_units(record: InterimReview, event) -> None:
        users = [
            m.user
            for m in Membership.objects.select_related("user").filter(
                unit__enrolments__campaign=record.campaign_id, user__is_active=True, user__role__in=UNIT_ROLES
            )
        ]
        notify(
            users,
            key=f"review-published:{record.pk}",
            title=_("Kết quả sơ kết: %(t)s") % {"t": record.title},
            body=_("Ban Thi đua – Khen thưởng đã công bố kết quả sơ kết phong trào “%(c)s”.") % {"c": record.campaign},
            url=reverse("competition:review_detail", args=[record.pk]),
            target=record,
        )

    return transition(review, "publish", actor=actor, after=tell_units)


# --- Reading a snapshot -----------------------------------------------------------------------------------------


@dataclass
class ReviewRollup:
    indicator: object
    province: Tally
    clusters: list[tuple[str, Tally]]


def review_rollup(review: InterimReview) -> list[ReviewRollup]:
    """Per indicator of the snapshot: the province and each cluster (by the names kept in the snapshot), Σ
    numerators / Σ denominators. Two queries."""
    indicators = list(review.campaign.indicators.all())
    province: dict[int, Tally] = {i.pk: Tally() for i in indicators}
    clusters: dict[int, dict[str, Tally]] = {i.pk: defaultdict(Tally) for i in indicators}
    for ind_id, numerator, denominator, cluster_names in InterimReviewLine.objects.filter(
        review_unit__review=review
    ).values_list("indicator_id", "numerator", "denominator", "review_unit__clusters"):
        names = [n.strip() for n in cluster_names.split(",") if n.strip()] if cluster_names else []
        for tally in [province[ind_id], *(clusters[ind_id][n] for n in names)]:
            tally.enrolled += 1
            if numerator is not None:
                tally.numerator += numerator
                tally.denominator += denominator
                tally.reporting += 1
    return [ReviewRollup(i, province[i.pk], sorted(clusters[i.pk].items())) for i in indicators]


def review_units(review: InterimReview, *, visible: QuerySet | None = None) -> QuerySet:
    """The snapshot's unit rows (``visible``: the ``InterimReviewUnit`` rows the reader may see), with lines."""
    rows = visible if visible is not None else InterimReviewUnit.objects.all()
    return (
        rows.filter(review=review).select_related("unit").prefetch_related("lines__indicator").order_by("unit__path")
    )


def review_xlsx(review: InterimReview, *, visible: QuerySet | None = None) -> bytes:
    """The snapshot as one XLSX sheet (through the one export helper): the review, the general remarks, the
    roll-ups, then one row per unit and indicator with the unit's remark. No side effects."""
    from workflows.exports import Styled, xlsx_bytes

    from ..enums import PlanState

    def pct(value):
        return float(value) if value is not None else None

    plan_labels = dict(PlanState.choices)
    rows: list[list] = [
        [Styled(f"{review.campaign.name} — {review.title}", bold=True)],
        [_("Ngày sơ kết"), review.review_date.strftime("%d/%m/%Y")],
        [_("Kỳ báo cáo"), review.period.label if review.period else ""],
        [
            _("Chụp số liệu lúc"),
            timezone.localtime(review.taken_at).strftime("%d/%m/%Y %H:%M") if review.taken_at else "",
        ],
        [_("Nhận xét chung"), review.remarks],
        [],
        [Styled(_("TỔNG HỢP"), bold=True)],
    ]
    rows += rollup_sheet_rows((item.indicator, item.clusters, item.province) for item in review_rollup(review))
    rows += [
        [],
        [Styled(_("CHI TIẾT THEO ĐƠN VỊ"), bold=True)],
        [
            Styled(h, bold=True)
            for h in (
                _("Mã đơn vị"),
                _("Đơn vị"),
                _("Cụm, khối"),
                _("Kế hoạch"),
                _("Mã chỉ tiêu"),
                _("Tử số"),
                _("Mẫu số"),
                _("Tỷ lệ (%)"),
                _("Nhận xét"),
            )
        ],
    ]
    for row in review_units(review, visible=visible).iterator(chunk_size=1000):
        plan = str(plan_labels.get(row.plan_state, _("Chưa có"))) + (f" ({_('quá hạn')})" if row.plan_late else "")
        lines = list(row.lines.all()) or [None]
        for line in lines:
            rows.append(
                [
                    row.unit.code,
                    row.unit.name,
                    row.clusters,
                    plan,
                    line.indicator.code if line else "",
                    line.numerator if line else None,
                    line.denominator if line else None,
                    pct(line.percent) if line else None,
                    row.remark,
                ]
            )
    return xlsx_bytes(rows, sheet_title=_("Sơ kết"), column_widths=[12, 40, 24, 18, 12, 10, 10, 10, 50])
