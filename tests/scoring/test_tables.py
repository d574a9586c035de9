"""Scoring tables (issue 5, item 1): the editing services and their Vietnamese messages, the lock, the audit
events, the XLSX round trip and import, the QĐ 987 demo tables, and the pages."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from competition.data.demo import INDICATORS
from scoring.enums import CriterionKind, Formula, ScorecardState, Subject, TieBreak
from scoring.models import ClassThreshold, Criterion, Scorecard, ScoreEntry, ScoringTable, TieBreakStep
from scoring.services import table_io
from scoring.services import tables as services
from scoring.services.formulas import load_table
from workflows import SYSTEM
from workflows.audit import action_label
from workflows.models import AuditEvent

from ..factories import CampaignFactory, IndicatorFactory

pytestmark = pytest.mark.django_db
D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def snapshot(table):
    """Every stored value of the table's configuration (pks included): equal means nothing was written."""
    return (
        list(
            table.criteria.order_by("pk").values_list(
                "pk",
                "code",
                "name",
                "kind",
                "base_points",
                "formula",
                "indicator_id",
                "steps",
                "points_per_item",
                "cap",
                "evidence_required",
                "guidance",
                "parent_id",
                "order",
            )
        ),
        list(table.classes.order_by("pk").values_list("pk", "code", "label", "min_total", "no_zero", "max_penalty")),
        list(table.tie_breaks.order_by("pk").values_list("pk", "order", "kind", "criterion_id", "threshold")),
    )


def events(action=None):
    queryset = AuditEvent.objects.all()
    return queryset.filter(action=action) if action else queryset


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def demo_indicators(running_campaign, trained_ind):
    """The demo campaign's indicators (QĐ 987) beside the fixture's "3"."""
    for row in INDICATORS:
        if row["code"] != "3":
            IndicatorFactory(campaign=running_campaign, code=row["code"], target_percent=D(row["target_percent"]))
    return {i.code: i for i in running_campaign.indicators.all()}


def submit_a_scorecard(table, unit):
    scorecard = Scorecard.objects.create(table=table, unit=unit)
    Scorecard.objects.filter(pk=scorecard.pk).update(state=ScorecardState.SUBMITTED)
    return scorecard


# --- Validation ------------------------------------------------------------------------------------------------


def test_add_criterion_writes_it_with_one_audit_event(table, board_officer):
    before = events().count()
    criterion = services.add_criterion(
        table,
        actor=board_officer,
        code="5",
        name="Tuyên truyền",
        base_points=D("2.5"),
        formula=Formula.CAPPED,
        points_per_item=D("0.5"),
        evidence_required=True,
        guidance="  0,5 điểm mỗi tin bài  ",
    )
    criterion.refresh_from_db()
    assert (criterion.base_points, criterion.points_per_item, criterion.guidance) == (
        D("2.5"),
        D("0.5"),
        "0,5 điểm mỗi tin bài",
    )
    assert criterion.order > table.criteria.exclude(pk=criterion.pk).order_by("-order").first().order
    assert events().count() == before + 1
    event = events().latest("sequence")
    assert (event.action, event.object_id, event.payload["code"]) == (
        "scoring.table.add_criterion",
        str(table.pk),
        "5",
    )
    assert action_label(event.action) == "Thêm tiêu chí chấm điểm"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"base_points": D(0)}, "base_points", "Điểm chuẩn phải lớn hơn 0."),
        ({"base_points": D(-2)}, "base_points", "Điểm chuẩn phải lớn hơn 0."),
        ({"base_points": None}, "base_points", "Hãy nhập điểm chuẩn"),
        ({"base_points": D("1.255")}, "base_points", "tối đa 2 chữ số thập phân"),
        ({"code": ""}, "code", "Hãy nhập mã tiêu chí"),
        ({"code": "1 a"}, "code", "không có dấu cách"),
        ({"code": "2"}, "code", "Mã “2” đã có trong bảng điểm"),
        ({"name": "  "}, "name", "Hãy nhập tên tiêu chí."),
        ({"formula": Formula.RATIO}, "indicator", "hãy chọn chỉ tiêu của phong trào"),
        ({"formula": Formula.STEPPED, "steps": [[100, 5]]}, "indicator", "hãy chọn chỉ tiêu"),
        ({"formula": Formula.CAPPED}, "points_per_item", "cần số điểm mỗi lần"),
        ({"formula": Formula.CAPPED, "points_per_item": D(0)}, "points_per_item", "Điểm mỗi lần phải lớn hơn 0."),
        ({"cap": D(0)}, "cap", "Điểm tối đa phải lớn hơn 0"),
        ({"kind": CriterionKind.PENALTY, "evidence_required": True}, "evidence_required", "không phải nộp minh chứng"),
    ],
)
def test_criterion_checks_name_what_to_fix(table, board_officer, fields, field, message):
    values = {"code": "9", "name": "Tiêu chí thử", "base_points": D(5), **fields}
    errors = errors_of(lambda: services.add_criterion(table, actor=board_officer, **values))
    assert any(message in m for m in errors[field]), errors
    assert not table.criteria.filter(name=values["name"]).exists()


def test_penalties_are_not_computed_from_indicators(table, board_officer, trained_ind):
    errors = errors_of(
        lambda: services.add_criterion(
            table,
            actor=board_officer,
            code="P2",
            name="Trừ theo chỉ tiêu",
            base_points=D(2),
            kind=CriterionKind.PENALTY,
            formula=Formula.RATIO,
            indicator=trained_ind,
        )
    )
    assert "Điểm trừ do Ban xác định" in errors["formula"][0]


def test_the_indicator_must_be_the_tables_campaigns(table, board_officer):
    other = IndicatorFactory(campaign=CampaignFactory(), code="3")
    errors = errors_of(
        lambda: services.add_criterion(
            table,
            actor=board_officer,
            code="5",
            name="Tỷ lệ",
            base_points=D(5),
            formula=Formula.RATIO,
            indicator=other,
        )
    )
    assert "không thuộc phong trào của bảng điểm này" in errors["indicator"][0]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "cần ít nhất một bậc"),
        ([[1200, 5]], "tỷ lệ đạt phải từ 0 đến 1000"),
        ([[100, 12]], "12 điểm vượt điểm chuẩn (10)"),
        ([[100, -1]], "điểm không được âm"),
        ([[100, 5], [100, 4]], "Có hai bậc cùng tỷ lệ 100%"),
        ([[100, 4], [50, 6]], "bậc cao hơn phải được bằng hoặc nhiều điểm hơn"),
    ],
)
def test_steps_are_checked(table, board_officer, trained_ind, steps, message):
    errors = errors_of(
        lambda: services.add_criterion(
            table,
            actor=board_officer,
            code="5",
            name="Theo bậc",
            base_points=D(10),
            formula=Formula.STEPPED,
            indicator=trained_ind,
            steps=steps,
        )
    )
    assert any(message in m for m in errors["steps"]), errors


def test_steps_text_is_parsed_and_written_back():
    assert services.parse_steps("80:14; 100 : 20\n50%:8") == ((D(100), D(20)), (D(80), D(14)), (D(50), D(8)))
    assert services.parse_steps("87,5:2,5") == ((D("87.5"), D("2.5")),)
    assert services.format_steps([[80, 14], [100, 20], [87.5, 2.5]]) == "100:20; 87,5:2,5; 80:14"
    with pytest.raises(ValueError, match="không đúng dạng"):
        services.parse_steps("100-20")
    with pytest.raises(ValueError, match="Bậc “100:abc”"):
        services.parse_steps("100:abc")


def test_a_groups_children_may_add_up_to_more_than_the_group(table, board_officer):
    group = table.criteria.get(code="1")
    services.add_criterion(table, actor=board_officer, code="1.3", name="Thêm", base_points=D(20), parent=group)
    assert sum(c.base_points for c in group.children.all()) == D(60)
    assert load_table(table).max_total == D(103)  # the group still counts its own 40


def test_a_child_takes_its_parents_kind(table, board_officer):
    errors = errors_of(
        lambda: services.add_criterion(
            table,
            actor=board_officer,
            code="1.3",
            name="Thưởng trong nhóm",
            base_points=D(1),
            kind=CriterionKind.BONUS,
            parent=table.criteria.get(code="1"),
        )
    )
    assert "cùng loại với tiêu chí cha “1” (Tiêu chí)" in errors["kind"][0]


def test_a_criterion_with_its_own_formula_cannot_become_a_group(table, board_officer):
    ratio = table.criteria.get(code="2")
    errors = errors_of(
        lambda: services.add_criterion(
            table, actor=board_officer, code="2.1", name="Con", base_points=D(5), parent=ratio
        )
    )
    assert any(m.startswith("“2”:") and "nên là một nhóm" in m for m in errors["__all__"]), errors


def test_a_group_cannot_take_a_formula_or_evidence(table, board_officer):
    group = table.criteria.get(code="1")
    errors = errors_of(lambda: services.update_criterion(group, actor=board_officer, formula=Formula.FIXED))
    assert "nên là một nhóm" in errors["formula"][0]
    errors = errors_of(lambda: services.update_criterion(group, actor=board_officer, evidence_required=True))
    assert "nên là một nhóm" in errors["evidence_required"][0]


def test_cycles_are_refused(table, board_officer):
    group = table.criteria.get(code="1")
    child = table.criteria.get(code="1.1")
    errors = errors_of(lambda: services.update_criterion(group, actor=board_officer, parent=child))
    assert "vòng lặp" in " ".join(errors["parent"]) or "vòng lặp" in " ".join(errors.get("__all__", []))
    errors = errors_of(lambda: services.update_criterion(child, actor=board_officer, parent=child))
    assert "không thể là tiêu chí con của chính nó" in errors["parent"][0]
    assert table.criteria.get(code="1").parent_id is None


def test_update_criterion_records_what_changed(table, board_officer):
    criterion = table.criteria.get(code="4")
    services.update_criterion(criterion, actor=board_officer, base_points=D(12), cap=D(12), name="Sáng kiến, mô hình")
    event = events("scoring.table.update_criterion").get()
    assert event.payload["changes"]["base_points"] == ["10", "12"]
    assert event.payload["changes"]["name"] == ["Sáng kiến", "Sáng kiến, mô hình"]
    before = events().count()
    services.update_criterion(criterion, actor=board_officer, base_points=D(12))  # no change: no event
    assert events().count() == before


def test_renaming_a_group_keeps_its_children(table, board_officer):
    group = table.criteria.get(code="1")
    services.update_criterion(group, actor=board_officer, code="I")
    assert sorted(table.criteria.get(code="I").children.values_list("code", flat=True)) == ["1.1", "1.2"]


def test_delete_criterion_takes_its_children_and_tie_breaks(table, board_officer):
    group = table.criteria.get(code="1")
    assert services.delete_criterion(group, actor=board_officer) == ["1", "1.1", "1.2"]
    assert not table.criteria.filter(code__in=["1", "1.1", "1.2"]).exists()
    assert list(table.tie_breaks.values_list("kind", flat=True)) == [TieBreak.WOMEN]
    event = events("scoring.table.delete_criterion").get()
    assert event.payload == {"code": "1", "deleted": ["1", "1.1", "1.2"], "tie_breaks_deleted": [1]}


def test_classes_need_distinct_thresholds_and_one_at_zero(table, board_officer):
    errors = errors_of(
        lambda: services.add_class(table, actor=board_officer, code="kha", label="Khá", min_total=D(85))
    )
    assert "Mức “Tốt” đã dùng ngưỡng 85 điểm" in errors["min_total"][0]
    errors = errors_of(
        lambda: services.add_class(table, actor=board_officer, code="tot", label="Tốt 2", min_total=D(80))
    )
    assert "Mã “tot” đã có" in errors["code"][0]
    errors = errors_of(
        lambda: services.add_class(table, actor=board_officer, code="Khá giỏi", label="Khá", min_total=D(80))
    )
    assert "chữ không dấu" in errors["code"][0]
    bottom = table.classes.get(min_total=0)
    errors = errors_of(lambda: services.delete_class(bottom, actor=board_officer))
    assert "Phải có một mức xếp loại từ 0 điểm" in errors["__all__"][0]
    errors = errors_of(lambda: services.update_class(bottom, actor=board_officer, min_total=D(10)))
    assert "Phải có một mức xếp loại từ 0 điểm" in errors["__all__"][0]
    assert table.classes.get(pk=bottom.pk).min_total == 0


def test_class_changes_are_audited(table, board_officer):
    kha = services.add_class(table, actor=board_officer, code="kha", label="Khá", min_total=D(80), max_penalty=D(1))
    services.update_class(kha, actor=board_officer, no_zero=True)
    services.delete_class(kha, actor=board_officer)
    assert [e.action for e in events().filter(action__startswith="scoring.table.").order_by("sequence")] == [
        "scoring.table.add_class",
        "scoring.table.update_class",
        "scoring.table.delete_class",
    ]
    assert not table.classes.filter(code="kha").exists()


def test_tie_break_checks(table, board_officer):
    errors = errors_of(lambda: services.add_tie_break(table, actor=board_officer, kind=TieBreak.CRITERION))
    assert "cần chọn một tiêu chí của bảng điểm" in errors["criterion"][0]
    errors = errors_of(lambda: services.add_tie_break(table, actor=board_officer, kind=TieBreak.NON_LEADER))
    assert "chỉ dùng cho bảng điểm cá nhân" in errors["kind"][0]
    errors = errors_of(
        lambda: services.add_tie_break(table, actor=board_officer, kind=TieBreak.WOMEN, threshold=D(70))
    )
    assert "trùng với bước thứ 2" in errors["kind"][0]
    errors = errors_of(
        lambda: services.add_tie_break(
            table, actor=board_officer, kind=TieBreak.CRITERION, criterion=table.criteria.get(code="1")
        )
    )
    assert "trùng với bước thứ 1" in errors["kind"][0]
    other = ScoringTable.objects.create(campaign=table.campaign, subject=Subject.INDIVIDUAL, name="Cá nhân")
    foreign = Criterion.objects.create(table=other, code="1", name="Sáng kiến", base_points=D(10))
    errors = errors_of(
        lambda: services.add_tie_break(table, actor=board_officer, kind=TieBreak.CRITERION, criterion=foreign)
    )
    assert "phải thuộc bảng điểm này" in errors["criterion"][0]
    errors = errors_of(
        lambda: services.add_tie_break(other, actor=board_officer, kind=TieBreak.WOMEN, threshold=D(120))
    )
    assert "không quá 100" in errors["threshold"][0]


def test_tie_breaks_are_added_moved_and_deleted(table, board_officer):
    step = services.add_tie_break(
        table, actor=board_officer, kind=TieBreak.CRITERION, criterion=table.criteria.get(code="3"), position=1
    )
    order = lambda: [(s.kind, s.criterion.code if s.criterion else "") for s in table.tie_breaks.order_by("order")]  # noqa: E731
    assert order() == [("criterion", "3"), ("criterion", "1"), ("women", "")]
    services.move_tie_break(step, actor=board_officer, position=3)
    assert order() == [("criterion", "1"), ("women", ""), ("criterion", "3")]
    services.delete_tie_break(table.tie_breaks.get(kind=TieBreak.WOMEN), actor=board_officer)
    assert order() == [("criterion", "1"), ("criterion", "3")]
    assert list(table.tie_breaks.order_by("order").values_list("order", flat=True)) == [1, 2]
    assert events().filter(action__endswith="_tie_break").count() == 3


def test_table_settings(table, board_officer, running_campaign):
    services.update_table(table, actor=board_officer, bonus_cap=D(5), name="Bảng điểm tập thể 2026")
    table.refresh_from_db()
    assert (table.bonus_cap, table.name) == (D(5), "Bảng điểm tập thể 2026")
    assert events("scoring.table.update").get().payload["changes"]["bonus_cap"] == ["3", "5"]
    errors = errors_of(lambda: services.update_table(table, actor=board_officer, penalty_cap=D(-1), min_assessors=0))
    assert errors["penalty_cap"] == ["Không được âm."]
    assert "từ 1 đến 50" in errors["min_assessors"][0]
    errors = errors_of(lambda: services.update_table(table, actor=board_officer, quota_percent=D(120)))
    assert "không quá 100" in errors["quota_percent"][0]


def test_only_the_board_edits(table, clerk_a, auditor):
    for user in (clerk_a, auditor):
        with pytest.raises(PermissionDenied, match="Chỉ Ban Thi đua - Khen thưởng"):
            services.add_criterion(table, actor=user, code="9", name="Thử", base_points=D(1))
        with pytest.raises(PermissionDenied):
            table_io.import_table_xlsx(table, io.BytesIO(table_io.table_xlsx(table)), actor=user, filename="t.xlsx")
    assert not table.criteria.filter(code="9").exists()


# --- The lock -----------------------------------------------------------------------------------------------------


def test_a_draft_scorecard_does_not_lock_the_table(table, board_officer, commune_a):
    Scorecard.objects.create(table=table, unit=commune_a)
    assert not services.is_locked(table)
    services.update_criterion(table.criteria.get(code="4"), actor=board_officer, name="Sáng kiến mới")


def test_a_submitted_scorecard_locks_every_change(table, board_officer, commune_a):
    submit_a_scorecard(table, commune_a)
    before, count = snapshot(table), events().count()
    criterion, klass, step = table.criteria.get(code="4"), table.classes.first(), table.tie_breaks.first()
    calls = [
        lambda: services.update_table(table, actor=board_officer, bonus_cap=D(4)),
        lambda: services.add_criterion(table, actor=board_officer, code="9", name="Thử", base_points=D(1)),
        lambda: services.update_criterion(criterion, actor=board_officer, name="Khác"),
        lambda: services.delete_criterion(criterion, actor=board_officer),
        lambda: services.add_class(table, actor=board_officer, code="kha", label="Khá", min_total=D(80)),
        lambda: services.update_class(klass, actor=board_officer, label="Khác"),
        lambda: services.delete_class(klass, actor=board_officer),
        lambda: services.add_tie_break(table, actor=board_officer, kind=TieBreak.WOMEN, threshold=D(60)),
        lambda: services.move_tie_break(step, actor=board_officer, position=2),
        lambda: services.delete_tie_break(step, actor=board_officer),
    ]
    for call in calls:
        with pytest.raises(services.TableLocked, match="đã có phiếu chấm được nộp nên đã khoá"):
            call()
    result = table_io.import_table_xlsx(
        table, io.BytesIO(table_io.table_xlsx(table)), actor=board_officer, filename="t.xlsx"
    )
    assert "đã khoá" in result.errors[0].message
    assert snapshot(table) == before
    assert events().count() == count


def test_locked_at_says_since_when(table, board_officer):
    from datetime import datetime

    from django.utils import timezone

    ScoringTable.objects.filter(pk=table.pk).update(locked_at=timezone.make_aware(datetime(2026, 12, 11, 9, 30)))
    with pytest.raises(services.TableLocked, match="đã khoá từ 11/12/2026 09:30"):
        services.add_criterion(table, actor=board_officer, code="9", name="Thử", base_points=D(1))


# --- XLSX -----------------------------------------------------------------------------------------------------------


def workbook(table):
    return load_workbook(io.BytesIO(table_io.table_xlsx(table)))


def to_bytes(book) -> io.BytesIO:
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "bang-diem.xlsx"
    return buffer


def row_of(sheet, code) -> int:
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)


def test_export_has_the_four_sheets(table):
    book = workbook(table)
    assert book.sheetnames == ["Tiêu chí", "Xếp loại", "Phân định bằng điểm", "Hướng dẫn"]
    criteria = book["Tiêu chí"]
    assert [c.value for c in criteria[1]] == [
        "Mã",
        "Mã tiêu chí cha",
        "Tên tiêu chí",
        "Loại",
        "Điểm chuẩn",
        "Cách tính",
        "Mã chỉ tiêu",
        "Các bậc (tỷ lệ đạt %: điểm)",
        "Điểm mỗi lần",
        "Điểm tối đa",
        "Bắt buộc có minh chứng",
        "Hướng dẫn chấm",
    ]
    rows = {r[0]: r for r in criteria.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == ["1", "1.1", "1.2", "2", "3", "4", "T1", "P1"]
    assert rows["1"][5] is None  # a group has no formula of its own
    assert rows["1.1"][1:6] == ("1", "Ban hành kế hoạch", "Tiêu chí", 20, "Người chấm cho điểm, từ 0 đến điểm chuẩn")
    assert rows["1.1"][10] == "Có"
    assert rows["3"][6:8] == ("3", "100:20; 80:14; 50:8")
    assert rows["4"][8:10] == (2, 10)
    assert next(book["Xếp loại"].iter_rows(min_row=2, values_only=True)) == (
        "xuat_sac",
        "Xuất sắc",
        95,
        "Có",
        None,
    )
    assert list(book["Phân định bằng điểm"].iter_rows(min_row=2, values_only=True)) == [
        (1, "Điểm cao hơn ở tiêu chí ưu tiên", "1", None),
        (2, "Tập thể có tỷ lệ nữ từ ngưỡng trở lên, cá nhân là nữ (NĐ 152/2025, Điều 4)", None, 70),
    ]
    assert book["Tiêu chí"]["A1"].font.b


def test_export_escapes_formulas(table, board_officer):
    services.update_criterion(table.criteria.get(code="4"), actor=board_officer, guidance='=HYPERLINK("x")')
    book = workbook(table)
    assert book["Tiêu chí"].cell(row_of(book["Tiêu chí"], "4"), 12).value == '\'=HYPERLINK("x")'
    result = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer, dry_run=True)
    assert result.ok and not result.changed  # read back as typed


def test_round_trip_changes_nothing(table, board_officer):
    before, count = snapshot(table), events().count()
    result = table_io.import_table_xlsx(table, to_bytes(workbook(table)), actor=board_officer)
    assert result.ok, result.errors
    assert (result.new, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 8 + 4 + 2)
    assert snapshot(table) == before
    assert events().count() == count


def test_import_replaces_the_configuration_keeping_rows_by_code(table, board_officer, commune_a):
    scorecard = Scorecard.objects.create(table=table, unit=commune_a)
    entry = ScoreEntry.objects.create(scorecard=scorecard, criterion=table.criteria.get(code="1.1"), value=D(15))
    kept = table.criteria.get(code="4").pk
    book = workbook(table)
    sheet = book["Tiêu chí"]
    sheet.cell(row_of(sheet, "4"), 5).value = 12  # base points
    sheet.cell(row_of(sheet, "4"), 10).value = 12  # cap
    sheet.delete_rows(row_of(sheet, "P1"))
    sheet.append(["1.3", "1", "Lễ phát động", "tieu chi", "5,5", "co dinh", "", "", "", "", "khong", "Hướng dẫn"])
    sheet.append(["T2", "", "Được biểu dương", "Diem thuong", 1, "", "", "", "", "", "co", ""])
    classes = book["Xếp loại"]
    classes.cell(3, 3).value = 86
    ties = book["Phân định bằng điểm"]
    ties.cell(2, 1).value, ties.cell(3, 1).value = 2, 1  # women first now
    data = to_bytes(book)

    preview = table_io.import_table_xlsx(table, data, actor=board_officer, dry_run=True)
    assert preview.ok, preview.errors
    assert [(t, c.new, c.updated, c.unchanged, c.deleted) for t, c in preview.parts] == [
        ("Tiêu chí", 2, 1, 6, 1),
        ("Xếp loại", 0, 1, 3, 0),
        ("Phân định bằng điểm", 0, 2, 0, 0),
    ]
    assert not table.criteria.filter(code="T2").exists()

    result = table_io.import_table_xlsx(table, data, actor=board_officer)
    assert result.ok and (result.new, result.updated, result.deleted) == (2, 4, 1)
    four = table.criteria.get(code="4")
    assert (four.pk, four.base_points, four.cap) == (kept, D(12), D(12))
    added = table.criteria.get(code="1.3")
    assert (added.parent.code, added.base_points, added.formula, added.evidence_required) == (
        "1",
        D("5.5"),
        "fixed",
        False,
    )
    assert table.criteria.get(code="T2").kind == CriterionKind.BONUS
    assert not table.criteria.filter(code="P1").exists()
    assert table.classes.get(code="tot").min_total == D(86)
    assert [s.kind for s in table.tie_breaks.order_by("order")] == [TieBreak.WOMEN, TieBreak.CRITERION]
    assert ScoreEntry.objects.filter(pk=entry.pk).exists()  # 1.1 kept its row, so the draft entry stays
    event = events("scoring.table.import").get()
    assert event.payload["filename"] == "bang-diem.xlsx" and len(event.payload["sha256"]) == 64
    assert event.payload["changes"]["Tiêu chí"] == {"new": 2, "updated": 1, "unchanged": 6, "deleted": 1}

    again = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer)
    assert again.ok and not again.changed
    assert events("scoring.table.import").count() == 1


def test_an_import_with_bad_cells_writes_nothing_and_reports_each(table, board_officer):
    book = workbook(table)
    sheet = book["Tiêu chí"]
    sheet.cell(row_of(sheet, "4"), 5).value = "mười"
    sheet.cell(row_of(sheet, "1.2"), 6).value = "công thức lạ"
    sheet.cell(row_of(sheet, "2"), 7).value = "99"
    sheet.cell(row_of(sheet, "3"), 8).value = "100:25; 80:14"
    sheet.cell(row_of(sheet, "T1"), 11).value = "có lẽ"
    sheet.append(["1.1", "1", "Trùng mã", "", 5])
    sheet.append(["5", "", "", "", 5, "theo ty le"])
    book["Xếp loại"].cell(5, 3).value = 10  # no class from 0 any more
    book["Phân định bằng điểm"].cell(2, 3).value = "9"
    before, count = snapshot(table), events().count()

    result = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer)

    found = {(e.row, e.column, e.value): e.message for e in result.errors}
    expected = [
        (7, "Tiêu chí › Điểm chuẩn (E)", "mười", "Phải là một số"),
        (4, "Tiêu chí › Cách tính (F)", "công thức lạ", "Không nhận ra giá trị này"),
        (5, "Tiêu chí › Mã chỉ tiêu (G)", "99", "Phong trào không có chỉ tiêu mã này. Các mã đang có: 3."),
        (6, "Tiêu chí › Các bậc (tỷ lệ đạt %: điểm) (H)", "100:25; 80:14", "25 điểm vượt điểm chuẩn (20)"),
        (8, "Tiêu chí › Bắt buộc có minh chứng (K)", "có lẽ", "Hãy ghi Có hoặc Không."),
        (10, "Tiêu chí › Mã (A)", "1.1", "Mã này đã có ở dòng 3."),
        (11, "Tiêu chí › Tên tiêu chí (C)", "", "Hãy nhập tên tiêu chí."),
        (11, "Tiêu chí › Mã chỉ tiêu (G)", "", "hãy chọn chỉ tiêu của phong trào"),
        (None, "Xếp loại › Tổng điểm từ (C)", "", "Phải có một mức xếp loại từ 0 điểm"),
        (2, "Phân định bằng điểm › Mã tiêu chí ưu tiên (C)", "9", "Bảng điểm không có tiêu chí mã “9”."),
    ]
    for row, column, value, message in expected:
        assert message in found.get((row, column, value), ""), (row, column, value, result.errors)
    assert len(result.errors) == len(expected)
    assert not result.new and not result.updated
    assert snapshot(table) == before
    assert events().count() == count


def test_import_needs_the_three_sheets_and_an_xlsx_file(table, board_officer):
    book = workbook(table)
    del book["Xếp loại"]
    result = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer)
    assert result.errors[0].value == "Xếp loại" and "Tệp không có trang “Xếp loại”" in result.errors[0].message
    result = table_io.import_table_xlsx(table, io.BytesIO(b"ma,ten\n1,a\n"), actor=board_officer, filename="t.csv")
    assert "nhập từ tệp .xlsx" in result.errors[0].message
    result = table_io.import_table_xlsx(table, io.BytesIO(b"not a workbook"), actor=board_officer, filename="t.xlsx")
    assert "không đọc được như một bảng tính Excel" in result.errors[0].message


def test_headers_and_labels_without_diacritics(table, board_officer):
    book = workbook(table)
    sheet = book["Tiêu chí"]
    for cell in sheet[1]:
        cell.value = {"Mã": "ma", "Điểm chuẩn": "DIEM CHUAN", "Cách tính": "cach tinh"}.get(cell.value, cell.value)
    sheet.cell(row_of(sheet, "3"), 6).value = "theo bac"
    sheet.cell(row_of(sheet, "T1"), 4).value = "diem thuong"
    sheet.cell(row_of(sheet, "1.1"), 11).value = "co"
    book["Tiêu chí"].title = "tieu chi"
    result = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer, dry_run=True)
    assert result.ok and not result.changed, result.errors
    sheet.cell(1, 13).value = "Cột lạ"
    result = table_io.import_table_xlsx(table, to_bytes(book), actor=board_officer, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(1, "tieu chi › Cột lạ (M)")]


# --- The QĐ 987 demo tables -------------------------------------------------------------------------------------


def test_seed_demo_tables(running_campaign, demo_indicators):
    tables = services.seed_demo_tables(running_campaign, actor=SYSTEM)
    assert [t.subject for t in tables] == [Subject.COLLECTIVE, Subject.INDIVIDUAL]
    for table in tables:
        summary = services.table_summary(table)
        assert summary.normal == D(100)
        assert D(0) < summary.bonus <= table.bonus_cap == D(3)
        assert D(0) < summary.penalty <= table.penalty_cap == D(3)
        for group in table.criteria.filter(children__isnull=False).distinct():
            assert sum(c.base_points for c in group.children.all()) == group.base_points, group.code
        assert [k.min_total for k in table.classes.order_by("-min_total")] == [95, 85, 75, 0]
        assert table.classes.get(code="xuat_sac").no_zero
        assert table.criteria.filter(evidence_required=True).exists()
    collective, individual = tables
    automatic = {c.code: c.indicator.code for c in collective.criteria.filter(indicator__isnull=False)}
    assert automatic == {"1.3": "2", "3.1": "3", "3.2": "5"}
    assert collective.criteria.get(code="3.2").steps == [[100, 15], [90, 12], [75, 9], [50, 5]]
    assert [(s.kind, s.criterion.code if s.criterion else "") for s in collective.tie_breaks.order_by("order")] == [
        ("criterion", "3"),
        ("criterion", "1"),
        ("women", ""),
    ]
    assert [(s.kind, s.criterion.code if s.criterion else "") for s in individual.tie_breaks.order_by("order")] == [
        ("criterion", "1"),
        ("women", ""),
        ("non_leader", ""),
    ]
    assert events("scoring.table.create").count() == 2

    again = services.seed_demo_tables(running_campaign, actor=SYSTEM)
    assert [t.pk for t in again] == [t.pk for t in tables]
    assert events().count() == 2
    assert Criterion.objects.filter(table__campaign=running_campaign).count() == 17 + 10


def test_the_template_needs_the_campaigns_indicators(running_campaign, trained_ind, board_officer):
    errors = errors_of(
        lambda: services.create_table(running_campaign, Subject.COLLECTIVE, actor=board_officer, template="qd987")
    )
    assert "chỉ tiêu mã 2, 5 nhưng phong trào chưa có" in errors["template"][0]
    assert not ScoringTable.objects.filter(campaign=running_campaign).exists()


def test_an_empty_table_has_the_default_classes_and_tie_breaks(running_campaign, board_officer):
    table = services.create_table(running_campaign, Subject.INDIVIDUAL, actor=board_officer)
    assert table.name == "Bảng chấm điểm cá nhân"
    assert not table.criteria.exists()
    assert list(table.classes.order_by("-min_total").values_list("label", flat=True)) == [
        "Xuất sắc",
        "Tốt",
        "Hoàn thành",
        "Không hoàn thành",
    ]
    assert list(table.tie_breaks.order_by("order").values_list("kind", flat=True)) == ["women", "non_leader"]
    errors = errors_of(lambda: services.create_table(running_campaign, Subject.INDIVIDUAL, actor=board_officer))
    assert "đã có bảng chấm điểm cá nhân" in errors["subject"][0]


def test_demo_tables_round_trip(running_campaign, demo_indicators, board_officer):
    for table in services.seed_demo_tables(running_campaign, actor=SYSTEM):
        before = snapshot(table)
        result = table_io.import_table_xlsx(table, to_bytes(workbook(table)), actor=board_officer)
        assert result.ok and not result.changed, result.errors
        assert snapshot(table) == before


# --- Pages ---------------------------------------------------------------------------------------------------------


def test_board_creates_and_edits_a_table_on_the_pages(client, board_officer, running_campaign, demo_indicators):
    client.force_login(board_officer)
    detail = client.get(reverse("competition:campaign_detail", args=[running_campaign.pk]))
    assert reverse("scoring:table_list", args=[running_campaign.pk]) in detail.content.decode()
    page = client.get(reverse("scoring:table_list", args=[running_campaign.pk]))
    assert page.status_code == 200 and "Tạo bảng điểm tập thể" in page.content.decode()
    response = client.post(
        reverse("scoring:table_create", args=[running_campaign.pk]), {"subject": "collective", "template": "qd987"}
    )
    table = ScoringTable.objects.get(campaign=running_campaign, subject="collective")
    assert response.url == reverse("scoring:table_detail", args=[table.pk])
    page = client.get(response.url).content.decode()
    assert "Theo mức đạt chỉ tiêu 5 (mục tiêu 80%): từ 100% mục tiêu: 15 điểm" in page
    assert "Tổng điểm các tiêu chí con, tối đa 50 điểm." in page
    assert "Thêm tiêu chí" in page

    group = table.criteria.get(code="3")
    form = client.get(reverse("scoring:table_criterion_add", args=[table.pk]) + f"?parent={group.pk}")
    assert form.status_code == 200
    response = client.post(
        reverse("scoring:table_criterion_add", args=[table.pk]),
        {
            "code": "3.5",
            "name": "Lớp cho người cao tuổi",
            "parent": group.pk,
            "kind": "normal",
            "base_points": "2,5",
            "formula": "stepped",
            "indicator": demo_indicators["5"].pk,
            "steps": "100:2,5; 50:1",
        },
    )
    assert response.status_code == 302
    added = table.criteria.get(code="3.5")
    assert (added.base_points, added.steps) == (D("2.5"), [[100, 2.5], [50, 1]])

    response = client.post(
        reverse("scoring:table_criterion_edit", args=[table.pk, added.pk]),
        {
            "code": "3.5",
            "name": "Lớp cho người cao tuổi",
            "parent": group.pk,
            "kind": "normal",
            "base_points": "0",
            "formula": "manual",
        },
    )
    assert response.status_code == 200
    assert "Điểm chuẩn phải lớn hơn 0." in response.content.decode()

    response = client.post(
        reverse("scoring:table_class_add", args=[table.pk]), {"code": "kha", "label": "Khá", "min_total": "80"}
    )
    assert response.status_code == 302 and table.classes.filter(code="kha").exists()
    response = client.post(
        reverse("scoring:table_tie_break_add", args=[table.pk]), {"kind": "women", "threshold": "60"}
    )
    assert "trùng với bước thứ 3" in response.content.decode()
    step = table.tie_breaks.get(kind="women")
    client.post(reverse("scoring:table_tie_break_move", args=[table.pk, step.pk]), {"direction": "up"})
    assert table.tie_breaks.get(pk=step.pk).order == 2

    confirm = client.get(reverse("scoring:table_delete", args=[table.pk, "criterion", group.pk]))
    assert "3.5. Lớp cho người cao tuổi" in confirm.content.decode()
    client.post(reverse("scoring:table_delete", args=[table.pk, "criterion", group.pk]))
    assert not table.criteria.filter(code__startswith="3").exists()

    response = client.post(
        reverse("scoring:table_settings", args=[table.pk]),
        {
            "name": table.name,
            "aggregation": "median",
            "tolerance": "1,5",
            "min_assessors": "3",
            "bonus_cap": "3",
            "penalty_cap": "3",
        },
    )
    assert response.status_code == 302
    table.refresh_from_db()
    assert (table.aggregation, table.tolerance, table.min_assessors) == ("median", D("1.5"), 3)


def test_download_and_upload_on_the_pages(client, board_officer, table):
    client.force_login(board_officer)
    response = client.get(reverse("scoring:table_export", args=[table.pk]))
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    book["Tiêu chí"].cell(row_of(book["Tiêu chí"], "4"), 3).value = "Sáng kiến được công nhận"
    url = reverse("scoring:table_import", args=[table.pk])
    upload = SimpleUploadedFile("bang-diem.xlsx", to_bytes(book).getvalue(), content_type=XLSX)
    preview = client.post(url, {"file": upload})
    token = preview.context["token"]
    assert preview.context["result"].updated == 1
    assert table.criteria.get(code="4").name == "Sáng kiến"  # nothing written before the confirm
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert table.criteria.get(code="4").name == "Sáng kiến được công nhận"

    wrong = client.post(url, {"file": SimpleUploadedFile("bang-diem.csv", b"a,b\n", content_type="text/csv")})
    assert "nhập từ tệp .xlsx" in wrong.content.decode() and "token" not in wrong.context


def test_clerks_cannot_see_or_edit_tables(client, clerk_a, table, running_campaign):
    client.force_login(clerk_a)
    detail = client.get(reverse("competition:campaign_detail", args=[running_campaign.pk]))
    assert detail.status_code == 200
    assert reverse("scoring:table_list", args=[running_campaign.pk]) not in detail.content.decode()
    assert client.get(reverse("scoring:table_list", args=[running_campaign.pk])).status_code == 403
    assert client.get(reverse("scoring:table_detail", args=[table.pk])).status_code == 403
    response = client.post(
        reverse("scoring:table_criterion_add", args=[table.pk]),
        {"code": "9", "name": "x", "kind": "normal", "base_points": "1", "formula": "manual"},
    )
    assert response.status_code == 403
    assert not table.criteria.filter(code="9").exists()


def test_auditors_read_but_do_not_edit(client, auditor, table):
    client.force_login(auditor)
    page = client.get(reverse("scoring:table_detail", args=[table.pk]))
    assert page.status_code == 200 and "Sáng kiến" in page.content.decode()
    assert "Thêm tiêu chí" not in page.content.decode()
    assert client.get(reverse("scoring:table_export", args=[table.pk])).status_code == 200
    assert client.get(reverse("scoring:table_criterion_add", args=[table.pk])).status_code == 403
    assert client.get(reverse("scoring:table_import", args=[table.pk])).status_code == 403


def test_a_locked_tables_edit_pages_send_back(client, board_officer, table, commune_a):
    submit_a_scorecard(table, commune_a)
    client.force_login(board_officer)
    page = client.get(reverse("scoring:table_detail", args=[table.pk])).content.decode()
    assert "đã khoá" in page and "Thêm tiêu chí" not in page
    response = client.get(reverse("scoring:table_criterion_add", args=[table.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("scoring:table_detail", args=[table.pk])
    assert "đã có phiếu chấm được nộp nên đã khoá" in response.content.decode()
    criterion = table.criteria.get(code="4")
    client.post(reverse("scoring:table_delete", args=[table.pk, "criterion", criterion.pk]))
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert ClassThreshold.objects.filter(table=table).count() == 4
    assert TieBreakStep.objects.filter(table=table).count() == 2


def test_editing_a_draft_campaigns_indicators_keeps_the_criteria_linked(draft_campaign, board_officer):
    from decimal import Decimal

    from competition.services.campaigns import set_indicators
    from scoring.enums import Formula, Subject
    from scoring.models import Criterion, ScoringTable
    from workflows.exceptions import TransitionRefused

    row = {"code": "3", "name": "CBCCVC được học AI", "target_percent": 100}
    (indicator,) = set_indicators(draft_campaign, [row], actor=board_officer)
    table = ScoringTable.objects.create(campaign=draft_campaign, subject=Subject.COLLECTIVE, name="Bảng điểm")
    criterion = Criterion.objects.create(
        table=table, code="2", name="Tập huấn", base_points=Decimal(30), formula=Formula.RATIO, indicator=indicator
    )
    set_indicators(
        draft_campaign, [{**row, "target_percent": 90}, {**row, "code": "4", "name": "Khác"}], actor=board_officer
    )
    criterion.refresh_from_db()
    assert criterion.indicator_id == indicator.pk and criterion.indicator.target_percent == 90
    with pytest.raises(TransitionRefused, match="chỉ tiêu 3"):
        set_indicators(draft_campaign, [{**row, "code": "4", "name": "Khác"}], actor=board_officer)
    assert draft_campaign.indicators.filter(code="3").exists()
