"""In the browser: the roles that read and do not act (architecture principle 7).

The officer of the coordinating department (Sở Khoa học và Công nghệ) co-monitors and co-summarises the campaign:
the dashboard, the award quotas and the campaign summary, never the board's buttons or pages. The auditor reads
everything, read-only: the audit trail, its CSV export (with what is needed to recompute the hash chain), and a
dossier without its nominees' personal data (domain rule 16, Decree 13/2023/NĐ-CP).

The campaign, its progress, the quota and a submitted dossier are built with the services (their pages are walked in
test_indicator_import.py and test_dossier_path.py); every step of the two readers goes through the pages.
"""

import csv
import hashlib
import io
from datetime import date

import pytest

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import ReportingPeriod
from competition.services.progress import create_period, record_progress
from nominations.services import dossiers as services
from nominations.services import quotas
from workflows import SYSTEM
from workflows.audit import verify_chain
from workflows.models import AuditEvent
from workflows.views import AUDIT_EXPORT_HEADER

from ..factories import NomineeDataFactory, UnitFactory, UserFactory
from .conftest import login, screenshot
from .test_dossier_path import CAMPAIGN, _click_and_wait, nomination_world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e]

TITLE = "Đề nghị tặng Bằng khen cho cá nhân, tập thể phường Phan Đình Phùng năm 2026"
PERSON = "Nguyễn Thị Hoà"
BIRTH = date(1986, 9, 17)
ID_NUMBER = "019186004512"
COLLECTIVE = "Tổ công nghệ số cộng đồng phường Phan Đình Phùng"
QUOTA_BASIS = "Hướng dẫn số 45/HD-SNV ngày 20/01/2026 của Sở Nội vụ"


@pytest.fixture
def readers(nomination_world):  # noqa: F811 (the fixture imported above)
    """The campaign with a quarter's progress of both wards, the board's quota for Bằng khen, a dossier the ward
    sent (not yet received), and the two readers: the coordinating department's officer and the auditor."""
    world = nomination_world
    campaign = world.campaign
    science = UnitFactory(
        code="TN-SKHCN", name="Sở Khoa học và Công nghệ", kind=UnitKind.DEPARTMENT, parent=world.province
    )
    inspectorate = UnitFactory(code="TN-TTR", name="Thanh tra tỉnh", kind=UnitKind.DEPARTMENT, parent=world.province)
    world.coordinator = UserFactory(
        username="canbo.khcn", full_name="Phạm Quốc Huy", role=Role.COORDINATOR, unit=science
    )
    world.auditor = UserFactory(username="kiemtoan", full_name="Vũ Thị Mai", role=Role.AUDITOR, unit=inspectorate)

    period = create_period(
        campaign,
        label="Quý I/2026",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        due=date(2026, 4, 10),
        actor=world.officer,
    )
    indicator = campaign.indicators.get()
    linh_son = campaign.units.get(code="05710")
    for unit, numerator, denominator in ((world.ward, 90, 100), (linh_son, 45, 60)):
        record_progress(
            unit,
            period,
            [{"indicator": indicator, "numerator": numerator, "denominator": denominator}],
            actor=SYSTEM,
        )

    dossier = services.create_dossier(
        campaign, unit=world.ward, award_type_code="bang_khen_tinh", title=TITLE, actor=world.clerk
    )
    services.add_nominee(
        dossier,
        actor=world.clerk,
        **NomineeDataFactory(
            name=PERSON,
            birth_date=BIRTH,
            id_number=ID_NUMBER,
            position="Công chức Văn hoá - Xã hội",
            work_unit="UBND phường Phan Đình Phùng",
            direct_worker=True,
        ),
    )
    services.add_nominee(
        dossier,
        actor=world.clerk,
        **NomineeDataFactory(
            kind="collective", name=COLLECTIVE, gender="", birth_date=None, work_unit="Phường Phan Đình Phùng"
        ),
    )
    services.submit_dossier(dossier, actor=world.head, on=date(2026, 3, 2))
    quotas.set_quota(
        campaign,
        "bang_khen_tinh",
        actor=world.officer,
        max_per_unit_individual="3",
        max_per_unit_collective="1",
        max_campaign_collective_percent="10",
        min_direct_worker_share="50",
        basis=QUOTA_BASIS,
    )
    world.period, world.dossier = period, dossier
    return world


def _status(page, path: str) -> int:
    response = page.goto(path)
    return response.status


def test_coordinator_follows_the_campaign_and_reads_the_quotas_and_summary(readers, new_page):
    from playwright.sync_api import expect

    world = readers
    campaign, dossier = world.campaign, world.dossier
    page = new_page()
    login(page, world.coordinator.username)
    expect(page.locator(".who")).to_contain_text("Cán bộ Sở Khoa học và Công nghệ")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    # The board's and the inspectors' pages are not in the menu.
    for label in ("Nhật ký", "Thống kê", "Tài khoản", "Quỹ TĐKT"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)

    # --- the campaign, then its dashboard: every unit of the province ------------------------------------------
    nav.get_by_role("link", name="Phong trào", exact=True).click()
    page.wait_for_url("**/campaigns/")
    with page.expect_navigation():
        page.get_by_role("link", name=CAMPAIGN).first.click()
    assert page.url.endswith(f"/campaigns/{campaign.pk}/")
    expect(page.get_by_role("link", name="Sửa nội dung")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name="Bảng theo dõi phong trào").click()
    expect(page.locator("h1")).to_have_text("Bảng theo dõi phong trào")
    expect(page.locator("main")).to_contain_text("Phạm vi: Toàn tỉnh")
    card = page.locator("main section.card").first
    expect(card).to_contain_text("135/160")  # 90/100 + 45/60, weighted by denominators
    expect(card).to_contain_text("84,4%")
    expect(page.get_by_role("link", name="Số liệu của từng đơn vị")).to_be_visible()
    screenshot(page, "coordinator-dashboard")

    # --- the award quotas: read, not set ---------------------------------------------------------------------
    page.goto(f"/campaigns/{campaign.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Chỉ tiêu khen thưởng").click()
    expect(page.locator("h1")).to_have_text("Chỉ tiêu khen thưởng")
    expect(page.locator("main")).to_contain_text(QUOTA_BASIS)
    expect(page.locator("main")).to_contain_text("tối đa 3")
    expect(page.locator("main table")).to_contain_text("Phường Phan Đình Phùng")
    expect(page.get_by_role("link", name="Đặt chỉ tiêu", exact=False)).to_have_count(0)

    # --- the campaign summary, with its Word and Excel downloads ----------------------------------------------
    page.goto(f"/campaigns/{campaign.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Tổng kết phong trào").click()
    expect(page.locator("h1")).to_have_text("Tổng kết phong trào")
    expect(page.get_by_role("link", name="Tải báo cáo tổng kết (Word)")).to_be_visible()
    expect(page.get_by_role("link", name="Tải số liệu và biểu đồ (Excel)")).to_be_visible()
    expect(page.get_by_role("link", name="Thống kê khen thưởng theo năm")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Quý I/2026")
    screenshot(page, "coordinator-summary")

    # --- a dossier the ward sent: readable, with none of the board's buttons and no personal data -------------
    nav.get_by_role("link", name="Hồ sơ khen thưởng", exact=True).click()
    page.wait_for_url("**/dossiers/")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    assert page.url.endswith(f"/dossiers/{dossier.pk}/")
    expect(page.locator("h1 .badge")).to_have_text("Đã gửi")
    expect(page.locator("main table").first).to_contain_text(PERSON)
    for button in ("Tiếp nhận", "Trả lại để bổ sung", "Thêm vào hồ sơ", "Gửi hồ sơ"):
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    body = page.locator("body").inner_text()
    assert BIRTH.strftime("%d/%m/%Y") not in body and ID_NUMBER not in body

    # --- the board's own pages answer "forbidden" ---------------------------------------------------------------
    assert _status(page, f"/campaigns/{campaign.pk}/quotas/bang_khen_tinh/") == 403
    assert _status(page, "/history/") == 403
    assert _status(page, "/holds/") == 403
    assert _status(page, "/audit/") == 403
    assert _status(page, "/statistics/") == 403
    # Receiving the dossier through its address is refused too: the dossier stays as the ward sent it.
    page.goto(f"/dossiers/{dossier.pk}/")
    page.evaluate(
        """(url) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        const t = document.createElement('input'); t.type = 'hidden'; t.name = 'csrfmiddlewaretoken';
        t.value = document.querySelector('input[name=csrfmiddlewaretoken]').value; f.appendChild(t);
        document.body.appendChild(f); f.submit(); }""",
        f"/dossiers/{dossier.pk}/do/receive/",
    )
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Đã gửi")
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert ReportingPeriod.objects.filter(campaign=campaign).count() == 1
    assert verify_chain() == []


def test_auditor_reads_and_exports_the_audit_trail_and_a_dossier_without_personal_data(readers, new_page, tmp_path):
    from playwright.sync_api import expect

    world = readers
    dossier = world.dossier
    page = new_page()
    login(page, world.auditor.username)
    expect(page.locator(".who")).to_contain_text("Thanh tra, kiểm toán (chỉ xem)")
    nav = page.get_by_role("navigation", name="Điều hướng chính")

    # --- the audit trail: every event, newest first, with the chain's head --------------------------------------
    nav.get_by_role("link", name="Nhật ký", exact=True).click()
    page.wait_for_url("**/audit/")
    expect(page.locator("h1")).to_have_text("Nhật ký kiểm toán")
    count = AuditEvent.objects.count()
    head = AuditEvent.objects.order_by("-sequence").first()
    expect(page.locator("main")).to_contain_text(f"{count} sự kiện · mã băm đầu chuỗi: {head.hash}")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text(str(head.sequence))
    expect(page.locator("main table")).to_contain_text("Gửi hồ sơ")
    expect(page.locator("main table")).to_contain_text(TITLE)
    screenshot(page, "auditor-audit-log")

    # --- the CSV export: the readable columns and the canonical body, previous hash and hash of each event --------
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Xuất nhật ký (.csv)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("nhat-ky-kiem-toan-")
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read the diacritics"
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header, events = table[0], table[1:]
    assert tuple(header) == AUDIT_EXPORT_HEADER
    assert {"body", "prev_hash", "hash"} <= set(header)
    assert len(events) == count
    column = {name: i for i, name in enumerate(header)}
    previous = "0" * 64
    for row in events:  # the inspector's own check, from the file alone
        body, prev_hash, own_hash = row[column["body"]], row[column["prev_hash"]], row[column["hash"]]
        assert prev_hash == previous
        assert hashlib.sha256(body.encode("utf-8")).hexdigest() == own_hash
        previous = own_hash
    assert previous == head.hash
    assert BIRTH.isoformat() not in text and ID_NUMBER not in text

    # --- a dossier: read-only, names and positions, never birth dates or ID numbers ----------------------------
    nav.get_by_role("link", name="Hồ sơ khen thưởng", exact=True).click()
    page.wait_for_url("**/dossiers/")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    assert page.url.endswith(f"/dossiers/{dossier.pk}/")
    nominees = page.locator("main table").first
    expect(nominees).to_contain_text(PERSON)
    expect(nominees).to_contain_text("Công chức Văn hoá - Xã hội")
    expect(nominees).to_contain_text(COLLECTIVE)
    for button in ("Tiếp nhận", "Trả lại để bổ sung", "Thêm vào hồ sơ", "Gửi hồ sơ"):
        expect(page.get_by_role("button", name=button)).to_have_count(0)
    body = page.locator("body").inner_text()
    for shown in (BIRTH.strftime("%d/%m/%Y"), BIRTH.isoformat(), ID_NUMBER, "Ngày sinh", "Số định danh"):
        assert shown not in body, f"the auditor's dossier page shows {shown!r}"
    expect(page.locator("main")).to_contain_text("Nhật ký")  # the dossier's own timeline
    screenshot(page, "auditor-dossier")
    assert _status(page, f"/campaigns/{world.campaign.pk}/quotas/bang_khen_tinh/") == 403
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert verify_chain() == []
