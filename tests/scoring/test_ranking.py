"""Ranking (issue 5, items 4-6): total, then the tie-break cascade step by step (criterion points with a group
capped at its base, women ≥ threshold, non-leaders), ties left to the board and its audited decision, cluster and
province scopes, quotas with ties at the boundary, the exports, the page's permissions and scoping, and query
counts that do not grow with the number of scorecards.

Finalized scorecards are written straight through the models (the lifecycle service is tested on its own)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Cluster, Enrolment
from scoring.enums import CriterionKind, ScorecardState, Subject, TieBreak
from scoring.models import (
    Assessment,
    AssessmentEntry,
    ClassThreshold,
    Criterion,
    CriterionResult,
    Scorecard,
    ScoreEntry,
    ScoringTable,
    TieBreakStep,
    TieDecision,
)
from scoring.services import formulas
from scoring.services.exports import cluster_ranking_xlsx, matrix_xlsx, scorecard_sheet_xlsx
from scoring.services.ranking import (
    BOUNDARY,
    OUTSIDE,
    WITHIN,
    fmt_points,
    guidance_for_unit,
    preload_breakdowns,
    quota_guidance,
    quota_limit,
    rank,
    record_tie_decision,
)
from workflows.exceptions import TransitionRefused
from workflows.models import AuditEvent

from ..factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal

# Leaf points of the conftest's collective table giving a total of 90 with group "1" at 38, at 36, and a total of 95.
AT_38 = {"1.1": 18, "1.2": 20, "2": 30, "3": 20, "4": 2}
AT_36 = {"1.1": 16, "1.2": 20, "2": 30, "3": 20, "4": 4}
AT_95 = {"1.1": 20, "1.2": 20, "2": 30, "3": 20, "4": 4, "T1": 1}


def card(table, unit, points, *, state=ScorecardState.FINALIZED, settled=None, **fields):
    """A scorecard of ``unit`` with one CriterionResult per entry of ``points`` (leaf code → board points),
    ``settled`` (code → settled points) overriding some, finalized with the total and class the formulas give."""
    scorecard = Scorecard.objects.create(table=table, unit=unit, **fields)
    criteria = {c.code: c for c in table.criteria.all()}
    settled = settled or {}
    CriterionResult.objects.bulk_create(
        CriterionResult(
            scorecard=scorecard,
            criterion=criteria[code],
            board_points=D(value),
            settled_points=D(settled[code]) if code in settled else None,
        )
        for code, value in points.items()
    )
    spec = formulas.load_table(table)
    counted = {criteria[code].pk: D(settled.get(code, value)) for code, value in points.items()}
    result = formulas.totals(spec, counted)
    Scorecard.objects.filter(pk=scorecard.pk).update(
        state=state, final_total=result.total, classification=formulas.classify(spec, result)
    )
    scorecard.refresh_from_db()
    return scorecard


def ward(province, code, name):
    return UnitFactory(code=code, name=name, kind=UnitKind.WARD, parent=province)


def by_name(rows):
    return {row.name: row for row in rows}


# --- The cascade, step by step ------------------------------------------------------------------------------


def test_total_first_then_the_criterion_step(table, commune_a, commune_b, commune_c):
    a = card(table, commune_a, AT_38, women_percent=D(0))
    b = card(table, commune_b, AT_36, women_percent=D(90))
    c = card(table, commune_c, AT_95)
    assert (a.final_total, b.final_total, c.final_total) == (D("90.00"), D("90.00"), D("95.00"))

    rows = rank(table)

    assert [(r.scorecard_id, r.rank, r.tied_pending) for r in rows] == [
        (c.pk, 1, False),
        (a.pk, 2, False),
        (b.pk, 3, False),
    ]
    first, second, third = rows
    assert first.ahead is None and second.behind is None  # 95 against 90: the total says it all
    assert "hơn ở tiêu chí 1: 38 > 36" in second.ahead.ahead_text()
    assert third.explanation() == (
        "90 điểm = 90 điểm tiêu chí + 0 điểm thưởng − 0 điểm trừ. "
        "Xếp sau Phường Phan Đình Phùng (bằng tổng điểm) vì Phường Phan Đình Phùng hơn ở tiêu chí 1: 38 > 36."
    )
    assert first.breakdown_text == "95 điểm = 94 điểm tiêu chí + 1 điểm thưởng − 0 điểm trừ"
    assert [r.classification_label for r in rows] == ["Xuất sắc", "Tốt", "Tốt"]


def test_a_group_criterion_counts_its_children_capped_at_its_base(table, commune_a, commune_b):
    """Group "1" capped at 30: 20 + 20 and 20 + 10 both count 30, so the criterion step cannot separate them."""
    Criterion.objects.filter(table=table, code="1").update(base_points=D(30))
    a = card(table, commune_a, {"1.1": 20, "1.2": 20, "2": 30, "3": 20}, women_percent=D(10))
    b = card(table, commune_b, {"1.1": 20, "1.2": 10, "2": 30, "3": 20}, women_percent=D(80))
    assert a.final_total == b.final_total == D("80.00")

    first, second = rank(table)

    assert (first.scorecard_id, second.scorecard_id) == (b.pk, a.pk)
    assert first.item.points["1"] == second.item.points["1"] == D("30.00")
    assert second.behind.step.kind == TieBreak.WOMEN
    assert "là tập thể có 80% nữ (từ 70% trở lên)" in first.ahead.ahead_text()


def test_the_criterion_step_uses_the_settled_points(table, commune_a, commune_b):
    """The board's settled value counts, not the combined one."""
    a = card(table, commune_a, {**AT_36, "1.1": 18}, settled={"1.1": 16, "4": 4})  # counts as AT_36
    b = card(table, commune_b, AT_38)
    assert a.final_total == b.final_total
    assert [r.scorecard_id for r in rank(table)] == [b.pk, a.pk]


@pytest.mark.parametrize(
    ("percent_a", "percent_b", "first"),
    [(D("70"), D("69.99"), "a"), (D("69.99"), D("70"), "b"), (D("72"), D("10"), "a"), (None, D("70.00"), "b")],
)
def test_women_step_threshold_is_inclusive(table, commune_a, commune_b, percent_a, percent_b, first):
    a = card(table, commune_a, AT_38, women_percent=percent_a)
    b = card(table, commune_b, AT_38, women_percent=percent_b)
    rows = rank(table)
    assert [r.rank for r in rows] == [1, 2]
    assert rows[0].scorecard_id == (a.pk if first == "a" else b.pk)
    winner_percent = percent_a if first == "a" else percent_b
    assert f"là tập thể có {fmt_points(winner_percent)}% nữ" in rows[1].behind.behind_text()


def test_both_above_the_threshold_stay_tied(table, commune_a, commune_b, commune_c):
    a = card(table, commune_a, AT_38, women_percent=D("72"))
    b = card(table, commune_b, AT_38, women_percent=D("70"))
    c = card(table, commune_c, AT_36)

    rows = rank(table)

    assert [(r.scorecard_id, r.rank, r.tied_pending) for r in rows] == [
        (a.pk, 1, True),
        (b.pk, 1, True),
        (c.pk, 3, False),
    ]
    assert rows[0].ahead is None and rows[1].behind is None
    assert "Đồng hạng với Phường Linh Sơn" in rows[0].explanation()
    assert "chờ Ban quyết định thứ tự" in rows[1].explanation()
    # the next row is told apart by the criterion step from the last of the tied group
    assert "hơn ở tiêu chí 1: 38 > 36" in rows[2].behind.behind_text()


def test_tied_rows_share_the_rank_and_are_listed_by_unit_code(table, province):
    units = [ward(province, code, f"Phường {code}") for code in ("0900", "0300", "0600")]
    cards = [card(table, u, AT_38) for u in units]
    rows = rank(table, scorecards=list(reversed(cards)))
    assert [r.unit_code for r in rows] == ["0300", "0600", "0900"]
    assert [r.rank for r in rows] == [1, 1, 1]
    assert [r.position for r in rows] == [1, 2, 3]
    assert all(r.tied_pending for r in rows)


@pytest.fixture
def people_table(running_campaign):
    """Individuals out of 10, tie-breaks: women first, then non-leaders."""
    table = ScoringTable.objects.create(campaign=running_campaign, subject=Subject.INDIVIDUAL, name="Bảng cá nhân")
    Criterion.objects.create(table=table, code="1", name="Sáng kiến", base_points=D(10), order=1)
    ClassThreshold.objects.create(table=table, code="tot", label="Tốt", min_total=D(5), order=1)
    ClassThreshold.objects.create(table=table, code="chua_dat", label="Chưa đạt", min_total=D(0), order=2)
    TieBreakStep.objects.create(table=table, order=1, kind=TieBreak.WOMEN)
    TieBreakStep.objects.create(table=table, order=2, kind=TieBreak.NON_LEADER)
    return table


def test_individuals_women_then_non_leaders(people_table, commune_a):
    people = [
        ("Nguyễn Văn Bốn", False, True),
        ("Trần Thị Một", True, True),
        ("Lê Văn Ba", False, False),
        ("Phạm Thị Hai", True, False),
    ]
    for name, female, leader in people:
        card(people_table, commune_a, {"1": 8}, person_name=name, person_is_female=female, person_is_leader=leader)

    rows = rank(people_table)

    assert [r.person_name for r in rows] == ["Phạm Thị Hai", "Trần Thị Một", "Lê Văn Ba", "Nguyễn Văn Bốn"]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    assert not any(r.tied_pending for r in rows)
    assert "Xếp sau Phạm Thị Hai (bằng tổng điểm) vì Phạm Thị Hai không giữ chức vụ lãnh đạo, quản lý." in (
        rows[1].explanation()
    )
    assert "vì Trần Thị Một là cá nhân nữ" in rows[2].full_explanation
    # a person's gender is personal data: not in the explanation shown to units and auditors
    public = rows[2].public_explanation
    assert "nữ" not in public.replace("NĐ 152/2025", "")
    assert "được ưu tiên ở bước 1 của thứ tự phân định" in public


def test_non_leader_step_does_nothing_for_collectives(table, commune_a, commune_b):
    TieBreakStep.objects.create(table=table, order=3, kind=TieBreak.NON_LEADER)
    card(table, commune_a, AT_38, person_is_leader=True)
    card(table, commune_b, AT_38)
    assert [r.tied_pending for r in rank(table)] == [True, True]


def test_only_finalized_and_published_scorecards_are_ranked(table, commune_a, commune_b, commune_c):
    card(table, commune_a, AT_38, state=ScorecardState.SUBMITTED)
    b = card(table, commune_b, AT_36, state=ScorecardState.PUBLISHED)
    c = card(table, commune_c, AT_95)
    assert [r.scorecard_id for r in rank(table)] == [c.pk, b.pk]


def test_breakdown_flags_results_changed_after_finalizing(table, commune_a):
    scorecard = card(table, commune_a, AT_38)
    CriterionResult.objects.filter(scorecard=scorecard, criterion__code="4").update(settled_points=D(0))
    (row,) = rank(table)
    assert row.total == D("90.00") and not row.consistent
    assert "cộng lại được 88" in row.breakdown_text


# --- The board's decision on a tie --------------------------------------------------------------------------


@pytest.fixture
def tied(table, commune_a, commune_b, commune_c):
    return (
        card(table, commune_a, AT_38, women_percent=D(80)),
        card(table, commune_b, AT_38, women_percent=D(75)),
        card(table, commune_c, AT_36),
    )


def test_a_tie_decision_orders_the_group_and_is_audited(table, tied, board_officer):
    a, b, c = tied
    before = AuditEvent.objects.count()

    decision = record_tie_decision(
        table, None, [b.pk, a.pk], "  Phường Linh Sơn có nhiều mô hình hơn. ", actor=board_officer
    )

    assert decision.order == [b.pk, a.pk] and decision.reason == "Phường Linh Sơn có nhiều mô hình hơn."
    rows = rank(table)
    assert [(r.scorecard_id, r.rank, r.tied_pending) for r in rows] == [
        (b.pk, 1, False),
        (a.pk, 2, False),
        (c.pk, 3, False),
    ]
    assert rows[0].decision.pk == rows[1].decision.pk == decision.pk
    assert "theo quyết định của Ban ngày" in rows[1].explanation()
    assert "Phường Linh Sơn có nhiều mô hình hơn." in rows[1].explanation()
    events = list(AuditEvent.objects.filter(sequence__gt=before))
    assert [e.action for e in events] == ["scoring.ranking.decide_tie"]
    assert events[0].actor_id == board_officer.pk
    assert f'"order":[{{"scorecard":{b.pk}' in events[0].body
    # the decision belongs to the province scope: a cluster's ranking still shows the tie
    cluster = Cluster.objects.create(code="C9", name="Cụm 9")
    cluster.units.add(a.unit, b.unit)
    assert [r.tied_pending for r in rank(table, cluster=cluster)] == [True, True]


def test_decisions_are_refused_for_rows_not_tied(table, tied, board_officer):
    a, b, c = tied
    with pytest.raises(TransitionRefused) as refused:
        record_tie_decision(table, None, [a.pk, c.pk], "Lý do", actor=board_officer)
    assert "Xã Tân Cương" in str(refused.value)
    with pytest.raises(TransitionRefused, match="Chưa nhập lý do"):
        record_tie_decision(table, None, [a.pk, b.pk], "  ", actor=board_officer)
    with pytest.raises(TransitionRefused, match="hai lần"):
        record_tie_decision(table, None, [a.pk, a.pk, b.pk], "Lý do", actor=board_officer)
    record_tie_decision(table, None, [a.pk, b.pk], "Lý do", actor=board_officer)
    with pytest.raises(TransitionRefused, match="Không phải phiếu đồng hạng"):  # no longer tied
        record_tie_decision(table, None, [b.pk, a.pk], "Đổi ý", actor=board_officer)
    assert TieDecision.objects.count() == 1


def test_a_decision_covers_the_whole_group(table, tied, province, board_officer):
    a, b, _c = tied
    d = card(table, ward(province, "05999", "Phường Gia Sàng"), AT_38, women_percent=D(99))
    with pytest.raises(TransitionRefused, match="đủ 3 phiếu đồng hạng ở hạng 1"):
        record_tie_decision(table, None, [a.pk, b.pk], "Lý do", actor=board_officer)
    record_tie_decision(table, None, [d.pk, a.pk, b.pk], "Lý do", actor=board_officer)
    assert [r.scorecard_id for r in rank(table)][:3] == [d.pk, a.pk, b.pk]


def test_only_the_board_decides(table, tied, clerk_a, auditor):
    a, b, _c = tied
    for user in (clerk_a, auditor):
        with pytest.raises(PermissionDenied):
            record_tie_decision(table, None, [a.pk, b.pk], "Lý do", actor=user)
    assert not TieDecision.objects.exists()


def test_a_decision_stops_applying_when_the_group_grows(table, tied, province, board_officer):
    a, b, _c = tied
    record_tie_decision(table, None, [b.pk, a.pk], "Lý do", actor=board_officer)
    late = card(table, ward(province, "05001", "Phường Túc Duyên"), AT_38, women_percent=D(70))
    rows = rank(table)
    assert [(r.scorecard_id, r.rank, r.tied_pending) for r in rows[:3]] == [
        (late.pk, 1, True),  # "05001": listed by unit code
        (a.pk, 1, True),
        (b.pk, 1, True),
    ]


# --- Scopes -------------------------------------------------------------------------------------------------


def test_cluster_and_province_scopes(table, cluster, province, commune_a, commune_b, commune_c):
    outside = ward(province, "06000", "Phường Quang Trung")
    best = card(table, outside, AT_95)
    a = card(table, commune_a, AT_38)
    b = card(table, commune_b, AT_36)

    assert [(r.scorecard_id, r.rank) for r in rank(table)] == [(best.pk, 1), (a.pk, 2), (b.pk, 3)]
    assert [(r.scorecard_id, r.rank) for r in rank(table, cluster=cluster)] == [(a.pk, 1), (b.pk, 2)]


# --- Quotas -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "ranked", "limit"),
    [
        (D(10), 25, 2),
        (D(10), 30, 3),
        (D(10), 5, 1),
        (D(10), 0, 0),
        (D("12.5"), 8, 1),
        (D("12.5"), 16, 2),
        (None, 9, None),
    ],
)
def test_quota_limit(percent, ranked, limit):
    assert quota_limit(percent, ranked) == limit


def test_quota_with_a_tie_at_the_boundary(table, province, commune_a, commune_b, commune_c):
    """Four rows ranked 1, 2, 2, 4 with a 50% quota: 2 may be nominated; the tied pair straddles the limit."""
    ScoringTable.objects.filter(pk=table.pk).update(quota_percent=D(50))
    table.refresh_from_db()
    top = card(table, commune_a, AT_95)
    b = card(table, commune_b, AT_38)
    c = card(table, commune_c, AT_38)
    last = card(table, ward(province, "06100", "Phường Hoàng Văn Thụ"), AT_36)

    guidance = quota_guidance(table)

    assert (guidance.ranked, guidance.limit) == (4, 2)
    assert guidance.statuses == {top.pk: WITHIN, b.pk: BOUNDARY, c.pk: BOUNDARY, last.pk: OUTSIDE}
    assert [r.scorecard_id for r in guidance.within] == [top.pk]
    assert [r.scorecard_id for r in guidance.boundary] == [b.pk, c.pk]
    assert guidance.seats_at_boundary == 1


def test_quota_without_a_limit(table, commune_a):
    card(table, commune_a, AT_38)
    guidance = quota_guidance(table)
    assert guidance.limit is None and len(guidance.within) == 1 and not guidance.boundary


def test_guidance_for_unit(table, cluster, province, commune_a, commune_b, commune_c):
    ScoringTable.objects.filter(pk=table.pk).update(quota_percent=D(10))
    best = ward(province, "06200", "Phường Trưng Vương")
    card(table, best, AT_95)
    card(table, commune_a, AT_36)
    card(table, commune_b, AT_38)

    entries = guidance_for_unit(table.campaign, commune_b)

    assert [(e.cluster, e.rank, e.ranked, e.quota_limit, e.quota_status) for e in entries] == [
        (None, 2, 3, 1, OUTSIDE),
        (cluster, 1, 2, 1, WITHIN),
    ]
    assert entries[1].within_quota is True and entries[0].within_quota is False
    assert entries[0].classification_label == "Tốt" and not entries[0].published
    assert guidance_for_unit(table.campaign, commune_b, published_only=True) == []
    assert guidance_for_unit(table.campaign, commune_c) == []


# --- Exports ------------------------------------------------------------------------------------------------


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_cluster_export(table, cluster, commune_a, commune_b, commune_c):
    ScoringTable.objects.filter(pk=table.pk).update(quota_percent=D(50))
    table.refresh_from_db()
    card(table, commune_a, AT_38)
    card(table, commune_b, AT_36)
    rows = sheet_rows(cluster_ranking_xlsx(table, cluster=cluster))
    assert ["Phạm vi", "Cụm thi đua số 1"] in [r[:2] for r in rows]
    assert ["Hạn mức", "Tối đa 1 tập thể được đề nghị (50%)"] in [r[:2] for r in rows]
    header = next(i for i, r in enumerate(rows) if r[0] == "Hạng")
    body = rows[header + 1 :]
    assert [r[:4] for r in body] == [
        [1, None, "05443", "Phường Phan Đình Phùng"],
        [2, None, "05710", "Phường Linh Sơn"],
    ]
    assert [r[4:10] for r in body] == [[90, 0, 0, 90, "Tốt", "trong hạn mức"], [90, 0, 0, 90, "Tốt", "ngoài hạn mức"]]
    assert "hơn ở tiêu chí 1: 38 > 36" in body[0][10]


def test_export_escapes_formulas(table, province):
    card(table, ward(province, "06300", '=HYPERLINK("http://x")'), AT_38)
    rows = sheet_rows(cluster_ranking_xlsx(table))
    assert '\'=HYPERLINK("http://x")' in [r[3] for r in rows if len(r) > 3]


def test_matrix_export(table, cluster, province, commune_a, commune_b):
    outside = ward(province, "06400", "Phường Đồng Quang")
    card(table, outside, AT_95)
    card(table, commune_a, AT_38)
    card(table, commune_b, AT_36, settled={"4": 4})
    rows = sheet_rows(matrix_xlsx(table))
    header = rows[2]
    assert header[:2] == ["Mã đơn vị", "Đơn vị"]
    assert header[2:10] == ["1", "1.1", "1.2", "2", "3", "4", "T1", "P1"]
    assert header[10:] == [
        "Điểm tiêu chí",
        "Điểm thưởng",
        "Điểm trừ",
        "Tổng điểm",
        "Xếp loại",
        "Cụm thi đua",
        "Hạng trong cụm thi đua",
        "Hạng toàn tỉnh",
        "Đồng hạng, chờ Ban quyết định",
    ]
    body = {r[0]: r for r in rows[3:]}
    assert body["06400"][2:10] == [40, 20, 20, 30, 20, 4, 1, 0]
    assert body["06400"][10:] == [94, 1, 0, 95, "Xuất sắc", None, None, 1, None]
    assert body["05443"][2:] == [38, 18, 20, 30, 20, 2, 0, 0, 90, 0, 0, 90, "Tốt", "Cụm thi đua số 1", 1, 2, None]
    assert body["05710"][14:] == ["Tốt", "Cụm thi đua số 1", 2, 3, None]


def test_scorecard_sheet(table, commune_a, board_officer, assessor_2):
    scorecard = card(table, commune_a, AT_38, settled={"4": 4})
    criteria = {c.code: c for c in table.criteria.all()}
    ScoreEntry.objects.create(scorecard=scorecard, criterion=criteria["1.1"], points=D(20))
    ScoreEntry.objects.create(scorecard=scorecard, criterion=criteria["1.2"], points=D(20))
    for assessor, points in ((board_officer, 17), (assessor_2, 19)):
        assessment = Assessment.objects.create(scorecard=scorecard, assessor=assessor)
        AssessmentEntry.objects.create(assessment=assessment, criterion=criteria["1.1"], points=D(points))

    rows = sheet_rows(scorecard_sheet_xlsx(scorecard))

    header = next(r for r in rows if r[0] == "Mã")
    assert header[:5] == ["Mã", "Tiêu chí", "Loại", "Điểm chuẩn", "Tự chấm"]
    assert header[5:] == [str(board_officer), "Phạm Thu Trang", "Ban tổng hợp", "Ban quyết định", "Điểm được tính"]
    lines = {r[0]: r for r in rows if r[0] in criteria}
    assert lines["1.1"][3:] == [20, 20, 17, 19, 18, None, 18]
    assert lines["1"][3:] == [40, 40, 17, 19, None, None, 38]  # a group: the sum of its children
    assert lines["4"][3:] == [10, 0, 0, 0, 2, 4, 4]
    total = next(r for r in rows if r[0] == "Tổng điểm")
    assert total[4:] == [40, 17, 19, None, None, 92]
    assert next(r for r in rows if r[0] == "Tổng điểm đã chốt")[1] == 92
    assert next(r for r in rows if r[0] == "Xếp loại")[1] == "Tốt"


# --- The page: permissions and scoping ----------------------------------------------------------------------


def page_url(table, cluster=None):
    url = reverse("scoring:ranking_table", args=[table.pk])
    return f"{url}?cluster={cluster.pk}" if cluster else url


def test_board_sees_every_scope_and_the_tie_form(client, table, cluster, tied, board_officer):
    client.force_login(board_officer)
    response = client.get(page_url(table))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Toàn tỉnh" in html and "Cụm thi đua số 1" in html
    assert "Đồng hạng chờ Ban quyết định" in html
    assert reverse("scoring:ranking_tie", args=[table.pk]) in html
    assert reverse("scoring:ranking_export_matrix", args=[table.pk]) in html
    assert reverse("scoring:ranking_export_scorecard", args=[tied[0].pk]) in html
    assert "hơn ở tiêu chí 1: 38 &gt; 36" in html
    assert 'name="viewport"' in html and "<script" not in html


def test_quota_line_on_the_page(client, table, tied, board_officer):
    ScoringTable.objects.filter(pk=table.pk).update(quota_percent=D(10))
    client.force_login(board_officer)
    html = client.get(page_url(table)).content.decode()
    assert "Tối đa 1 tập thể được đề nghị (10%)" in html


def test_board_records_a_decision_through_the_page(client, table, cluster, tied, board_officer):
    a, b, _c = tied
    client.force_login(board_officer)
    url = reverse("scoring:ranking_tie", args=[table.pk])
    data = {"cluster": cluster.pk, "scorecard": [a.pk, b.pk], "reason": "Biên bản họp Ban ngày 05/01"}
    response = client.post(url, {**data, f"position-{a.pk}": "1", f"position-{b.pk}": "1"}, follow=True)
    assert "Thứ tự phải là các số từ 1 đến 2" in response.content.decode()
    assert not TieDecision.objects.exists()
    response = client.post(url, {**data, f"position-{a.pk}": "2", f"position-{b.pk}": "1"})
    assert response.status_code == 302 and response["Location"] == page_url(table, cluster)
    decision = TieDecision.objects.get()
    assert (decision.cluster, decision.order) == (cluster, [b.pk, a.pk])
    response = client.post(url, {**data, f"position-{a.pk}": "1", f"position-{b.pk}": "2"}, follow=True)
    assert "Không phải phiếu đồng hạng" in response.content.decode()


def test_auditor_reads_but_does_not_decide(client, table, tied, auditor):
    a, b, _c = tied
    client.force_login(auditor)
    html = client.get(page_url(table)).content.decode()
    assert "Phường Linh Sơn" in html and "Đồng hạng chờ Ban quyết định" not in html
    assert client.get(reverse("scoring:ranking_export_matrix", args=[table.pk])).status_code == 200
    post = {"scorecard": [a.pk, b.pk], f"position-{a.pk}": "1", f"position-{b.pk}": "2", "reason": "x"}
    assert client.post(reverse("scoring:ranking_tie", args=[table.pk]), post).status_code == 403
    assert not TieDecision.objects.exists()


def test_unit_sees_its_cluster_once_published(client, table, cluster, tied, clerk_a):
    client.force_login(clerk_a)
    html = client.get(page_url(table)).content.decode()
    assert "chưa được công bố" in html and "Xã Tân Cương" not in html
    Scorecard.objects.filter(table=table).update(state=ScorecardState.PUBLISHED)
    response = client.get(page_url(table))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xã Tân Cương" in html and "Cụm thi đua số 1" in html
    assert '<option value=""' not in html  # no province-wide option for a unit
    assert "Đồng hạng chờ Ban quyết định" not in html
    assert reverse("scoring:ranking_export_matrix", args=[table.pk]) not in html
    for name in ("ranking_export_matrix", "ranking_export_cluster"):
        assert client.get(reverse(f"scoring:{name}", args=[table.pk])).status_code == 403
    assert client.get(reverse("scoring:ranking_export_scorecard", args=[tied[0].pk])).status_code == 403


def test_unit_cannot_read_another_cluster(client, table, cluster, tied, province, clerk_a):
    other = Cluster.objects.create(code="C2", name="Cụm thi đua số 2")
    other.units.add(ward(province, "06500", "Phường Thịnh Đán"))
    Scorecard.objects.filter(table=table).update(state=ScorecardState.PUBLISHED)
    client.force_login(clerk_a)
    assert client.get(page_url(table, other)).status_code == 403
    assert client.get(page_url(table, cluster)).status_code == 200


def test_unit_outside_the_campaign_gets_404(client, table, province):
    stranger = ward(province, "06600", "Phường Phú Xá")
    clerk = UserFactory(role=Role.UNIT_CLERK, unit=stranger)
    client.force_login(clerk)
    assert client.get(page_url(table)).status_code == 404


def test_unit_without_a_cluster(client, table, tied, province, running_campaign):
    alone = ward(province, "06700", "Phường Tân Lập")
    Enrolment.objects.create(campaign=running_campaign, unit=alone)
    client.force_login(UserFactory(role=Role.UNIT_HEAD, unit=alone))
    assert "chưa thuộc cụm, khối thi đua nào" in client.get(page_url(table)).content.decode()


def test_council_member_is_refused(client, table, tied, province):
    client.force_login(UserFactory(role=Role.COUNCIL_MEMBER, unit=province))
    assert client.get(page_url(table)).status_code == 403


def test_anonymous_is_sent_to_login(client, table):
    response = client.get(page_url(table))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_personal_data_only_for_campaign_wide_roles(client, people_table, commune_a, board_officer, auditor):
    for name, female in (("Trần Thị Một", True), ("Lê Văn Ba", False)):
        card(people_table, commune_a, {"1": 8}, person_name=name, person_is_female=female)
    client.force_login(board_officer)
    assert "là cá nhân nữ" in client.get(page_url(people_table)).content.decode()
    client.force_login(auditor)
    html = client.get(page_url(people_table)).content.decode()
    assert "là cá nhân nữ" not in html and "được ưu tiên ở bước 1" in html


def test_exports_download(client, table, cluster, tied, board_officer):
    client.force_login(board_officer)
    for name, query in (("ranking_export_cluster", f"?cluster={cluster.pk}"), ("ranking_export_matrix", "")):
        response = client.get(reverse(f"scoring:{name}", args=[table.pk]) + query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
    response = client.get(reverse("scoring:ranking_export_scorecard", args=[tied[0].pk]))
    assert response.status_code == 200 and sheet_rows(response.content)[0][0] == "PHIẾU ĐIỂM"


def test_campaign_ranking_index(client, table, board_officer):
    client.force_login(board_officer)
    html = client.get(reverse("scoring:ranking_campaign", args=[table.campaign.pk])).content.decode()
    assert page_url(table) in html


# --- Query counts -------------------------------------------------------------------------------------------


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_scorecards(table, cluster, province, board_officer, client):
    TieBreakStep.objects.create(table=table, order=3, kind=TieBreak.NON_LEADER)
    units = [ward(province, f"07{i:03d}", f"Phường Số {i}") for i in range(12)]
    cluster.units.add(*units)
    for unit in units[:3]:
        card(table, unit, AT_38)
    client.force_login(board_officer)
    small = [
        _queries(lambda: rank(table)),
        _queries(lambda: rank(table, cluster=cluster)),
        _queries(lambda: quota_guidance(table)),
        _queries(lambda: matrix_xlsx(table)),
        _queries(lambda: cluster_ranking_xlsx(table, cluster=cluster)),
        _queries(lambda: guidance_for_unit(table.campaign, units[0])),
        _queries(lambda: client.get(page_url(table))),
    ]
    for i, unit in enumerate(units[3:]):
        card(table, unit, AT_36 if i % 2 else AT_38, women_percent=D(i * 10))
    large = [
        _queries(lambda: rank(table)),
        _queries(lambda: rank(table, cluster=cluster)),
        _queries(lambda: quota_guidance(table)),
        _queries(lambda: matrix_xlsx(table)),
        _queries(lambda: cluster_ranking_xlsx(table, cluster=cluster)),
        _queries(lambda: guidance_for_unit(table.campaign, units[0])),
        _queries(lambda: client.get(page_url(table))),
    ]
    assert small == large
    assert small[0] == 6


def test_criterion_kinds_in_the_breakdown(table, commune_a):
    """Bonus capped at the table's cap, penalty subtracted."""
    ScoringTable.objects.filter(pk=table.pk).update(bonus_cap=D(2))
    table.refresh_from_db()
    Criterion.objects.create(table=table, code="T2", name="Thưởng khác", base_points=D(3), kind=CriterionKind.BONUS)
    card(table, commune_a, {**AT_38, "T1": 2, "T2": 1, "P1": D("1.5")})
    (row,) = rank(table)
    assert (row.normal, row.bonus, row.penalty, row.total) == (D(90), D(2), D("1.5"), D("90.5"))
    assert row.breakdown_text == "90,5 điểm = 90 điểm tiêu chí + 2 điểm thưởng − 1,5 điểm trừ"


def test_breakdowns_are_read_once_for_a_page_or_once_for_all(table, province, django_assert_num_queries):
    for i in range(6):
        card(table, ward(province, f"09{i:03d}", f"Phường Số {i}"), AT_38 if i % 2 else AT_36)
    rows = rank(table)
    with django_assert_num_queries(1):
        preload_breakdowns(rows[:2])
        assert [r.normal for r in rows[:2]] == [D(90), D(90)]
    with django_assert_num_queries(1):
        assert all(r.consistent for r in rows)
    with django_assert_num_queries(0):
        assert {r.item.by_code["1"] for r in rows} == {D(36), D(38)}
