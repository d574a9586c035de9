"""In the browser: a unit clerk uploads the unit's plan and sends it; the board officer returns it with a reason;
the clerk uploads a corrected file and resubmits; the board officer accepts it (issue 4, item 1).

Screenshots are saved on the way (test-artifacts/screenshots/plan-*.png) for the user guides.
"""

import re
from datetime import date

import pytest

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Enrolment, PlanState, UnitPlan
from competition.services.campaigns import launch_campaign
from workflows.audit import verify_chain
from workflows.flowsync import check_agreement

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

CAMPAIGN = "Phong trào “Bình dân học vụ số” năm 2026"
WARD = "Phường Phan Đình Phùng"
PLAN = f"Kế hoạch của {WARD}"
INBOX = "Việc chờ bạn xử lý"
REASON = "Kế hoạch chưa giao chỉ tiêu 2 cho các tổ dân phố; đề nghị bổ sung."
PDF_1 = b"%PDF-1.4\n% ke hoach lan 1\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_2 = b"%PDF-1.4\n% ke hoach lan 2, da bo sung chi tieu 2\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = UnitFactory(code="05443", name=WARD, kind=UnitKind.WARD, parent=province)
    other = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh")
    BaseSalaryFactory()
    officer = UserFactory(username="canbo.snv", full_name="Trần Thị Bình", role=Role.BOARD_OFFICER, unit=board)
    UserFactory(username="vanthu.phandinhphung", full_name="Lê Văn An", role=Role.UNIT_CLERK, unit=ward)
    campaign = CampaignFactory(
        code="binh-dan-hoc-vu-so-2026",
        name=CAMPAIGN,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        plan_deadline=date(2026, 2, 15),
    )
    IndicatorFactory(campaign=campaign, code="1", name="Tỷ lệ người dân được phổ cập kỹ năng số cơ bản")
    IndicatorFactory(campaign=campaign, code="2", name="Tỷ lệ hồ sơ dịch vụ công trực tuyến toàn trình")
    for unit in (ward, other):
        Enrolment.objects.create(campaign=campaign, unit=unit)
    launch_campaign(campaign, actor=officer, on=date(2026, 1, 15))
    campaign.refresh_from_db()
    return campaign


def _inbox(page):
    return page.locator("section", has=page.get_by_role("heading", name=re.compile(INBOX)))


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _upload(page, name: str, content: bytes) -> None:
    page.set_input_files("#id_document", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}])


def test_clerk_uploads_board_returns_clerk_resubmits_board_accepts(plan_world, new_page):
    from playwright.sync_api import expect

    campaign = plan_world

    # --- the clerk opens the campaign, follows "Kế hoạch", tries a renamed text file, then uploads the PDF ------
    clerk = new_page()
    login(clerk, "vanthu.phandinhphung")
    clerk.goto(f"/campaigns/{campaign.pk}/")
    clerk.get_by_role("link", name="Kế hoạch", exact=True).click()
    clerk.wait_for_url(f"**/campaigns/{campaign.pk}/plan/")
    clerk.fill("#id_number", "45/KH-UBND")
    clerk.fill("#id_date", "2026-02-20")
    clerk.get_by_label("1. Tỷ lệ người dân được phổ cập kỹ năng số cơ bản").check()
    clerk.set_input_files(
        "#id_document", files=[{"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": b"chi la van ban"}]
    )
    _click_and_wait(clerk, clerk.get_by_role("button", name="Lưu kế hoạch"))
    expect(clerk.locator("ul.messages")).to_contain_text("Tệp “ke-hoach.pdf” không phải văn bản PDF hoặc Word")
    assert not UnitPlan.objects.exists()

    clerk.fill("#id_number", "45/KH-UBND")
    clerk.fill("#id_date", "2026-02-20")
    clerk.get_by_label("1. Tỷ lệ người dân được phổ cập kỹ năng số cơ bản").check()
    _upload(clerk, "ke-hoach-45.pdf", PDF_1)
    _click_and_wait(clerk, clerk.get_by_role("button", name="Lưu kế hoạch"))
    plan = UnitPlan.objects.get()
    clerk.wait_for_url(f"**/plans/{plan.pk}/")
    expect(clerk.locator("h1 .badge").first).to_have_text("Đang soạn")
    expect(clerk.locator("main")).to_contain_text("ke-hoach-45.pdf")
    screenshot(clerk, "plan-draft")
    _click_and_wait(clerk, clerk.get_by_role("button", name="Gửi kế hoạch"))
    expect(clerk.locator("h1 .badge").first).to_have_text("Đã gửi")
    # Sent after the deadline of 15/02/2026: marked late.
    expect(clerk.locator("h1")).to_contain_text("Quá hạn")

    # --- the board officer finds it in the inbox and returns it with a reason ----------------------------------
    officer = new_page()
    login(officer, "canbo.snv")
    expect(_inbox(officer)).to_contain_text(PLAN)
    _inbox(officer).get_by_role("link", name=PLAN).click()
    officer.wait_for_url(f"**/plans/{plan.pk}/")
    send_back = officer.locator("main details", has_text="Trả lại kế hoạch")
    send_back.locator("summary").click()
    send_back.locator("textarea[name=reason]").fill(REASON)
    screenshot(officer, "plan-return")
    _click_and_wait(officer, send_back.get_by_role("button", name="Trả lại kế hoạch"))
    expect(officer.locator("h1 .badge").first).to_have_text("Bị trả lại")
    plan.refresh_from_db()
    assert (plan.state, plan.return_reason) == (PlanState.RETURNED, REASON)

    # --- the clerk sees the returned plan in the inbox, uploads the corrected file and resubmits ---------------
    clerk.goto("/")
    expect(_inbox(clerk)).to_contain_text("Hoàn thiện kế hoạch bị trả lại")
    _inbox(clerk).get_by_role("link", name=PLAN).click()
    clerk.wait_for_url(f"**/plans/{plan.pk}/")
    expect(clerk.locator("div.messages")).to_contain_text(REASON)
    clerk.fill("#id_number", "45a/KH-UBND")
    clerk.get_by_label("2. Tỷ lệ hồ sơ dịch vụ công trực tuyến toàn trình").check()
    _upload(clerk, "ke-hoach-45a.pdf", PDF_2)
    _click_and_wait(clerk, clerk.get_by_role("button", name="Lưu kế hoạch"))
    expect(clerk.locator("ul.messages")).to_contain_text("Đã lưu kế hoạch.")
    _click_and_wait(clerk, clerk.get_by_role("button", name="Gửi kế hoạch"))
    expect(clerk.locator("h1 .badge").first).to_have_text("Đã gửi")
    versions = clerk.locator("main table").first.locator("tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Số kế hoạch: 45/KH-UBND → 45a/KH-UBND.")
    expect(versions.nth(0)).to_contain_text("Thay tệp: ke-hoach-45.pdf → ke-hoach-45a.pdf.")
    expect(versions.nth(0)).to_contain_text("Thêm chỉ tiêu: 2.")
    screenshot(clerk, "plan-resubmitted")

    # --- the board officer accepts it, and the status table shows it ------------------------------------------
    officer.goto("/")
    _inbox(officer).get_by_role("link", name=PLAN).click()
    officer.wait_for_url(f"**/plans/{plan.pk}/")
    _click_and_wait(officer, officer.get_by_role("button", name="Chấp nhận kế hoạch"))
    expect(officer.locator("h1 .badge").first).to_have_text("Đã chấp nhận")
    officer.goto(f"/campaigns/{campaign.pk}/")
    officer.get_by_role("link", name="Tình hình ban hành kế hoạch").click()
    officer.wait_for_url(f"**/campaigns/{campaign.pk}/plans/")
    table = officer.locator("main table")
    expect(table.locator("tr", has_text=WARD)).to_contain_text("Đã chấp nhận")
    expect(table.locator("tr", has_text=WARD)).to_contain_text("Quá hạn")
    expect(table.locator("tr", has_text="Phường Linh Sơn")).to_contain_text("Chưa có")
    expect(officer.locator("main")).to_contain_text("1/2 (50,0%)")
    screenshot(officer, "plan-status")

    plan.refresh_from_db()
    assert plan.state == PlanState.ACCEPTED and plan.late
    assert [v.file_name for v in plan.versions.order_by("version")] == ["ke-hoach-45.pdf", "ke-hoach-45a.pdf"]
    assert check_agreement(strict=True) == []
    assert verify_chain() == []
