"""Accounts kept by the administrator: bulk creation from a file, password reset, deactivation, first sign-in."""

import base64
import csv
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from competition.models import Membership
from competition.services.people import (
    accounts_csv,
    deactivate_user,
    escape_formula,
    import_accounts,
    reset_password,
    temporary_password,
)
from tests.factories import UserFactory
from workflows.exceptions import TransitionRefused
from workflows.models import AuditEvent

HEADER = ["Tên đăng nhập", "Họ tên", "Thư điện tử", "Vai trò", "Mã đơn vị", "Chức vụ"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def write_xlsx(directory, rows, name="tai-khoan.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = directory / name
    workbook.save(path)
    return path


def write_csv(directory, rows, name="tai-khoan.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = directory / name
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def good_rows():
    return [
        HEADER,
        ["vanthu.pdp", "Nguyễn Thị Hoà", "vanthu.pdp@example.org", "Cán bộ thi đua đơn vị", "05443", "Văn thư"],
        ["chutich.pdp", "Trần Văn Bình", "", "unit_head", "05443", "Chủ tịch UBND phường"],
        [
            "chuyenvien.snv",
            "Lê Thị Lan",
            "lan@example.org",
            "CHUYÊN VIÊN BAN THI ĐUA - KHEN THƯỞNG (SỞ NỘI VỤ)",
            "SNV",
            "",
        ],
        ["kiemtoan2", "Phạm Văn An", "", "auditor", "", ""],
    ]


# --- Service -----------------------------------------------------------------------------------------------


def test_import_creates_accounts_with_temporary_passwords(admin_user, commune_a, board_unit, tmp_path):
    result = import_accounts(write_xlsx(tmp_path, good_rows()), actor=admin_user)

    assert result.ok, result.errors
    assert (result.new, result.updated, result.unchanged) == (4, 0, 0)
    clerk = User.objects.get(username="vanthu.pdp")
    assert clerk.role == Role.UNIT_CLERK and clerk.full_name == "Nguyễn Thị Hoà" and clerk.position == "Văn thư"
    assert clerk.must_change_password and clerk.is_active
    assert clerk.membership.unit == commune_a
    assert User.objects.get(username="chuyenvien.snv").role == Role.BOARD_OFFICER
    assert not Membership.objects.filter(user__username="kiemtoan2").exists()
    passwords = {a.username: a.password for a in result.accounts}
    assert User.objects.get(username="chutich.pdp").check_password(passwords["chutich.pdp"])
    assert len(set(passwords.values())) == 4
    event = AuditEvent.objects.get()
    assert event.action == "accounts.users.import" and "vanthu.pdp" in event.body
    assert not any(password in event.body for password in passwords.values())


def test_reimporting_the_same_file_creates_nothing(admin_user, commune_a, board_unit, tmp_path):
    path = write_csv(tmp_path, good_rows())
    assert import_accounts(path, actor=admin_user).new == 4
    users, events = User.objects.count(), AuditEvent.objects.count()

    again = import_accounts(path, actor=admin_user)

    assert again.ok and (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert again.accounts == []
    assert User.objects.count() == users and AuditEvent.objects.count() == events


def test_an_account_of_the_same_unit_is_updated_not_duplicated(admin_user, clerk_a, tmp_path):
    password_before = clerk_a.password
    rows = [HEADER, [clerk_a.username, "Tên Mới", "moi@example.org", "unit_head", "05443", "Phó chủ tịch"]]

    result = import_accounts(write_xlsx(tmp_path, rows), actor=admin_user)

    assert (result.new, result.updated) == (0, 1) and result.updated_usernames == ["vanthu.a"]
    clerk_a.refresh_from_db()
    assert (clerk_a.full_name, clerk_a.email, clerk_a.role, clerk_a.position) == (
        "Tên Mới",
        "moi@example.org",
        Role.UNIT_HEAD,
        "Phó chủ tịch",
    )
    assert clerk_a.password == password_before and not clerk_a.must_change_password


def test_bad_rows_write_nothing_and_are_reported(admin_user, commune_a, clerk_b, tmp_path):
    rows = [
        HEADER,
        ["nguoi.a", "Người A", "sai@", "unit_clerk", "05443", ""],  # row 2: bad e-mail
        ["nguoi.b", "Người B", "", "giám đốc", "05443", ""],  # row 3: unknown role
        ["nguoi.c", "Người C", "", "unit_clerk", "", ""],  # row 4: unit role without unit
        ["nguoi.d", "Người D", "", "unit_clerk", "XYZ", ""],  # row 5: unknown unit
        ["NGUOI.A", "Người A lần 2", "", "unit_clerk", "05443", ""],  # row 6: repeated in the file
        ["vanthu.b", "Chiếm tên", "", "unit_clerk", "05443", ""],  # row 7: taken by a person of another unit
        ["có dấu cách", "Người E", "", "unit_clerk", "05443", ""],  # row 8: not a username
    ]
    users = User.objects.count()

    result = import_accounts(write_xlsx(tmp_path, rows), actor=admin_user)

    assert User.objects.count() == users and not AuditEvent.objects.exists()
    found = {(e.row, e.column): e for e in result.errors}
    assert found[(2, "Thư điện tử (C)")].value == "sai@"
    assert "Vai trò không có trong danh mục" in found[(3, "Vai trò (D)")].message
    assert "cần mã đơn vị" in found[(4, "Mã đơn vị (E)")].message
    assert "Không có đơn vị mã “XYZ”" in found[(5, "Mã đơn vị (E)")].message
    assert "trùng với dòng 2" in found[(6, "Tên đăng nhập (A)")].message
    taken = found[(7, "Tên đăng nhập (A)")]
    assert "đã được dùng cho một tài khoản của đơn vị “Phường Linh Sơn”" in taken.message
    assert "chỉ gồm chữ, số" in found[(8, "Tên đăng nhập (A)")].message
    assert len(result.errors) == 7


def test_escape_formula_and_the_password_csv():
    assert escape_formula('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    for prefix in ("+", "-", "@", "\t", "\r"):
        assert escape_formula(f"{prefix}1") == f"'{prefix}1"
    assert escape_formula("Nguyễn Văn A") == "Nguyễn Văn A" and escape_formula(3) == 3
    assert all(temporary_password()[0].isalnum() for _ in range(200))

    from competition.services.people import NewAccount

    data = accounts_csv([NewAccount("a", "=cmd|'/c calc'!A1", "05443", "Cán bộ", "Abc-123")])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Tên đăng nhập"
    assert rows[1] == ["a", "'=cmd|'/c calc'!A1", "05443", "Cán bộ", "Abc-123"]


def test_reset_password_is_audited_without_the_password(admin_user, clerk_a):
    password = reset_password(clerk_a, actor=admin_user)

    clerk_a.refresh_from_db()
    assert clerk_a.check_password(password) and clerk_a.must_change_password
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("accounts.user.reset_password", str(clerk_a.pk))
    assert password not in event.body


def test_deactivate_is_audited_and_not_for_oneself(admin_user, clerk_a, board_officer):
    deactivate_user(clerk_a, actor=admin_user)
    clerk_a.refresh_from_db()
    assert not clerk_a.is_active
    assert AuditEvent.objects.get().action == "accounts.user.deactivate"

    with pytest.raises(TransitionRefused, match="chính mình"):
        deactivate_user(admin_user, actor=admin_user)
    with pytest.raises(TransitionRefused, match="đã bị khoá"):
        deactivate_user(clerk_a, actor=admin_user)
    with pytest.raises(PermissionDenied):
        deactivate_user(clerk_a, actor=board_officer)


# --- Pages -------------------------------------------------------------------------------------------------


def test_only_the_administrator_manages_accounts(client, board_officer, clerk_a, admin_user):
    for user in (board_officer, clerk_a):
        client.force_login(user)
        assert client.get(reverse("competition:user_list")).status_code == 403
        assert client.get(reverse("competition:user_import")).status_code == 403
        assert client.post(reverse("competition:user_reset_password", args=[admin_user.pk])).status_code == 403
        assert client.post(reverse("competition:user_deactivate", args=[admin_user.pk])).status_code == 403
    client.force_login(admin_user)
    response = client.get(reverse("competition:user_list"))
    assert response.status_code == 200 and "vanthu.a" in response.content.decode()
    assert reverse("competition:user_list") in [item["url"] for item in response.context["nav_items"]]


def test_web_account_import_shows_passwords_once_with_a_csv(client, admin_user, commune_a, board_unit, tmp_path):
    client.force_login(admin_user)
    url = reverse("competition:user_import")
    path = write_xlsx(tmp_path, good_rows())

    preview = client.post(url, {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    assert preview.context["result"].new == 4 and not User.objects.filter(username="vanthu.pdp").exists()

    done = client.post(url, {"confirm": "1", "token": preview.context["token"]})

    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    accounts = done.context["result"].accounts
    html = done.content.decode()
    assert all(a.password in html for a in accounts)
    uri = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    rows = list(csv.reader(io.StringIO(base64.b64decode(uri).decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == {"vanthu.pdp", "chutich.pdp", "chuyenvien.snv", "kiemtoan2"}
    # Submitting the confirmation again neither creates nor shows anything.
    again = client.post(url, {"confirm": "1", "token": preview.context["token"]}, follow=True)
    assert "Không còn tệp chờ nhập" in again.content.decode()
    assert User.objects.filter(username="vanthu.pdp").count() == 1
    listing = client.get(reverse("competition:user_list")).content.decode()
    assert "kiemtoan2" in listing and "Chờ đổi mật khẩu" in listing  # an account without a unit is listed too


def test_web_account_import_lists_bad_rows(client, admin_user, tmp_path):
    client.force_login(admin_user)
    path = write_csv(tmp_path, [HEADER, ["x", "X", "", "vai trò lạ", "", ""]])
    response = client.post(
        reverse("competition:user_import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    html = response.content.decode()
    assert "Tệp có 1 lỗi" in html and "vai trò lạ" in html and "Xác nhận nhập" not in html


def test_web_reset_and_deactivate(client, admin_user, clerk_a):
    client.force_login(admin_user)
    assert client.get(reverse("competition:user_reset_password", args=[clerk_a.pk])).status_code == 405

    response = client.post(reverse("competition:user_reset_password", args=[clerk_a.pk]))

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(response.context["password"]) and clerk_a.must_change_password

    myself = client.post(reverse("competition:user_deactivate", args=[admin_user.pk]), follow=True)
    assert "không thể tự khoá" in myself.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active
    client.post(reverse("competition:user_deactivate", args=[clerk_a.pk]))
    clerk_a.refresh_from_db()
    assert not clerk_a.is_active


def test_a_temporary_password_must_be_changed_first(client, clerk_a):
    clerk_a.must_change_password = True
    clerk_a.save()
    client.force_login(clerk_a)
    units = reverse("competition:unit_list")

    response = client.get(units)
    assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    same = client.post(
        reverse("password_change"),
        {
            "old_password": "mat-khau-thu-nghiem-1",
            "new_password1": "mat-khau-thu-nghiem-1",
            "new_password2": "mat-khau-thu-nghiem-1",
        },
    )
    assert "phải khác mật khẩu đang dùng" in same.content.decode()

    changed = client.post(
        reverse("password_change"),
        {
            "old_password": "mat-khau-thu-nghiem-1",
            "new_password1": "Mot-mat-khau-moi-2025",
            "new_password2": "Mot-mat-khau-moi-2025",
        },
    )
    assert changed.status_code == 302
    clerk_a.refresh_from_db()
    assert not clerk_a.must_change_password and clerk_a.check_password("Mot-mat-khau-moi-2025")
    assert client.get(units).status_code == 200


def test_a_new_account_signs_in_and_is_sent_to_change_its_password(client, admin_user, commune_a, tmp_path):
    rows = [HEADER, ["moi.pdp", "Người Mới", "", "unit_clerk", "05443", ""]]
    password = import_accounts(write_csv(tmp_path, rows), actor=admin_user).accounts[0].password

    signed_in = client.post(reverse("login"), {"username": "moi.pdp", "password": password})
    assert signed_in.status_code == 302
    response = client.get(reverse("competition:unit_list"))
    assert response.status_code == 302 and response.url == reverse("password_change")


def test_accounts_without_the_flag_are_not_redirected(client, db):
    # Accounts made by other means keep working: the flag defaults to False.
    user = UserFactory(role=Role.AUDITOR)
    client.force_login(user)
    assert client.get(reverse("competition:unit_list")).status_code == 200
