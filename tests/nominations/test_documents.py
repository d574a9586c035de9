"""The decision DOCX re-opened with python-docx (every NĐ 30/2020 component of domain.md, the layout, the annex,
the amounts), the list as XLSX re-opened with openpyxl, and ``manage.py export_decision``."""

import io
from datetime import date

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

from competition.enums import UnitKind
from nominations.documents import decision_docx, decision_xlsx, format_coefficient, format_money
from nominations.services.decisions import header_lines, sign_decision

from ..factories import UnitFactory
from ._decision_setup import build_world, drafted, issue, provincial_dossier, ward_dossier

NOMINEES = [
    ("individual", "Nguyễn Thị Hoa"),
    ("collective", "Tổ Chuyển đổi số cộng đồng"),
    ("individual", '=HYPERLINK("http://x")'),
    ("collective", "Trường Tiểu học Đội Cấn"),
    ("individual", "Phạm Minh Châu"),
]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def signed(world):
    decision = drafted(world, provincial_dossier(world, NOMINEES))
    issue(decision, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    return sign_decision(decision, actor=world.chairman_office)


def blocks(document):
    """Paragraphs and tables of the body in order (tables as the list of their rows' cell texts)."""
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            yield Paragraph(element, document)
        elif element.tag.endswith("}tbl"):
            yield Table(element, document)


def all_paragraphs(document):
    for block in blocks(document):
        if isinstance(block, Paragraph):
            yield block
        else:
            for row in block.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def find(document, text):
    matches = [p for p in all_paragraphs(document) if text in p.text]
    assert matches, f"{text!r} not in the document"
    return matches[0]


def is_bold(paragraph):
    return all(r.bold for r in paragraph.runs if r.text.strip())


def is_italic(paragraph):
    return all(r.italic for r in paragraph.runs if r.text.strip())


def test_the_decision_has_every_nd30_component(signed):
    document = docx.Document(io.BytesIO(decision_docx(signed)))
    text = "\n".join(p.text for p in all_paragraphs(document))
    # National name and motto, bold.
    assert is_bold(find(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert is_bold(find(document, "Độc lập - Tự do - Hạnh phúc"))
    # Issuing body, upper case, from the data.
    assert is_bold(find(document, "ỦY BAN NHÂN DÂN")) and is_bold(find(document, "TỈNH THÁI NGUYÊN"))
    # Number and symbol; place and date (italic).
    assert "Số: 12/QĐ-UBND" in text
    assert is_italic(find(document, "Thái Nguyên, ngày 15 tháng 9 năm 2025"))
    # Type, summary and authority lines, bold and centred.
    for line in (
        "QUYẾT ĐỊNH",
        "Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN",
        "QUYẾT ĐỊNH:",
    ):
        paragraph = next(p for p in all_paragraphs(document) if p.text == line)
        assert is_bold(paragraph) and paragraph.alignment == 1, line  # WD_ALIGN_PARAGRAPH.CENTER
    # Legal bases, italic: the rule set's, the campaign's plan and the board's submission letter.
    bases = [p for p in all_paragraphs(document) if p.text.startswith(("Căn cứ", "Theo đề nghị"))]
    assert len(bases) == 5 and all(is_italic(p) for p in bases)
    assert bases[0].text == "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;"
    assert "Căn cứ Quyết định số 987/QĐ-UBND ngày 31/03/2025 của Ủy ban nhân dân tỉnh Thái Nguyên" in text
    assert bases[-1].text == "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 45/TTr-SNV ngày 10/09/2025."
    # Articles.
    article1 = find(document, "Điều 1.")
    assert article1.runs[0].bold and "(có danh sách kèm theo)" in article1.text
    assert "02 tập thể và 03 cá nhân" in article1.text
    assert "Bình dân học AI" in article1.text
    article2 = find(document, "Điều 2.").text
    assert "mỗi tập thể 7.020.000 đồng (hệ số 3,0 × mức lương cơ sở 2.340.000 đồng)" in article2
    assert "mỗi cá nhân 3.510.000 đồng (hệ số 1,5" in article2
    assert "Tổng số tiền thưởng: 24.570.000 đồng" in article2 and "Quỹ thi đua, khen thưởng" in article2
    article3 = find(document, "Điều 3.").text
    assert "có hiệu lực kể từ ngày ký" in article3 and "Giám đốc Sở Nội vụ" in article3
    # Recipients (bold italic label, small) and the signer's authority, title and name.
    label = find(document, "Nơi nhận:")
    assert label.runs[0].bold and label.runs[0].italic and label.runs[0].font.size.pt == 12
    assert find(document, "- Như Điều 3;").runs[0].font.size.pt == 11
    assert is_bold(find(document, "KT. CHỦ TỊCH")) and is_bold(find(document, "PHÓ CHỦ TỊCH"))
    assert is_bold(find(document, "Nguyễn Văn Phúc"))
    # The audit chain's head at signing, small.
    hash_line = find(document, signed.audit_head_hash)
    assert hash_line.runs[0].font.size.pt < 10
    assert "DỰ THẢO" not in text


def test_the_layout_is_a4_with_the_margins_fonts_and_page_numbers_of_nd30(signed):
    document = docx.Document(io.BytesIO(decision_docx(signed)))
    (section,) = document.sections
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25) and Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35) and Mm(15) <= section.right_margin <= Mm(20)
    # Body runs: Times New Roman (East Asian font too, so Vietnamese renders), 13-14 pt, black.
    small = {"Nơi nhận:", "- Như Điều 3;", "- Lưu: VT.", signed.audit_head_hash, "Mã tra cứu quyết định:"}
    runs = [
        r for p in all_paragraphs(document) if not any(s in p.text for s in small) for r in p.runs if r.text.strip()
    ]
    assert len(runs) > 40
    for run in runs:
        assert run.font.name == "Times New Roman", run.text
        assert run._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
            "Times New Roman"
        )
        assert 13 <= run.font.size.pt <= 14, run.text
        assert run.font.color.rgb in (None, docx.shared.RGBColor(0, 0, 0))
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    # Page numbers centred at the top from page 2: a different first page, whose header is empty.
    assert section.different_first_page_header_footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and 'w:jc w:val="center"' in header_xml


def test_the_annex_lists_every_awardee_by_group_with_the_amounts_and_total(signed):
    document = docx.Document(io.BytesIO(decision_docx(signed)))
    body = list(blocks(document))
    title = next(i for i, b in enumerate(body) if isinstance(b, Paragraph) and b.text == "DANH SÁCH")
    assert any('w:type="page"' in b._p.xml for b in body[:title] if isinstance(b, Paragraph))  # a new page
    assert is_bold(body[title])
    reference = find(document, "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15/09/2025")
    assert is_italic(reference) and "của Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên)" in reference.text
    annex = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in annex.rows]
    assert rows[0] == ["STT", "Họ và tên / Tên tập thể", "Chức vụ, đơn vị", "Số tiền (đồng)"]
    assert rows[1][0] == "I. Tập thể" and rows[1][-1] == "14.040.000"
    assert rows[2] == ["1", "Tổ Chuyển đổi số cộng đồng", "Phường Phan Đình Phùng", "7.020.000"]
    assert rows[3] == ["2", "Trường Tiểu học Đội Cấn", "Phường Phan Đình Phùng", "7.020.000"]
    assert rows[4][0] == "II. Cá nhân" and rows[4][-1] == "10.530.000"
    assert rows[5] == ["1", "Nguyễn Thị Hoa", "Chuyên viên, Phường Phan Đình Phùng", "3.510.000"]
    assert rows[6][1] == '=HYPERLINK("http://x")'  # a Word table cell is text, never a formula
    assert rows[7][1] == "Phạm Minh Châu"
    assert rows[-1][0] == "Tổng cộng" and rows[-1][-1] == "24.570.000"
    assert len(rows) == 1 + 2 + 5 + 1
    assert "<w:tblHeader/>" in annex.rows[0]._tr.xml  # the header row repeats on every page


def test_a_draft_is_exportable_and_marked(world):
    decision = drafted(world, provincial_dossier(world, [("individual", "A")]))
    document = docx.Document(io.BytesIO(decision_docx(decision)))
    text = "\n".join(p.text for p in all_paragraphs(document))
    assert text.count("DỰ THẢO") == 2  # first page and the list
    assert "Số: \u00a0" in text and "/QĐ-UBND" in text
    assert "Mã kiểm tra nhật ký" not in text
    assert "(dự thảo)" in openpyxl.load_workbook(io.BytesIO(decision_xlsx(decision))).active["A1"].value


def test_a_wards_own_giay_khen_has_its_own_header_place_and_signer(world):
    decision = drafted(world, ward_dossier(world, [("individual", "Đỗ Thị Lan")]), actor=world.ward_clerk)
    issue(
        decision,
        world.ward_head,
        number=7,
        issued_on=date(2026, 2, 3),
        signer_authority="head",
        signer_name="Hà Văn Kiên",
        submission_letter_number="",
        submission_letter_date=None,
    )
    document = docx.Document(io.BytesIO(decision_docx(decision)))
    text = "\n".join(p.text for p in all_paragraphs(document))
    assert "PHƯỜNG PHAN ĐÌNH PHÙNG" in text and "Số: 7/QĐ-UBND" in text
    assert "Phan Đình Phùng, ngày 03 tháng 02 năm 2026" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG PHAN ĐÌNH PHÙNG" in text
    assert "Về việc tặng Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường" in text
    assert "Theo đề nghị của Hội đồng Thi đua - Khen thưởng phường Phan Đình Phùng." in text
    assert "mỗi cá nhân 710.000 đồng" in text  # 0.3 × 2,340,000 = 702,000 → 710,000
    assert "KT. CHỦ TỊCH" not in text and any(p.text == "CHỦ TỊCH" for p in all_paragraphs(document))


def test_a_departments_header_names_its_superior_body():
    parent = UnitFactory.build(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    department = UnitFactory.build(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=parent)
    assert header_lines(department) == [("ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN", False), ("SỞ NỘI VỤ", True)]


def test_formats():
    assert format_money(3_510_000) == "3.510.000" and format_money(0) == "0"
    from decimal import Decimal

    assert format_coefficient(Decimal("3.000")) == "3,0" and format_coefficient(Decimal("2.250")) == "2,25"


def test_the_list_as_xlsx_with_totals_and_escaped_formulas(signed):
    workbook = openpyxl.load_workbook(io.BytesIO(decision_xlsx(signed)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0].startswith("Danh sách kèm theo Quyết định số 12/QĐ-UBND ngày 15/09/2025")
    assert rows[1] == (
        "STT",
        "Họ và tên / Tên tập thể",
        "Chức vụ, đơn vị",
        "Đối tượng",
        "Hệ số",
        "Mức lương cơ sở (đồng)",
        "Số tiền (đồng)",
    )
    lines = rows[2:-1]
    assert [r[1] for r in lines] == [
        "Tổ Chuyển đổi số cộng đồng",
        "Trường Tiểu học Đội Cấn",
        "Nguyễn Thị Hoa",
        '\'=HYPERLINK("http://x")',
        "Phạm Minh Châu",
    ]
    assert [(r[3], r[4], r[5], r[6]) for r in lines[1:3]] == [
        ("Tập thể", 3, 2_340_000, 7_020_000),
        ("Cá nhân", 1.5, 2_340_000, 3_510_000),
    ]
    assert [r[0] for r in lines] == [1, 2, 3, 4, 5]
    assert rows[-1][1] == "Tổng cộng" and rows[-1][6] == 24_570_000 == sum(r[6] for r in lines)
    formula_cells = [c for row in workbook.active.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []


def test_export_decision_command(signed, world, tmp_path, capsys):
    out = tmp_path / "qd.docx"
    call_command("export_decision", str(signed.pk), "--format", "docx", "--output", str(out))
    assert "12/QĐ-UBND" in docx.Document(out).tables[0].rows[0].cells[0].text
    assert "Đã xuất quyết định 12/QĐ-UBND" in capsys.readouterr().out
    draft = drafted(world, provincial_dossier(world, [("individual", "B")]))
    xlsx = tmp_path / "ds.xlsx"
    call_command("export_decision", "--latest", "--format", "xlsx", "--output", str(xlsx))
    assert "dự thảo" in capsys.readouterr().out
    assert openpyxl.load_workbook(xlsx).active["B3"].value == "B"
    with pytest.raises(CommandError, match="Không có quyết định khen thưởng nào có mã"):
        call_command("export_decision", str(draft.pk + 100), "--output", str(out))
    with pytest.raises(CommandError, match="chỉ một trong hai"):
        call_command("export_decision", "--output", str(out))
    with pytest.raises(CommandError, match="chỉ một trong hai"):
        call_command("export_decision", str(draft.pk), "--latest", "--output", str(out))
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("export_decision", "--latest", "--output", str(tmp_path / "khong-co" / "x.docx"))


def test_export_decision_without_any_decision(db, tmp_path):
    with pytest.raises(CommandError, match="Chưa có quyết định"):
        call_command("export_decision", "--latest", "--output", str(tmp_path / "x.docx"))
