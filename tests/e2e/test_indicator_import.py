"""In the browser: the board officer imports a file of indicator values with an error, reads the message (row,
column, value, what to fix), fixes the file, imports it and sees the roll-up and the dashboard (issue 4, items 4
and 7). A unit clerk then opens the dashboard on a phone and sees only the unit's figures.

Screenshots are saved on the way (test-artifacts/screenshots/import-*.png, dashboard-*.png) for the user guides.
"""

from datetime import date

import pytest

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Cluster, Enrolment, IndicatorImport, ProgressReport
from competition.services.campaigns import launch_campaign
from competition.services.progress import create_period
from workflows.audit import verify_chain

from ..factories import (
    AwardTypeFactory,
    BaseSalaryFactory,
    CampaignFactory,
    IndicatorFactory,
    RuleSetFactory,
    UnitFactory,
    UserFactory,
)
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e]

HEADER = "Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số,Minh chứng"
BAD = f"{HEADER}\n05443,Quý I/2026,1,90,100,\n05710,Quý I/2026,1,12,10,\n"
GOOD = f"{HEADER}\n05443,Quý I/2026,1,90,100,https://vb.example/bc-01\n05710,Quý I/2026,1,1,10,\n"


@pytest.fixture
def import_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    other = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    Cluster.objects.create(code="C1", name="Cụm thi đua các phường").units.add(ward, other)
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh")
    BaseSalaryFactory()
    officer = UserFactory(username="canbo.snv", full_name="Trần Thị Bình", role=Role.BOARD_OFFICER, unit=board)
    UserFactory(username="vanthu.phandinhphung", full_name="Lê Văn An", role=Role.UNIT_CLERK, unit=ward)
    campaign = CampaignFactory(
        code="binh-dan-hoc-vu-so-2026",
        name="Phong trào “Bình dân học vụ số” năm 2026",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        plan_deadline=date(2026, 2, 15),
    )
    IndicatorFactory(campaign=campaign, code="1", name="Tỷ lệ người dân được phổ cập kỹ năng số cơ bản")
    for unit in (ward, other):
        Enrolment.objects.create(campaign=campaign, unit=unit)
    launch_campaign(campaign, actor=officer, on=date(2026, 1, 15))
    campaign.refresh_from_db()
    create_period(
        campaign,
        label="Quý I/2026",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        due=date(2026, 4, 10),
        actor=officer,
    )
    return campaign


def _upload(page, name: str, text: str) -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lên và kiểm tra").click()


def test_board_imports_a_file_with_an_error_fixes_it_and_imports(import_world, new_page):
    from playwright.sync_api import expect

    campaign = import_world
    officer = new_page()
    login(officer, "canbo.snv")
    officer.goto(f"/campaigns/{campaign.pk}/")
    officer.get_by_role("link", name="Tiến độ thực hiện chỉ tiêu").click()
    officer.get_by_role("link", name="Nhập số liệu nhiều đơn vị từ tệp").click()
    officer.wait_for_url(f"**/campaigns/{campaign.pk}/progress/import/")
    expect(officer.get_by_role("link", name="Tệp mẫu kỳ Quý I/2026")).to_be_visible()

    # --- the file has an error: nothing is written, the row, column, value and reason are shown ---------------
    _upload(officer, "so-lieu-quy-1.csv", BAD)
    expect(officer.get_by_role("alert")).to_contain_text("Tệp có 1 lỗi. Chưa ghi gì")
    row = officer.locator("table tbody tr").first
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("Tử số (D)")
    expect(row).to_contain_text("12")
    expect(row).to_contain_text("Tử số (12) không được lớn hơn mẫu số (10).")
    expect(officer.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    screenshot(officer, "import-errors")
    assert not ProgressReport.objects.exists()

    # --- fixed: the check counts the new values, the officer confirms ----------------------------------------
    officer.get_by_role("link", name="Nhập số liệu chỉ tiêu từ tệp").click()
    _upload(officer, "so-lieu-quy-1-da-sua.csv", GOOD)
    expect(officer.locator("main")).to_contain_text("2 giá trị mới")
    screenshot(officer, "import-check")
    with officer.expect_navigation():
        officer.get_by_role("button", name="Xác nhận nhập").click()
    expect(officer.locator("main")).to_contain_text("Đã nhập")
    assert ProgressReport.objects.count() == 2
    assert IndicatorImport.objects.filter(state="done").count() == 1

    # --- the roll-up is weighted by denominators: 91/110 = 82.7%, not the average of 90% and 10% -------------
    officer.goto(f"/campaigns/{campaign.pk}/progress/")
    officer.get_by_role("link", name="Tổng hợp").click()
    expect(officer.locator("main")).to_contain_text("91/110")
    expect(officer.locator("main")).to_contain_text("82,7%")

    # --- the dashboard draws the charts without any script or external resource --------------------------------
    officer.goto(f"/campaigns/{campaign.pk}/dashboard/")
    expect(officer.locator("main svg").first).to_be_visible()
    assert officer.locator("script[src]").count() == 0
    screenshot(officer, "dashboard-board")
    assert verify_chain() == []

    # --- the clerk opens the dashboard on a phone: only the ward's figures ------------------------------------
    clerk = new_page(viewport={"width": 390, "height": 844})
    login(clerk, "vanthu.phandinhphung")
    clerk.goto(f"/campaigns/{campaign.pk}/dashboard/")
    expect(clerk.locator("main")).to_contain_text("Phường Phan Đình Phùng")
    expect(clerk.locator("main")).not_to_contain_text("Phường Linh Sơn")
    width = clerk.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(clerk, "dashboard-phone")
