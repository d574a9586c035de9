"""The minutes (biên bản) of a council session as DOCX, in the house style of the decision documents
(nominations/documents.py: A4, NĐ 30/2020 margins, Times New Roman 13-14 pt): the national motto, the title, time
and place, the members present, absent with a written vote and absent, the quorum and the attendance against the
rule set, one table row per nominee with its votes and result, the conclusion, the signatures of the chair and the
secretary.

Only the counts per nominee are written: the ballot is secret (domain rule 8)."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml

from workflows.word import WordTable

from .documents import (
    FONT,
    HEADER_COLUMNS,
    HEADER_PT,
    SIGNATURE_COLUMNS,
    TEXT_WIDTH,
    _cell_paragraph,
    _date_line,
    _layout_table,
    _paragraph,
    _run,
    _setup,
)
from .enums import Attendance, CouncilSessionState
from .models import CouncilSession
from .services import council
from .services.decisions import body_name, place_name

TABLE_PT = 12
# STT, name, unit, yes, no, abstain, share, result (twips; the result column takes the rest).
RESULT_COLUMNS = (560, 2500, 1900, 760, 820, 820, 900)
RESULT_COLUMNS = (*RESULT_COLUMNS, TEXT_WIDTH - sum(RESULT_COLUMNS))


def _names(members) -> str:
    return ", ".join(f"{m.user}{f' ({m.title})' if m.title else ''}" for m in members) or "không có"


def _results_xml(rows) -> str:
    table = WordTable(RESULT_COLUMNS, font=FONT, size_pt=TABLE_PT, spacing=30)
    cell, row = table.cell, table.row
    heads = ("STT", "Họ và tên / Tên tập thể", "Đơn vị", "Đồng ý", "Không đồng ý", "Không biểu quyết", "Tỷ lệ")
    lines = [
        row(
            "".join(cell(text, n, bold=True, align="center") for n, text in enumerate(heads))
            + cell("Kết quả", len(heads), bold=True, align="center"),
            header=True,
        )
    ]
    for n, result in enumerate(rows, start=1):
        nominee = result.nominee
        lines.append(
            row(
                cell(str(n), 0, align="center")
                + cell(nominee.name, 1)
                + cell(str(nominee.dossier.unit), 2)
                + cell(str(result.yes), 3, align="center")
                + cell(str(result.no), 4, align="center")
                + cell(str(result.abstain), 5, align="center")
                + cell(council.percent(result.share), 6, align="center")
                + cell("Đề nghị khen thưởng" if result.approved else "Không đề nghị", 7, align="center")
            )
        )
    return table.xml(lines)


def minutes_docx(session: CouncilSession) -> bytes:
    """The minutes of a closed session (nothing to minute before). No side effects."""
    session = CouncilSession.objects.select_related("deciding_unit__parent", "campaign", "rule_set", "created_by").get(
        pk=session.pk
    )
    if session.state != CouncilSessionState.CLOSED:
        raise ValueError("the minutes of a session are written once it is closed")
    unit = session.deciding_unit
    members = council.members_of(session)
    count = council.turnout(session)
    rows = council.results(session, count)
    award = session.rule_set.award_types.get(code=session.award_type_code)
    chair = next((m for m in members if m.is_chair), None)
    by_attendance = {a: [m for m in members if m.attendance == a] for a in Attendance.values}

    document = Document()
    _setup(document)
    left, right = _layout_table(document, HEADER_COLUMNS)
    _cell_paragraph(left, body_name(unit).upper(), size=HEADER_PT)
    _cell_paragraph(left, "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", size=HEADER_PT, bold=True)
    _cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, after=6)
    _cell_paragraph(right, _date_line(place_name(unit), session.held_on), italic=True)

    _paragraph(document, "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", bold=True, before=18)
    _paragraph(document, f"Xét đề nghị tặng {award.name}", bold=True)
    _paragraph(document, session.campaign.name, italic=True, after=12)

    def line(label: str, text: str) -> None:
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=4)
        if label:
            _run(paragraph, f"{label} ", bold=True)
        _run(paragraph, text)

    def heading(text: str) -> None:
        _paragraph(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=8, after=4)

    opened = timezone.localtime(session.opened_at).strftime("%H giờ %M") if session.opened_at else ""
    line("Thời gian:", f"{opened + ', ' if opened else ''}ngày {session.held_on.strftime('%d/%m/%Y')}.")
    line("Địa điểm:", f"{session.place or place_name(unit)}.")
    line("Phiên họp:", f"{session.title}{' (Thường trực Hội đồng xét)' if session.standing_only else ''}.")
    line("Chủ trì:", f"{chair.user}{f', {chair.title}' if chair and chair.title else ''}." if chair else "—.")
    line("Thư ký:", f"{session.created_by or 'Cơ quan thường trực Hội đồng'}.")

    heading("I. THÀNH PHẦN THAM DỰ")
    line("Tổng số thành viên Hội đồng:", f"{count.members}.")
    line("Có mặt:", f"{count.present} thành viên: {_names(by_attendance[Attendance.PRESENT])}.")
    line(
        "Vắng mặt, gửi phiếu bằng văn bản:",
        f"{count.written} thành viên: {_names(by_attendance[Attendance.WRITTEN])}.",
    )
    line(
        "Vắng mặt:", f"{len(by_attendance[Attendance.ABSENT])} thành viên: {_names(by_attendance[Attendance.ABSENT])}."
    )

    heading("II. ĐIỀU KIỆN TIẾN HÀNH PHIÊN HỌP VÀ BIỂU QUYẾT")
    rule_set = session.rule_set
    quorum_ok = council.quorum_problem(session, count) is None
    attendance_ok = council.attendance_problem(session, count) is None
    line(
        "Số thành viên có mặt:",
        f"{count.present}/{count.members} ({council.percent(council.share(count.present, count.members))}); theo "
        f"“{rule_set}” cần ít nhất {council.percent(rule_set.council_quorum)} tổng số thành viên: "
        f"{'đủ điều kiện' if quorum_ok else 'chưa đủ điều kiện'} tiến hành phiên họp.",
    )
    line(
        "Số thành viên tham gia biểu quyết:",
        f"{count.voted}/{count.members} ({council.percent(council.share(count.voted, count.members))}), kể cả "
        f"phiếu bằng văn bản; cần ít nhất {council.percent(rule_set.council_attendance)}: "
        f"{'đủ điều kiện' if attendance_ok else 'chưa đủ điều kiện'} biểu quyết.",
    )

    heading("III. KẾT QUẢ BỎ PHIẾU KÍN")
    line(
        "",
        f"Người, tập thể được đề nghị khi số phiếu đồng ý đạt từ {council.percent(award.vote_threshold)} "
        f"{award.get_vote_base_display()} ({rows[0].base if rows else 0} thành viên) trở lên.",
    )
    intro = _paragraph(document, after=6)
    intro._p.addnext(parse_xml(_results_xml(rows)))

    heading("IV. KẾT LUẬN")
    approved = sum(1 for r in rows if r.approved)
    line(
        "",
        session.conclusion
        or f"Hội đồng thống nhất đề nghị khen thưởng {approved}/{len(rows)} người, tập thể theo kết quả bỏ phiếu kín.",
    )
    closed = timezone.localtime(session.closed_at) if session.closed_at else None
    if closed is not None:
        line(
            "",
            f"Phiên họp kết thúc lúc {closed.strftime('%H giờ %M')} ngày {closed.strftime('%d/%m/%Y')}; biên bản "
            "được thông qua tại phiên họp.",
        )

    secretary_cell, chair_cell = _layout_table(document, SIGNATURE_COLUMNS)
    for cell, title, name in (
        (secretary_cell, "THƯ KÝ", str(session.created_by or "")),
        (chair_cell, "CHỦ TRÌ", str(chair.user) if chair else ""),
    ):
        _cell_paragraph(cell, title, bold=True, before=12)
        _cell_paragraph(cell, "(Ký, ghi rõ họ tên)", italic=True)
        for _ in range(3):
            _cell_paragraph(cell, "")
        _cell_paragraph(cell, name, bold=True)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
