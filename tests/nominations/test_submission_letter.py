"""The submission letter (tờ trình, domain step 12) re-opened with python-docx: the NĐ 30/2020 components, who
proposes to whom (the board to the Chairman; a ward's own council to the ward chairman), the council session, the
annexed list shared with the decision, the number and date when entered and blank when not; the download."""

import io
from datetime import date

import docx
import pytest
from django.urls import reverse

from accounts.enums import Role
from competition.enums import UnitKind
from nominations.enums import CouncilResult
from nominations.models import CouncilSession, Dossier, Nominee
from nominations.services.decisions import sign_decision
from nominations.submission_letter import submission_letter_docx

from ..factories import UnitFactory, UserFactory
from ._decision_setup import build_world, drafted, issue, provincial_dossier, ward_dossier
from .test_documents import all_paragraphs, blocks, find, is_bold

NOMINEES = [
    ("individual", "Nguyễn Thị Hoa"),
    ("collective", "Tổ Chuyển đổi số cộng đồng"),
    ("individual", "Trần Văn Bình"),
    ("collective", "Trường Tiểu học Đội Cấn"),
    ("individual", "Phạm Minh Châu"),
    ("individual", "Lê Văn Không Đạt"),
    ("individual", "Đỗ Văn Thiếu Phiếu"),
]


@pytest.fixture
def world(db):
    return build_world()


def with_session(world, dossier, *, standing_only=False):
    """The dossier reviewed at a council session of the province on 05/9/2025, one nominee not approved."""
    session = CouncilSession.objects.create(
        deciding_unit=world.province,
        campaign=world.campaign,
        award_type_code="bang_khen_tinh",
        rule_set=world.nd152,
        title="Phiên họp xét Bằng khen đợt 1",
        held_on=date(2025, 9, 5),
        standing_only=standing_only,
    )
    Dossier.objects.filter(pk=dossier.pk).update(council_session=session)
    Nominee.objects.filter(dossier=dossier, name="Đỗ Văn Thiếu Phiếu").update(
        council_result=CouncilResult.NOT_APPROVED
    )
    return session


@pytest.fixture
def dossier(world):
    dossier = provincial_dossier(world, NOMINEES, rejected=("Lê Văn Không Đạt",))
    with_session(world, dossier)
    return dossier


@pytest.fixture
def signed(world, dossier):
    decision = drafted(world, dossier)
    issue(decision, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    return sign_decision(decision, actor=world.chairman_office)


def read(decision):
    document = docx.Document(io.BytesIO(submission_letter_docx(decision)))
    return document, "\n".join(p.text for p in all_paragraphs(document))


def test_the_letter_of_the_board_to_the_chairman(signed):
    document, text = read(signed)
    # Header: the board under its superior body, national name and motto, number and symbol, place and date.
    assert is_bold(find(document, "SỞ NỘI VỤ")) and "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" in text
    assert is_bold(find(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert is_bold(find(document, "Độc lập - Tự do - Hạnh phúc"))
    assert "Số: 45/TTr-SNV" in text
    assert "Thái Nguyên, ngày 10 tháng 9 năm 2025" in text
    # Type, summary and addressee.
    title = next(p for p in all_paragraphs(document) if p.text == "TỜ TRÌNH")
    assert is_bold(title) and title.alignment == 1
    summary = find(document, "Về việc đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho các tập thể")
    assert "có thành tích trong Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên" in summary.text
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên." in text
    # Legal bases from the rule set and the campaign's plan; not the decision's own "Theo đề nghị" line.
    assert "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;" in text
    assert "Căn cứ Quyết định số 987/QĐ-UBND ngày 31/03/2025" in text
    assert "Theo đề nghị" not in text
    # Appraisal and the council session with its counts.
    appraisal = find(document, "Sở Nội vụ đã tiếp nhận và thẩm định 01 hồ sơ đề nghị khen thưởng của Phường")
    assert (
        "06 tập thể, cá nhân đủ điều kiện" in appraisal.text and "01 trường hợp không đủ điều kiện" in appraisal.text
    )
    council = find(document, "Ngày 05/09/2025, Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên đã họp xét")
    assert "Phiên họp xét Bằng khen đợt 1" in council.text
    assert "đề nghị khen thưởng 02 tập thể và 03 cá nhân" in council.text
    assert "không đề nghị 01 trường hợp" in council.text
    # The proposal and the money.
    assert (
        "Sở Nội vụ kính trình Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên xem xét, tặng Bằng khen của Chủ tịch Ủy ban "
        "nhân dân tỉnh cho 02 tập thể và 03 cá nhân (có danh sách kèm theo)." in text
    )
    money = find(document, "Tổng số tiền thưởng: 24.570.000 đồng").text
    assert "mỗi tập thể 7.020.000 đồng" in money and "mỗi cá nhân 3.510.000 đồng" in money
    # Recipients and the Director's signature block, the name left blank for signing.
    assert find(document, "Nơi nhận:").runs[0].bold
    assert is_bold(find(document, "GIÁM ĐỐC"))
    assert "Nguyễn Văn Phúc" not in text  # the decision's signer is not the letter's
    assert "DỰ THẢO" not in text


def test_the_annex_is_the_decisions_grouped_list(signed):
    document, text = read(signed)
    body = list(blocks(document))
    title = next(
        i for i, b in enumerate(body) if isinstance(b, docx.text.paragraph.Paragraph) and b.text == "DANH SÁCH"
    )
    assert any('w:type="page"' in b._p.xml for b in body[:title] if isinstance(b, docx.text.paragraph.Paragraph))
    assert "Tập thể và cá nhân đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in text
    assert "(Kèm theo Tờ trình số 45/TTr-SNV ngày 10/09/2025 của Sở Nội vụ)" in text
    rows = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert rows[0] == ["STT", "Họ và tên / Tên tập thể", "Chức vụ, đơn vị", "Số tiền (đồng)"]
    assert rows[1][0] == "I. Tập thể" and rows[1][-1] == "14.040.000"
    assert [r[1] for r in rows[2:4]] == ["Tổ Chuyển đổi số cộng đồng", "Trường Tiểu học Đội Cấn"]
    assert rows[4][0] == "II. Cá nhân" and rows[4][-1] == "10.530.000"
    assert [r[1] for r in rows[5:8]] == ["Nguyễn Thị Hoa", "Trần Văn Bình", "Phạm Minh Châu"]
    assert rows[-1][0] == "Tổng cộng" and rows[-1][-1] == "24.570.000"
    assert "Lê Văn Không Đạt" not in text and "Đỗ Văn Thiếu Phiếu" not in text


def test_a_draft_without_a_letter_number_has_blanks_and_is_marked(world, dossier):
    decision = drafted(world, dossier)
    document, text = read(decision)
    assert text.count("DỰ THẢO") == 2  # first page and the list
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/TTr-SNV" in text
    assert "Thái Nguyên, ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng" in text
    assert "(Kèm theo Tờ trình số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/TTr-SNV ngày \u00a0" in text
    assert "TỜ TRÌNH" in text and "Nguyễn Thị Hoa" in text
    assert "Thường trực" not in text


def test_standing_members_and_a_dossier_without_a_session(world):
    reviewed = provincial_dossier(world, [("individual", "Vũ Thị Mai")])
    with_session(world, reviewed, standing_only=True)
    unreviewed = provincial_dossier(world, [("collective", "Phòng Văn hóa - Xã hội")])
    _document, text = read(drafted(world, reviewed, unreviewed))
    assert "Ngày 05/09/2025, Thường trực Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên đã họp xét" in text
    assert "đề nghị khen thưởng 01 cá nhân." in text
    assert "Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên đã xét và đề nghị khen thưởng 01 tập thể" in text
    assert "thẩm định 02 hồ sơ" in text


def test_a_wards_own_giay_khen_is_proposed_by_its_council_to_its_chairman(world):
    decision = drafted(world, ward_dossier(world, [("individual", "Đỗ Thị Lan")]), actor=world.ward_clerk)
    issue(
        decision,
        world.ward_head,
        number=7,
        issued_on=date(2026, 2, 3),
        signer_authority="head",
        signer_name="Hà Văn Kiên",
        submission_letter_number="3",
        submission_letter_date=date(2026, 1, 28),
    )
    document, text = read(decision)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG PHAN ĐÌNH PHÙNG" in text
    assert is_bold(find(document, "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"))
    assert "Số: 3/TTr-HĐTĐKT" in text and "Phan Đình Phùng, ngày 28 tháng 01 năm 2026" in text
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân phường Phan Đình Phùng." in text
    assert "Về việc đề nghị tặng Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường cho các tập thể" in text
    assert (
        "Hội đồng Thi đua - Khen thưởng phường Phan Đình Phùng kính trình Chủ tịch Ủy ban nhân dân phường Phan Đình "
        "Phùng xem xét, tặng Giấy khen" in text
    )
    assert "Tổng số tiền thưởng: 710.000 đồng" in text
    assert "TM. HỘI ĐỒNG" in text and "GIÁM ĐỐC" not in text


def test_the_download_for_the_board_and_not_for_another_units_clerk(client, world, signed):
    url = reverse("nominations:decision_submission_letter", args=[signed.pk])
    assert url.endswith(f"/decisions/{signed.pk}/submission-letter.docx")
    client.force_login(world.board_officer)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "TỜ TRÌNH" in "\n".join(p.text for p in all_paragraphs(docx.Document(io.BytesIO(response.content))))
    page = client.get(reverse("nominations:decision_detail", args=[signed.pk])).content.decode()
    assert url in page and "Tải tờ trình (.docx)" in page
    other = UnitFactory(code="05446", name="Phường Gia Sàng", kind=UnitKind.WARD, parent=world.province)
    client.force_login(UserFactory(username="thidua.gs", role=Role.UNIT_CLERK, unit=other))
    assert client.get(url).status_code in (403, 404)
    client.force_login(world.ward_clerk)  # the nominating ward's clerk does not see the Chairman's decision either
    assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
