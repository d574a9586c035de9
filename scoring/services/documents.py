"""The scorecard as a Word document for signing (phiếu chấm điểm thi đua), in the layout of NĐ 30/2020/NĐ-CP: the
unit's name and the national name and motto at the top, the title, the criteria table (code, criterion, base
points, self points, the board's points), the totals and the class, and two signature blocks.

Built with python-docx; the criteria table is generated as one XML string and parsed once (adding rows one by one
through python-docx is slow: architecture, field notes), as ``nominations/documents.py`` does for its annex.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips

from workflows.word import WordTable

from ..enums import CriterionKind, ScorecardState, Subject
from ..models import Scorecard
from .scorecards import comparison, format_points

FONT = "Times New Roman"
BODY_PT = 13
HEADER_PT = 13
TABLE_PT = 12
PAGE_WIDTH, PAGE_HEIGHT = Twips(11906), Twips(16838)  # A4
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH = 11906 - 1701 - 851
HEADER_COLUMNS = (3900, TEXT_WIDTH - 3900)
SIGNATURE_COLUMNS = (TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2)
TABLE_COLUMNS = (800, TEXT_WIDTH - 800 - 3 * 1150, 1150, 1150, 1150)
DRAFT_MARK = "DỰ THẢO"


points_text = format_points


def _mm(mm: int) -> Twips:
    return Twips(-(-mm * 14400 // 254))


def _fonts(rpr) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _paragraph(
    container, text="", *, size=BODY_PT, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=0
):
    paragraphs = getattr(container, "paragraphs", None)
    if paragraphs is not None and len(paragraphs) == 1 and not paragraphs[0].runs and not getattr(container, "_u", 0):
        container._u = 1  # a table cell's first, empty paragraph
        paragraph = paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(0)
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold or None
        run.font.italic = italic or None
        run.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(run._r.get_or_add_rPr())
    return paragraph


def _layout_table(document, widths):
    table = document.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    borders = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>"))
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Twips(width)
    return table.rows[0].cells


def _setup(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(normal.element.get_or_add_rPr())
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = _mm(MARGINS_MM["top"]), _mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = _mm(MARGINS_MM["left"]), _mm(MARGINS_MM["right"])


def _criteria_xml(lines: list[tuple[str, str, str, str, str, bool]], totals: list[tuple[str, str, str]]) -> str:
    """The criteria table as one ``w:tbl``: the header (repeated on each page), a row per criterion (groups in
    bold), then the total rows (label spanning three columns, self points, board points)."""
    table = WordTable(TABLE_COLUMNS, font=FONT, size_pt=TABLE_PT, spacing=30)
    cell, row = table.cell, table.row
    heads = ("Mã", "Tiêu chí", "Điểm chuẩn", "Điểm tự chấm", "Điểm của Ban")
    rows = [row("".join(cell(h, i, bold=True, align="center") for i, h in enumerate(heads)), header=True)]
    for code, name, base, own, board, group in lines:
        rows.append(
            row(
                cell(code, 0, bold=group, align="center")
                + cell(name, 1, bold=group)
                + cell(base, 2, bold=group, align="center")
                + cell(own, 3, bold=group, align="center")
                + cell(board, 4, bold=group, align="center")
            )
        )
    for label, own, board in totals:
        rows.append(
            row(
                cell(label, 0, bold=True, span=3)
                + cell(own, 3, bold=True, align="center")
                + cell(board, 4, bold=True, align="center")
            )
        )
    return table.xml(rows)


def scorecard_docx(scorecard: Scorecard) -> bytes:
    """The scorecard for signing: header (the unit's superior body and name; CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM /
    Độc lập - Tự do - Hạnh phúc), the title PHIẾU CHẤM ĐIỂM THI ĐUA with the campaign, table and subject, the
    criteria with base, self and board points, the totals and the class, the signature blocks NGƯỜI CHẤM and THỦ
    TRƯỞNG ĐƠN VỊ. A scorecard not yet finalized is marked DỰ THẢO. No side effects."""
    scorecard = Scorecard.objects.select_related("table__campaign", "unit__parent").get(pk=scorecard.pk)
    compared = comparison(scorecard)
    sheet = compared.sheet
    final = scorecard.state in (ScorecardState.FINALIZED, ScorecardState.PUBLISHED)
    document = Document()
    _setup(document)
    if not final:
        _paragraph(document, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    left, right = _layout_table(document, HEADER_COLUMNS)
    unit = scorecard.unit
    if unit.parent is not None:
        _paragraph(left, unit.parent.name.upper(), size=HEADER_PT)
    _paragraph(left, unit.name.upper(), size=HEADER_PT, bold=True)
    _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True)

    _paragraph(document, "PHIẾU CHẤM ĐIỂM THI ĐUA", size=14, bold=True, before=18)
    _paragraph(document, scorecard.table.campaign.name, bold=True)
    _paragraph(document, f"({scorecard.table.name})", italic=True)
    if scorecard.table.subject == Subject.INDIVIDUAL:
        subject = f"Cá nhân được chấm: {scorecard.person_name}"
        if scorecard.person_position:
            subject += f", {scorecard.person_position}"
        subject += f" — {unit.name}"
    else:
        subject = f"Tập thể được chấm: {unit.name}"
    _paragraph(document, subject, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)

    lines = []
    for line in compared.lines():
        row = line["row"]
        spec = row.spec
        name = row.criterion.name
        if spec.kind == CriterionKind.BONUS:
            name = f"{name} (điểm thưởng)"
        elif spec.kind == CriterionKind.PENALTY:
            name = f"{name} (điểm trừ)"
        board = line["group_board"] if row.is_group else line["board"]
        lines.append(
            (spec.code, name, points_text(spec.base), points_text(row.points), points_text(board), row.is_group)
        )
    own, board_totals = sheet.totals, compared.totals
    totals = [
        (
            "Cộng điểm các tiêu chí",
            points_text(own.normal),
            points_text(board_totals.normal if board_totals else None),
        ),
        ("Điểm thưởng", points_text(own.bonus), points_text(board_totals.bonus if board_totals else None)),
        ("Điểm trừ", points_text(own.penalty), points_text(board_totals.penalty if board_totals else None)),
        ("TỔNG ĐIỂM", points_text(own.total), points_text(scorecard.final_total if final else None)),
    ]
    intro = _paragraph(document, "", before=6)
    intro._p.addnext(parse_xml(_criteria_xml(lines, totals)))

    labels = sheet.loaded.class_labels
    if final:
        label = labels.get(scorecard.classification, scorecard.classification) or "—"
        _paragraph(document, f"Xếp loại: {label}", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    else:
        _paragraph(
            document,
            f"Xếp loại tạm tính theo điểm tự chấm: {sheet.class_label or '—'}",
            align=WD_ALIGN_PARAGRAPH.LEFT,
            before=12,
        )

    left, right = _layout_table(document, SIGNATURE_COLUMNS)
    for cell, title in ((left, "NGƯỜI CHẤM"), (right, "THỦ TRƯỞNG ĐƠN VỊ")):
        _paragraph(cell, title, bold=True, before=18)
        _paragraph(cell, "(Ký, ghi rõ họ tên)", italic=True)
        for _ in range(4):
            _paragraph(cell, "")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
