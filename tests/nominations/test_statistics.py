"""The yearly statistics of awards for the Ministry of Home Affairs (issue 7 item 7): what a year counts (issued
decisions by their date of signing, imported register records in totals only, nothing revoked, nothing twice), the
placeholder grammar, the default layout, the board's own template (checked by content, refused as a whole with the
sheet, the cell and the placeholder named, stored and audited when good), formula escaping, and who may do what.

Award decisions come from the real services; imported register records are written through the model (the import
service is tested on its own)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.enums import Role
from competition.models import Unit
from nominations.enums import AwardSource
from nominations.models import AwardRecord, StatisticsTemplate
from nominations.services import statistics as stats
from nominations.services.decisions import draft_decision, sign_decision
from workflows.audit import events_for
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ..factories import UserFactory
from ._decision_setup import build_world, drafted, issue, provincial_dossier, ward_dossier

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BK_INDIVIDUAL, BK_COLLECTIVE, GK_INDIVIDUAL = 3_510_000, 7_020_000, 710_000
MEDAL = "huan_chuong_lao_dong_hang_ba"


def _person(name, gender, *, direct=False):
    return {"kind": "individual", "name": name, "gender": gender, "direct_worker": direct}


def _record(name, code, award_name, year, *, kind="individual", **fields):
    return AwardRecord.objects.create(
        subject_kind=kind,
        name=name,
        canonical_key=name.lower(),
        award_type_code=code,
        award_name=award_name,
        decision_number="15",
        decision_symbol="QĐ-UBND",
        year=year,
        source=AwardSource.IMPORTED,
        **fields,
    )


@pytest.fixture
def world(db):
    """2025: a Bằng khen decision of the province (a woman doing direct work, a man, a collective), the ward's own
    Giấy khen (a woman), both signed in September; a draft decision; imported records of 2025 (two Bằng khen
    individuals, a Labour Medal collective, one revoked) and of 2024."""
    world = build_world()
    decision = drafted(
        world,
        provincial_dossier(
            world,
            [
                _person("Nguyễn Thị Hoa", "female", direct=True),
                _person("Lê Văn Bình", "male"),
                ("collective", "Tổ Chuyển đổi số cộng đồng"),
            ],
        ),
    )
    issue(decision, world.chairman_office)
    sign_decision(decision, actor=world.chairman_office)
    own = draft_decision([ward_dossier(world, [_person("Đỗ Thị Lan", "female")])], actor=world.ward_clerk)
    issue(
        own,
        world.ward_head,
        number=3,
        signer_authority="head",
        submission_letter_number="",
        submission_letter_date=None,
    )
    sign_decision(own, actor=world.ward_head)
    drafted(world, provincial_dossier(world, [_person("Chưa Ký", "female")]))
    bk = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
    _record("Hoàng Văn Nam", "bang_khen_tinh", bk, 2025)
    _record("Vũ Thị Thu", "bang_khen_tinh", bk, 2025)
    _record("Trường THCS Đội Cấn", MEDAL, "Huân chương Lao động hạng Ba", 2025, kind="collective")
    _record("Đã Thu Hồi", "bang_khen_tinh", bk, 2025, revoked_on=date(2025, 12, 1))
    _record("Năm Trước", "bang_khen_tinh", bk, 2024)
    world.auditor = UserFactory(username="kiemtoan", role=Role.AUDITOR, unit=world.province)
    return world


def test_a_year_counts_issued_decisions_by_date_and_imported_records_in_totals_only(world):
    data = stats.year_statistics(2025, user=world.board_officer)
    assert data.province == "Tỉnh Thái Nguyên"
    assert data.count("bang_khen_tinh") == 3 + 2  # three decided, two imported (not the revoked one)
    assert data.count("bang_khen_tinh", "individual") == 2 + 2
    assert data.count("bang_khen_tinh", "individual", ("female",)) == 1  # imported records have no gender
    assert data.count("bang_khen_tinh", "individual", ("male",)) == 1
    assert data.count("bang_khen_tinh", "individual", ("direct_worker",)) == 1
    assert data.count("bang_khen_tinh", "collective") == 1
    assert data.count("giay_khen_xa", "individual", ("female",)) == 1
    assert data.count(MEDAL, "collective") == 1
    assert data.count() == 4 + 3 and data.imported == 3
    assert data.amount("bang_khen_tinh") == 2 * BK_INDIVIDUAL + BK_COLLECTIVE
    assert data.amount("bang_khen_tinh", "collective") == BK_COLLECTIVE
    assert data.amount() == 2 * BK_INDIVIDUAL + BK_COLLECTIVE + GK_INDIVIDUAL == 14_750_000
    # The signed decisions' own register records are not counted a second time.
    assert AwardRecord.objects.filter(source=AwardSource.DECISION).count() == 4
    rows = {r.code: r for r in data.rows()}
    assert (rows["bang_khen_tinh"].total, rows["bang_khen_tinh"].imported, rows[MEDAL].amount) == (5, 2, 0)
    assert stats.year_statistics(2024, user=world.board_officer).count() == 1
    assert stats.year_statistics(2026, user=world.board_officer).count() == 0
    assert {2024, 2025} <= set(stats.statistics_years(user=world.board_officer))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "chỗ điền trống"),
        ("total bang_khen_tinh", "không hiểu “total”"),
        ("count", "thiếu mã hình thức"),
        ("count bang_khen individual", "không có hình thức khen thưởng mã “bang_khen”"),
        ("count bang_khen_tinh people", "không hiểu “people”"),
        ("count bang_khen_tinh female", "chỉ dùng với đối tượng individual"),
        ("count bang_khen_tinh individual female male", "không thể vừa female vừa male"),
        ("count bang_khen_tinh individual female female", "bị lặp"),
        ("count bang_khen_tinh individual female collective", "phải đứng ngay sau mã hình thức"),
        ("amount bang_khen_tinh individual female", "không chia theo giới tính"),
        ("year 2025", "không nhận thêm từ nào"),
    ],
)
def test_the_grammar_explains_each_mistake_in_vietnamese(text, reason):
    with pytest.raises(stats.PlaceholderError, match=reason):
        stats.parse_placeholder(text, {"bang_khen_tinh", "giay_khen_xa"})


def test_the_grammar_reads_what_the_ministry_table_needs():
    forms = {"bang_khen_tinh"}
    assert stats.parse_placeholder(" count  bang_khen_tinh individual female ", forms) == stats.Term(
        "count", "bang_khen_tinh", "individual", ("female",)
    )
    assert stats.parse_placeholder("count all", forms) == stats.Term("count")
    assert stats.parse_placeholder("amount bang_khen_tinh collective", forms).subject == "collective"
    assert stats.parse_placeholder("count all individual direct_worker", forms).filters == ("direct_worker",)
    assert stats.parse_placeholder("province", forms) == stats.Term("province")


def _default_rows(content: bytes) -> tuple[object, dict]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    return sheet, rows


def test_default_layout_is_the_ministry_table_filled_with_exact_numbers(world):
    content = stats.statistics_xlsx(2025, user=world.board_officer)
    sheet, rows = _default_rows(content)
    assert sheet["A1"].value == "Tỉnh Thái Nguyên"
    assert sheet["A2"].value == "THỐNG KÊ KẾT QUẢ KHEN THƯỞNG NĂM 2025"
    assert "Bộ Nội vụ" in sheet["A3"].value and "có thể thay bằng mẫu của mình" in sheet["A3"].value
    assert "chỉ được tính vào tổng số" in sheet["A3"].value
    header = [c.value for c in sheet[5]]
    assert header[2:] == [
        "Tổng số",
        "Tập thể",
        "Cá nhân",
        "Trong đó: nữ",
        "Trong đó: trực tiếp lao động, công tác",
        "Hộ gia đình",
        "Tiền thưởng (đồng)",
    ]
    # total, collectives, individuals, women, direct workers, households, money
    assert rows["Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"][2:] == (
        5,
        1,
        4,
        1,
        1,
        0,
        2 * BK_INDIVIDUAL + BK_COLLECTIVE,
    )
    assert rows["Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường"][2:] == (1, 0, 1, 1, 0, 0, GK_INDIVIDUAL)
    assert rows["Huân chương Lao động hạng Ba"][2:] == (1, 1, 0, 0, 0, 0, 0)
    assert rows["Cờ thi đua của Ủy ban nhân dân tỉnh (phong trào thi đua theo chuyên đề)"][2:] == (0,) * 7
    assert rows["Tổng cộng"][2:] == (7, 2, 5, 2, 1, 0, 14_750_000)
    assert not any(isinstance(v, str) and "{{" in v for row in sheet.iter_rows(values_only=True) for v in row)


def _workbook(cells: dict[str, object], *, title: str = "Biểu 01") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(content: bytes, name: str = "mau-bo-noi-vu.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


GOOD = {
    "A1": "Năm {{ year }} - {{ province }}",
    "B3": "{{ count bang_khen_tinh individual female }}",
    "B4": "{{ count bang_khen_tinh }}",
    "B5": "{{ amount all }}",
    "B6": "{{ count " + MEDAL + " collective }}",
    "B7": "{{ count all individual direct_worker }}",
    "C3": "- Trong đó nữ",
}


def test_the_boards_template_is_stored_active_audited_and_filled(world):
    content = _workbook(GOOD)
    template = stats.upload_template(_upload(content), actor=world.board_officer, name="Biểu của Bộ Nội vụ 2025")
    assert (
        template.active and template.name == "Biểu của Bộ Nội vụ 2025" and template.uploaded_by == world.board_officer
    )
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    assert template.sha256 == digest
    [event] = events_for(template)
    assert event.action == "nominations.statistics_template.upload"
    assert event.payload["sha256"] == digest and event.payload["active"] is True
    sheet = load_workbook(io.BytesIO(stats.statistics_xlsx(2025, user=world.board_officer)))["Biểu 01"]
    assert sheet["A1"].value == "Năm 2025 - Tỉnh Thái Nguyên"
    assert (sheet["B3"].value, sheet["B4"].value, sheet["B5"].value) == (1, 5, 14_750_000)
    assert (sheet["B6"].value, sheet["B7"].value) == (1, 1)
    assert sheet["B5"].number_format == "#,##0"
    assert sheet["C3"].value == "- Trong đó nữ"  # the board's own text is left as it is
    with pytest.raises(TransitionRefused, match="giống hệt mẫu “Biểu của Bộ Nội vụ 2025”"):
        stats.upload_template(_upload(content), actor=world.board_officer)
    assert StatisticsTemplate.objects.count() == 1


def test_an_unknown_placeholder_names_sheet_cell_and_placeholder_and_nothing_is_stored(world, settings):
    cells = {**GOOD, "D9": "{{ count bang_khen individual }}", "E2": "Tổng {{ sum all }} lượt"}
    events_before = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        stats.upload_template(_upload(_workbook(cells, title="Biểu 02")), actor=world.board_officer)
    text = str(refused.value)
    assert "chưa lưu gì" in text
    assert (
        "Trang tính “Biểu 02”, ô D9: chỗ điền “{{ count bang_khen individual }}” không hợp lệ: không có hình thức "
        "khen thưởng mã “bang_khen”" in text
    )
    assert "Trang tính “Biểu 02”, ô E2: chỗ điền “{{ sum all }}” không hợp lệ: không hiểu “sum”" in text
    assert not StatisticsTemplate.objects.exists() and AuditEvent.objects.count() == events_before
    media = settings.MEDIA_ROOT / "statistics"
    assert not media.exists() or not any(media.rglob("*.xlsx"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("mau.xlsx", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", r"không phải bảng tính Excel \(XLSX\)"),
        ("mau.xlsx", b"STT,Hinh thuc\n1,{{ count all }}\n", r"không phải bảng tính Excel \(XLSX\)"),
        ("mau.xlsx", b"PK\x03\x04 broken zip", r"không phải bảng tính Excel \(XLSX\)"),
        ("mau.xlsx", b"", "rỗng"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_whatever_its_name(world, name, content, message):
    with pytest.raises(TransitionRefused, match=message):
        stats.upload_template(SimpleUploadedFile(name, content), actor=world.board_officer)
    assert not StatisticsTemplate.objects.exists()


def test_a_word_file_a_macro_workbook_a_formula_and_an_oversized_file_are_refused(world, settings):
    import zipfile

    from nominations.services.demo import document_file

    word = document_file("Mẫu", ["{{ count all }}"], name="mau.xlsx").read()
    with pytest.raises(TransitionRefused, match="không phải bảng tính Excel"):
        stats.upload_template(_upload(word), actor=world.board_officer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "a") as archive, zipfile.ZipFile(io.BytesIO(_workbook(GOOD))) as source:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    with pytest.raises(TransitionRefused, match="có macro"):
        stats.upload_template(_upload(buffer.getvalue(), "mau.xlsm"), actor=world.board_officer)
    with pytest.raises(TransitionRefused, match=r"Trang tính “Biểu 01”, ô B8: mẫu không được chứa công thức"):
        stats.upload_template(_upload(_workbook({**GOOD, "B8": "=SUM(B3:B7)"})), actor=world.board_officer)
    with pytest.raises(TransitionRefused, match="không có chỗ điền nào"):
        stats.upload_template(_upload(_workbook({"A1": "Biểu trống"})), actor=world.board_officer)
    settings.THIDUA_STATISTICS_TEMPLATE_MAX_BYTES = 1024
    with pytest.raises(TransitionRefused, match="quá lớn"):
        stats.upload_template(_upload(_workbook(GOOD)), actor=world.board_officer)
    assert not StatisticsTemplate.objects.exists()


def test_values_written_into_the_export_are_formula_escaped(world):
    Unit.objects.filter(pk=world.province.pk).update(name='=HYPERLINK("http://evil.example","Bấm")')
    sheet, _rows = _default_rows(stats.statistics_xlsx(2025, user=world.board_officer))
    assert sheet["A1"].value == '\'=HYPERLINK("http://evil.example","Bấm")'
    stats.upload_template(_upload(_workbook({"A1": "+{{ year }}", "A2": "{{ province }}"})), actor=world.board_officer)
    sheet = load_workbook(io.BytesIO(stats.statistics_xlsx(2025, user=world.board_officer))).active
    assert (sheet["A1"].value, sheet["A2"].value[:2]) == ("'+2025", "'=")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_choosing_a_template_or_the_default_is_audited(world):
    first = stats.upload_template(_upload(_workbook(GOOD)), actor=world.board_officer, name="Mẫu 1")
    second = stats.upload_template(
        _upload(_workbook({**GOOD, "A2": "{{ count all }}"})), actor=world.board_officer, name="Mẫu 2"
    )
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    assert events_for(second).get().payload["replaces"] == first.sha256
    stats.activate_template(first, actor=world.board_officer)
    assert stats.active_template() == first
    activate = events_for(first).filter(action="nominations.statistics_template.activate").get()
    assert (activate.payload["sha256"], activate.payload["replaces"]) == (first.sha256, second.sha256)
    stats.activate_template(first, actor=world.board_officer)  # already in use: nothing happens
    assert events_for(first).filter(action="nominations.statistics_template.activate").count() == 1
    stats.activate_template(None, actor=world.board_officer)
    assert stats.active_template() is None
    back = events_for(first).filter(action="nominations.statistics_template.deactivate").get()
    assert back.payload["replaces"] == first.sha256
    _sheet, rows = _default_rows(stats.statistics_xlsx(2025, user=world.board_officer))
    assert rows["Tổng cộng"][2] == 7
    with pytest.raises(TransitionForbidden):
        stats.activate_template(second, actor=world.auditor)
    with pytest.raises(TransitionForbidden):
        stats.upload_template(_upload(_workbook(GOOD)), actor=world.ward_clerk)


def test_page_download_and_upload_for_the_board(client, world):
    client.force_login(world.board_officer)
    page = client.get(reverse("nominations:statistics"), {"year": 2025})
    assert page.status_code == 200
    html = page.content.decode()
    assert "14.750.000" in html and reverse("nominations:statistics_download", args=[2025]) in html
    assert "{{ count bang_khen_tinh individual female }}" in html  # the grammar, shown verbatim
    download = client.get(reverse("nominations:statistics_download", args=[2025]))
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert "thong-ke-khen-thuong-2025.xlsx" in download["Content-Disposition"]
    default = client.get(reverse("nominations:statistics_default_template"))
    assert "{{ count bang_khen_tinh }}" in [
        c.value for row in load_workbook(io.BytesIO(default.content)).active.iter_rows() for c in row
    ]
    bad = _workbook({"B2": "{{ count khong_co }}"})
    response = client.post(
        reverse("nominations:statistics_template_upload"), {"file": _upload(bad), "name": "Sai"}, follow=True
    )
    assert "Trang tính “Biểu 01”, ô B2" in response.content.decode() and not StatisticsTemplate.objects.exists()
    response = client.post(
        reverse("nominations:statistics_template_upload"), {"file": _upload(_workbook(GOOD)), "name": "Đúng"}
    )
    assert response.status_code == 302 and StatisticsTemplate.objects.get().active
    template = StatisticsTemplate.objects.get()
    stored = client.get(reverse("nominations:statistics_template_download", args=[template.pk]))
    assert stored.status_code == 200 and stored["X-Content-Type-Options"] == "nosniff"
    assert b"".join(stored.streaming_content).startswith(b"PK")
    stored.close()
    client.post(reverse("nominations:statistics_template_default"))
    assert stats.active_template() is None
    client.post(reverse("nominations:statistics_template_activate", args=[template.pk]))
    assert stats.active_template() == template
    assert client.get(reverse("nominations:statistics"), {"year": "abc"}).status_code == 404


def test_units_and_the_coordinating_department_get_403_and_auditors_only_read(client, world):
    coordinator = UserFactory(username="sokhcn", role=Role.COORDINATOR, unit=world.province)
    for user in (world.ward_clerk, world.ward_head, coordinator):
        client.force_login(user)
        assert client.get(reverse("nominations:statistics")).status_code == 403
        assert client.get(reverse("nominations:statistics_download", args=[2025])).status_code == 403
        assert client.get(reverse("nominations:statistics_default_template")).status_code == 403
        upload = client.post(reverse("nominations:statistics_template_upload"), {"file": _upload(_workbook(GOOD))})
        assert upload.status_code == 403
    client.force_login(world.auditor)
    assert client.get(reverse("nominations:statistics"), {"year": 2025}).status_code == 200
    assert client.get(reverse("nominations:statistics_download", args=[2025])).status_code == 200
    assert client.post(reverse("nominations:statistics_template_default")).status_code == 403
    assert not StatisticsTemplate.objects.exists()
