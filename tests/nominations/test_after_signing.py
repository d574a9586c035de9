"""What follows a signed decision (issue 7 items 4-6): verification codes, payment and the fund, certificates,
publication with public verification, and revocation (Law 06/2022 Art. 93)."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from nominations.documents import decision_docx
from nominations.enums import DecisionState, PaymentState, RevocationState
from nominations.models import Award, AwardRecord, AwardReviewFlag
from nominations.services import payments, publication, revocations
from nominations.services.codes import display_code, normalize_code
from nominations.services.decisions import sign_decision, upload_signed_pdf
from nominations.services.history import eligibility_problems, merit_history
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent

from ._decision_setup import build_world, drafted, issue, provincial_dossier

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TODAY = date(2025, 12, 20)

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def frozen_today():
    with time_machine.travel(date(2025, 12, 20), tick=True):
        yield


@pytest.fixture
def world(db):
    return build_world()


NOMINEES = [
    {
        "kind": "individual",
        "name": "Nguyễn Thị Hoà",
        "birth_date": date(1987, 4, 23),
        "gender": "female",
        "id_number": "019187000123",
        "position": "Chuyên viên",
        "work_unit": "UBND phường Phan Đình Phùng",
    },
    {
        "kind": "individual",
        "name": '=HYPERLINK("http://x")',
        "birth_date": date(1990, 2, 1),
        "gender": "male",
        "position": "Cán bộ",
        "work_unit": "UBND phường",
    },
    ("collective", "Phòng Văn hóa - Xã hội phường Phan Đình Phùng"),
]


@pytest.fixture
def decision(world):
    draft = drafted(world, provincial_dossier(world, NOMINEES))
    issue(draft, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    return sign_decision(draft, actor=world.chairman_office)


def line(decision, name_start: str) -> Award:
    return decision.awards.get(name__startswith=name_start)


# --- Codes ------------------------------------------------------------------------------------------------------


def test_signing_gives_the_decision_and_every_line_a_distinct_unguessable_code(decision):
    codes = [decision.verification_code, *decision.awards.values_list("certificate_code", flat=True)]
    assert all(len(c) == 12 and normalize_code(c) == c for c in codes)
    assert len(set(codes)) == 4
    shown = display_code(decision.verification_code)
    assert shown.count("-") == 2
    # Typed back in lower case, with spaces, and O for 0 and l for 1: the same code.
    typed = shown.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize_code(typed) == decision.verification_code
    assert normalize_code("ABC") == "" and normalize_code("UUUUUUUUUUUU") == ""
    # The decision prints its code beside the audit chain's head hash.
    text = "\n".join(p.text for p in Document(io.BytesIO(decision_docx(decision))).paragraphs)
    assert f"Mã tra cứu quyết định: {shown}" in text and decision.audit_head_hash in text


def test_a_draft_has_no_code_and_cannot_be_verified(world):
    draft = drafted(world, provincial_dossier(world, [("individual", "Trần Văn Nam")]))
    assert draft.verification_code is None
    assert not draft.awards.exclude(certificate_code=None).exists()


# --- Payment and the fund ---------------------------------------------------------------------------------------


def test_paying_every_due_line_records_one_audited_transition_each(world, decision):
    paid = payments.record_payments(
        decision, actor=world.board_officer, paid_on=date(2025, 10, 1), reference="PC-0012"
    )
    assert len(paid) == 3
    assert set(decision.awards.values_list("payment_state", flat=True)) == {PaymentState.PAID}
    events = AuditEvent.objects.filter(action="nominations.award.pay")
    assert events.count() == 3
    assert {e.payload["reference"] for e in events} == {"PC-0012"}
    summary = payments.payment_summary(decision)
    assert summary.count(PaymentState.PAID) == 3 and summary.amount(PaymentState.PAID) == summary.total


def test_a_payment_is_all_or_nothing_and_says_what_is_wrong(world, decision):
    hoa = line(decision, "Nguyễn")
    payments.record_payments(decision, actor=world.board_officer, paid_on=date(2025, 10, 1), award_ids=[hoa.pk])
    others = decision.awards.exclude(pk=hoa.pk)
    with pytest.raises(TransitionRefused) as refused:
        payments.record_payments(
            decision,
            actor=world.board_officer,
            paid_on=date(2025, 9, 1),
            award_ids=[hoa.pk, *others.values_list("pk", flat=True)],
        )
    text = str(refused.value) + " ".join(refused.value.reasons)
    assert "trước ngày ký quyết định" in text
    assert "Nguyễn Thị Hoà" in text and "Đã chi" in text
    assert set(others.values_list("payment_state", flat=True)) == {PaymentState.DUE}
    with pytest.raises(TransitionRefused, match="tương lai"):
        payments.record_payments(decision, actor=world.board_officer, paid_on=date(2026, 1, 5))


def test_only_the_fund_manager_records_payments(world, decision):
    for outsider in (world.chairman_office, world.ward_clerk):
        with pytest.raises(TransitionForbidden):
            payments.record_payments(decision, actor=outsider, paid_on=date(2025, 10, 1))
    assert not decision.awards.filter(payment_state=PaymentState.PAID).exists()


def test_the_payment_list_totals_the_money_and_escapes_formulas(world, decision):
    rows = list(load_workbook(io.BytesIO(payments.payment_list_xlsx(decision))).active.iter_rows(values_only=True))
    names = [r[1] for r in rows[5:-1]]
    assert '\'=HYPERLINK("http://x")' in names
    assert rows[-1][4] == sum(decision.awards.values_list("amount", flat=True)) > 0
    assert "12/QĐ-UBND" in rows[1][0]


def test_the_fund_balance_carries_over_years_and_counts_payouts_and_recoveries(world, decision):
    officer = world.board_officer
    with time_machine.travel(date(2025, 12, 20), tick=True):
        payments.add_fund_entry(
            world.province, actor=officer, kind="allocation", amount=50_000_000, entered_on=date(2025, 2, 1)
        )
        payments.add_fund_entry(
            world.province, actor=officer, kind="spending", amount=1_000_000, entered_on=date(2025, 3, 1)
        )
        payments.record_payments(decision, actor=officer, paid_on=date(2025, 10, 1))
    total = sum(decision.awards.values_list("amount", flat=True))
    year = payments.fund_year(world.province, 2025)
    assert (year.opening, year.allocations, year.payouts, year.spending) == (0, 50_000_000, total, 1_000_000)
    assert year.closing == 49_000_000 - total
    assert year.due == 0
    with pytest.raises(TransitionRefused, match="số nguyên dương"):
        payments.add_fund_entry(world.province, actor=officer, kind="allocation", amount=0, entered_on=TODAY)
    with pytest.raises(TransitionForbidden):
        payments.add_fund_entry(world.province, actor=world.ward_clerk, kind="allocation", amount=1, entered_on=TODAY)
    with time_machine.travel(date(2026, 3, 1), tick=True):
        next_year = payments.fund_year(world.province, 2026)
    assert next_year.opening == year.closing
    assert 2025 in payments.fund_years(world.province)


# --- Revocation -------------------------------------------------------------------------------------------------


def revoke(world, award, *, number=40, ground="fraud"):
    revocation = revocations.propose_revocation(
        award, actor=world.board_officer, ground=ground, detail="Kê khai sáng kiến không có thật."
    )
    revocations.set_revocation_details(
        revocation,
        actor=world.board_officer,
        number=number,
        issued_on=date(2025, 12, 1),
        signer_name="Nguyễn Văn Phúc",
    )
    return revocations.decide_revocation(revocation, actor=world.chairman_office)


def test_a_paid_award_revoked_must_be_recovered_before_the_revocation_closes(world, decision):
    payments.record_payments(decision, actor=world.board_officer, paid_on=date(2025, 10, 1))
    hoa = line(decision, "Nguyễn")
    revocation = revoke(world, hoa)
    hoa.refresh_from_db()
    assert revocation.state == RevocationState.DECIDED
    assert hoa.payment_state == PaymentState.TO_RECOVER
    record = AwardRecord.objects.get(award=hoa)
    assert record.revoked_on == date(2025, 12, 1) and record.revocation_reference == "40/QĐ-UBND"
    with pytest.raises(TransitionRefused, match="chưa được thu hồi"):
        revocations.complete_revocation(revocation, actor=world.board_officer, certificate_returned=True)
    with pytest.raises(TransitionRefused, match="trước ngày chi"):
        payments.record_recovery(hoa, actor=world.board_officer, recovered_on=date(2025, 9, 30))
    payments.record_recovery(hoa, actor=world.board_officer, recovered_on=date(2025, 12, 10), reference="PT-3")
    with pytest.raises(TransitionRefused, match="lý do"):
        revocations.complete_revocation(revocation, actor=world.board_officer, certificate_returned=False)
    done = revocations.complete_revocation(revocation, actor=world.board_officer, certificate_returned=True)
    assert done.state == RevocationState.RECOVERED
    fund = payments.fund_year(world.province, 2025)
    assert fund.recovered == hoa.amount
    assert fund.payouts - fund.recovered == sum(decision.awards.exclude(pk=hoa.pk).values_list("amount", flat=True))


def test_an_unpaid_award_revoked_is_never_paid(world, decision):
    hoa = line(decision, "Nguyễn")
    revoke(world, hoa)
    hoa.refresh_from_db()
    assert hoa.payment_state == PaymentState.CANCELLED
    paid = payments.record_payments(decision, actor=world.board_officer, paid_on=date(2025, 12, 5))
    assert hoa not in paid and len(paid) == 2
    rows = list(load_workbook(io.BytesIO(payments.payment_list_xlsx(decision))).active.iter_rows(values_only=True))
    assert rows[-1][4] == sum(a.amount for a in paid)


def test_revocation_is_proposed_by_the_board_and_decided_only_by_the_awarding_authority(world, decision):
    hoa = line(decision, "Nguyễn")
    with pytest.raises(TransitionForbidden):
        revocations.propose_revocation(hoa, actor=world.ward_clerk, ground="fraud", detail="x")
    with pytest.raises(TransitionRefused) as refused:
        revocations.propose_revocation(hoa, actor=world.board_officer, ground="nope", detail="")
    assert len(refused.value.reasons) == 2
    revocation = revocations.propose_revocation(hoa, actor=world.board_officer, ground="forgery", detail="Giả giấy")
    with pytest.raises(TransitionRefused, match="đã có đề nghị thu hồi"):
        revocations.propose_revocation(hoa, actor=world.board_officer, ground="forgery", detail="Lần hai")
    with pytest.raises(TransitionRefused, match="Chưa có số"):
        revocations.decide_revocation(revocation, actor=world.chairman_office)
    revocations.set_revocation_details(
        revocation, actor=world.board_officer, number=41, issued_on=date(2025, 12, 1), signer_name="Nguyễn Văn Phúc"
    )
    with pytest.raises(TransitionForbidden):
        revocations.decide_revocation(revocation, actor=world.board_officer)
    assert revocations.decide_revocation(revocation, actor=world.chairman_office).state == RevocationState.DECIDED


def test_a_revocation_number_never_repeats_a_number_of_the_same_register(world, decision):
    hoa = line(decision, "Nguyễn")
    revocation = revocations.propose_revocation(hoa, actor=world.board_officer, ground="fraud", detail="x")
    # 12/QĐ-UBND of 2025 is the award decision itself: the register is shared.
    with pytest.raises(TransitionRefused, match="đã dùng cho quyết định khen thưởng"):
        revocations.set_revocation_details(
            revocation, actor=world.board_officer, number=12, issued_on=date(2025, 12, 1), signer_name="A"
        )
    revoke_other = revocations.propose_revocation(
        line(decision, "Phòng"), actor=world.board_officer, ground="fraud", detail="y"
    )
    revocations.set_revocation_details(
        revoke_other, actor=world.board_officer, number=50, issued_on=date(2025, 12, 1), signer_name="A"
    )
    with pytest.raises(TransitionRefused, match="đã dùng cho quyết định thu hồi"):
        revocations.set_revocation_details(
            revocation, actor=world.board_officer, number=50, issued_on=date(2025, 12, 1), signer_name="A"
        )


def test_revoking_flags_later_merit_awards_and_frees_eligibility(world, decision):
    hoa = line(decision, "Nguyễn")
    record = AwardRecord.objects.get(award=hoa)
    later = AwardRecord.objects.create(
        subject_kind=record.subject_kind,
        name=record.name,
        canonical_key=record.canonical_key,
        award_type_code="cstd_tinh",
        award_name="Chiến sĩ thi đua cấp tỉnh",
        decision_number="88",
        decision_symbol="QĐ-UBND",
        decision_date=date(2025, 11, 20),
        year=2025,
        source="imported",
    )
    earlier = AwardRecord.objects.create(
        subject_kind=record.subject_kind,
        name=record.name,
        canonical_key=record.canonical_key,
        award_type_code="giay_khen_xa",
        award_name="Giấy khen",
        decision_number="3",
        decision_date=date(2023, 5, 1),
        year=2023,
        source="imported",
    )
    assert eligibility_problems(hoa.nominee, hoa.nominee.dossier) == []  # its own record does not count
    # The campaign is thematic, so its awards count toward nothing (NĐ 152/2025 Art. 4): revoking one flags none.
    assert record.is_thematic
    team = line(decision, "Phòng")
    team_record = AwardRecord.objects.get(award=team)
    AwardRecord.objects.create(
        subject_kind=team_record.subject_kind,
        name=team_record.name,
        canonical_key=team_record.canonical_key,
        award_type_code="co_thi_dua",
        award_name="Cờ thi đua",
        decision_number="90",
        year=2026,
        source="imported",
    )
    assert not revoke(world, team, number=39).flags.exists()
    # A merit award (a campaign that is not thematic) does count: the later one is flagged.
    AwardRecord.objects.filter(pk=record.pk).update(is_thematic=False)
    revocation = revoke(world, hoa)
    flags = AwardReviewFlag.objects.filter(revocation=revocation)
    assert [f.record for f in flags] == [later]
    assert record not in merit_history(record.canonical_key) and earlier in merit_history(record.canonical_key)
    flag = flags.get()
    with pytest.raises(TransitionRefused, match="kết quả xem xét"):
        revocations.resolve_flag(flag, actor=world.board_officer, resolution=" ")
    revocations.resolve_flag(flag, actor=world.board_officer, resolution="Giữ nguyên: đủ điều kiện không tính QĐ 12.")
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by == world.board_officer


def test_a_withdrawn_proposal_lets_a_new_one_be_made(world, decision):
    hoa = line(decision, "Nguyễn")
    first = revocations.propose_revocation(hoa, actor=world.board_officer, ground="fraud", detail="x")
    with pytest.raises(TransitionRefused, match="lý do"):
        revocations.withdraw_revocation(first, actor=world.board_officer, reason="")
    revocations.withdraw_revocation(first, actor=world.board_officer, reason="Xác minh lại: không vi phạm")
    second = revocations.propose_revocation(hoa, actor=world.board_officer, ground="unlawful", detail="y")
    assert second.state == RevocationState.PROPOSED


# --- Publication and verification -------------------------------------------------------------------------------


def test_publishing_needs_the_signed_pdf(world, decision):
    with pytest.raises(TransitionRefused, match="bản quyết định đã ký"):
        publication.publish_decision(decision, actor=world.board_officer)
    upload_signed_pdf(decision, SimpleUploadedFile("qd.pdf", PDF), actor=world.board_officer)
    with pytest.raises(TransitionForbidden):
        publication.publish_decision(decision, actor=world.ward_clerk)
    published = publication.publish_decision(decision, actor=world.board_officer)
    assert published.state == DecisionState.PUBLISHED and published.published_at is not None
    # A published decision still takes payments.
    assert len(payments.record_payments(published, actor=world.board_officer, paid_on=date(2025, 10, 1))) == 3


def personal_data(decision) -> list[str]:
    out = []
    for award in decision.awards.select_related("nominee"):
        n = award.nominee
        if n.birth_date:
            out += [n.birth_date.strftime("%d/%m/%Y"), n.birth_date.isoformat()]
        if n.id_number:
            out.append(n.id_number)
    return out


def test_public_pages_list_published_decisions_without_personal_data(world, decision, client):
    upload_signed_pdf(decision, SimpleUploadedFile("qd.pdf", PDF), actor=world.board_officer)
    publication.publish_decision(decision, actor=world.board_officer)
    hoa = line(decision, "Nguyễn")
    revoke(world, hoa)
    listing = client.get(reverse("nominations:public_decisions"))
    assert listing.status_code == 200
    assert "12/QĐ-UBND" in listing.content.decode()
    page = client.get(reverse("nominations:public_decision", args=[decision.verification_code]))
    body = page.content.decode()
    assert "Nguyễn Thị Hoà" in body and "Phòng Văn hóa - Xã hội" in body
    assert "Đã bị thu hồi theo Quyết định số 40/QĐ-UBND" in body
    for secret in personal_data(decision):
        assert secret not in body
    assert ">Nữ<" not in body and ">Nam<" not in body and "Giới tính" not in body
    for row in page.context["awards"]:
        assert not hasattr(row, "birth_date") and not hasattr(row, "gender") and not hasattr(row, "id_number")
    # An unpublished (signed) decision has no public page, and a made-up code gives 404.
    assert client.get(reverse("nominations:public_decision", args=["0000-0000-0000"])).status_code == 404


def test_verification_by_code_shows_the_award_and_its_revocation(world, decision, client):
    hoa = line(decision, "Nguyễn")
    typed = display_code(hoa.certificate_code).lower()
    found = client.get(reverse("nominations:verify"), {"ma": typed})
    assert found.status_code == 302
    page = client.get(found["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Có hiệu lực" in body and "Nguyễn Thị Hoà" in body and decision.audit_head_hash in body
    revoke(world, hoa)
    body = client.get(found["Location"]).content.decode()
    assert "ĐÃ BỊ THU HỒI theo Quyết định số 40/QĐ-UBND ngày 01/12/2025" in body
    for secret in personal_data(decision):
        assert secret not in body
    by_decision = client.get(reverse("nominations:verify_code", args=[decision.verification_code]))
    assert by_decision.status_code == 200 and "12/QĐ-UBND" in by_decision.content.decode()
    missing = client.get(reverse("nominations:verify_code", args=["AAAAAAAAAAAA"]))
    assert missing.status_code == 404 and "Không tìm thấy" in missing.content.decode()
    bad = client.get(reverse("nominations:verify"), {"ma": "abc"})
    assert bad.status_code == 200 and "12 chữ và số" in bad.content.decode()


# --- Certificates -----------------------------------------------------------------------------------------------


def test_certificates_carry_a_qr_code_to_the_verification_page_and_skip_revoked_lines(
    world, decision, client, settings
):
    settings.THIDUA_PUBLIC_URL = "https://thidua.example.vn"
    revoke(world, line(decision, "Phòng"))
    client.force_login(world.board_officer)
    page = client.get(reverse("nominations:decision_certificates", args=[decision.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('class="sheet"') == 2 and body.count("<svg") == 2
    hoa = line(decision, "Nguyễn")
    assert f"https://thidua.example.vn/tra-cuu/{hoa.certificate_code}/" in body
    assert "Phòng Văn hóa" not in body
    data = client.get(reverse("nominations:decision_certificates_xlsx", args=[decision.pk]))
    rows = list(load_workbook(io.BytesIO(data.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][9] == display_code(hoa.certificate_code)
    assert rows[2][1].startswith("'=")  # escaped
    client.force_login(world.ward_clerk)
    assert client.get(reverse("nominations:decision_certificates", args=[decision.pk])).status_code in (403, 404)


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_board_pays_and_revokes_from_the_pages(world, decision, client):
    client.force_login(world.board_officer)
    detail = client.get(reverse("nominations:decision_detail", args=[decision.pk])).content.decode()
    assert display_code(decision.verification_code) in detail and "Chi trả tiền thưởng" in detail
    url = reverse("nominations:decision_payments", args=[decision.pk])
    response = client.post(url, {"paid_on": "2025-10-01", "reference": "PC-1"})
    assert response.status_code == 302
    assert not decision.awards.exclude(payment_state=PaymentState.PAID).exists()
    hoa = line(decision, "Nguyễn")
    response = client.post(
        reverse("nominations:award_revoke", args=[hoa.pk]), {"ground": "fraud", "detail": "Kê khai sai"}
    )
    revocation = hoa.revocations.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/revocations/{revocation.pk}/")
    client.post(
        response["Location"],
        {"action": "details", "number": "77", "issued_on": "2025-12-02", "signer_name": "Nguyễn Văn Phúc"},
    )
    client.force_login(world.chairman_office)
    client.post(response["Location"], {"action": "decide"})
    revocation.refresh_from_db()
    assert revocation.state == RevocationState.DECIDED and revocation.number == 77
    client.force_login(world.board_officer)
    client.post(
        reverse("nominations:award_recover", args=[hoa.pk]),
        {"recovered_on": "2025-12-15", "reference": "PT-9", "next": "https://evil.example/"},
    )
    hoa.refresh_from_db()
    assert hoa.payment_state == PaymentState.RECOVERED
    fund = client.get(reverse("nominations:fund"), {"year": 2025})
    assert fund.status_code == 200 and fund.context["balance"].recovered == hoa.amount
    client.force_login(world.ward_clerk)
    assert client.get(url).status_code in (403, 404)
    assert client.get(reverse("nominations:fund"), {"unit": world.province.pk}).status_code in (403, 404)


def test_the_fund_page_refuses_nonsense_parameters_without_crashing(world, decision, client):
    client.force_login(world.board_officer)
    assert client.get(reverse("nominations:fund"), {"unit": "abc"}).status_code == 404
    assert client.get(reverse("nominations:fund"), {"year": "99999999999999999999999"}).status_code == 404
    assert client.get(reverse("nominations:fund"), {"year": "2025"}).status_code == 200
