"""In the browser: the administrator (Quản trị hệ thống) configures the province.

Signs in; imports units from a CSV file through the page (a bad file first: nothing written, the row and the reason
shown; then a good one: checked, confirmed, the units, the dissolved unit's successor and the cluster created);
creates accounts from a file (temporary passwords shown once; the new person must change it at the first sign-in)
and locks one; opens the rule sets, confirms an unconfirmed value, adds the next base salary, copies the rule set in
force into the next decree's and edits and confirms a coefficient of the copy; adds a swapped day off to the
working-day calendar; and cannot open the audit trail (architecture principle 7).

The screenshots saved on the way (test-artifacts/screenshots/) illustrate docs/quan-tri.md and
docs/huong-dan/quan-tri-he-thong.md.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from competition.enums import UnitKind
from competition.models import AwardType, BaseSalary, Cluster, RequiredDocument, RuleSet, Unit
from workflows.audit import verify_chain
from workflows.calendar import is_working_day
from workflows.models import WorkdayOverride

from ..factories import AwardTypeFactory, BaseSalaryFactory, RuleSetFactory, UnitFactory, UserFactory
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e]

UNIT_HEADERS = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Loại đơn vị",
    "Mã đơn vị cấp trên",
    "Thư điện tử",
    "Ngày giải thể",
    "Mã đơn vị kế thừa",
    "Mã cụm, khối",
]
UNIT_ROWS = [
    ["05443", "Phường Phan Đình Phùng", "Phường", "19", "ubnd.phandinhphung@thainguyen.gov.vn", "", "", "CUM-PHUONG"],
    ["05710", "Phường Linh Sơn", "Phường", "19", "", "", "", "CUM-PHUONG"],
    ["05500", "Xã Tân Cương", "Xã", "19", "", "", "", ""],
    ["05512", "Xã Phúc Trìu (cũ)", "Xã", "19", "", "30/06/2025", "05500", ""],
]
ACCOUNT_HEADERS = ["Tên đăng nhập", "Họ tên", "Thư điện tử", "Vai trò", "Mã đơn vị", "Chức vụ"]
ACCOUNT_ROWS = [
    [
        "vanthu.phandinhphung",
        "Lê Văn An",
        "an.lv@thainguyen.gov.vn",
        "Cán bộ thi đua đơn vị",
        "05443",
        "Công chức Văn phòng - Thống kê",
    ],
    ["truong.phandinhphung", "Đinh Văn Tùng", "", "unit_head", "05443", "Chủ tịch UBND phường"],
]
NEW_PASSWORD = "Thi-dua-2026-an-toan"


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(page, name: str, content: bytes) -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.wait_for_load_state()


@pytest.fixture
def admin_world(transactional_db):
    """The province, its administrator and the two rule sets (the live server shares this database)."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    old = RuleSetFactory(
        code="nd98-2023",
        name="NĐ 98/2023/NĐ-CP và TT 01/2024/TT-BNV",
        valid_from=date(2023, 12, 31),
        valid_to=date(2025, 7, 1),
    )
    AwardTypeFactory(
        rule_set=old,
        coefficient_individual=Decimal("1.0"),
        coefficient_collective=Decimal("2.0"),
        coefficient_household=None,
        unconfirmed=["coefficient_individual", "coefficient_collective", "coefficient_household"],
    )
    current = RuleSetFactory(
        code="nd152-2025",
        name="NĐ 152/2025/NĐ-CP và TT 15/2025/TT-BNV",
        legal_basis="Luật Thi đua, khen thưởng số 06/2022/QH15\nNghị định số 152/2025/NĐ-CP",
        valid_from=date(2025, 7, 1),
        unconfirmed=["appraisal_working_days"],
    )
    award = AwardTypeFactory(rule_set=current, unconfirmed=["vote_threshold", "vote_base"])
    for order, (code, name, per_nominee) in enumerate(
        (
            ("to_trinh", "Tờ trình đề nghị khen thưởng kèm theo danh sách", False),
            ("bao_cao_thanh_tich", "Báo cáo thành tích theo mẫu của nghị định", True),
            ("bien_ban_hoi_dong", "Biên bản họp xét của Hội đồng Thi đua - Khen thưởng đơn vị đề nghị", False),
        )
    ):
        RequiredDocument.objects.create(award_type=award, code=code, name=name, per_nominee=per_nominee, order=order)
    BaseSalaryFactory()
    UserFactory(username="quantri", full_name="Nguyễn Thị Quản Trị", role=Role.ADMIN, unit=province)
    return {"current": current}


def _working_day_to_swap() -> date:
    """A weekday of this year that is not a public holiday (the calendar refuses to change nothing)."""
    day = date(timezone.localdate().year, 9, 8)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def test_administrator_configures_units_accounts_rule_sets_and_calendar(admin_world, new_page):
    from playwright.sync_api import expect

    admin = new_page()
    login(admin, "quantri")
    expect(admin.locator("h1")).to_contain_text("Nguyễn Thị Quản Trị")
    # The home page counts the values of the rule sets nobody has confirmed yet.
    expect(admin.locator("main")).to_contain_text("6 giá trị trong căn cứ pháp lý chưa được xác nhận.")

    # --- Units: a bad file is refused whole, with the row, the column and the reason --------------------------
    admin.get_by_role("navigation").get_by_role("link", name="Đơn vị", exact=True).click()
    admin.get_by_role("link", name="Nhập từ tệp").click()
    admin.wait_for_url("**/units/import/")
    bad = [row[:] for row in UNIT_ROWS]
    bad[1][3] = "99"
    _upload(admin, "don-vi-loi.csv", _csv(UNIT_HEADERS, bad))
    expect(admin.get_by_role("alert")).to_contain_text("Tệp có 1 lỗi. Chưa ghi gì")
    error_row = admin.locator("main table tbody tr").first
    expect(error_row).to_contain_text("3")
    expect(error_row).to_contain_text("Mã đơn vị cấp trên")
    expect(error_row).to_contain_text("Không có đơn vị mã “99”")
    expect(admin.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    assert not Unit.objects.filter(code="05443").exists()

    # --- ... the corrected file: checked, then confirmed ------------------------------------------------------
    _upload(admin, "don-vi.csv", _csv(UNIT_HEADERS, UNIT_ROWS))
    facts = admin.locator("main dl.facts")
    expect(facts).to_contain_text("Mới")
    expect(facts.locator("dd").first).to_have_text("4")
    screenshot(admin, "admin-units-import")
    assert not Unit.objects.filter(code="05443").exists(), "nothing is written before the confirmation"
    admin.get_by_role("button", name="Xác nhận nhập").click()
    admin.wait_for_url("**/units/")
    expect(admin.locator("main")).to_contain_text("Đã nhập “don-vi.csv”: 4 đơn vị mới, 0 cập nhật, 0 không đổi.")
    expect(admin.locator("main")).to_contain_text("Đã giải thể 30/06/2025 → Xã Tân Cương")

    ward = Unit.objects.get(code="05443")
    assert ward.parent.code == "19" and ward.kind == UnitKind.WARD
    assert ward.email == "ubnd.phandinhphung@thainguyen.gov.vn"
    dissolved = Unit.objects.get(code="05512")
    assert dissolved.dissolved_on == date(2025, 6, 30) and dissolved.successor.code == "05500"
    cluster = Cluster.objects.get(code="CUM-PHUONG")
    assert sorted(cluster.units.values_list("code", flat=True)) == ["05443", "05710"]

    admin.get_by_role("navigation").get_by_role("link", name="Cụm, khối").click()
    expect(admin.locator("main")).to_contain_text("CUM-PHUONG")
    expect(admin.locator("main")).to_contain_text("Phường Linh Sơn")

    # --- Accounts: created from a file, temporary passwords shown once ----------------------------------------
    admin.get_by_role("navigation").get_by_role("link", name="Tài khoản").click()
    admin.wait_for_url("**/people/")
    admin.get_by_role("link", name="Tạo tài khoản từ tệp").click()
    admin.wait_for_url("**/people/import/")
    _upload(admin, "tai-khoan.csv", _csv(ACCOUNT_HEADERS, ACCOUNT_ROWS))
    expect(admin.locator("main dl.facts dd").first).to_have_text("2")
    admin.get_by_role("button", name="Xác nhận nhập").click()
    expect(admin.locator("h1")).to_have_text("Đã tạo tài khoản")
    expect(admin.get_by_role("alert")).to_contain_text("Mật khẩu tạm thời chỉ hiện trên trang này, một lần.")
    expect(admin.get_by_role("link", name="Tải danh sách mật khẩu (.csv)")).to_be_visible()
    clerk_row = admin.locator("main table tbody tr", has_text="vanthu.phandinhphung")
    temporary = clerk_row.locator("code").inner_text().strip()
    assert temporary

    clerk = User.objects.get(username="vanthu.phandinhphung")
    assert clerk.role == Role.UNIT_CLERK and clerk.membership.unit.code == "05443"
    assert clerk.must_change_password and clerk.check_password(temporary)
    assert User.objects.get(username="truong.phandinhphung").role == Role.UNIT_HEAD

    admin.get_by_role("link", name="Tài khoản", exact=True).first.click()
    admin.wait_for_url("**/people/")
    expect(admin.locator("main tr", has_text="vanthu.phandinhphung")).to_contain_text("Chờ đổi mật khẩu")
    screenshot(admin, "admin-users")

    # Lock one account: it can no longer sign in.
    head_row = admin.locator("main tbody tr", has_text="truong.phandinhphung")
    head_row.get_by_role("button", name="Khoá").click()
    admin.wait_for_load_state()
    expect(admin.locator("main")).to_contain_text("Đã khoá tài khoản “truong.phandinhphung”.")
    expect(admin.locator("main tbody tr", has_text="truong.phandinhphung")).to_contain_text("Đã khoá")
    assert not User.objects.get(username="truong.phandinhphung").is_active

    # The new clerk signs in with the temporary password and is sent to change it first.
    person = new_page()
    login(person, "vanthu.phandinhphung", temporary)
    person.wait_for_url("**/password/")
    person.fill("#id_old_password", temporary)
    person.fill("#id_new_password1", NEW_PASSWORD)
    person.fill("#id_new_password2", NEW_PASSWORD)
    person.get_by_role("button", name="Đổi mật khẩu").click()
    person.wait_for_url("**/password/done/")
    clerk.refresh_from_db()
    assert not clerk.must_change_password and clerk.check_password(NEW_PASSWORD)

    # --- Rule sets: the list, the unconfirmed values, the base salary -----------------------------------------
    admin.get_by_role("navigation").get_by_role("link", name="Căn cứ pháp lý").click()
    admin.wait_for_url("**/rules/")
    expect(admin.locator("main")).to_contain_text("đang áp dụng")
    screenshot(admin, "admin-rulesets")

    current = admin_world["current"]
    admin.get_by_role("link", name="6 giá trị chưa xác nhận").click()
    admin.wait_for_url("**/rules/unconfirmed/")
    expect(admin.locator("h1")).to_contain_text("Giá trị chưa xác nhận")
    confirm_action = f"/rules/value/ruleset/{current.pk}/appraisal_working_days/confirm/"
    admin.locator(f'form[action="{confirm_action}"] button').click()
    admin.wait_for_load_state()
    expect(admin.locator("main")).to_contain_text("Đã xác nhận “thời hạn thẩm định (ngày làm việc)”")
    expect(admin.locator("h1")).to_contain_text("(5)")
    current.refresh_from_db()
    assert current.is_confirmed("appraisal_working_days")

    admin.get_by_role("link", name="Căn cứ pháp lý").first.click()
    admin.get_by_role("link", name="Mức lương cơ sở").click()
    admin.wait_for_url("**/rules/base-salary/")
    admin.fill("#id_amount", "2.530.000")
    admin.fill("#id_valid_from", "2026-07-01")
    admin.fill("#id_legal_basis", "Nghị định số 161/2026/NĐ-CP")
    admin.get_by_label("Xác nhận: đúng với văn bản chính thức").check()
    admin.get_by_role("button", name="Thêm", exact=True).click()
    admin.wait_for_load_state()
    expect(admin.locator("main")).to_contain_text("Đã thêm mức lương cơ sở 2.530.000 đồng từ 01/07/2026.")
    salary = BaseSalary.objects.get(valid_from=date(2026, 7, 1))
    assert salary.amount == 2_530_000 and salary.is_confirmed("amount")

    # --- The next decree: copy the rule set in force, then edit and confirm a value of the copy ---------------
    admin.get_by_role("link", name="Căn cứ pháp lý").first.click()
    admin.wait_for_url("**/rules/")
    admin.get_by_role("link", name="NĐ 152/2025/NĐ-CP và TT 15/2025/TT-BNV").click()
    admin.wait_for_url(f"**/rules/{current.pk}/")
    admin.get_by_role("link", name="Sao chép thành bộ quy định mới").click()
    admin.wait_for_url(f"**/rules/{current.pk}/copy/")
    expect(admin.locator("#id_legal_basis")).to_have_value(current.legal_basis)
    admin.fill("#id_code", "nd-moi-2027")
    admin.fill("#id_name", "Nghị định mới năm 2027 (thử nghiệm)")
    admin.fill("#id_valid_from", "2027-01-01")
    admin.get_by_role("button", name="Tạo bộ quy định").click()
    copy = RuleSet.objects.get(code="nd-moi-2027")
    admin.wait_for_url(f"**/rules/{copy.pk}/")
    expect(admin.locator("main")).to_contain_text("Đã tạo bộ quy định “Nghị định mới năm 2027 (thử nghiệm)”.")
    expect(admin.locator("main .badge.warn").first).to_have_text("chưa xác nhận")
    screenshot(admin, "admin-ruleset-detail")
    current.refresh_from_db()
    assert current.valid_to == date(2027, 1, 1), "the rule set in force ends where the next one starts"
    award = AwardType.objects.get(rule_set=copy, code="bang_khen_tinh")
    assert not award.is_confirmed("coefficient_individual")
    assert [d.unconfirmed for d in award.required_documents.all()] == [["name"]] * 3

    admin.locator(f'a[href^="/rules/value/awardtype/{award.pk}/coefficient_individual/"]').click()
    admin.wait_for_url(f"**/rules/value/awardtype/{award.pk}/coefficient_individual/**")
    expect(admin.locator("#id_value")).to_have_value("1.5")
    admin.fill("#id_value", "1,6")
    admin.get_by_label("Xác nhận: giá trị này đúng với văn bản chính thức").check()
    admin.get_by_role("button", name="Lưu").click()
    admin.wait_for_url(f"**/rules/{copy.pk}/")
    expect(admin.locator("main")).to_contain_text("Đã lưu “hệ số tiền thưởng cá nhân”.")
    award.refresh_from_db()
    assert award.coefficient_individual == Decimal("1.6") and award.is_confirmed("coefficient_individual")

    # --- The working-day calendar: a swapped day off ----------------------------------------------------------
    day_off = _working_day_to_swap()
    admin.get_by_role("navigation").get_by_role("link", name="Lịch làm việc").click()
    admin.wait_for_url("**/calendar/")
    admin.fill("#id_date", day_off.isoformat())
    admin.select_option("#id_kind", "off")
    admin.fill("#id_note", "Thông báo nghỉ bù của UBND tỉnh (thử nghiệm)")
    admin.get_by_role("button", name="Thêm", exact=True).click()
    admin.wait_for_load_state()
    expect(admin.locator("main")).to_contain_text(f"Đã thêm: {day_off:%d/%m/%Y} Ngày nghỉ (nghỉ bù, hoán đổi).")
    assert WorkdayOverride.objects.get(date=day_off).kind == WorkdayOverride.Kind.DAY_OFF
    assert not is_working_day(day_off)

    # --- What the administrator does not see: the audit trail (dossier contents) -------------------------------
    expect(admin.get_by_role("navigation").get_by_role("link", name="Nhật ký")).to_have_count(0)
    response = admin.goto("/audit/")
    assert response is not None and response.status == 403

    assert verify_chain() == []
