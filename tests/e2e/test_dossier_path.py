"""In the browser: the clerk drafts a dossier and the unit head submits it; the board officer receives and appraises
it; the Chairman's office drafts, numbers and signs the decision and downloads it (issue 3).

The same path as tests/nominations/test_views.py, but through the pages a person uses: the menu, the inbox on the
home page, the buttons. The screenshots saved on the way (test-artifacts/screenshots/) illustrate the user guides.
"""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Enrolment
from nominations.enums import AppraisalResult, DossierState
from nominations.models import AwardDecision, DecisionRegister, Dossier
from workflows.audit import verify_chain

from ..factories import (
    AwardTypeFactory,
    BaseSalaryFactory,
    CampaignFactory,
    IndicatorFactory,
    RuleSetFactory,
    UnitFactory,
    UserFactory,
    make_nomination_world,
    pass_council,
)
from .conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e]

CAMPAIGN = "Phong trào “Bình dân học vụ số” năm 2026"
AWARD_FORM = "Bằng khen của Chủ tịch UBND tỉnh"
TITLE = "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh trong Phong trào “Bình dân học vụ số”"
PERSON = "Nguyễn Thị Hoà"
COLLECTIVE = "Tổ dân phố số 5, phường Phan Đình Phùng"
SIGNER = "Trịnh Việt Hùng"
INBOX = "Việc chờ bạn xử lý"


@pytest.fixture
def nomination_world(transactional_db):
    """A launched campaign with both award forms, a ward taking part, and a person for every step of the path
    (made with the factories and ``make_nomination_world``; the live server shares this database)."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward_a = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    ward_b = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh", name=AWARD_FORM)
    BaseSalaryFactory()
    officer = UserFactory(username="canbo.snv", full_name="Trần Thị Bình", role=Role.BOARD_OFFICER, unit=board)
    clerk = UserFactory(username="vanthu.phandinhphung", full_name="Lê Văn An", role=Role.UNIT_CLERK, unit=ward_a)
    campaign = CampaignFactory(
        code="binh-dan-hoc-vu-so-2026",
        name=CAMPAIGN,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        plan_deadline=date(2026, 2, 15),
    )
    IndicatorFactory(campaign=campaign, code="1")
    for ward in (ward_a, ward_b):
        Enrolment.objects.create(campaign=campaign, unit=ward)
    world = make_nomination_world(
        rule_set=rule_set,
        campaign=campaign,
        board_officer=officer,
        units=[ward_a, ward_b],
        launch_on=date(2026, 1, 15),
    )
    head = world.heads[ward_a.code]
    head.full_name = "Phạm Thị Hương"
    head.save(update_fields=["full_name"])
    world.chairman_office.full_name = "Hoàng Minh Đức"
    world.chairman_office.save(update_fields=["full_name"])
    world.province, world.ward, world.clerk, world.officer, world.head = province, ward_a, clerk, officer, head
    return world


def _inbox(page):
    """The "Việc chờ bạn xử lý" section of the home page."""
    return page.locator("section", has=page.get_by_role("heading", name=re.compile(INBOX)))


def _click_and_wait(page, locator) -> None:
    """Click a button that posts a form, and wait for the page it leads to (the redirect back)."""
    with page.expect_navigation():
        locator.click()


def _docx_text(content: bytes) -> str:
    """Every paragraph of a .docx (body, tables, headers and footers), one a line, re-read with python-docx."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(content))
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    lines = []
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
    return "\n".join(lines)


def _page_width(page) -> tuple[int, int]:
    return page.evaluate(
        "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]"
    )


def test_clerk_submits_board_appraises_chairman_office_signs_and_downloads(nomination_world, new_page):
    from playwright.sync_api import expect

    world = nomination_world
    today = timezone.localdate()
    DecisionRegister.objects.create(issuing_unit=world.province, symbol="QĐ-UBND", year=today.year)

    # --- 1. the unit clerk drafts the dossier and adds two nominees --------------------------------------------
    clerk = new_page()
    login(clerk, "vanthu.phandinhphung")
    clerk.get_by_role("navigation").get_by_role("link", name="Hồ sơ khen thưởng").click()
    clerk.wait_for_url("**/dossiers/")
    clerk.get_by_role("link", name=f"Lập hồ sơ: {CAMPAIGN}").click()
    clerk.wait_for_url("**/dossiers/new/")
    clerk.select_option("#id_award_type_code", label=AWARD_FORM)
    clerk.fill("#id_title", TITLE)
    clerk.locator("main form button[type=submit]").click()
    clerk.wait_for_url(re.compile(r"/dossiers/\d+/$"))
    dossier = Dossier.objects.get()
    expect(clerk.locator("h1 .badge")).to_have_text("Đang soạn")
    expect(clerk.locator("main")).to_contain_text(AWARD_FORM)

    add_form = clerk.locator("main form", has=clerk.get_by_role("button", name="Thêm vào hồ sơ"))
    clerk.select_option("#id_kind", "individual")
    clerk.fill("#id_name", PERSON)
    clerk.select_option("#id_gender", "female")
    clerk.fill("#id_birth_date", "1985-04-02")
    clerk.fill("#id_position", "Công chức Văn hoá - Xã hội")
    clerk.fill("#id_work_unit", "UBND phường Phan Đình Phùng")
    clerk.fill("#id_achievement", "Hướng dẫn 1.200 người dân sử dụng dịch vụ công trực tuyến.")
    _click_and_wait(clerk, add_form.get_by_role("button", name="Thêm vào hồ sơ"))
    expect(clerk.locator(".messages")).to_contain_text(f"Đã thêm {PERSON}.")

    clerk.select_option("#id_kind", "collective")
    clerk.fill("#id_name", COLLECTIVE)
    clerk.fill("#id_work_unit", "Phường Phan Đình Phùng")
    _click_and_wait(clerk, add_form.get_by_role("button", name="Thêm vào hồ sơ"))
    expect(clerk.locator(".messages")).to_contain_text(f"Đã thêm {COLLECTIVE}.")
    rows = clerk.locator("main table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(PERSON)
    expect(rows.nth(0)).to_contain_text("Cá nhân")
    expect(rows.nth(1)).to_contain_text(COLLECTIVE)
    expect(rows.nth(1)).to_contain_text("Tập thể")
    # The clerk prepares; only the unit head sends.
    expect(clerk.get_by_role("button", name="Gửi hồ sơ")).to_have_count(0)
    screenshot(clerk, "dossier-draft")
    assert sorted(dossier.nominees.values_list("kind", flat=True)) == ["collective", "individual"]
    assert dossier.nominees.get(kind="individual").birth_date == date(1985, 4, 2)

    # --- the unit head finds it in the inbox and sends it --------------------------------------------------------
    head = new_page()
    login(head, world.head.username)
    expect(_inbox(head)).to_contain_text(TITLE)
    screenshot(head, "dossier-inbox-head")
    _inbox(head).get_by_role("link", name=TITLE).click()
    head.wait_for_url(f"**/dossiers/{dossier.pk}/")
    _click_and_wait(head, head.get_by_role("button", name="Gửi hồ sơ"))
    expect(head.locator("h1 .badge")).to_have_text("Đã gửi")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    # --- 2. the board officer: sending back needs a reason; receive; appraise each nominee; complete -----------
    officer = new_page()
    login(officer, "canbo.snv")
    expect(_inbox(officer)).to_contain_text(TITLE)
    # The inbox page, filtered by step (the home page shows only the oldest few).
    officer.goto("/viec-cho-xu-ly/?buoc=dossier.receive")
    expect(officer.locator("h1")).to_contain_text("Việc chờ bạn xử lý")
    expect(officer.locator("ul.steps [aria-current]")).to_contain_text("Tiếp nhận hồ sơ")
    expect(officer.locator("main table")).to_contain_text(TITLE)
    screenshot(officer, "board-inbox")
    officer.get_by_role("link", name=TITLE).click()
    officer.wait_for_url(f"**/dossiers/{dossier.pk}/")
    send_back = officer.locator("main details", has_text="Trả lại để bổ sung")
    send_back.locator("summary").click()
    reason = send_back.locator("textarea[name=reason]")
    expect(reason).to_be_visible()
    # An empty reason reaches the server, which refuses it with a Vietnamese message and changes nothing.
    reason.fill("   ")
    _click_and_wait(officer, send_back.get_by_role("button", name="Trả lại để bổ sung"))
    expect(officer.locator(".messages")).to_contain_text("Hãy ghi lý do trả lại và nội dung đơn vị cần bổ sung.")
    expect(officer.locator("h1 .badge")).to_have_text("Đã gửi")

    _click_and_wait(officer, officer.get_by_role("button", name="Tiếp nhận"))
    expect(officer.locator("h1 .badge")).to_have_text("Đã tiếp nhận")
    screenshot(officer, "dossier-received")
    for name in (PERSON, COLLECTIVE):
        row = officer.locator("main table").first.locator("tbody tr", has_text=name)
        row.get_by_label("Kết quả").select_option(label="Đề nghị khen thưởng")
        _click_and_wait(officer, row.get_by_role("button", name="Ghi"))
        expect(officer.locator(".messages")).to_contain_text(f"Đã ghi kết quả thẩm định cho {name}.")
        expect(officer.locator("main table").first.locator("tbody tr", has_text=name)).to_contain_text(
            "Đề nghị khen thưởng"
        )
    _click_and_wait(officer, officer.get_by_role("button", name="Hoàn thành thẩm định"))
    expect(officer.locator("h1 .badge")).to_have_text("Đã thẩm định")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
    assert set(dossier.nominees.values_list("appraisal_result", flat=True)) == {AppraisalResult.ACCEPTED}
    # The council's secret ballot (its pages: tests/e2e/test_council.py) proposes both.
    pass_council([dossier], secretary=world.officer)

    # --- 3. the Chairman's office: draft the decision, enter its details, sign, download ----------------------
    office = new_page()
    login(office, world.chairman_office.username)
    expect(_inbox(office)).to_contain_text(TITLE)
    office.get_by_role("navigation").get_by_role("link", name="Quyết định", exact=True).click()
    office.wait_for_url("**/decisions/")
    office.get_by_label(re.compile(re.escape(TITLE))).check()
    office.get_by_role("button", name="Lập dự thảo quyết định").click()
    office.wait_for_url(re.compile(r"/decisions/\d+/$"))
    decision = AwardDecision.objects.get()
    expect(office.locator("h1 .badge")).to_have_text("Dự thảo")

    expect(office.locator("#id_number")).to_have_value("")  # the province keeps its register: no number typed
    office.fill("#id_issued_on", today.isoformat())
    office.fill("#id_signer_name", SIGNER)
    office.select_option("#id_signer_authority", "deputy")
    office.fill("#id_submission_letter_number", "215/TTr-SNV")
    office.fill("#id_submission_letter_date", (today - timedelta(days=3)).isoformat())
    _click_and_wait(office, office.get_by_role("button", name="Lưu", exact=True))
    expect(office.locator(".messages")).to_contain_text("Đã lưu số, ngày ký và người ký.")
    expect(office.locator("h1")).to_contain_text("1/QĐ-UBND")
    expect(office.locator("main")).to_contain_text(SIGNER)
    screenshot(office, "decision-draft")

    _click_and_wait(office, office.get_by_role("button", name="Ký quyết định"))
    expect(office.locator("h1 .badge")).to_have_text("Đã ký")
    expect(office.get_by_role("button", name="Ký quyết định")).to_have_count(0)
    screenshot(office, "decision-signed")
    decision.refresh_from_db()
    dossier.refresh_from_db()
    assert (decision.state, decision.number, decision.year, decision.issued_on) == ("signed", 1, today.year, today)
    assert dossier.state == DossierState.DECIDED

    with office.expect_download() as download_info:
        office.get_by_role("link", name="Tải quyết định (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as fh:
        content = fh.read()
    text = _docx_text(content)
    assert "QUYẾT ĐỊNH" in text
    assert "1/QĐ-UBND" in text
    assert PERSON in text
    assert COLLECTIVE in text
    assert "DỰ THẢO" not in text
    assert verify_chain() == []


def test_the_dossier_page_fits_a_phone(nomination_world, new_page):
    """The clerk's dossier page (two nominees, the form to add more) on a 390×844 screen: nothing sideways."""
    from playwright.sync_api import expect

    from nominations.services.dossiers import add_nominee, create_dossier

    world = nomination_world
    dossier = create_dossier(
        world.campaign, unit=world.ward, award_type_code="bang_khen_tinh", title=TITLE, actor=world.clerk
    )
    add_nominee(
        dossier,
        actor=world.clerk,
        kind="individual",
        name=PERSON,
        gender="female",
        birth_date=date(1985, 4, 2),
        position="Công chức Văn hoá - Xã hội",
        work_unit="UBND phường Phan Đình Phùng",
    )
    add_nominee(dossier, actor=world.clerk, kind="collective", name=COLLECTIVE, work_unit="Phường Phan Đình Phùng")

    phone = new_page(viewport=PHONE)
    login(phone, "vanthu.phandinhphung")
    phone.goto(f"/dossiers/{dossier.pk}/")
    expect(phone.locator("h1")).to_contain_text(TITLE)
    expect(phone.locator("main")).to_contain_text(COLLECTIVE)
    expect(phone.get_by_role("button", name="Thêm vào hồ sơ")).to_be_visible()
    screenshot(phone, "dossier-phone")
    content_width, viewport_width = _page_width(phone)
    assert content_width <= viewport_width, f"the page scrolls sideways on a phone: {content_width} > {viewport_width}"
