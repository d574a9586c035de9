"""In the browser (issue 6): the clerk completes the dossier's composition; the board officer returns it with a
reason per item; the clerk reads the reasons, replaces the file on a phone and the unit head resubmits; the board
officer sees what changed, receives it and appraises each nominee (one proposed, one not, with a reason).
"""

import re
from pathlib import Path

import pytest

from competition.models import RequiredDocument
from nominations.enums import AppraisalResult, DossierState
from nominations.models import DossierReturn
from nominations.services import dossiers as services
from nominations.services.demo import document_file
from workflows.audit import verify_chain

from ..factories import NomineeDataFactory
from .conftest import PHONE, login, screenshot
from .test_dossier_path import _click_and_wait, _inbox, _page_width, nomination_world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e]

TITLE = "Đề nghị tặng Bằng khen cho cá nhân phường Phan Đình Phùng"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
REPORT_REASON = "Báo cáo thành tích chưa đúng mẫu của Nghị định 152/2025/NĐ-CP."


def _files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name in ("to-trinh.pdf", "bien-ban.pdf", "bao-cao-moi.pdf"):
        path = tmp_path / name
        path.write_bytes(PDF)
        paths[name] = path
    paths["bao-cao.docx"] = tmp_path / "bao-cao.docx"
    paths["bao-cao.docx"].write_bytes(document_file("Báo cáo thành tích", ["…"], name="bao-cao.docx").read())
    return paths


def _upload(page, row_text: str, path: Path) -> None:
    row = page.locator("#thanh-phan + p + .table-wrap tbody tr", has_text=row_text)
    row.locator("input[type=file]").set_input_files(str(path))
    _click_and_wait(page, row.get_by_role("button", name=re.compile("^(Tải lên|Thay tệp)$")))


@pytest.fixture
def drafted(nomination_world):  # noqa: F811 (the fixture imported above)
    world = nomination_world
    award = world.campaign.rule_set.award_types.get(code="bang_khen_tinh")
    for order, (code, name, per_nominee) in enumerate(
        [
            ("to_trinh", "Tờ trình kèm danh sách", False),
            ("bao_cao_thanh_tich", "Báo cáo thành tích", True),
            ("bien_ban_hoi_dong", "Biên bản họp Hội đồng Thi đua - Khen thưởng", False),
        ],
        start=1,
    ):
        RequiredDocument.objects.create(award_type=award, code=code, name=name, per_nominee=per_nominee, order=order)
    dossier = services.create_dossier(
        world.campaign, unit=world.ward, award_type_code="bang_khen_tinh", title=TITLE, actor=world.clerk
    )
    first = services.add_nominee(dossier, actor=world.clerk, **NomineeDataFactory(name="Nguyễn Thị Hoà"))
    second = services.add_nominee(
        dossier, actor=world.clerk, **NomineeDataFactory(name="Trần Văn Khoẻ", position="Phó Chủ tịch UBND phường")
    )
    world.dossier, world.first, world.second = dossier, first, second
    return world


def test_return_with_reasons_per_item_resubmission_and_appraisal(drafted, new_page, tmp_path):
    from playwright.sync_api import expect

    world = drafted
    dossier = world.dossier
    files = _files(tmp_path)

    # --- the clerk completes the composition: the page says what is missing until nothing is ------------------
    clerk = new_page()
    login(clerk, world.clerk.username)
    clerk.goto(f"/dossiers/{dossier.pk}/")
    expect(clerk.locator("main")).to_contain_text("Còn thiếu 4 tài liệu bắt buộc")
    bad = tmp_path / "bien-ban-gia.pdf"
    bad.write_bytes(b"not a pdf at all")
    _upload(clerk, "Biên bản họp Hội đồng", bad)
    expect(clerk.locator(".messages")).to_contain_text("không phải văn bản PDF hoặc Word")
    _upload(clerk, "Tờ trình kèm danh sách", files["to-trinh.pdf"])
    _upload(clerk, "Biên bản họp Hội đồng", files["bien-ban.pdf"])
    _upload(clerk, "Báo cáo thành tích: Nguyễn Thị Hoà", files["bao-cao.docx"])
    _upload(clerk, "Báo cáo thành tích: Trần Văn Khoẻ", files["bao-cao.docx"])
    expect(clerk.locator("main")).to_contain_text("Đủ thành phần hồ sơ.")
    screenshot(clerk, "dossier-composition")

    head = new_page()
    login(head, world.head.username)
    head.goto(f"/dossiers/{dossier.pk}/")
    _click_and_wait(head, head.get_by_role("button", name="Gửi hồ sơ"))
    expect(head.locator("h1 .badge")).to_have_text("Đã gửi")

    # --- the board officer returns it with a reason on one nominee's report ------------------------------------
    officer = new_page()
    login(officer, "canbo.snv")
    expect(_inbox(officer)).to_contain_text(TITLE)
    officer.goto(f"/dossiers/{dossier.pk}/")
    back = officer.locator("details#tra-lai")
    back.locator("summary").click()
    back.get_by_label("Nội dung cần bổ sung: Báo cáo thành tích: Nguyễn Thị Hoà").fill(REPORT_REASON)
    back.get_by_label("Ý kiến chung").fill("Đề nghị phường hoàn thiện và gửi lại.")
    screenshot(officer, "dossier-return-form")
    _click_and_wait(officer, back.get_by_role("button", name="Trả lại để bổ sung"))
    expect(officer.locator("h1 .badge")).to_have_text("Trả lại để bổ sung")
    assert DossierReturn.objects.get(dossier=dossier).items[0]["reason"] == REPORT_REASON

    # --- the clerk, on a phone, reads the reason on the item and replaces the file -----------------------------
    phone = new_page(PHONE)
    login(phone, world.clerk.username)
    phone.get_by_role("link", name=re.compile("^Thông báo")).click()
    phone.wait_for_url("**/notifications/**")
    expect(phone.locator("main")).to_contain_text(f"Hồ sơ bị trả lại để bổ sung: {TITLE}")
    phone.goto(f"/dossiers/{dossier.pk}/")
    expect(phone.get_by_role("alert").first).to_contain_text(REPORT_REASON)
    flagged = phone.locator("tr.flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Nguyễn Thị Hoà")
    scroll_width, width = _page_width(phone)
    assert scroll_width <= width + 1, "the dossier page scrolls sideways on a phone"
    screenshot(phone, "dossier-returned-phone")
    _upload(phone, "Báo cáo thành tích: Nguyễn Thị Hoà", files["bao-cao-moi.pdf"])
    expect(phone.locator("ul.messages")).to_contain_text("Đã tải lên “bao-cao-moi.pdf”")

    head.goto(f"/dossiers/{dossier.pk}/")
    _click_and_wait(head, head.get_by_role("button", name="Gửi hồ sơ"))
    expect(head.locator("h1 .badge")).to_have_text("Đã gửi")

    # --- the board officer sees what changed, receives and appraises ------------------------------------------
    officer.goto(f"/dossiers/{dossier.pk}/")
    expect(officer.locator("main")).to_contain_text("Lần gửi 2")
    expect(officer.locator("main")).to_contain_text("Thay “Báo cáo thành tích: Nguyễn Thị Hoà”: bao-cao-moi.pdf")
    expect(officer.locator("main")).to_contain_text("Đơn vị đã bổ sung, gửi lại (lần gửi 2).")
    _click_and_wait(officer, officer.get_by_role("button", name="Tiếp nhận"))
    expect(officer.locator("h1 .badge")).to_have_text("Đã tiếp nhận")
    expect(officer.locator("main")).to_contain_text("ngày làm việc")  # the remaining time of the appraisal
    nominees = officer.locator("main table").first
    row = nominees.locator("tbody tr", has_text="Nguyễn Thị Hoà")
    row.get_by_label("Kết quả").select_option(label="Đề nghị khen thưởng")
    _click_and_wait(officer, row.get_by_role("button", name="Ghi"))
    row = nominees.locator("tbody tr", has_text="Trần Văn Khoẻ")
    row.get_by_label("Kết quả").select_option(label="Không đề nghị")
    _click_and_wait(officer, row.get_by_role("button", name="Ghi"))
    expect(officer.locator(".messages")).to_contain_text("không đề nghị khen thưởng thì phải ghi ý kiến thẩm định")
    row = nominees.locator("tbody tr", has_text="Trần Văn Khoẻ")
    row.get_by_label("Kết quả").select_option(label="Không đề nghị")
    row.get_by_label("Ý kiến thẩm định").fill("Thành tích chưa tiêu biểu trong phong trào.")
    _click_and_wait(officer, row.get_by_role("button", name="Ghi"))
    screenshot(officer, "dossier-appraisal")
    _click_and_wait(officer, officer.get_by_role("button", name="Hoàn thành thẩm định"))
    expect(officer.locator("h1 .badge")).to_have_text("Đã thẩm định")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
    results = dict(dossier.nominees.values_list("name", "appraisal_result"))
    assert results == {"Nguyễn Thị Hoà": AppraisalResult.ACCEPTED, "Trần Văn Khoẻ": AppraisalResult.REJECTED}
    assert [v.number for v in dossier.versions.order_by("number")] == [1, 2]
    assert verify_chain() == []
