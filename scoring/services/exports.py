"""XLSX exports of scoring (issue 5, item 5), all through the one export helper (``workflows.exports.xlsx_bytes``:
formula escaping, write-only mode):

- one scorecard's score sheet: per criterion its base points, the self-scoring, each assessor's points, the board's
  combined and settled points and what counts, then the totals and the class;
- the ranking of one scope (a cluster or bloc, or the province): rank, subject, breakdown, total, class, quota
  status and the explanation of each row;
- the full matrix of a table: one row per ranked scorecard, one column per criterion code, the totals, the class,
  the rank in each cluster or bloc and in the province.

Each export reads a fixed number of queries whatever the number of scorecards. No side effects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.enums import ClusterKind
from competition.models import Cluster
from workflows.exports import Styled, xlsx_bytes

from ..enums import CriterionKind, Subject
from ..models import AssessmentEntry, CriterionResult, Scorecard, ScoreEntry, ScoringTable
from . import formulas
from .ranking import (
    BOUNDARY,
    OUTSIDE,
    WITHIN,
    RankedRow,
    decisions_by_scope,
    fmt_points,
    load,
    order_rows,
    quota_guidance,
    rank,
    ranked_scorecards,
    scope_key,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bold(values: Iterable[object]) -> list[Styled]:
    return [Styled(v, bold=True) for v in values]


def _kind_label(kind: str) -> str:
    return str(dict(CriterionKind.choices).get(kind, kind))


def scorecard_sheet_xlsx(scorecard: Scorecard) -> bytes:
    """One scorecard's score sheet. Eight queries whatever the table's size."""
    scorecard = Scorecard.objects.select_related("table__campaign", "unit").get(pk=scorecard.pk)
    table = scorecard.table
    spec = formulas.load_table(table)
    names = dict(table.criteria.values_list("pk", "name"))
    self_points = dict(ScoreEntry.objects.filter(scorecard=scorecard).order_by().values_list("criterion_id", "points"))
    assessments = list(scorecard.assessments.select_related("assessor").order_by("assigned_at", "pk"))
    by_assessment: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for assessment_id, criterion_id, points in (
        AssessmentEntry.objects.filter(assessment__scorecard=scorecard)
        .order_by()
        .values_list("assessment_id", "criterion_id", "points")
    ):
        by_assessment[assessment_id][criterion_id] = points
    results = {r.criterion_id: r for r in CriterionResult.objects.filter(scorecard=scorecard).order_by()}
    counted = {pk: r.points for pk, r in results.items() if r.points is not None}

    self_totals = formulas.totals(spec, self_points)
    assessor_totals = [formulas.totals(spec, by_assessment.get(a.pk, {})) for a in assessments]
    counted_totals = formulas.totals(spec, counted)
    classes = {k.code: k.label for k in spec.classes}

    rows: list[list] = [
        [Styled(_("PHIẾU ĐIỂM"), bold=True)],
        [_("Phong trào"), table.campaign.name],
        [_("Bảng chấm điểm"), table.name],
        [_("Đơn vị"), f"{scorecard.unit.code} — {scorecard.unit.name}"],
    ]
    if scorecard.person_name:
        rows.append([_("Họ và tên"), scorecard.person_name])
        rows.append([_("Chức vụ"), scorecard.person_position])
    rows += [
        [_("Trạng thái"), scorecard.get_state_display()],
        [],
        _bold(
            [
                _("Mã"),
                _("Tiêu chí"),
                _("Loại"),
                _("Điểm chuẩn"),
                _("Tự chấm"),
                *(str(a.assessor) for a in assessments),
                _("Ban tổng hợp"),
                _("Ban quyết định"),
                _("Điểm được tính"),
            ]
        ),
    ]
    for c in spec.criteria:
        result = results.get(c.pk)
        rows.append(
            [
                c.code,
                names.get(c.pk, ""),
                _kind_label(c.kind),
                c.base,
                self_totals.by_code[c.code],
                *(t.by_code[c.code] for t in assessor_totals),
                result.board_points if result is not None and not c.is_group else None,
                result.settled_points if result is not None and not c.is_group else None,
                counted_totals.by_code[c.code],
            ]
        )
    rows.append([])
    for label, attr in (
        (_("Cộng điểm tiêu chí"), "normal"),
        (_("Điểm thưởng (tối đa %(cap)s)") % {"cap": formulas.q(table.bonus_cap)}, "bonus"),
        (_("Điểm trừ (tối đa %(cap)s)") % {"cap": formulas.q(table.penalty_cap)}, "penalty"),
        (_("Tổng điểm"), "total"),
    ):
        rows.append(
            [
                Styled(label, bold=True),
                None,
                None,
                None,
                getattr(self_totals, attr),
                *(getattr(t, attr) for t in assessor_totals),
                None,
                None,
                getattr(counted_totals, attr),
            ]
        )
    rows += [
        [],
        [Styled(_("Tổng điểm đã chốt"), bold=True), scorecard.final_total],
        [Styled(_("Xếp loại"), bold=True), classes.get(scorecard.classification, scorecard.classification)],
    ]
    widths = [8, 50, 14, 10, 10, *(14 for _a in assessments), 12, 12, 12]
    return xlsx_bytes(rows, sheet_title=_("Phiếu điểm"), column_widths=widths)


def _quota_label(status: str) -> str:
    return {
        WITHIN: _("trong hạn mức"),
        BOUNDARY: _("đồng hạng ở ranh giới hạn mức"),
        OUTSIDE: _("ngoài hạn mức"),
    }.get(status, "")


def _subject_plural(table: ScoringTable) -> str:
    return _("cá nhân") if table.subject == Subject.INDIVIDUAL else _("tập thể")


def quota_text(table: ScoringTable, limit: int | None) -> str:
    """The quota line of a ranking: "Tối đa N tập thể được đề nghị (10%)"."""
    if limit is None:
        return _("Bảng điểm không đặt hạn mức đề nghị khen thưởng.")
    return _("Tối đa %(n)s %(who)s được đề nghị (%(p)s%%)") % {
        "n": limit,
        "who": _subject_plural(table),
        "p": fmt_points(table.quota_percent),
    }


def cluster_ranking_xlsx(
    table: ScoringTable,
    *,
    cluster: Cluster | None = None,
    rows: list[RankedRow] | None = None,
    personal: bool = False,
) -> bytes:
    """The ranking of one scope. ``personal``: explanations may name a person's gender (board readers only)."""
    if rows is None:
        rows = rank(table, cluster=cluster)
    guidance = quota_guidance(table, cluster=cluster, rows=rows)
    individual = table.subject == Subject.INDIVIDUAL
    out: list[list] = [
        [Styled(_("KẾT QUẢ XẾP HẠNG"), bold=True)],
        [_("Phong trào"), table.campaign.name],
        [_("Bảng chấm điểm"), table.name],
        [_("Phạm vi"), cluster.name if cluster is not None else _("Toàn tỉnh")],
        [_("Hạn mức"), quota_text(table, guidance.limit)],
        [_("Xuất lúc"), timezone.localtime().strftime("%d/%m/%Y %H:%M")],
        [],
        _bold(
            [
                _("Hạng"),
                _("Đồng hạng"),
                _("Mã đơn vị"),
                _("Đơn vị"),
                *([_("Họ và tên")] if individual else []),
                _("Điểm tiêu chí"),
                _("Điểm thưởng"),
                _("Điểm trừ"),
                _("Tổng điểm"),
                _("Xếp loại"),
                _("Hạn mức"),
                _("Giải thích"),
            ]
        ),
    ]
    for row in rows:
        out.append(
            [
                row.rank,
                _("chờ Ban quyết định") if row.tied_pending else None,
                row.unit_code,
                row.unit_name,
                *([row.person_name] if individual else []),
                row.normal,
                row.bonus,
                row.penalty,
                row.total,
                row.classification_label,
                _quota_label(guidance.statuses[row.scorecard_id]) or None,
                row.explanation(personal=personal),
            ]
        )
    widths = [7, 12, 12, 36, *([28] if individual else []), 11, 11, 10, 10, 16, 18, 80]
    return xlsx_bytes(out, sheet_title=_("Xếp hạng"), column_widths=widths)


def matrix_xlsx(table: ScoringTable, *, scorecards: QuerySet | None = None) -> bytes:
    """Every ranked scorecard of ``table`` (among ``scorecards`` when given) against every criterion, with the
    totals, class and ranks. Eight queries whatever the number of scorecards."""
    data = load(table, scorecards=scorecards)
    decisions = decisions_by_scope(table)
    province = order_rows(data.inputs, data.cascade, decisions[scope_key(None)], class_labels=data.class_labels)
    unit_ids = ranked_scorecards(table, scorecards=scorecards).values("unit_id")
    memberships = list(
        Cluster.units.through.objects.filter(unit__in=unit_ids)
        .select_related("cluster")
        .order_by("cluster__kind", "cluster__code")
    )
    clusters = {m.cluster_id: m.cluster for m in memberships}
    of_unit: dict[int, list[Cluster]] = defaultdict(list)
    members: dict[int, set[int]] = defaultdict(set)
    for m in memberships:
        of_unit[m.unit_id].append(m.cluster)
        members[m.cluster_id].add(m.unit_id)
    in_cluster: dict[tuple[int, int], RankedRow] = {}
    for cluster_id, cluster in clusters.items():
        subset = [i for i in data.inputs if i.unit_id in members[cluster_id]]
        for row in order_rows(subset, data.cascade, decisions[scope_key(cluster)], class_labels=data.class_labels):
            in_cluster[(cluster_id, row.scorecard_id)] = row
    kinds = [k for k in ClusterKind.values if any(c.kind == k for c in clusters.values())]
    kind_labels = dict(ClusterKind.choices)
    individual = table.subject == Subject.INDIVIDUAL
    codes = [c.code for c in data.spec.criteria]

    header = [_("Mã đơn vị"), _("Đơn vị"), *([_("Họ và tên")] if individual else []), *codes]
    header += [_("Điểm tiêu chí"), _("Điểm thưởng"), _("Điểm trừ"), _("Tổng điểm"), _("Xếp loại")]
    for kind in kinds:
        header += [str(kind_labels[kind]), _("Hạng trong %(kind)s") % {"kind": str(kind_labels[kind]).lower()}]
    header += [_("Hạng toàn tỉnh"), _("Đồng hạng, chờ Ban quyết định")]
    out: list[list] = [
        [Styled(_("MA TRẬN ĐIỂM"), bold=True), table.campaign.name, table.name],
        [],
        _bold(header),
    ]
    for row in province:
        item = row.item
        line = [row.unit_code, row.unit_name, *([row.person_name] if individual else [])]
        line += [item.by_code.get(code) for code in codes]
        line += [row.normal, row.bonus, row.penalty, row.total, row.classification_label]
        pending = [_("Toàn tỉnh")] if row.tied_pending else []
        for kind in kinds:
            mine = [c for c in of_unit.get(row.unit_id, []) if c.kind == kind]
            ranked = [(c, in_cluster[(c.pk, row.scorecard_id)]) for c in mine]
            pending += [c.name for c, r in ranked if r.tied_pending]
            if not ranked:
                line += [None, None]
            elif len(ranked) == 1:
                line += [ranked[0][0].name, ranked[0][1].rank]
            else:
                line += ["; ".join(c.name for c, _r in ranked), "; ".join(str(r.rank) for _c, r in ranked)]
        line += [row.rank, "; ".join(pending) or None]
        out.append(line)
    return xlsx_bytes(out, sheet_title=_("Ma trận điểm"))


def export_filename(table: ScoringTable, what: str) -> str:
    return f"{what}-{table.campaign.code}-{table.subject}.xlsx"
