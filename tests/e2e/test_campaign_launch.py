"""In the browser: a board officer authors and launches a campaign; a clerk of a participating ward sees it.

The screenshots saved on the way (test-artifacts/screenshots/) illustrate the user guides.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign
from workflows.audit import verify_chain
from workflows.models import Notification

from ..factories import AwardTypeFactory, BaseSalaryFactory, RuleSetFactory, UnitFactory, UserFactory
from .conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e]

CODE = "binh-dan-hoc-vu-so-2026"
NAME = "Phong trào “Bình dân học vụ số” năm 2026"
ISSUING_BODY = "Ủy ban nhân dân tỉnh Thái Nguyên"


@pytest.fixture
def province_world(transactional_db):
    """Units, people and the rule set in force, made with the factories (the live server shares this database)."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward_a = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    ward_b = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    ward_c = UnitFactory(code="05800", name="Phường Tích Lương", kind=UnitKind.WARD, parent=province)
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh", name="Bằng khen của Chủ tịch UBND tỉnh")
    BaseSalaryFactory()
    return {
        "officer": UserFactory(username="canbo.snv", full_name="Trần Thị Bình", role=Role.BOARD_OFFICER, unit=board),
        "clerk": UserFactory(
            username="vanthu.phandinhphung", full_name="Lê Văn An", role=Role.UNIT_CLERK, unit=ward_a
        ),
        "outsider": UserFactory(username="vanthu.tichluong", role=Role.UNIT_CLERK, unit=ward_c),
        "wards": (ward_a, ward_b, ward_c),
    }


def _no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate(
        "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]"
    )


def test_board_officer_launches_a_campaign_and_a_ward_clerk_sees_it(province_world, new_page):
    from playwright.sync_api import expect

    today = timezone.localdate()
    start, end = today, today + timedelta(days=300)

    # --- the board officer: create → indicators → participants → launch -------------------------------------
    officer = new_page()
    login(officer, "canbo.snv")
    expect(officer.locator("h1")).to_contain_text("Trần Thị Bình")
    screenshot(officer, "board-officer-home")

    officer.get_by_role("link", name="Tạo phong trào mới").first.click()
    officer.wait_for_url("**/campaigns/new/")
    officer.fill("#id_code", CODE)
    officer.fill("#id_name", NAME)
    officer.fill("#id_issuing_body", ISSUING_BODY)
    officer.fill("#id_start_date", start.isoformat())
    officer.fill("#id_end_date", end.isoformat())
    officer.get_by_label("Bằng khen của Chủ tịch UBND tỉnh").check()
    screenshot(officer, "campaign-create")
    officer.locator("main form button[type=submit]").click()

    officer.wait_for_url("**/indicators/")
    officer.fill("#id_ind-0-code", "1")
    officer.fill("#id_ind-0-name", "Tỷ lệ người dân được phổ cập kỹ năng số cơ bản")
    officer.fill("#id_ind-0-numerator_label", "Số người đã hoàn thành khoá học")
    officer.fill("#id_ind-0-denominator_label", "Tổng số người trong độ tuổi")
    officer.fill("#id_ind-0-target_percent", "80")
    screenshot(officer, "campaign-indicators")
    officer.locator("main form button[type=submit]").click()

    officer.wait_for_url("**/participants/")
    officer.get_by_label("Phường Phan Đình Phùng", exact=True).check()
    officer.get_by_label("Phường Linh Sơn", exact=True).check()
    screenshot(officer, "campaign-participants")
    officer.locator("main form button[type=submit]").click()

    campaign = Campaign.objects.get(code=CODE)
    officer.wait_for_url(f"**/campaigns/{campaign.pk}/")
    expect(officer.locator("h1 .badge")).to_have_text("Dự thảo")
    screenshot(officer, "campaign-detail-draft")

    officer.get_by_role("button", name="Phát động", exact=True).click()
    officer.wait_for_load_state()
    expect(officer.locator("h1 .badge")).to_have_text("Đã phát động")
    screenshot(officer, "campaign-launched")

    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED
    assert campaign.award_type_codes == ["bang_khen_tinh"]
    assert sorted(campaign.units.values_list("name", flat=True)) == ["Phường Linh Sơn", "Phường Phan Đình Phùng"]
    assert campaign.indicators.get().target_percent == 80
    assert verify_chain() == []
    assert Notification.objects.filter(recipient=province_world["clerk"]).exists()
    assert not Notification.objects.filter(recipient=province_world["outsider"]).exists()

    # --- a clerk of a participating ward: the campaign and the launch notification on the home page ----------
    clerk = new_page()
    login(clerk, "vanthu.phandinhphung")
    expect(clerk.locator(f'a[href="/campaigns/{campaign.pk}/"]', has_text=NAME)).to_be_visible()
    # the inbox asks for the ward's plan, linking to the plan form
    expect(clerk.locator(f'a[href="/campaigns/{campaign.pk}/plan/"]', has_text=NAME)).to_be_visible()
    expect(clerk.locator("main")).to_contain_text("Lập và gửi kế hoạch của đơn vị")
    expect(clerk.locator("main")).to_contain_text(f"Phát động phong trào: {NAME}")
    expect(clerk.locator("main")).to_contain_text("Đã phát động")
    screenshot(clerk, "unit-clerk-home")

    # --- the same home page on a phone: nothing wider than the screen ---------------------------------------
    phone = new_page(viewport=PHONE)
    login(phone, "vanthu.phandinhphung")
    expect(phone.locator(f'a[href="/campaigns/{campaign.pk}/"]', has_text=NAME)).to_be_visible()
    screenshot(phone, "unit-clerk-home-phone")
    content_width, viewport_width = _no_horizontal_scroll(phone)
    assert content_width <= viewport_width, f"the page scrolls sideways on a phone: {content_width} > {viewport_width}"

    # --- a clerk of a ward that does not take part does not see it --------------------------------------------
    outsider = new_page()
    login(outsider, "vanthu.tichluong")
    expect(outsider.locator("main")).not_to_contain_text(NAME)
