"""Scorecards (issue 5, items 2, 3 and 5): self-scoring with evidence, automatic criteria from indicator data,
assessors and conflicts of interest, aggregation (mean, median, consensus) and settlement, the severity report,
finalisation, publication and reopening — through the service functions the web pages call."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, ProgressReport, ReportingPeriod
from scoring.enums import Aggregation, AssessmentState, ScorecardState, Subject
from scoring.models import Criterion, CriterionResult, ScoreEntry, ScoringTable
from scoring.services import scorecards as sc
from workflows.exceptions import ConflictError, TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent, Notification

from ..factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# --- helpers (also used by test_scorecard_views.py) -----------------------------------------------------------


def crit(table, code) -> Criterion:
    return Criterion.objects.get(table=table, code=code)


def pdf(name="minh-chung.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def period(campaign, label, start, end) -> ReportingPeriod:
    return ReportingPeriod.objects.create(campaign=campaign, label=label, start=start, end=end, due=end)


def report(unit, in_period, indicator, numerator, denominator) -> ProgressReport:
    found, _created = ProgressReport.objects.update_or_create(
        period=in_period,
        unit=unit,
        indicator=indicator,
        defaults={"numerator": numerator, "denominator": denominator, "reported_at": timezone.now()},
    )
    return found


def self_rows(table, **values):
    """Rows for save_self_scores: code=value, with a note as evidence for every criterion."""
    return [
        {"criterion": crit(table, code.replace("_", ".")).pk, "value": v, "note": "Văn bản số 12/KH"}
        for code, v in values.items()
    ]


def full_self(table, **overrides):
    values = {"1_1": "18", "1_2": "1", "4": "3", "T1": "1", "P1": "0"}
    values.update(overrides)
    return self_rows(table, **values)


def submitted_card(table, unit, clerk, **overrides):
    card = sc.start_scorecard(table, unit=unit, actor=clerk)
    sc.save_self_scores(card, full_self(table, **overrides), actor=clerk)
    return sc.submit_scorecard(card, actor=clerk)


def assess(card, assessor, *, submit=True, **values):
    assessment = card.assessments.get(assessor=assessor)
    table = card.table
    rows = [{"criterion": crit(table, code.replace("_", ".")).pk, "value": v} for code, v in values.items()]
    sc.save_assessment(assessment, rows, actor=assessor)
    if submit:
        sc.submit_assessment(assessment, actor=assessor)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def assessor_3(board_unit):
    return UserFactory(role=Role.BOARD_HEAD, unit=board_unit, full_name="Lê Văn Ba")


@pytest.fixture
def q1(running_campaign):
    return period(running_campaign, "Quý I/2026", date(2026, 1, 1), date(2026, 3, 31))


# --- Starting ------------------------------------------------------------------------------------------------------


def test_clerk_starts_own_unit_scorecard_board_any_other_unit_refused(
    table, commune_a, commune_b, clerk_a, board_officer
):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    assert card.state == ScorecardState.DRAFT
    assert AuditEvent.objects.filter(action="scoring.scorecard.create", object_id=str(card.pk)).exists()
    with pytest.raises(TransitionForbidden):
        sc.start_scorecard(table, unit=commune_b, actor=clerk_a)
    assert sc.start_scorecard(table, unit=commune_b, actor=board_officer).unit == commune_b
    with pytest.raises(TransitionRefused, match="đã có phiếu chấm"):
        sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="không chấm cá nhân"):
        sc.start_scorecard(table, unit=commune_a, actor=clerk_a, person={"name": "Nguyễn Thị Hoa"})


def test_start_refused_for_unit_not_enrolled_or_campaign_not_running(table, province, running_campaign, board_officer):
    outsider = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
    with pytest.raises(TransitionRefused, match="không tham gia"):
        sc.start_scorecard(table, unit=outsider, actor=board_officer)
    Campaign.objects.filter(pk=running_campaign.pk).update(state=CampaignState.CLOSED)
    table.refresh_from_db()
    with pytest.raises(TransitionRefused, match="không chấm điểm"):
        sc.start_scorecard(table, unit=outsider, actor=board_officer)


# --- Self-scoring ---------------------------------------------------------------------------------------------------


def test_missing_required_evidence_scores_zero_for_that_criterion(table, commune_a, clerk_a):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    c11 = crit(table, "1.1")
    sheet = sc.save_self_scores(card, [{"criterion": c11.pk, "value": "18"}], actor=clerk_a)
    row = sheet.row(c11.pk)
    assert row.value == Decimal("18") and row.points == 0 and row.missing_evidence
    assert ScoreEntry.objects.get(scorecard=card, criterion=c11).points == 0

    sheet = sc.save_self_scores(card, [{"criterion": c11.pk, "evidence": pdf()}], actor=clerk_a)
    assert sheet.row(c11.pk).points == Decimal("18")  # the value kept, the evidence now there
    entry = ScoreEntry.objects.get(scorecard=card, criterion=c11)
    assert entry.evidence_name == "minh-chung.pdf" and len(entry.evidence_sha256) == 64
    event = AuditEvent.objects.filter(action="scoring.scorecard.self_scores").last()
    assert event.payload["changes"]["1.1"]["sha256"] == entry.evidence_sha256

    sheet = sc.save_self_scores(card, [{"criterion": c11.pk, "remove_evidence": True}], actor=clerk_a)
    assert sheet.row(c11.pk).points == 0
    sheet = sc.save_self_scores(
        card, [{"criterion": c11.pk, "note": "https://vb.thainguyen.gov.vn/12"}], actor=clerk_a
    )
    assert sheet.row(c11.pk).points == Decimal("18")
    card.refresh_from_db()
    assert card.self_total == sheet.totals.total


def test_self_scores_all_or_nothing_with_messages_naming_criteria(table, commune_a, clerk_a):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    rows = [
        {"criterion": crit(table, "1.1").pk, "value": "25", "note": "x"},  # above 20
        {"criterion": crit(table, "1.2").pk, "value": "có lẽ"},
        {"criterion": crit(table, "4").pk, "value": "2,5"},  # items are whole
        {"criterion": crit(table, "2").pk, "value": "30"},  # automatic
        {"criterion": crit(table, "T1").pk, "value": "2", "evidence": pdf("anh.pdf", PNG)},
        {"criterion": crit(table, "P1").pk, "value": "1"},  # fine on its own
    ]
    with pytest.raises(sc.ScoringRefused) as caught:
        sc.save_self_scores(card, rows, actor=clerk_a)
    errors = caught.value.errors
    assert set(errors) == {"1.1", "1.2", "4", "2", "T1"}
    assert "vượt mức tối đa 20" in errors["1.1"][0]
    assert "tự động" in errors["2"][0]
    assert "PNG" in errors["T1"][0] and "anh.pdf" in errors["T1"][0]
    assert not ScoreEntry.objects.filter(scorecard=card).exists()


def test_evidence_checked_by_content_and_size(table, commune_a, clerk_a, settings):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    c11 = crit(table, "1.1")
    with pytest.raises(sc.ScoringRefused, match="không phải PDF"):
        sc.save_self_scores(
            card, [{"criterion": c11.pk, "evidence": pdf("ke-hoach.pdf", b"plain text")}], actor=clerk_a
        )
    image = SimpleUploadedFile("anh-chup.png", PNG, content_type="image/png")
    sheet = sc.save_self_scores(card, [{"criterion": c11.pk, "value": "20", "evidence": image}], actor=clerk_a)
    assert sheet.row(c11.pk).points == 20
    settings.THIDUA_MAX_UPLOAD_BYTES = 10
    with pytest.raises(sc.ScoringRefused, match="quá lớn"):
        sc.save_self_scores(card, [{"criterion": c11.pk, "evidence": pdf()}], actor=clerk_a)


def test_clerk_of_another_unit_and_board_cannot_self_score(table, commune_a, clerk_a, clerk_b, board_officer):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    for actor in (clerk_b, board_officer):
        with pytest.raises(TransitionForbidden):
            sc.save_self_scores(card, full_self(table), actor=actor)
        with pytest.raises(TransitionForbidden):
            sc.submit_scorecard(card, actor=actor)
    assert not ScoreEntry.objects.filter(scorecard=card).exists()


def test_submit_needs_every_entered_criterion_and_locks_the_table(table, commune_a, clerk_a):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    sc.save_self_scores(card, self_rows(table, **{"1_1": "18"}), actor=clerk_a)
    with pytest.raises(TransitionRefused, match="1.2, 4"):
        sc.submit_scorecard(card, actor=clerk_a)
    sc.save_self_scores(card, full_self(table), actor=clerk_a)
    sc.submit_scorecard(card, actor=clerk_a)
    assert card.state == ScorecardState.SUBMITTED
    table.refresh_from_db()
    assert table.locked_at is not None
    with pytest.raises(TransitionRefused, match="chỉ tự chấm được khi đơn vị đang chấm"):
        sc.save_self_scores(card, full_self(table), actor=clerk_a)


# --- Automatic criteria -----------------------------------------------------------------------------------------


def test_automatic_criteria_follow_progress_until_finalized_then_frozen(
    table, trained_ind, q1, commune_a, clerk_a, board_officer, assessor_2
):
    c2, c3 = crit(table, "2"), crit(table, "3")
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    sheet = sc.sheet(card)
    assert sheet.row(c2.pk).points == 0 and sheet.row(c2.pk).source is None  # no data yet

    report(commune_a, q1, trained_ind, 45, 50)  # 90% of a 100% target
    sheet = sc.sheet(card)
    assert sheet.row(c2.pk).points == Decimal("27.00")  # 0.9 × 30
    assert sheet.row(c3.pk).points == Decimal("14")  # step 80%
    assert sheet.row(c2.pk).source.period_label == "Quý I/2026"

    sc.save_self_scores(card, full_self(table), actor=clerk_a)
    sc.submit_scorecard(card, actor=clerk_a)
    report(commune_a, q1, trained_ind, 50, 50)  # changes before finalisation count
    assert sc.sheet(card).row(c2.pk).points == Decimal("30.00")

    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    for assessor in (board_officer, assessor_2):
        assess(card, assessor, **{"1_1": "18", "1_2": "1", "4": "3", "T1": "1", "P1": "0"})
    sc.finalize(card, actor=board_officer)
    assert card.state == ScorecardState.FINALIZED
    event = AuditEvent.objects.get(action="scoring.scorecard.finalize", object_id=str(card.pk))
    assert event.payload["automatic"]["2"] == {
        "points": "30",
        "period": "Quý I/2026",
        "numerator": 50,
        "denominator": 50,
        "achieved_percent": "100",
    }

    report(commune_a, q1, trained_ind, 10, 50)  # after finalisation: frozen
    sheet = sc.sheet(card)
    assert sheet.row(c2.pk).points == Decimal("30") and sheet.row(c3.pk).points == Decimal("20")
    assert sheet.row(c2.pk).frozen_percent == Decimal("100")
    assert CriterionResult.objects.get(scorecard=card, criterion=c2).points == Decimal("30")

    sc.reopen(card, "Đơn vị báo cáo lại số liệu", actor=board_officer)
    assert sc.sheet(card).row(c2.pk).points == Decimal("6.00")  # live again: 20% × 30


def test_automatic_data_from_table_period_else_latest_period(
    table, trained_ind, q1, running_campaign, commune_a, clerk_a
):
    q2 = period(running_campaign, "Quý II/2026", date(2026, 4, 1), date(2026, 6, 30))
    report(commune_a, q1, trained_ind, 20, 50)  # 40%
    report(commune_a, q2, trained_ind, 30, 50)  # 60%
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    c2 = crit(table, "2")
    row = sc.sheet(card).row(c2.pk)
    assert row.source.period_label == "Quý II/2026" and row.points == Decimal("18.00")
    ScoringTable.objects.filter(pk=table.pk).update(indicator_period=q1)
    card.table.refresh_from_db()
    row = sc.sheet(card).row(c2.pk)
    assert row.source.period_label == "Quý I/2026" and row.points == Decimal("12.00")


# --- Assessors and conflicts of interest -----------------------------------------------------------------------


def test_conflict_of_interest_own_parent_and_child_unit_refused_unrelated_accepted(
    table, province, commune_a, clerk_a, board_officer, assessor_2
):
    card = submitted_card(table, commune_a, clerk_a)
    own = UserFactory(role=Role.BOARD_OFFICER, unit=commune_a, full_name="Cán bộ cùng đơn vị")
    above = UserFactory(role=Role.BOARD_HEAD, unit=province, full_name="Lãnh đạo cấp trên")
    body = UnitFactory(code="05443-VP", name="Văn phòng HĐND-UBND phường", kind=UnitKind.BODY, parent=commune_a)
    below = UserFactory(role=Role.COORDINATOR, unit=body, full_name="Cán bộ cấp dưới")
    for user, words in ((own, "là đơn vị của người chấm"), (above, "cấp dưới"), (below, "cấp trên")):
        with pytest.raises(TransitionRefused) as caught:
            sc.assign_assessors(card, [board_officer, user], actor=board_officer)
        assert "xung đột lợi ích" in str(caught.value) and words in str(caught.value)
        assert user.get_full_name() in str(caught.value)
    assert not card.assessments.exists()  # all or nothing

    created = sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assert {a.assessor for a in created} == {board_officer, assessor_2}
    event = AuditEvent.objects.get(action="scoring.scorecard.assign")
    assert event.payload["assessors"] == [board_officer.username, assessor_2.username]
    assert Notification.objects.filter(recipient=assessor_2, key__startswith="assessment-assigned:").exists()
    by_name = {c.user.pk: c for c in sc.candidates(card)}
    assert by_name[own.pk].conflict and by_name[above.pk].conflict and by_name[below.pk].conflict
    assert by_name[assessor_2.pk].assigned and by_name[assessor_2.pk].conflict is None


def test_assignment_needs_minimum_eligible_assessors_and_the_board(table, commune_a, clerk_a, clerk_b, board_officer):
    card = submitted_card(table, commune_a, clerk_a)
    with pytest.raises(TransitionRefused, match="ít nhất 2"):
        sc.assign_assessors(card, [board_officer], actor=board_officer)
    with pytest.raises(TransitionRefused, match="không thuộc Ban"):
        sc.assign_assessors(card, [board_officer, clerk_b], actor=board_officer)
    with pytest.raises(TransitionForbidden):
        sc.assign_assessors(card, [board_officer], actor=clerk_a)


def test_only_the_assessor_scores_their_assessment(table, commune_a, clerk_a, board_officer, assessor_2):
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    mine = card.assessments.get(assessor=board_officer)
    with pytest.raises(TransitionForbidden):
        sc.save_assessment(mine, [{"criterion": crit(table, "1.1").pk, "value": "10"}], actor=assessor_2)
    with pytest.raises(TransitionForbidden):
        sc.submit_assessment(mine, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="chưa cho điểm: 1.1, 1.2, 4"):
        sc.submit_assessment(mine, actor=board_officer)
    assess(card, board_officer, **{"1_1": "10", "1_2": "0", "4": "1"})
    with pytest.raises(TransitionRefused, match="đã chấm xong"):
        sc.save_assessment(mine, [{"criterion": crit(table, "1.1").pk, "value": "12"}], actor=board_officer)


def test_assessor_points_are_zero_where_the_unit_gave_no_required_evidence(
    table, commune_a, clerk_a, board_officer, assessor_2
):
    card = sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    rows = full_self(table)
    rows[0].pop("note")  # 1.1 without evidence
    sc.save_self_scores(card, rows, actor=clerk_a)
    sc.submit_scorecard(card, actor=clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assessment = assess(card, board_officer, submit=False, **{"1_1": "15"})
    assert assessment.entries.get(criterion__code="1.1").points == 0


# --- Aggregation and settlement --------------------------------------------------------------------------------


def _three_assessments(table, commune_a, clerk_a, officers, aggregation):
    ScoringTable.objects.filter(pk=table.pk).update(aggregation=aggregation, tolerance=Decimal("2"))
    table.refresh_from_db()
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, officers, actor=officers[0])
    for assessor, v11, items, bonus in zip(
        officers, ("20", "14", "11"), ("3", "3", "4"), ("1", "2", "3"), strict=True
    ):
        assess(card, assessor, **{"1_1": v11, "1_2": "1", "4": items, "T1": bonus, "P1": "0"})
    return card, {
        r.criterion.code: r for r in CriterionResult.objects.filter(scorecard=card).select_related("criterion")
    }


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.MEAN, {"1.1": "15.00", "1.2": "20.00", "4": "6.67", "T1": "2.00"}),
        (Aggregation.MEDIAN, {"1.1": "14.00", "1.2": "20.00", "4": "6.00", "T1": "2.00"}),
        (Aggregation.CONSENSUS, {"1.1": None, "1.2": "20.00", "4": "6.67", "T1": "2.00"}),
    ],
)
def test_aggregation(table, commune_a, clerk_a, board_officer, assessor_2, assessor_3, aggregation, expected):
    card, results = _three_assessments(table, commune_a, clerk_a, [board_officer, assessor_2, assessor_3], aggregation)
    for code, value in expected.items():
        assert results[code].board_points == (Decimal(value) if value else None), code
    assert results["1.1"].spread == Decimal("9") and results["4"].spread == Decimal("2")
    assert results["1.1"].flagged is (aggregation == Aggregation.CONSENSUS)
    assert results["4"].flagged is False  # a spread equal to the tolerance is agreement
    assert results["1.1"].self_points == Decimal("18")


def test_flagged_criterion_blocks_finalisation_until_the_board_settles_it(
    table, trained_ind, q1, commune_a, clerk_a, board_officer, assessor_2, assessor_3
):
    report(commune_a, q1, trained_ind, 45, 50)  # criterion 2: 27, criterion 3: 14
    officers = [board_officer, assessor_2, assessor_3]
    card, results = _three_assessments(table, commune_a, clerk_a, officers, Aggregation.CONSENSUS)
    with pytest.raises(TransitionRefused, match="cần Ban quyết định điểm: 1.1"):
        sc.finalize(card, actor=board_officer)
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED

    flagged = results["1.1"]
    with pytest.raises(TransitionRefused, match="lý do"):
        sc.settle(flagged, "15", "", actor=board_officer)
    with pytest.raises(TransitionRefused, match="vượt mức tối đa"):
        sc.settle(flagged, "21", "Họp Ban ngày 20/12", actor=board_officer)
    with pytest.raises(TransitionForbidden):
        sc.settle(flagged, "15", "Họp Ban ngày 20/12", actor=clerk_a)
    with pytest.raises(TransitionRefused, match="không cần Ban quyết định"):
        sc.settle(results["4"], "6", "Họp Ban", actor=board_officer)
    sc.settle(flagged, "15", "Họp Ban ngày 20/12", actor=board_officer)
    flagged.refresh_from_db()
    assert flagged.points == Decimal("15") and flagged.settled_by == board_officer
    event = AuditEvent.objects.get(action="scoring.scorecard.settle")
    assert event.payload == {
        "criterion": "1.1",
        "points": "15",
        "previous": None,
        "spread": "9",
        "reason": "Họp Ban ngày 20/12",
    }

    sc.finalize(card, actor=board_officer)
    card.refresh_from_db()
    # group 1: 15 + 20 = 35; criterion 2: 27; 3: 14; 4: 6.67 → 82.67; bonus 2; penalty 0
    assert card.final_total == Decimal("84.67")
    assert card.classification == "hoan_thanh"
    assert card.self_total == Decimal("18") + 20 + 27 + 14 + 6 + 1
    event = AuditEvent.objects.get(action="scoring.scorecard.finalize")
    assert event.payload["total"] == "84.67" and event.payload["classification"] == "hoan_thanh"
    assert event.payload["bonus"] == "2" and event.payload["assessments"] == 3


def test_finalize_refused_with_too_few_submitted_assessments(table, commune_a, clerk_a, board_officer, assessor_2):
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assess(card, board_officer, **{"1_1": "18", "1_2": "1", "4": "3"})
    assess(card, assessor_2, submit=False, **{"1_1": "18"})
    with pytest.raises(TransitionRefused, match="1/2 thành viên chấm xong"):
        sc.finalize(card, actor=board_officer)
    with pytest.raises(TransitionForbidden):
        sc.finalize(card, actor=clerk_a)
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED and card.final_total is None


# --- Severity ------------------------------------------------------------------------------------------------


def test_severity_report_on_a_hand_computed_example(
    table, commune_a, commune_b, clerk_a, clerk_b, board_officer, assessor_2
):
    """Two scorecards, two assessors (X = board_officer, Y = assessor_2), mean aggregation:

    A: 1.1 X 18, Y 14 → 16 (X +2, Y −2) · 1.2 both met → 20 (0, 0) · 4: X 3 items = 6, Y 4 = 8 → 7 (X −1, Y +1)
    B: 1.1 X 10, Y 12 → 11 (X −1, Y +1) · 1.2 X met 20, Y not 0 → 10 (X +10, Y −10) · 4: both 5 = 10 (0, 0)
    T1 and P1: 0 everywhere. Ten deviations each: X signed (2−1+10−1)/10 = 1.00, absolute 14/10 = 1.40;
    Y signed −1.00, absolute 1.40. Per criterion for X: 1.1 (2−1)/2 = 0.50 | 1.50; 1.2 5.00 | 5.00; 4 −0.50 | 0.50.
    """
    card_a = submitted_card(table, commune_a, clerk_a)
    card_b = submitted_card(table, commune_b, clerk_b)
    for card in (card_a, card_b):
        sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    zero = {"T1": "0", "P1": "0"}
    assess(card_a, board_officer, **{"1_1": "18", "1_2": "1", "4": "3"}, **zero)
    assess(card_a, assessor_2, **{"1_1": "14", "1_2": "1", "4": "4"}, **zero)
    assess(card_b, board_officer, **{"1_1": "10", "1_2": "1", "4": "5"}, **zero)
    assess(card_b, assessor_2, **{"1_1": "12", "1_2": "0", "4": "5"}, **zero)

    report_rows = {row.assessor: row for row in sc.severity_report(table)}
    x, y = report_rows[board_officer], report_rows[assessor_2]
    assert (x.scorecards, x.overall.count) == (2, 10)
    assert (x.overall.signed, x.overall.absolute) == (Decimal("1.00"), Decimal("1.40"))
    assert (y.overall.signed, y.overall.absolute) == (Decimal("-1.00"), Decimal("1.40"))
    assert (x.by_criterion["1.1"].signed, x.by_criterion["1.1"].absolute) == (Decimal("0.50"), Decimal("1.50"))
    assert (x.by_criterion["1.2"].signed, x.by_criterion["1.2"].absolute) == (Decimal("5.00"), Decimal("5.00"))
    assert (x.by_criterion["4"].signed, x.by_criterion["4"].absolute) == (Decimal("-0.50"), Decimal("0.50"))
    assert (y.by_criterion["1.2"].signed, y.by_criterion["4"].signed) == (Decimal("-5.00"), Decimal("0.50"))
    assert list(x.by_criterion) == ["1.1", "1.2", "4", "T1", "P1"]  # automatic criteria have no assessor


# --- Publication, reopening, sending back ------------------------------------------------------------------------


def _finalized(table, commune_a, clerk_a, board_officer, assessor_2):
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    for assessor in (board_officer, assessor_2):
        assess(card, assessor, **{"1_1": "18", "1_2": "1", "4": "3", "T1": "1", "P1": "0"})
    return sc.finalize(card, actor=board_officer)


def test_publish_notifies_the_unit(table, commune_a, clerk_a, board_officer, assessor_2):
    card = _finalized(table, commune_a, clerk_a, board_officer, assessor_2)
    with pytest.raises(TransitionForbidden):
        sc.publish(card, actor=clerk_a)
    sc.publish(card, actor=board_officer)
    assert card.state == ScorecardState.PUBLISHED and card.published_at is not None
    note = Notification.objects.get(recipient=clerk_a, key__startswith="scorecard-published:")
    assert "Tổng điểm" in note.body


def test_reopen_requires_a_reason_and_is_audited(table, commune_a, clerk_a, board_officer, assessor_2):
    card = _finalized(table, commune_a, clerk_a, board_officer, assessor_2)
    with pytest.raises(TransitionRefused, match="lý do"):
        sc.reopen(card, "   ", actor=board_officer)
    with pytest.raises(TransitionForbidden):
        sc.reopen(card, "Sai số liệu", actor=clerk_a)
    card.refresh_from_db()
    assert card.state == ScorecardState.FINALIZED
    sc.reopen(card, "Đơn vị khiếu nại tiêu chí 1.1", actor=board_officer)
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED
    assert card.final_total is None and card.classification == "" and card.reopen_reason
    event = AuditEvent.objects.get(action="scoring.scorecard.reopen")
    assert event.payload["reason"] == "Đơn vị khiếu nại tiêu chí 1.1"
    assert (event.from_state, event.to_state, event.actor) == ("finalized", "submitted", board_officer)


def test_stale_copy_cannot_finalize_twice(table, commune_a, clerk_a, board_officer, assessor_2):
    card = _finalized(table, commune_a, clerk_a, board_officer, assessor_2)
    stale = type(card).objects.get(pk=card.pk)
    stale.__dict__["state"] = ScorecardState.SUBMITTED
    with pytest.raises((ConflictError, TransitionRefused)):
        sc.finalize(stale, actor=board_officer)


def test_send_back_returns_assessments_to_scoring(table, commune_a, clerk_a, board_officer, assessor_2):
    card = submitted_card(table, commune_a, clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assess(card, board_officer, **{"1_1": "18", "1_2": "1", "4": "3"})
    with pytest.raises(TransitionRefused, match="lý do"):
        sc.send_back(card, "", actor=board_officer)
    sc.send_back(card, "Bổ sung minh chứng tiêu chí 1.1", actor=board_officer)
    assert card.state == ScorecardState.DRAFT
    assert set(card.assessments.values_list("state", flat=True)) == {AssessmentState.DRAFT}
    assert not CriterionResult.objects.filter(scorecard=card).exists()
    assert Notification.objects.filter(recipient=clerk_a, key__startswith="scorecard-sent-back:").exists()
    sc.save_self_scores(card, full_self(table, **{"1_1": "16"}), actor=clerk_a)  # the unit scores again


# --- Individuals and the inbox ------------------------------------------------------------------------------------


def test_individuals_are_scored_the_same_way(running_campaign, commune_a, clerk_a, board_officer, assessor_2):
    table = ScoringTable.objects.create(
        campaign=running_campaign, subject=Subject.INDIVIDUAL, name="Bảng điểm cá nhân"
    )
    Criterion.objects.create(table=table, code="1", name="Sáng kiến", base_points=Decimal(60), order=1)
    Criterion.objects.create(table=table, code="2", name="Tham gia tập huấn", base_points=Decimal(40), order=2)
    with pytest.raises(TransitionRefused, match="họ và tên"):
        sc.start_scorecard(table, unit=commune_a, actor=clerk_a)
    card = sc.start_scorecard(
        table,
        unit=commune_a,
        actor=clerk_a,
        person={"name": " Nguyễn  Thị Hoa ", "position": "Công chức", "is_female": True},
    )
    assert (card.person_name, card.person_is_female, str(card)) == (
        "Nguyễn Thị Hoa",
        True,
        "Nguyễn Thị Hoa (Phường Phan Đình Phùng)",
    )
    sc.save_self_scores(card, [{"code": "1", "value": "50"}, {"code": "2", "value": "40"}], actor=clerk_a)
    sc.submit_scorecard(card, actor=clerk_a)
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assess(card, board_officer, **{"1": "40", "2": "40"})
    assess(card, assessor_2, **{"1": "50", "2": "30"})
    sc.finalize(card, actor=board_officer)
    card.refresh_from_db()
    assert (card.self_total, card.final_total) == (Decimal("90"), Decimal("80"))


def test_inbox_items_for_unit_assessor_and_board(
    table, commune_a, commune_b, clerk_a, clerk_b, board_officer, assessor_2
):
    assert [i.step for i in sc.inbox_items(clerk_a)] == ["Bắt đầu tự chấm điểm"]
    card = submitted_card(table, commune_a, clerk_a)
    sc.start_scorecard(table, unit=commune_b, actor=clerk_b)
    assert sc.inbox_items(clerk_a) == []
    assert [i.step for i in sc.inbox_items(clerk_b)] == ["Tự chấm điểm và nộp phiếu"]
    assert [i.step for i in sc.inbox_items(board_officer)] == ["Phân công thành viên chấm"]
    sc.assign_assessors(card, [board_officer, assessor_2], actor=board_officer)
    assert [i.step for i in sc.inbox_items(assessor_2)] == ["Chấm điểm phiếu được phân công"]
    for assessor in (board_officer, assessor_2):
        assess(card, assessor, **{"1_1": "18", "1_2": "1", "4": "3"})
    assert [i.step for i in sc.inbox_items(board_officer)] == ["Chốt điểm"]
    assert [i.step for i in sc.inbox_items(assessor_2)] == ["Chốt điểm"]  # done assessing; a board officer too
