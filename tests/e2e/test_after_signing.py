"""In the browser (issue 7): the Chairman's office signs a decision and uploads the signed PDF; the board publishes
it, records the payment on a phone and prints the certificates with their QR codes; anyone, without an account,
finds the decision on the public page and verifies a certificate by its code, before and after a revocation.

The dossier reaches the Chairman's office through the services (its pages are walked in test_dossier_path.py and
test_council.py); every step here goes through the pages a person uses.
"""

from datetime import date

import pytest
from django.utils import timezone

from nominations.enums import DecisionState, PaymentState
from nominations.models import AwardDecision, DecisionRegister, SignedDecisionScan
from nominations.services import dossiers as services
from nominations.services import revocations
from nominations.services.codes import display_code
from nominations.services.decisions import draft_decision
from workflows.audit import verify_chain

from ..factories import NomineeDataFactory, pass_council
from .conftest import PHONE, login, screenshot
from .test_dossier_path import _click_and_wait, _page_width, nomination_world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e]

TITLE = "Đề nghị tặng Bằng khen cho cá nhân, tập thể phường Phan Đình Phùng (tổng kết)"
PERSON = "Nguyễn Thị Hoà"
BIRTH = date(1986, 9, 17)
COLLECTIVE = "Tổ công nghệ số cộng đồng phường Phan Đình Phùng"
SIGNER = "Trịnh Việt Hùng"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def draft(nomination_world):  # noqa: F811 (the fixture imported above)
    """A draft decision of the Chairman on a dossier the council proposed (the province keeps its register)."""
    world = nomination_world
    DecisionRegister.objects.create(issuing_unit=world.province, symbol="QĐ-UBND", year=timezone.localdate().year)
    dossier = services.create_dossier(
        world.campaign, unit=world.ward, award_type_code="bang_khen_tinh", title=TITLE, actor=world.clerk
    )
    services.add_nominee(dossier, actor=world.clerk, **NomineeDataFactory(name=PERSON, birth_date=BIRTH))
    services.add_nominee(
        dossier,
        actor=world.clerk,
        **NomineeDataFactory(kind="collective", name=COLLECTIVE, gender="", birth_date=None),
    )
    services.submit_dossier(dossier, actor=world.head, on=timezone.localdate())
    services.receive_dossier(dossier, actor=world.officer)
    for nominee in dossier.nominees.all():
        services.appraise_nominee(nominee, actor=world.officer, result="accepted")
    services.complete_appraisal(dossier, actor=world.officer)
    pass_council([dossier], secretary=world.officer)
    return draft_decision([dossier], actor=world.officer)


def test_chairman_office_signs_uploads_the_pdf_and_the_board_publishes_pays_and_prints(
    nomination_world,  # noqa: F811
    draft,
    new_page,
    tmp_path,
):
    from playwright.sync_api import expect

    world = nomination_world
    today = timezone.localdate()

    # --- the Chairman's office: details, signature, the signed PDF uploaded back ---------------------------------
    office = new_page()
    login(office, world.chairman_office.username)
    office.goto(f"/decisions/{draft.pk}/")
    office.fill("#id_issued_on", today.isoformat())
    office.fill("#id_signer_name", SIGNER)
    office.select_option("#id_signer_authority", "deputy")
    _click_and_wait(office, office.get_by_role("button", name="Lưu", exact=True))
    expect(office.locator(".messages")).to_contain_text("Đã lưu số, ngày ký và người ký.")
    _click_and_wait(office, office.get_by_role("button", name="Ký quyết định"))
    expect(office.locator("h1 .badge")).to_have_text("Đã ký")
    draft.refresh_from_db()
    code = display_code(draft.verification_code)
    expect(office.locator("main")).to_contain_text(code)
    expect(office.locator("main")).to_contain_text("Chưa tải lên bản đã ký.")

    # A file that is not a PDF is refused with a message that names it; nothing is stored.
    fake = tmp_path / "quyet-dinh.pdf"
    fake.write_bytes(b"this is not a pdf")
    office.set_input_files("#id_signed_file", str(fake))
    _click_and_wait(office, office.get_by_role("button", name="Tải lên bản đã ký"))
    expect(office.locator(".messages")).to_contain_text("quyet-dinh.pdf")
    assert not SignedDecisionScan.objects.exists()
    signed = tmp_path / "qd-da-ky.pdf"
    signed.write_bytes(PDF)
    office.set_input_files("#id_signed_file", str(signed))
    _click_and_wait(office, office.get_by_role("button", name="Tải lên bản đã ký"))
    expect(office.locator(".messages")).to_contain_text("Đã lưu bản đã ký “qd-da-ky.pdf”")
    scan = SignedDecisionScan.objects.get()
    expect(office.locator("main")).to_contain_text(scan.sha256)
    # Replacing it needs a reason: the form now asks for one.
    expect(office.locator("#id_signed_reason")).to_be_visible()
    screenshot(office, "decision-signed-pdf")
    # The money is the board's: the Chairman's office sees no payment page.
    expect(office.get_by_role("link", name="Chi trả tiền thưởng")).to_have_count(0)

    # --- the board: publish, then record the payment on a phone -----------------------------------------------
    board = new_page()
    login(board, "canbo.snv")
    board.goto(f"/decisions/{draft.pk}/")
    _click_and_wait(board, board.get_by_role("button", name="Công bố quyết định"))
    expect(board.locator(".messages")).to_contain_text(code)
    expect(board.locator("h1 .badge")).to_have_text("Đã công bố")
    draft.refresh_from_db()
    assert draft.state == DecisionState.PUBLISHED

    phone = new_page(PHONE)
    login(phone, "canbo.snv")
    phone.goto(f"/decisions/{draft.pk}/payments/")
    phone.fill("#id_paid_on", today.isoformat())
    phone.fill("#id_reference", "UNC-0415")
    phone.get_by_label(f"Chọn {PERSON}").check()
    _click_and_wait(phone, phone.get_by_role("button", name="Ghi nhận đã chi"))
    expect(phone.locator(".messages")).to_contain_text("Đã ghi nhận khoản chi.")
    width, viewport = _page_width(phone)
    assert width <= viewport + 1, f"the payment page is {width}px wide on a {viewport}px phone"
    screenshot(phone, "decision-payments-phone")
    states = dict(draft.awards.values_list("name", "payment_state"))
    assert states == {PERSON: PaymentState.PAID, COLLECTIVE: PaymentState.DUE}

    board.goto(f"/decisions/{draft.pk}/certificates/")
    expect(board.locator("section.sheet")).to_have_count(2)
    expect(board.locator("section.sheet svg")).to_have_count(2)
    person = draft.awards.get(name=PERSON)
    expect(board.locator("section.sheet", has_text=PERSON)).to_contain_text(display_code(person.certificate_code))
    screenshot(board, "certificates-print")
    assert verify_chain() == []


def test_anyone_finds_the_published_decision_and_verifies_a_certificate_before_and_after_revocation(
    nomination_world,  # noqa: F811
    draft,
    new_page,
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    from nominations.services.decisions import set_issue_details, sign_decision, upload_signed_pdf
    from nominations.services.publication import publish_decision

    world = nomination_world
    today = timezone.localdate()
    set_issue_details(
        draft, actor=world.chairman_office, issued_on=today, signer_name=SIGNER, signer_authority="deputy"
    )
    sign_decision(draft, actor=world.chairman_office)
    upload_signed_pdf(draft, SimpleUploadedFile("qd.pdf", PDF), actor=world.officer)
    publish_decision(draft, actor=world.officer)
    decision = AwardDecision.objects.get()
    person = decision.awards.get(name=PERSON)

    visitor = new_page(PHONE)  # nobody signed in, on a phone
    visitor.goto("/cong-khai/")
    expect(visitor.locator("main")).to_contain_text(str(decision))
    link = visitor.locator("main table a", has_text=str(decision))
    expect(link).to_have_count(1)
    link.click()
    visitor.wait_for_url("**/cong-khai/*/")
    table = visitor.locator("main table")
    expect(table).to_contain_text(PERSON)
    expect(table).to_contain_text(COLLECTIVE)
    body = visitor.locator("body").inner_text()
    assert BIRTH.strftime("%d/%m/%Y") not in body and "Giới tính" not in body
    width, viewport = _page_width(visitor)
    assert width <= viewport + 1
    screenshot(visitor, "public-decision")

    # The code as a person types it off the paper: lower case, spaces instead of dashes.
    typed = display_code(person.certificate_code).lower().replace("-", " ")
    visitor.goto("/tra-cuu/")
    visitor.fill("#id_ma", typed)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.locator("main")).to_contain_text("Có hiệu lực")
    expect(visitor.locator("main")).to_contain_text(PERSON)
    expect(visitor.locator("main")).to_contain_text(decision.audit_head_hash)
    screenshot(visitor, "verify-valid")

    revocation = revocations.propose_revocation(
        person, actor=world.officer, ground="forgery", detail="Giấy xác nhận sáng kiến bị làm giả."
    )
    revocations.set_revocation_details(revocation, actor=world.officer, issued_on=today, signer_name=SIGNER)
    revocation = revocations.decide_revocation(revocation, actor=world.chairman_office)
    visitor.reload()
    expect(visitor.locator("main")).to_contain_text(
        f"ĐÃ BỊ THU HỒI theo Quyết định số {revocation.decision_reference} ngày {today.strftime('%d/%m/%Y')}"
    )
    expect(visitor.locator("main")).to_contain_text("Làm giả hồ sơ, giấy tờ")
    screenshot(visitor, "verify-revoked")

    visitor.goto("/tra-cuu/")
    visitor.fill("#id_ma", "0000 0000 0000")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.locator("main")).to_contain_text("Không tìm thấy")
