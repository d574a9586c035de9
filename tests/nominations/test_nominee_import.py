"""The nominee list imported from a file: every row checked by add_nominee, all or nothing, messages by row, column,
value and reason; duplicates by the canonical key; idempotent re-import; permissions; the web page."""

import io
import unicodedata
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from competition.enums import UnitKind
from competition.services.tables import map_headers, open_table
from nominations.enums import DossierState
from nominations.models import Dossier, Nominee
from nominations.services import dossiers as services
from nominations.services.nominee_import import (
    IMPORT_ACTION,
    NOMINEE_COLUMNS,
    import_nominees,
    nominee_template_xlsx,
)
from workflows.audit import action_label, verify_chain
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ..factories import UnitFactory, make_nomination_world

pytestmark = pytest.mark.django_db

HEADER = [
    "Loại",
    "Họ và tên / Tên tập thể",
    "Giới tính",
    "Ngày sinh",
    "Số định danh",
    "Chức vụ",
    "Đơn vị công tác",
    "Mã đơn vị",
    "Trực tiếp lao động, công tác",
    "Tóm tắt thành tích",
]


def person(name, birth="02/04/1985", *, kind="Cá nhân", gender="Nữ", id_number="", direct="Có", unit_code=""):
    return [kind, name, gender, birth, id_number, "Công chức", "UBND phường", unit_code, direct, "Dạy AI cơ bản"]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run(dossier, rows, actor, **kwargs):
    return import_nominees(dossier, xlsx(rows), actor=actor, filename="danh-sach.xlsx", **kwargs)


def located(result):
    """Each error as (row, column, value) with the reason's text."""
    return [(e.row, e.column.split(" (")[0], e.value, e.message) for e in result.errors]


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def dossier(world, commune_a, clerk_a) -> Dossier:
    return services.create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Hồ sơ phường A", actor=clerk_a
    )


@pytest.fixture
def team(commune_a):
    return UnitFactory(code="TDP3", name="Tổ dân phố số 3", kind=UnitKind.BODY, parent=commune_a)


# --- A good file -------------------------------------------------------------------------------------------------


def test_a_good_file_imports_every_nominee(dossier, clerk_a, team):
    events = AuditEvent.objects.count()
    rows = [
        person("Nguyễn Thị Hoà", date(1985, 4, 2)),  # a date cell
        person("Trần Văn Bình", "1979-11-30", kind="ca nhan", gender="nam", direct="khong"),
        person("", "", kind="TẬP THỂ", gender="", direct="", unit_code="TDP3"),  # the unit's own name
        person("Hoàng Văn Lực", "", kind="Ho gia dinh", gender="", id_number="001179000123", direct=""),
    ]
    result = run(dossier, rows, clerk_a)
    assert result.ok and (result.new, result.unchanged, result.rows) == (4, 0, 4)
    nominees = list(dossier.nominees.order_by("order"))
    assert [(n.kind, n.name, n.order) for n in nominees] == [
        ("individual", "Nguyễn Thị Hoà", 1),
        ("individual", "Trần Văn Bình", 2),
        ("collective", "Tổ dân phố số 3", 3),
        ("household", "Hoàng Văn Lực", 4),
    ]
    hoa, binh, collective, household = nominees
    assert (hoa.gender, hoa.birth_date, hoa.direct_worker, hoa.position, hoa.achievement) == (
        "female",
        date(1985, 4, 2),
        True,
        "Công chức",
        "Dạy AI cơ bản",
    )
    assert (binh.gender, binh.birth_date, binh.direct_worker) == ("male", date(1979, 11, 30), False)
    assert collective.collective_unit == team and collective.canonical_key == f"tt:u{team.pk}"
    assert household.id_number == "001179000123" and household.birth_date is None
    assert sorted(result.nominees) == sorted(n.pk for n in nominees)
    # add_nominee's event per nominee, and one event for the import (no personal data in it).
    new_events = list(AuditEvent.objects.order_by("sequence")[events:])
    assert [e.action for e in new_events] == ["nominations.nominee.add"] * 4 + [IMPORT_ACTION]
    payload = new_events[-1].payload
    assert (payload["file"], payload["new"], payload["unchanged"], len(payload["sha256"])) == (
        "danh-sach.xlsx",
        4,
        0,
        64,
    )
    assert "1985" not in str(payload) and "001179000123" not in str(payload)
    assert action_label(IMPORT_ACTION) == "Nhập danh sách người, tập thể được đề nghị từ tệp"
    assert verify_chain() == []


def test_headers_and_labels_without_diacritics_and_a_csv_file(dossier, clerk_a):
    header = "loai;ho va ten;gioi tinh;ngay sinh;so dinh danh;chuc vu;don vi cong tac;truc tiep lao dong;thanh tich"
    text = f"{header}\nCa nhan;Đỗ Thị Loan;Nu;5/6/1990;;Giáo viên;Trường Tiểu học;co;Dạy tin học\n"
    result = import_nominees(dossier, io.BytesIO(text.encode("utf-8")), actor=clerk_a, filename="ds.csv")
    assert result.ok and result.new == 1
    loan = dossier.nominees.get()
    assert (loan.name, loan.gender, loan.birth_date, loan.direct_worker) == (
        "Đỗ Thị Loan",
        "female",
        date(1990, 6, 5),
        True,
    )


def test_a_dry_run_counts_and_writes_nothing(dossier, clerk_a):
    events = AuditEvent.objects.count()
    result = run(dossier, [person("Nguyễn Thị Hoà"), person("Trần Văn Bình")], clerk_a, dry_run=True)
    assert result.ok and result.dry_run and result.new == 2 and result.nominees == []
    assert not dossier.nominees.exists() and AuditEvent.objects.count() == events


# --- Bad rows: nothing written, each reported ------------------------------------------------------------------


def test_good_and_bad_rows_write_nothing_and_report_each_bad_row(dossier, clerk_a, team, commune_b):
    team.dissolved_on = date(2025, 7, 1)
    team.successor = commune_b
    team.save()
    events = AuditEvent.objects.count()
    rows = [
        person("Nguyễn Thị Hoà"),  # row 2: good
        person("Phạm Văn An", kind="Công an"),  # 3: unknown kind
        person("Lê Văn Cường", "31/02/1985"),  # 4: no such date
        person("Vũ Thị Dung", ""),  # 5: add_nominee: a person needs a birth date or an ID number
        person("", kind="Tập thể", gender="", birth="", unit_code="KHONGCO"),  # 6: unknown unit, so no name either
        person("Đinh Văn Em", gender="X"),  # 7: gender
        person("Tổ dân phố số 3", "", kind="Tập thể", gender="", unit_code="TDP3"),  # 8: add_nominee: dissolved
        person("Mai Thị Giang", direct="Có lẽ"),  # 9: yes or no
        person("Bùi Văn Hùng", id_number=1179000123),  # 10: an ID typed as a number lost its leading zeros
        person("x" * 300),  # 11: too long
        person("Trần Văn Khoa", "02/04/2999"),  # 12: born in the future
        person("Lý Văn Long", "", kind="Cá nhân", unit_code="TDP3"),  # 13: a unit code on a person
        person("Lò Văn Minh", kind="Tập thể", gender=""),  # 14: a collective has no birth date
    ]
    result = run(dossier, rows, clerk_a)
    assert not result.ok and result.new == 0
    assert not dossier.nominees.exists() and AuditEvent.objects.count() == events
    where = [(row, column, value) for row, column, value, _message in located(result)]
    assert where == [
        (3, "Loại", "Công an"),
        (4, "Ngày sinh", "31/02/1985"),
        (5, "Ngày sinh", ""),
        (6, "Mã đơn vị", "KHONGCO"),
        (6, "Họ và tên / Tên tập thể", ""),
        (7, "Giới tính", "X"),
        (8, "Mã đơn vị", "TDP3"),
        (9, "Trực tiếp lao động, công tác", "Có lẽ"),
        (10, "Số định danh", "1179000123"),
        (11, "Họ và tên / Tên tập thể", "x" * 60 + "…"),
        (12, "Ngày sinh", "02/04/2999"),
        (13, "Mã đơn vị", "TDP3"),
        (14, "Ngày sinh", "02/04/1985"),
    ]
    reasons = {row: message for row, _column, _value, message in located(result)}
    assert "Cá nhân; Tập thể; Hộ gia đình" in reasons[3]
    assert "ngày/tháng/năm" in reasons[4]
    assert "cần có ngày sinh hoặc số định danh" in reasons[5]
    assert "giải thể" in reasons[8] and "Phường Linh Sơn" in reasons[8]
    assert "đúng 12 chữ số" in reasons[10] and "văn bản (Text)" in reasons[10]
    assert "vượt quá 255 ký tự" in reasons[11]
    assert str(result.errors[0]).startswith("Dòng 3, cột “Loại (A)”, giá trị “Công an”: ")


def test_an_unknown_or_missing_column_is_reported_on_row_one(dossier, clerk_a):
    header = ["Loại", "Ngày sinh", "Quê quán"]
    result = import_nominees(
        dossier, xlsx([["Cá nhân", "1/1/1980", "Hà Nội"]], header), actor=clerk_a, filename="a.xlsx"
    )
    assert [(e.row, e.value) for e in result.errors] == [(1, "Quê quán"), (1, "")]
    assert "Thiếu cột bắt buộc “Họ và tên / Tên tập thể”" in result.errors[1].message
    assert not dossier.nominees.exists()


def test_a_file_longer_than_the_limit_is_refused_whole(dossier, clerk_a, settings):
    settings.THIDUA_NOMINEE_IMPORT_MAX_ROWS = 2
    result = run(dossier, [person("A Văn Một"), person("B Văn Hai"), person("C Văn Ba")], clerk_a)
    assert [(e.row, e.value) for e in result.errors] == [(None, "danh-sach.xlsx")]
    assert "nhiều hơn 2 dòng" in result.errors[0].message and not dossier.nominees.exists()


# --- Duplicates (domain rule 3) --------------------------------------------------------------------------------


def test_duplicates_inside_the_file_are_reported_by_row(dossier, clerk_a):
    rows = [
        person("Nguyễn Thị Hòa"),  # row 2
        person("nguyễn   thị HOÀ"),  # 3: case, spaces, new tone placement
        person(unicodedata.normalize("NFD", "Nguyễn Thị Hoà")),  # 4: decomposed input
        person("Lê Thị Thúy", "01/01/1990"),  # 5
        person("Lê Thị Thuý", "1990-01-01"),  # 6
        person("Lê Thị Thuý", "02/01/1990"),  # 7: another birth date, another person
        person("Phan Văn Tú", "", id_number="001090000001"),  # 8
        person("Phan Văn Tư", "", id_number="001090000001"),  # 9: the same ID number
    ]
    result = run(dossier, rows, clerk_a)
    assert [(e.row, e.column.split(" (")[0], e.message) for e in result.errors] == [
        (3, "Họ và tên / Tên tập thể", "Trùng với dòng 2 của tệp: mỗi người, tập thể chỉ được đề nghị một lần."),
        (4, "Họ và tên / Tên tập thể", "Trùng với dòng 2 của tệp: mỗi người, tập thể chỉ được đề nghị một lần."),
        (6, "Họ và tên / Tên tập thể", "Trùng với dòng 5 của tệp: mỗi người, tập thể chỉ được đề nghị một lần."),
        (9, "Số định danh", "Số định danh trùng với dòng 8 của tệp."),
    ]
    assert result.errors[1].value == "Nguyễn Thị Hoà" and unicodedata.is_normalized("NFC", result.errors[1].value)
    assert not Nominee.objects.exists()


def test_a_person_nominated_by_another_unit_in_the_campaign_is_refused(world, dossier, clerk_a, clerk_b, commune_b):
    other = services.create_dossier(
        world.campaign, unit=commune_b, award_type_code="bang_khen_tinh", title="Hồ sơ phường B", actor=clerk_b
    )
    services.add_nominee(other, actor=clerk_b, kind="individual", name="Nguyễn Thị Hòa", birth_date=date(1985, 4, 2))
    services.add_nominee(other, actor=clerk_b, kind="individual", name="Ngô Văn Sơn", id_number="001080000777")
    rows = [
        person("Trần Văn Bình"),
        person("NGUYỄN THỊ HOÀ"),
        person("Ngô Văn Sơn", "", id_number="001080000777"),
        person("Ngô Văn Sơn Em", "", id_number="001080000777"),
    ]
    result = run(dossier, rows, clerk_a)
    assert [(e.row, e.column.split(" (")[0], e.value) for e in result.errors] == [
        (3, "Họ và tên / Tên tập thể", "NGUYỄN THỊ HOÀ"),
        (4, "Họ và tên / Tên tập thể", "Ngô Văn Sơn"),
        (5, "Số định danh", "001080000777"),
    ]
    assert "đã được đề nghị trong phong trào này" in result.errors[0].message
    assert "Hồ sơ phường B" in result.errors[0].message and "Phường Linh Sơn" in result.errors[0].message
    assert not dossier.nominees.exists()


def test_the_later_checks_of_add_nominee_apply_too_a_held_person(dossier, clerk_a, board_officer):
    """The file goes through add_nominee itself: a hold placed by the board (domain rule 5) refuses the row."""
    from nominations.enums import HoldReason
    from nominations.services import history

    history.add_hold(
        actor=board_officer,
        kind="individual",
        name="Trần Văn Hòa",
        birth_date=date(1982, 7, 1),
        reason=HoldReason.DISCIPLINE,
        since=date(2025, 1, 1),
    )
    result = run(dossier, [person("Nguyễn Thị Hoà"), person("TRẦN VĂN HOÀ", "01/07/1982", gender="Nam")], clerk_a)
    assert [(e.row, e.column.split(" (")[0], e.value) for e in result.errors] == [
        (3, "Họ và tên / Tên tập thể", "TRẦN VĂN HOÀ")
    ]
    assert "tạm dừng xét khen thưởng" in result.errors[0].message
    assert not dossier.nominees.exists()


# --- Re-import -------------------------------------------------------------------------------------------------


def test_reimporting_the_same_file_adds_nobody(dossier, clerk_a):
    rows = [person("Nguyễn Thị Hoà"), person("Trần Văn Bình", "1979-11-30")]
    assert run(dossier, rows, clerk_a).new == 2
    events = AuditEvent.objects.count()
    again = run(dossier, rows, clerk_a)
    assert again.ok and (again.new, again.unchanged) == (0, 2)
    assert dossier.nominees.count() == 2 and AuditEvent.objects.count() == events
    # One more row: only it is added; the nominee typed by hand with the other tone placement is kept as it is.
    services.add_nominee(dossier, actor=clerk_a, kind="individual", name="Lê Thị Thúy", birth_date=date(1990, 1, 1))
    more = run(dossier, [*rows, person("Lê Thị Thuý", "01/01/1990"), person("Đỗ Văn Cao", "03/03/1983")], clerk_a)
    assert more.ok and (more.new, more.unchanged) == (1, 3)
    assert sorted(dossier.nominees.values_list("name", flat=True)) == [
        "Lê Thị Thúy",
        "Nguyễn Thị Hoà",
        "Trần Văn Bình",
        "Đỗ Văn Cao",
    ]
    assert AuditEvent.objects.filter(action=IMPORT_ACTION).count() == 2


# --- Permissions -----------------------------------------------------------------------------------------------


def test_another_units_clerk_and_the_board_are_refused(dossier, clerk_b, board_officer):
    for actor in (clerk_b, board_officer):
        with pytest.raises(TransitionForbidden):
            run(dossier, [person("Nguyễn Thị Hoà")], actor)
    assert not dossier.nominees.exists()


def test_a_submitted_dossier_is_refused(world, dossier, clerk_a, commune_a):
    services.add_nominee(dossier, actor=clerk_a, kind="individual", name="Trần Văn Bình", birth_date=date(1979, 1, 1))
    services.submit_dossier(dossier, actor=world.heads[commune_a.code], on=date(2025, 9, 1))
    with pytest.raises(TransitionRefused) as refused:
        run(dossier, [person("Nguyễn Thị Hoà")], clerk_a)
    assert "đang ở trạng thái “Đã gửi”" in str(refused.value)
    assert dossier.nominees.count() == 1


# --- The template ----------------------------------------------------------------------------------------------


def test_the_template_reads_back_and_has_a_guide():
    data = nominee_template_xlsx()
    table = open_table(io.BytesIO(data), "mau.xlsx")
    layout, errors = map_headers(table.dataset.headers, NOMINEE_COLUMNS)
    assert errors == [] and set(layout.index) == {c.key for c in NOMINEE_COLUMNS}
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    guide = [cell.value for cell in workbook["Hướng dẫn"]["A"]]
    assert "Tóm tắt thành tích" in guide and "Hộ gia đình" in guide


# --- The web page ----------------------------------------------------------------------------------------------


def upload(rows, name="danh-sach.xlsx"):
    return SimpleUploadedFile(name, xlsx(rows).getvalue())


def test_upload_preview_confirm(client, dossier, clerk_a):
    client.force_login(clerk_a)
    url = reverse("nominations:nominee_import", args=[dossier.pk])
    assert url in client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
    page = client.get(url).content.decode()
    assert reverse("nominations:nominee_import_template", args=[dossier.pk]) in page

    # A file with a bad row: every bad row shown, nothing to confirm.
    page = client.post(url, {"file": upload([person("Nguyễn Thị Hoà"), person("Lê Văn Cường", "31/02/1985")])})
    text = page.content.decode()
    assert "Tệp có 1 lỗi" in text and "31/02/1985" in text and "Ngày sinh" in text
    assert 'name="confirm"' not in text and not dossier.nominees.exists()

    # A good file: the counts, then the confirm writes it.
    page = client.post(url, {"file": upload([person("Nguyễn Thị Hoà"), person("Trần Văn Bình", "1979-11-30")])})
    assert page.context["result"].new == 2 and 'name="confirm"' in page.content.decode()
    assert not dossier.nominees.exists()
    response = client.post(url, {"confirm": "1", "token": page.context["token"]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("nominations:dossier_detail", args=[dossier.pk])
    assert "2 người, tập thể mới" in response.content.decode()
    assert sorted(dossier.nominees.values_list("name", flat=True)) == ["Nguyễn Thị Hoà", "Trần Văn Bình"]
    # The same file again: nothing new, nothing to confirm.
    page = client.post(url, {"file": upload([person("Nguyễn Thị Hoà"), person("Trần Văn Bình", "1979-11-30")])})
    assert page.context["result"].unchanged == 2 and "không cần nhập" in page.content.decode()

    template = client.get(reverse("nominations:nominee_import_template", args=[dossier.pk]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats") and template.content[:2] == b"PK"


def test_the_page_is_refused_to_others_and_once_submitted(world, client, dossier, clerk_a, clerk_b, commune_a):
    url = reverse("nominations:nominee_import", args=[dossier.pk])
    client.force_login(clerk_b)
    assert client.get(url).status_code == 404  # not even visible to another unit
    head = world.heads[commune_a.code]
    client.force_login(head)
    assert client.get(url).status_code == 403  # the head sees the dossier but the clerk adds nominees
    assert url not in client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
    services.add_nominee(dossier, actor=clerk_a, kind="individual", name="Trần Văn Bình", birth_date=date(1979, 1, 1))
    services.submit_dossier(dossier, actor=head, on=date(2025, 9, 1))
    client.force_login(clerk_a)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("nominations:dossier_detail", args=[dossier.pk])
    assert "chỉ nhập danh sách khi hồ sơ đang soạn" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED
