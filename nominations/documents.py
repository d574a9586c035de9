"""Decision documents: the award decision as DOCX in the NĐ 30/2020/NĐ-CP layout with its annexed list, and the
list as XLSX (through ``workflows.exports``, so text cells are formula-escaped).

Built with python-docx directly (no template engine): the layout is code, the words are data (unit names, the rule
set's legal bases, the campaign's plan, the decision's own fields). The annex table is generated as one XML string
and parsed once: adding thousands of rows one by one through python-docx is slow (architecture, field notes).

A draft decision is exportable (the board and the signer read it before signing); it carries "DỰ THẢO" at the top of
the first page and in the list's title, blank number and date when none is entered yet, and no audit hash.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips

from competition.enums import SubjectKind
from workflows.exports import Styled, format_vnd, xlsx_bytes
from workflows.word import WordTable

from .enums import DecisionState, SignerAuthority
from .models import AwardDecision
from .services.codes import display_code
from .services.decisions import (
    COMMITTEE_KINDS,
    GROUP_LABELS,
    GROUP_ORDER,
    authority_name,
    body_name,
    head_title,
    header_lines,
    legal_bases,
    proposer_text,
    proposing_unit,
    recipient_lines,
)

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13  # national name, issuing body, number (NĐ 30/2020 Appendix I: 12-13 pt)
TABLE_PT = 13
RECIPIENTS_LABEL_PT = 12
RECIPIENTS_PT = 11
HASH_PT = 8
# A4 and margins in twentieths of a point, inside NĐ 30/2020's ranges: top and bottom 20 mm (20-25), left 30 mm
# (30-35), right 15 mm (15-20); each rounded up so that it reads back inside the range.
PAGE_WIDTH, PAGE_HEIGHT = Twips(11906), Twips(16838)
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH = 11906 - 1701 - 851  # twips between the left and right margins
HEADER_COLUMNS = (3900, TEXT_WIDTH - 3900)
SIGNATURE_COLUMNS = (4700, TEXT_WIDTH - 4700)
ANNEX_COLUMNS = (700, 3300, TEXT_WIDTH - 700 - 3300 - 1800, 1800)
ROMAN = ("I", "II", "III", "IV", "V")
DRAFT_MARK = "DỰ THẢO"
BLANK = "\u00a0" * 6  # room to write a number or a day by hand on a draft


def _mm_twips(mm: float) -> Twips:
    return Twips(-(-int(mm * 14400) // 254))  # ceil(mm × 1440 / 25.4)


format_money = format_vnd


def format_coefficient(value: Decimal | None) -> str:
    """Decimal("3.000") → "3,0"; Decimal("2.250") → "2,25"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return text.replace(".", ",")


def _two(n: int) -> str:
    return f"{n:02d}"


def _date_line(place: str, day: date | None) -> str:
    """NĐ 30/2020: "Thái Nguyên, ngày 05 tháng 02 năm 2025" (day below 10 and months 1-2 with a leading zero)."""
    if day is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm{BLANK}"
    month = _two(day.month) if day.month < 3 else str(day.month)
    return f"{place}, ngày {_two(day.day)} tháng {month} năm {day.year}"


def _number_text(decision: AwardDecision) -> str:
    return f"{decision.number if decision.number else BLANK}/{decision.symbol}"


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else BLANK


# --- The annexed list, shared by DOCX and XLSX ----------------------------------------------------------------


class Line(NamedTuple):
    """One annex line, read without building model instances (a decision may have thousands)."""

    name: str
    title_and_unit: str
    subject_kind: str
    coefficient: Decimal | None
    base_salary: int | None
    amount: int


@dataclass
class Group:
    numeral: str
    kind: str
    label: str
    awards: list[Line]

    @property
    def total(self) -> int:
        return sum(a.amount for a in self.awards)


def annex_groups(decision: AwardDecision) -> list[Group]:
    """The annex in its groups (I. Tập thể, II. Cá nhân, then hộ gia đình when any), numbered by the groups
    present, each in the decision's line order."""
    by_kind: dict[str, list[Line]] = {kind: [] for kind in GROUP_ORDER}
    rows = decision.awards.order_by("order", "pk").values_list(*Line._fields)
    for row in rows.iterator(chunk_size=2000):
        line = Line(*row)
        by_kind[line.subject_kind].append(line)
    present = [kind for kind in GROUP_ORDER if by_kind[kind]]
    return [Group(ROMAN[i], kind, GROUP_LABELS[kind], by_kind[kind]) for i, kind in enumerate(present)]


def _counts_text(groups: list[Group]) -> str:
    parts = [f"{_two(len(g.awards))} {g.label.lower()}" for g in groups]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def _award_name(decision: AwardDecision) -> str:
    return decision.award_type.name.split(" (")[0]


def _levels_text(groups: list[Group]) -> str:
    """Điều 2's amounts per level: "mỗi tập thể 7.020.000 đồng (hệ số 3,0 × mức lương cơ sở 2.340.000 đồng)"."""
    pieces = []
    for group in groups:
        levels: dict[tuple, int] = {}
        for award in group.awards:
            levels.setdefault((award.amount, award.coefficient, award.base_salary), 0)
            levels[(award.amount, award.coefficient, award.base_salary)] += 1
        for amount, coefficient, base in levels:
            basis = (
                f" (hệ số {format_coefficient(coefficient)} × mức lương cơ sở {format_money(base)} đồng)"
                if coefficient is not None and base
                else " (chưa có hệ số hoặc mức lương cơ sở)"
            )
            pieces.append(f"mỗi {group.label.lower()} {format_money(amount)} đồng{basis}")
    return "; ".join(pieces)


# --- DOCX building blocks -------------------------------------------------------------------------------------


def _fonts(rpr) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _run(paragraph, text: str, *, size: int = BODY_PT, bold=False, italic=False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(run._r.get_or_add_rPr())
    return run


def _paragraph(
    container,
    text: str = "",
    *,
    size: int = BODY_PT,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    indent=False,
    before: int = 0,
    after: int = 0,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Twips(567)  # 1 cm
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _cell_paragraph(cell, text: str = "", **kwargs):
    """The cell's first, still empty paragraph the first time, a new one after."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.runs and not getattr(cell, "_used", False):
        cell._used = True
        paragraph = first
        paragraph.alignment = kwargs.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.space_before = Pt(kwargs.pop("before", 0))
        paragraph.paragraph_format.space_after = Pt(kwargs.pop("after", 0))
        if text:
            _run(paragraph, text, **kwargs)
        return paragraph
    return _paragraph(cell, text, **kwargs)


def _layout_table(document, widths: tuple[int, ...]):
    """A borderless table of fixed column widths (the header and the signature blocks)."""
    table = document.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    borders = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>"))
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Twips(width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    return table.rows[0].cells


def _setup(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = _mm_twips(MARGINS["top"])
    section.bottom_margin = _mm_twips(MARGINS["bottom"])
    section.left_margin = _mm_twips(MARGINS["left"])
    section.right_margin = _mm_twips(MARGINS["right"])
    # Page numbers centred at the top, from page 2 (NĐ 30/2020): a PAGE field in the header, none on page 1.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:rPr>'
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            f'<w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>'
        )
    )


def _header(document, decision: AwardDecision) -> None:
    left, right = _layout_table(document, HEADER_COLUMNS)
    for text, bold in header_lines(decision.issuing_unit):
        _cell_paragraph(left, text, size=HEADER_PT, bold=bold)
    _cell_paragraph(left, f"Số: {_number_text(decision)}", size=HEADER_PT, before=6)
    _cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True, after=6)
    _cell_paragraph(right, _date_line(decision.place, decision.issued_on), size=BODY_PT, italic=True)


def _body(document, decision: AwardDecision, groups: list[Group]) -> None:
    unit = decision.issuing_unit
    total = sum(g.total for g in groups)
    _paragraph(document, "QUYẾT ĐỊNH", bold=True, before=18)
    _paragraph(document, f"Về việc tặng {_award_name(decision)}", bold=True, after=6)
    _paragraph(document, authority_name(unit).upper(), bold=True, before=6, after=12)
    for line in legal_bases(decision):
        _paragraph(document, line, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)
    _paragraph(document, "QUYẾT ĐỊNH:", bold=True, before=6, after=12)

    def article(number: int, text: str) -> None:
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)
        _run(paragraph, f"Điều {number}. ", bold=True)
        _run(paragraph, text)

    counts = _counts_text(groups) if groups else "0 cá nhân"
    article(
        1,
        f"Tặng {_award_name(decision)} cho {counts} (có danh sách kèm theo), đã có thành tích xuất sắc trong thực "
        f"hiện {decision.campaign.name}.",
    )
    article(
        2,
        f"Tiền thưởng kèm theo: {_levels_text(groups)}. Tổng số tiền thưởng: {format_money(total)} đồng, chi từ "
        f"Quỹ thi đua, khen thưởng của {body_name(unit)}.",
    )
    executors = []
    if unit.kind in COMMITTEE_KINDS:
        executors.append(f"Chánh Văn phòng {body_name(unit)}")
    if proposing_unit(decision) is not None:
        executors.append(proposer_text(decision))
    executors.append("Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1")
    article(
        3,
        f"Quyết định này có hiệu lực kể từ ngày ký. {', '.join(executors)} chịu trách nhiệm thi hành Quyết định này.",
    )


def _signature(document, decision: AwardDecision) -> None:
    left, right = _layout_table(document, SIGNATURE_COLUMNS)
    label = _cell_paragraph(left, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _run(label, "Nơi nhận:", size=RECIPIENTS_LABEL_PT, bold=True, italic=True)
    for line in recipient_lines(decision):
        _cell_paragraph(left, line, size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    title = head_title(decision.issuing_unit).upper()
    lines = [f"KT. {title}", f"PHÓ {title}"] if decision.signer_authority == SignerAuthority.DEPUTY else [title]
    for n, line in enumerate(lines):
        _cell_paragraph(right, line, bold=True, before=12 if n == 0 else 0)
    for _ in range(4):
        _cell_paragraph(right, "")
    _cell_paragraph(right, decision.signer_name or "", bold=True)


def _annex_xml(groups: list[Group]) -> str:
    """The annex table as one ``w:tbl`` string: header row (repeated on each page), a row per group with its
    subtotal, a row per awardee, the total row."""
    table = WordTable(ANNEX_COLUMNS, font=FONT, size_pt=TABLE_PT, spacing=40)
    cell, row = table.cell, table.row
    rows = [
        row(
            cell("STT", 0, bold=True, align="center")
            + cell("Họ và tên / Tên tập thể", 1, bold=True, align="center")
            + cell("Chức vụ, đơn vị", 2, bold=True, align="center")
            + cell("Số tiền (đồng)", 3, bold=True, align="center"),
            header=True,
        ),
    ]
    for group in groups:
        rows.append(
            row(
                cell(f"{group.numeral}. {group.label}", 0, bold=True, span=3)
                + cell(format_money(group.total), 3, bold=True, align="right")
            )
        )
        rows.extend(
            row(
                cell(str(n), 0, align="center")
                + cell(award.name, 1)
                + cell(award.title_and_unit, 2)
                + cell(format_money(award.amount), 3, align="right")
            )
            for n, award in enumerate(group.awards, start=1)
        )
    total = sum(g.total for g in groups)
    rows.append(
        row(
            cell("Tổng cộng", 0, bold=True, align="center", span=3)
            + cell(format_money(total), 3, bold=True, align="right")
        )
    )
    return table.xml(rows)


def annex_list(document, groups: list[Group], *, title: str, reference: str, draft: bool) -> None:
    """The annexed list on a new page: "DỰ THẢO" when ``draft``, "DANH SÁCH", ``title``, the italic ``reference``
    ("(Kèm theo … số … ngày … của …)"), the grouped table (:func:`_annex_xml`) and the closing counts and total.
    Shared by the decision and the board's submission letter (nominations/submission_letter.py)."""
    _run(_paragraph(document), "").add_break(WD_BREAK.PAGE)
    if draft:
        _paragraph(document, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, "DANH SÁCH", bold=True)
    _paragraph(document, title, bold=True)
    _paragraph(document, reference, italic=True, after=12)
    closing = _paragraph(
        document,
        f"(Danh sách có {_counts_text(groups) if groups else '0 cá nhân'}; tổng số tiền thưởng "
        f"{format_money(sum(g.total for g in groups))} đồng.)",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        before=6,
    )
    closing._p.addprevious(parse_xml(_annex_xml(groups)))


def _annex(document, decision: AwardDecision, groups: list[Group]) -> None:
    number = decision.number if decision.number else BLANK
    annex_list(
        document,
        groups,
        title=f"{_counts_labels(groups)} được tặng {_award_name(decision)}",
        reference=(
            f"(Kèm theo Quyết định số {number}/{decision.symbol} ngày {_day(decision.issued_on)} của "
            f"{authority_name(decision.issuing_unit)})"
        ),
        draft=decision.state == DecisionState.DRAFT,
    )


def _counts_labels(groups: list[Group]) -> str:
    labels = [g.label.lower() for g in groups] or ["cá nhân"]
    text = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " và " + labels[-1]
    return text[:1].upper() + text[1:]


def decision_docx(decision: AwardDecision) -> bytes:
    """The decision in the NĐ 30/2020 layout (A4, margins, Times New Roman 13-14 pt, page numbers from page 2),
    followed by the annexed list on a new page. No side effects."""
    decision = AwardDecision.objects.select_related(
        "issuing_unit__parent", "award_type", "rule_set", "campaign", "created_by"
    ).get(pk=decision.pk)
    groups = annex_groups(decision)
    document = Document()
    _setup(document)
    if decision.state == DecisionState.DRAFT:
        _paragraph(document, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _header(document, decision)
    _body(document, decision, groups)
    _signature(document, decision)
    if decision.audit_head_hash:
        _paragraph(
            document,
            f"Mã kiểm tra nhật ký khi ký: {decision.audit_head_hash}",
            size=HASH_PT,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            before=12,
        )
    if decision.verification_code:
        # Anyone checks the decision, and any revocation, on the public verification page by this code.
        _paragraph(
            document,
            f"Mã tra cứu quyết định: {display_code(decision.verification_code)}",
            size=HASH_PT,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
    _annex(document, decision, groups)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- XLSX ------------------------------------------------------------------------------------------------------

XLSX_HEADER = (
    "STT",
    "Họ và tên / Tên tập thể",
    "Chức vụ, đơn vị",
    "Đối tượng",
    "Hệ số",
    "Mức lương cơ sở (đồng)",
    "Số tiền (đồng)",
)
MONEY_FORMAT = "#,##0"


def decision_xlsx(decision: AwardDecision) -> bytes:
    """The annexed list as a spreadsheet: a title row, the header, one row per awardee (in the annex order, with
    its group, coefficient and base salary), and the total. Written by ``workflows.exports.xlsx_bytes``: every text
    cell is formula-escaped. No side effects."""
    decision = AwardDecision.objects.select_related("issuing_unit", "award_type").get(pk=decision.pk)
    groups = annex_groups(decision)
    title = (
        f"Danh sách kèm theo Quyết định số {_number_text(decision).strip()} ngày {_day(decision.issued_on).strip()} "
        f"của {authority_name(decision.issuing_unit)}"
    )
    if decision.state == DecisionState.DRAFT:
        title += f" ({DRAFT_MARK.lower()})"

    def rows():
        yield [Styled(title, bold=True)]
        yield [Styled(h, bold=True) for h in XLSX_HEADER]
        labels = {kind: str(label) for kind, label in SubjectKind.choices}
        n = 0
        for group in groups:
            for award in group.awards:
                n += 1
                yield [
                    n,
                    award.name,
                    award.title_and_unit,
                    labels[award.subject_kind],
                    award.coefficient,
                    Styled(award.base_salary, number_format=MONEY_FORMAT),
                    Styled(award.amount, number_format=MONEY_FORMAT),
                ]
        total = sum(g.total for g in groups)
        yield [
            None,
            Styled("Tổng cộng", bold=True),
            None,
            None,
            None,
            None,
            Styled(total, bold=True, number_format=MONEY_FORMAT),
        ]

    return xlsx_bytes(rows(), sheet_title="Danh sách", column_widths=(6, 34, 44, 12, 8, 16, 16))
