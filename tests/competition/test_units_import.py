"""Importing the organisation tree from XLSX/CSV, dissolving units, clusters: services, command and pages."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from competition.enums import UnitKind
from competition.models import Cluster, Unit
from competition.services.tables import RowError, read_table
from competition.services.units import import_units, mark_dissolved, units_template_xlsx, validate_units
from tests.factories import UnitFactory
from workflows import SYSTEM
from workflows.exceptions import TransitionRefused
from workflows.models import AuditEvent

HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Ngày giải thể", "Mã đơn vị kế thừa"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def write_xlsx(directory, rows, name="don-vi.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = directory / name
    workbook.save(path)
    return path


def write_csv(directory, rows, name="don-vi.csv", encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = directory / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def good_rows():
    # The child comes before its parent on purpose: a parent may be a later row of the same file.
    return [
        HEADER,
        ["05443", "Phường Phan Đình Phùng", "PHƯỜNG", "19", "", ""],
        ["19", "Tỉnh Thái Nguyên", "tinh", "", "", ""],
        ["SNV", "Sở Nội vụ", "sở, ban, ngành", "19", "", ""],
        ["SNV.VP", "Văn phòng Sở", "body", "SNV", "", ""],
        ["05444", "Xã Cũ", "Xã", "19", "01/07/2025", "05443"],
    ]


def errors_by_row(errors: list[RowError]) -> dict[int | None, list[RowError]]:
    grouped: dict[int | None, list[RowError]] = {}
    for error in errors:
        grouped.setdefault(error.row, []).append(error)
    return grouped


# --- Service -----------------------------------------------------------------------------------------------


def test_xlsx_import_builds_the_tree_with_a_parent_later_in_the_file(db, tmp_path):
    result = import_units(write_xlsx(tmp_path, good_rows()), actor=SYSTEM)

    assert result.ok, result.errors
    assert (result.new, result.updated, result.unchanged) == (5, 0, 0)
    units = {u.code: u for u in Unit.objects.all()}
    assert units["05443"].path == "/19/05443/"
    assert units["05443"].kind == UnitKind.WARD
    assert units["19"].kind == UnitKind.PROVINCE and units["19"].parent is None
    assert units["SNV"].kind == UnitKind.DEPARTMENT
    assert units["SNV.VP"].path == "/19/SNV/SNV.VP/" and units["SNV.VP"].kind == UnitKind.BODY
    assert units["05444"].dissolved_on == date(2025, 7, 1)
    assert units["05444"].successor == units["05443"]
    event = AuditEvent.objects.get()
    assert event.action == "competition.units.import"
    assert '"new":["05443","19","SNV","SNV.VP","05444"]' in event.body


def test_csv_gives_the_same_result_and_a_reimport_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path, good_rows())
    first = import_units(path, actor=SYSTEM)
    assert first.ok and first.new == 5
    snapshot = list(Unit.objects.values_list("code", "name", "kind", "path", "parent_id", "successor_id"))
    events = AuditEvent.objects.count()

    again = import_units(path, actor=SYSTEM)
    from_xlsx = import_units(write_xlsx(tmp_path, good_rows()), actor=SYSTEM)

    for result in (again, from_xlsx):
        assert result.ok
        assert (result.new, result.updated, result.unchanged) == (0, 0, 5)
    assert list(Unit.objects.values_list("code", "name", "kind", "path", "parent_id", "successor_id")) == snapshot
    assert AuditEvent.objects.count() == events  # nothing changed: no audit event at all


def test_bad_rows_write_nothing_and_say_row_column_value_and_reason(province, tmp_path):
    UnitFactory(code="OLD", name="Xã đã giải thể", parent=province, dissolved_on=date(2025, 7, 1))
    rows = [
        HEADER,
        ["A1", "Đơn vị A", "huyện", "19", "", ""],  # row 2: unknown kind
        ["", "Không có mã", "xã", "19", "", ""],  # row 3: missing code
        ["A1", "Trùng mã", "xã", "19", "", ""],  # row 4: duplicate code
        ["B1", "Cấp trên lạ", "xã", "ZZ", "", ""],  # row 5: unknown parent
        ["C1", "Vòng 1", "xã", "C2", "", ""],  # row 6: loop C1 → C2 → C1
        ["C2", "Vòng 2", "xã", "C1", "", ""],  # row 7
        ["D1", "Ngày sai", "xã", "19", "31/02/2025", "19"],  # row 8: bad date
        ["E1", "Kế thừa lạ", "xã", "19", "01/07/2025", "NOPE"],  # row 9: unknown successor
        ["F1", "Kế thừa chính mình", "xã", "19", "01/07/2025", "F1"],  # row 10: itself
        ["G1", "Kế thừa đã giải thể", "xã", "19", "01/07/2025", "OLD"],  # row 11: successor dissolved
        ["H1", "Thiếu kế thừa", "xã", "19", "2025-07-01", ""],  # row 12: dissolved without successor
    ]
    before = Unit.objects.count()

    result = import_units(write_xlsx(tmp_path, rows), actor=SYSTEM)

    assert not result.ok
    assert Unit.objects.count() == before
    assert not AuditEvent.objects.exists()
    by_row = errors_by_row(result.errors)
    kind = by_row[2][0]
    assert (kind.column, kind.value) == ("Loại đơn vị (C)", "huyện")
    assert "Loại đơn vị không có trong danh mục" in kind.message and "Phường" in kind.message
    assert by_row[3][0].column == "Mã đơn vị (A)" and "Thiếu mã" in by_row[3][0].message
    assert "trùng với dòng 2" in by_row[4][0].message
    assert (by_row[5][0].column, by_row[5][0].value) == ("Mã đơn vị cấp trên (D)", "ZZ")
    assert "vòng lặp: C1 → C2 → C1" in by_row[6][0].message
    assert "vòng lặp" in by_row[7][0].message
    assert (by_row[8][0].column, by_row[8][0].value) == ("Ngày giải thể (E)", "31/02/2025")
    assert "Ngày không hợp lệ" in by_row[8][0].message
    assert by_row[9][0].value == "NOPE" and "Không có đơn vị kế thừa" in by_row[9][0].message
    assert "chính nó" in by_row[10][0].message
    assert "đã giải thể" in by_row[11][0].message and by_row[11][0].column == "Mã đơn vị kế thừa (F)"
    assert "phải có đơn vị kế thừa" in by_row[12][0].message
    # The same problems through the public validator, and a readable line for the command.
    assert validate_units(read_table(write_xlsx(tmp_path, rows), "x.xlsx")) == result.errors
    assert str(kind).startswith("Dòng 2, cột “Loại đơn vị (C)”, giá trị “huyện”: ")


def test_header_problems_are_reported_on_row_one(db, tmp_path):
    rows = [["Mã", "Tên", "Cột lạ"], ["X1", "Xã X", "?"]]
    errors = import_units(write_csv(tmp_path, rows), actor=SYSTEM).errors
    messages = {(e.row, e.column): e.message for e in errors}
    assert "Không nhận ra cột" in messages[(1, "Cột lạ (C)")]
    assert "Thiếu cột bắt buộc “Loại đơn vị”" in messages[(1, "Loại đơn vị")]
    assert not Unit.objects.exists()


def test_another_encoding_or_format_gets_a_clear_message(db, tmp_path):
    eight_bit = write_csv(tmp_path, [["code", "name", "kind"], ["X1", "Xã Hòa Bình", "xã"]], encoding="latin-1")
    result = import_units(eight_bit, actor=SYSTEM)
    assert [e.row for e in result.errors] == [None]
    assert "UTF-8" in result.errors[0].message

    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a spreadsheet")
    assert "không đọc được như một bảng tính Excel" in import_units(fake, actor=SYSTEM).errors[0].message
    other = tmp_path / "list.txt"
    other.write_text("x")
    assert "chỉ nhận tệp .xlsx hoặc .csv" in import_units(other, actor=SYSTEM).errors[0].message


def test_dry_run_counts_and_writes_nothing(db, tmp_path):
    result = import_units(write_xlsx(tmp_path, good_rows()), actor=SYSTEM, dry_run=True)
    assert result.ok and result.dry_run and result.new == 5
    assert not Unit.objects.exists() and not AuditEvent.objects.exists()


def test_moving_a_unit_recomputes_the_paths_of_its_sub_units(province, commune_a, board_unit, tmp_path):
    office = UnitFactory(code="05443.VP", name="Văn phòng", kind=UnitKind.BODY, parent=commune_a)
    team = UnitFactory(code="05443.VP.T", name="Tổ", kind=UnitKind.BODY, parent=office)
    rows = [HEADER[:4], ["05443", "Phường Phan Đình Phùng (mới)", "phường", "SNV"]]

    result = import_units(write_csv(tmp_path, rows), actor=SYSTEM)

    assert result.ok and (result.new, result.updated) == (0, 1)
    commune_a.refresh_from_db()
    office.refresh_from_db()
    team.refresh_from_db()
    assert commune_a.parent == board_unit and commune_a.name == "Phường Phan Đình Phùng (mới)"
    assert commune_a.path == "/19/SNV/05443/"
    assert office.path == "/19/SNV/05443/05443.VP/"
    assert team.path == "/19/SNV/05443/05443.VP/05443.VP.T/"
    province.refresh_from_db()
    assert province.path == "/19/"  # columns and units not in the file are left alone
    assert '"moved":["05443","05443.VP","05443.VP.T"]' in AuditEvent.objects.get().body


def test_a_column_missing_from_the_file_keeps_stored_values(commune_a, tmp_path):
    Unit.objects.filter(pk=commune_a.pk).update(email="vanthu@example.org")
    result = import_units(write_csv(tmp_path, [["code", "name", "kind"], ["05443", "Phường P", "ward"]]), actor=SYSTEM)
    assert result.ok and result.updated == 1
    commune_a.refresh_from_db()
    assert commune_a.email == "vanthu@example.org" and commune_a.parent.code == "19"


def test_dissolving_through_the_file_repoints_older_predecessors(province, commune_a, commune_b, tmp_path):
    legacy = UnitFactory(
        code="LEG", name="Xã cũ hơn", parent=province, dissolved_on=date(2020, 1, 1), successor=commune_b
    )
    rows = [HEADER, ["05710", "Phường Linh Sơn", "phường", "19", "01/07/2025", "05443"]]

    result = import_units(write_xlsx(tmp_path, rows), actor=SYSTEM)

    assert result.ok, result.errors
    commune_b.refresh_from_db()
    legacy.refresh_from_db()
    assert commune_b.is_dissolved and commune_b.successor == commune_a
    assert legacy.successor == commune_a  # every dissolved unit still points to a unit that is active


def test_a_successor_only_for_a_dissolved_unit(province, commune_a, tmp_path):
    rows = [HEADER, ["X1", "Xã X", "xã", "19", "", "05443"]]
    errors = import_units(write_xlsx(tmp_path, rows), actor=SYSTEM).errors
    assert [(e.row, e.column) for e in errors] == [(2, "Mã đơn vị kế thừa (F)")]
    assert "Chỉ ghi đơn vị kế thừa cho đơn vị đã giải thể" in errors[0].message


def test_cluster_column_creates_or_reuses_clusters(province, commune_a, tmp_path):
    Cluster.objects.create(code="CUM1", name="Cụm thi đua số 1")
    rows = [
        ["Mã", "Tên", "Loại", "Cấp trên", "Cụm, khối"],
        ["05443", "Phường Phan Đình Phùng", "phường", "19", "CUM1; KHOI-XA"],
        ["X2", "Xã Mới", "xã", "19", "KHOI-XA"],
    ]
    path = write_xlsx(tmp_path, rows)

    result = import_units(path, actor=SYSTEM)

    assert result.ok and (result.new, result.updated) == (1, 1)
    assert set(Cluster.objects.get(code="CUM1").units.values_list("code", flat=True)) == {"05443"}
    created = Cluster.objects.get(code="KHOI-XA")
    assert created.name == "KHOI-XA"
    assert set(created.units.values_list("code", flat=True)) == {"05443", "X2"}
    again = import_units(path, actor=SYSTEM)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_the_template_reads_back_with_every_column(db):
    dataset = read_table(io.BytesIO(units_template_xlsx()), "mau.xlsx")
    assert dataset.headers[:3] == ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"]
    assert "Mã cụm, khối" in dataset.headers
    assert validate_units(dataset) == []


def test_mark_dissolved_is_audited_and_repoints_predecessors(province, commune_a, commune_b, board_officer):
    older = UnitFactory(code="OLDER", parent=province, dissolved_on=date(2020, 1, 1), successor=commune_a)

    mark_dissolved(commune_a, actor=board_officer, on=date(2025, 7, 1), successor=commune_b)

    commune_a.refresh_from_db()
    older.refresh_from_db()
    assert commune_a.dissolved_on == date(2025, 7, 1) and commune_a.successor == commune_b
    assert older.successor == commune_b
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.actor_id) == (
        "competition.unit.dissolve",
        str(commune_a.pk),
        board_officer.pk,
    )


def test_mark_dissolved_refuses_itself_and_a_dissolved_successor(province, commune_a, board_officer):
    gone = UnitFactory(code="GONE", parent=province, dissolved_on=date(2024, 1, 1))
    with pytest.raises(TransitionRefused, match="chính nó"):
        mark_dissolved(commune_a, actor=board_officer, on=date(2025, 7, 1), successor=commune_a)
    with pytest.raises(TransitionRefused, match="đã giải thể"):
        mark_dissolved(commune_a, actor=board_officer, on=date(2025, 7, 1), successor=gone)
    commune_a.refresh_from_db()
    assert not commune_a.is_dissolved and not AuditEvent.objects.exists()


def test_a_unit_clerk_cannot_import_or_dissolve(clerk_a, commune_a, commune_b, tmp_path):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_units(write_xlsx(tmp_path, good_rows()), actor=clerk_a)
    with pytest.raises(PermissionDenied):
        mark_dissolved(commune_a, actor=clerk_a, on=date(2025, 7, 1), successor=commune_b)


# --- Command -----------------------------------------------------------------------------------------------


def test_command_prints_the_rows_and_exits_non_zero(db, tmp_path):
    bad = write_csv(tmp_path, [HEADER[:3], ["X1", "Xã X", "quận"]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_units", str(bad), stderr=err)
    assert "Dòng 2, cột “Loại đơn vị (C)”, giá trị “quận”" in err.getvalue()

    out = io.StringIO()
    call_command("import_units", str(write_xlsx(tmp_path, good_rows())), "--dry-run", stdout=out)
    assert "Chạy thử" in out.getvalue() and not Unit.objects.exists()
    call_command("import_units", str(write_xlsx(tmp_path, good_rows())), stdout=out)
    assert Unit.objects.count() == 5


# --- Pages -------------------------------------------------------------------------------------------------


def upload(path, name=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_web_import_previews_then_writes_on_confirm(client, admin_user, tmp_path):
    client.force_login(admin_user)
    url = reverse("competition:unit_import")
    rows = [*good_rows()[:2], ["X9", "Xã Chín", "xã", "19", "", ""]]

    preview = client.post(url, {"file": upload(write_xlsx(tmp_path, rows))})

    assert preview.status_code == 200
    assert (preview.context["result"].new, preview.context["result"].unchanged) == (2, 0)
    assert "Xác nhận nhập" in preview.content.decode()
    assert not Unit.objects.filter(code__in=["05443", "X9"]).exists()  # nothing before the confirm

    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})

    assert done.status_code == 302 and done.url == reverse("competition:unit_list")
    assert Unit.objects.get(code="X9").path == "/19/X9/"
    again = client.post(url, {"confirm": "1", "token": token}, follow=True)  # the stored file is gone
    assert "Không còn tệp chờ nhập" in again.content.decode()
    assert AuditEvent.objects.filter(action="competition.units.import").count() == 1


def test_web_import_lists_every_bad_row(client, board_officer, tmp_path):
    client.force_login(board_officer)
    rows = [HEADER[:4], ["X1", "Xã X", "quận", "19"], ["X2", "", "xã", "NOPE"]]

    response = client.post(reverse("competition:unit_import"), {"file": upload(write_csv(tmp_path, rows))})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tệp có 3 lỗi" in html and "Xác nhận nhập" not in html
    assert '<td class="num">2</td><td>Loại đơn vị (C)</td><td>quận</td>' in html
    assert "Thiếu tên đơn vị" in html and "NOPE" in html
    assert not Unit.objects.filter(code__in=["X1", "X2"]).exists()


def test_web_import_checks_extension_and_size(client, admin_user, settings, tmp_path):
    client.force_login(admin_user)
    url = reverse("competition:unit_import")
    text = tmp_path / "units.txt"
    text.write_text("code,name,kind\n")
    response = client.post(url, {"file": upload(text)})
    assert "chỉ nhận tệp .xlsx hoặc .csv" in response.content.decode()

    settings.THIDUA_MAX_UPLOAD_BYTES = 20
    response = client.post(url, {"file": upload(write_xlsx(tmp_path, good_rows()))})
    assert "vượt giới hạn" in response.content.decode()
    assert "result" not in response.context


def test_template_download(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("competition:unit_import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('"mau-nhap-don-vi.xlsx"')
    assert read_table(io.BytesIO(response.content), "mau.xlsx").headers[0] == "Mã đơn vị"


def test_a_unit_clerk_is_kept_out(client, clerk_a, commune_a, commune_b):
    client.force_login(clerk_a)
    assert client.get(reverse("competition:unit_import")).status_code == 403
    assert client.post(reverse("competition:unit_import"), {"confirm": "1", "token": "x"}).status_code == 403
    assert client.get(reverse("competition:unit_import_template")).status_code == 403
    assert client.get(reverse("competition:unit_detail", args=[commune_b.pk])).status_code == 404
    own = client.get(reverse("competition:unit_detail", args=[commune_a.pk]))
    assert own.status_code == 200 and own.context["form"] is None
    response = client.post(
        reverse("competition:unit_detail", args=[commune_a.pk]), {"on": "2025-07-01", "successor_code": "05710"}
    )
    assert response.status_code == 403
    commune_a.refresh_from_db()
    assert not commune_a.is_dissolved


def test_board_marks_a_unit_dissolved_on_its_page(client, board_officer, commune_a, commune_b):
    client.force_login(board_officer)
    url = reverse("competition:unit_detail", args=[commune_a.pk])
    assert "Ghi nhận giải thể" in client.get(url).content.decode()

    refused = client.post(url, {"on": "2025-07-01", "successor_code": "05443"}, follow=True)
    assert "không thể kế thừa chính nó" in refused.content.decode()
    unknown = client.post(url, {"on": "2025-07-01", "successor_code": "NOPE"})
    assert "Không có đơn vị mã “NOPE”" in unknown.content.decode()

    response = client.post(url, {"on": "2025-07-01", "successor_code": "05710"})
    assert response.status_code == 302
    commune_a.refresh_from_db()
    assert commune_a.dissolved_on == date(2025, 7, 1) and commune_a.successor == commune_b


def test_cluster_list_is_scoped(client, clerk_a, board_officer, auditor, commune_a, commune_b):
    mine = Cluster.objects.create(code="C1", name="Cụm phường 1")
    mine.units.add(commune_a, commune_b)
    other = Cluster.objects.create(code="C2", name="Cụm phường 2")
    other.units.add(commune_b)

    client.force_login(clerk_a)
    response = client.get(reverse("competition:cluster_list"))
    assert list(response.context["clusters"]) == [mine]
    html = response.content.decode()
    assert "Phường Linh Sơn" in html  # a peer of the cluster is named ...
    assert reverse("competition:unit_detail", args=[commune_b.pk]) not in html  # ... but not opened

    for user in (board_officer, auditor):
        client.force_login(user)
        assert set(client.get(reverse("competition:cluster_list")).context["clusters"]) == {mine, other}


def test_headers_in_english_are_accepted_too(tmp_path, admin_user, province):
    """The template downloaded on the English pages has English headers: a file made from it imports."""
    from django.utils import translation

    from competition.services.units import UNIT_COLUMNS, import_units

    with translation.override("en"):
        headers = [str(c.header) for c in UNIT_COLUMNS]
    assert headers[0] != "Mã đơn vị"
    path = tmp_path / "units-en.csv"
    values = {"code": "09999", "name": "Xã Thử Tiếng Anh", "kind": "commune", "parent_code": province.code}
    path.write_text(
        ",".join(headers) + "\n" + ",".join(values.get(c.key, "") for c in UNIT_COLUMNS) + "\n", encoding="utf-8"
    )
    result = import_units(path, actor=admin_user)
    assert result.ok, [str(e) for e in result.errors]
    assert result.new == 1
