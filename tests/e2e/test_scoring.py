"""In the browser: a ward clerk self-scores with evidence and submits; the board officer assigns two assessors
(a conflicted one cannot be picked); each assessor scores; the board finalizes and publishes; the ranking shows
the ward first and explains its points (issue 5). Screenshots for the guides: test-artifacts/screenshots/scoring-*.
"""

from datetime import date
from decimal import Decimal

import pytest

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Cluster, Enrolment
from scoring.enums import Formula, ScorecardState, Subject
from scoring.models import ClassThreshold, Criterion, Scorecard, ScoringTable
from scoring.services import scorecards as services
from workflows.audit import verify_chain

from ..factories import CampaignFactory, UnitFactory, UserFactory
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e]

WARD = "Phường Phan Đình Phùng"
OTHER = "Phường Linh Sơn"


@pytest.fixture
def scoring_world(transactional_db):
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward = UnitFactory(code="05443", name=WARD, kind=UnitKind.WARD, parent=province)
    other = UnitFactory(code="05710", name=OTHER, kind=UnitKind.WARD, parent=province)
    Cluster.objects.create(code="C1", name="Cụm thi đua các phường").units.add(ward, other)
    UserFactory(username="canbo.snv", full_name="Trần Thị Bình", role=Role.BOARD_OFFICER, unit=board)
    UserFactory(username="canbo2.snv", full_name="Phạm Thu Trang", role=Role.BOARD_OFFICER, unit=board)
    UserFactory(username="canbo.ward", full_name="Nguyễn Văn Xung Đột", role=Role.BOARD_OFFICER, unit=ward)
    clerk = UserFactory(username="vanthu.phandinhphung", full_name="Lê Văn An", role=Role.UNIT_CLERK, unit=ward)
    other_clerk = UserFactory(username="vanthu.linhson", role=Role.UNIT_CLERK, unit=other)
    campaign = CampaignFactory(
        code="binh-dan-hoc-ai",
        name="Phong trào “Bình dân học AI”",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    for unit in (ward, other):
        Enrolment.objects.create(campaign=campaign, unit=unit)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    table = ScoringTable.objects.create(
        campaign=campaign, subject=Subject.COLLECTIVE, name="Bảng điểm tập thể", min_assessors=2
    )
    Criterion.objects.create(
        table=table,
        code="1",
        name="Phát động sâu rộng phong trào",
        base_points=Decimal(60),
        evidence_required=True,
        guidance="Có kế hoạch và lễ phát động; minh chứng là kế hoạch đã ký.",
        order=1,
    )
    Criterion.objects.create(
        table=table,
        code="2",
        name="Tổ chức tập huấn đúng tiến độ",
        base_points=Decimal(40),
        formula=Formula.FIXED,
        order=2,
    )
    for code, label, minimum, order in (
        ("xuat_sac", "Xuất sắc", 95, 1),
        ("tot", "Tốt", 85, 2),
        ("hoan_thanh", "Hoàn thành", 75, 3),
        ("khong", "Không hoàn thành", 0, 4),
    ):
        ClassThreshold.objects.create(
            table=table, code=code, label=label, min_total=minimum, order=order, no_zero=code == "xuat_sac"
        )
    # The other ward has already been scored and finalized lower, so the ranking has two rows.
    card = services.start_scorecard(table, unit=other, actor=other_clerk)
    c1, c2 = table.criteria.order_by("order")
    services.save_self_scores(
        card,
        [{"criterion": c1.pk, "value": "50", "note": "KH số 12"}, {"criterion": c2.pk, "value": "1"}],
        actor=other_clerk,
    )
    services.submit_scorecard(card, actor=other_clerk)
    return {"campaign": campaign, "table": table, "clerk": clerk, "other_card": card}


def _post(page, button_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).first.click()


def test_unit_self_scores_assessors_score_board_finalizes_ranking_shows(scoring_world, new_page):
    from playwright.sync_api import expect

    campaign, table = scoring_world["campaign"], scoring_world["table"]
    c1, c2 = table.criteria.order_by("order")

    # --- the clerk starts the ward's scorecard, scores with evidence, submits --------------------------------
    clerk = new_page()
    login(clerk, "vanthu.phandinhphung")
    clerk.goto(f"/campaigns/{campaign.pk}/")
    clerk.get_by_role("link", name="Phiếu chấm điểm").click()
    _post(clerk, "Bắt đầu tự chấm điểm")
    card = Scorecard.objects.get(unit__code="05443")
    clerk.wait_for_url(f"**/scoring/scorecards/{card.pk}/")
    expect(clerk.locator("main")).to_contain_text("Có kế hoạch và lễ phát động")
    clerk.fill(f"#v-{c1.pk}", "58")
    clerk.set_input_files(
        f"#f-{c1.pk}",
        files=[
            {
                "name": "ke-hoach.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            }
        ],
    )
    clerk.select_option(f"#v-{c2.pk}", "1")
    screenshot(clerk, "scoring-self")
    _post(clerk, "Lưu và nộp phiếu")
    card.refresh_from_db()
    assert card.state == ScorecardState.SUBMITTED and card.self_total == Decimal("98.00")

    # --- the board officer assigns two assessors; the officer of the ward itself cannot be picked ---------------
    officer = new_page()
    login(officer, "canbo.snv")
    officer.goto(f"/scoring/scorecards/{card.pk}/compare/")
    conflicted = officer.locator("label", has_text="Nguyễn Văn Xung Đột").locator("input")
    expect(conflicted).to_be_disabled()
    officer.locator("label", has_text="Trần Thị Bình").locator("input").check()
    officer.locator("label", has_text="Phạm Thu Trang").locator("input").check()
    _post(officer, "Phân công")
    assert card.assessments.count() == 2
    for other_officer, points in (("canbo.snv", "56"), ("canbo2.snv", "54")):
        page = officer if other_officer == "canbo.snv" else new_page()
        if page is not officer:
            login(page, other_officer)
        page.goto("/scoring/assessments/")
        page.get_by_role("link", name=WARD).first.click()
        page.fill(f"#v-{c1.pk}", points)
        page.select_option(f"#v-{c2.pk}", "1")
        _post(page, "Lưu và chấm xong")
    # the other ward's scorecard is assessed through the services (it is not the path under test)
    other = scoring_world["other_card"]
    from accounts.models import User

    a1, a2 = User.objects.get(username="canbo.snv"), User.objects.get(username="canbo2.snv")
    services.assign_assessors(other, [a1, a2], actor=a1)
    for assessment in other.assessments.all():
        services.save_assessment(
            assessment,
            [{"criterion": c1.pk, "value": "45"}, {"criterion": c2.pk, "value": "1"}],
            actor=assessment.assessor,
        )
        services.submit_assessment(assessment, actor=assessment.assessor)
    services.finalize(other, actor=a1)

    # --- the board compares and finalizes: 55 + 40 = 95, "Xuất sắc" -------------------------------------------
    officer.goto(f"/scoring/scorecards/{card.pk}/compare/")
    expect(officer.locator("main")).to_contain_text("58")  # the self score next to the board's
    screenshot(officer, "scoring-compare")
    _post(officer, "Chốt điểm")
    card.refresh_from_db()
    assert (card.state, card.final_total, card.classification) == (
        ScorecardState.FINALIZED,
        Decimal("95.00"),
        "xuat_sac",
    )

    # --- the ranking shows the ward first, with its class and the explanation of its points -------------------
    officer.goto(f"/campaigns/{campaign.pk}/")
    officer.get_by_role("link", name="Xếp hạng thi đua").click()
    officer.get_by_role("link", name="Bảng điểm tập thể").first.click()
    first_row = officer.locator("main table tbody tr").first
    expect(first_row).to_contain_text(WARD)
    expect(first_row).to_contain_text("Xuất sắc")
    expect(first_row).to_contain_text("95")
    expect(officer.locator("main table tbody tr").nth(1)).to_contain_text(OTHER)
    screenshot(officer, "scoring-ranking")
    assert verify_chain() == []
