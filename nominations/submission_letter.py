"""The submission letter (tờ trình, domain step 12) as DOCX: the proposing body asks the deciding authority to award
the list the council proposed, in the NĐ 30/2020/NĐ-CP layout of the decision (nominations/documents.py: A4, margins,
Times New Roman 13-14 pt, page numbers from page 2), with the same annexed list.

Who proposes comes from ``services.decisions.proposing_unit`` / ``proposer_text``: for the Chairman's Bằng khen the
Director of Sở Nội vụ writes to the Chairman of the provincial People's Committee; for a unit's own Giấy khen,
without a separate office, the unit's Emulation and Rewards Council writes to the unit's head. As in the decision,
the layout is code and the words are data (unit names, the rule set's legal bases, the campaign, the council
sessions, the decision's lines and money).

The letter's number and date are the decision's ``submission_letter_number`` and ``submission_letter_date``: blank
(room to write by hand) and marked "DỰ THẢO" until they are entered. No side effects.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from competition.models import Unit

from .documents import (
    BLANK,
    DRAFT_MARK,
    HEADER_COLUMNS,
    HEADER_PT,
    RECIPIENTS_LABEL_PT,
    RECIPIENTS_PT,
    SIGNATURE_COLUMNS,
    Group,
    _award_name,
    _cell_paragraph,
    _counts_labels,
    _counts_text,
    _date_line,
    _day,
    _layout_table,
    _levels_text,
    _paragraph,
    _run,
    _setup,
    _two,
    annex_groups,
    annex_list,
    format_money,
)
from .enums import AppraisalResult, CouncilResult
from .models import AwardDecision, CouncilSession, Nominee
from .services.decisions import (
    COMMITTEE_KINDS,
    GROUP_LABELS,
    GROUP_ORDER,
    authority_name,
    body_name,
    head_title,
    header_lines,
    legal_bases,
    place_name,
    proposer_text,
    proposing_unit,
)

COUNCIL_HEADER = "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
COUNCIL_SYMBOL = "TTr-HĐTĐKT"
COUNCIL_SIGNATURE = ("TM. HỘI ĐỒNG", "CHỦ TỊCH")
RECIPIENTS = ("- Như trên;", "- Lưu: VT, TĐKT.")
NAME_CONNECTORS = frozenset({"và", "các", "của"})
MAX_NAMED_UNITS = 5  # beyond this many proposing units the letter counts them instead of naming them


@dataclass
class Proposer:
    """The body that writes the letter: its name in the text, its header block, symbol, place and signature."""

    name: str
    header: list[tuple[str, bool]]
    symbol: str
    place: str
    signature: tuple[str, ...]


def _initials(name: str) -> str:
    """ "Sở Nội vụ" → "SNV" (as ``services.decisions.default_symbol`` spells a unit's initials)."""
    words = [w for w in name.replace(",", " ").replace("-", " ").split() if w.lower() not in NAME_CONNECTORS]
    letters = [unicodedata.normalize("NFD", w[:1].replace("Đ", "D").replace("đ", "d"))[:1].upper() for w in words]
    return "".join(letters)


def proposer(decision: AwardDecision) -> Proposer:
    """Who proposes the decision's awards (``proposing_unit``): a unit (Sở Nội vụ: its header under its superior
    body, "TTr-SNV", signed by its head); or, when the issuing unit proposes to itself, its emulation and rewards
    council (``proposer_text``), under the issuing body's name."""
    unit: Unit | None = proposing_unit(decision)
    issuing = decision.issuing_unit
    if unit is not None:
        return Proposer(
            name=body_name(unit),
            header=header_lines(unit),
            symbol=f"TTr-{_initials(unit.name)}",
            place=place_name(unit),
            signature=(head_title(unit).upper(),),
        )
    return Proposer(
        name=proposer_text(decision),
        header=[(body_name(issuing).upper(), False), (COUNCIL_HEADER, True)],
        symbol=COUNCIL_SYMBOL,
        place=place_name(issuing),
        signature=COUNCIL_SIGNATURE,
    )


def letter_number_text(decision: AwardDecision, who: Proposer) -> str:
    """ "45/TTr-SNV" as entered (a bare "45" gets the proposer's symbol); blank room before the symbol when none."""
    number = (decision.submission_letter_number or "").strip()
    if not number:
        return f"{BLANK}/{who.symbol}"
    return number if "/" in number else f"{number}/{who.symbol}"


def _counts(counter: Counter) -> str:
    """{"collective": 2, "individual": 3} → "02 tập thể và 03 cá nhân" (the annex's group order)."""
    parts = [f"{_two(counter[kind])} {GROUP_LABELS[kind].lower()}" for kind in GROUP_ORDER if counter[kind]]
    if not parts:
        return "0 cá nhân"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def council_name(unit: Unit) -> str:
    """ "Hội đồng Thi đua - Khen thưởng tỉnh Thái Nguyên"; a department's: "… Sở Khoa học và Công nghệ"."""
    name = unit.name[:1].lower() + unit.name[1:] if unit.kind in COMMITTEE_KINDS else unit.name
    return f"Hội đồng Thi đua - Khen thưởng {name}"


def council_lines(decision: AwardDecision) -> list[str]:
    """One sentence per council session that reviewed the decision's dossiers: its date, who sat (the council or
    its standing members), and how many of the decision's lines it approved (and did not). When the dossiers
    carry no session (the council's result was entered without one), one sentence naming the deciding unit's
    council."""
    awards = decision.awards.values_list("nominee__dossier__council_session_id", "subject_kind")
    approved: dict[int | None, Counter] = {}
    for session_id, kind in awards:
        approved.setdefault(session_id, Counter())[kind] += 1
    refused = Counter(
        Nominee.objects.filter(dossier__decision=decision, council_result=CouncilResult.NOT_APPROVED).values_list(
            "dossier__council_session_id", flat=True
        )
    )
    sessions = CouncilSession.objects.filter(
        pk__in=[pk for pk in {*approved, *refused} if pk is not None]
    ).select_related("deciding_unit")
    lines = []
    for session in sorted(sessions, key=lambda s: (s.held_on, s.pk)):
        who = ("Thường trực " if session.standing_only else "") + council_name(session.deciding_unit)
        text = (
            f"Ngày {_day(session.held_on)}, {who} đã họp xét các hồ sơ đề nghị ({session.title}), bỏ phiếu kín và "
            f"đề nghị khen thưởng {_counts(approved.get(session.pk, Counter()))}"
        )
        if refused[session.pk]:
            text += f"; không đề nghị {_two(refused[session.pk])} trường hợp không đạt tỷ lệ phiếu theo quy định"
        lines.append(text + ".")
    if None in approved:
        lines.append(
            f"{council_name(decision.issuing_unit)} đã xét và đề nghị khen thưởng {_counts(approved[None])}"
            f"{' (ngoài các phiên họp nêu trên)' if lines else ''}."
        )
    return lines


def appraisal_line(decision: AwardDecision, who: Proposer) -> str:
    """What the proposing body received and appraised: how many dossiers, of which units, when the appraisal
    ended, how many nominees it found eligible and how many it did not."""
    dossiers = list(decision.dossiers.select_related("unit").order_by("pk"))
    units = list(dict.fromkeys(d.unit.name for d in dossiers))
    of_units = ", ".join(units) if len(units) <= MAX_NAMED_UNITS else f"{_two(len(units))} cơ quan, đơn vị"
    nominees = Nominee.objects.filter(dossier__decision=decision)
    accepted = nominees.filter(appraisal_result=AppraisalResult.ACCEPTED).count()
    rejected = nominees.filter(appraisal_result=AppraisalResult.REJECTED).count()
    text = f"{who.name} đã tiếp nhận và thẩm định {_two(len(dossiers))} hồ sơ đề nghị khen thưởng của {of_units}"
    appraised = [d.appraised_at for d in dossiers if d.appraised_at]
    if appraised:
        text += f", hoàn thành thẩm định ngày {_day(timezone.localtime(max(appraised)).date())}"
    text += f". Kết quả thẩm định: {_two(accepted)} tập thể, cá nhân đủ điều kiện, tiêu chuẩn đề nghị khen thưởng"
    if rejected:
        text += f"; {_two(rejected)} trường hợp không đủ điều kiện, không đề nghị"
    return text + "."


# --- DOCX ------------------------------------------------------------------------------------------------------


def _header(document, decision: AwardDecision, who: Proposer) -> None:
    left, right = _layout_table(document, HEADER_COLUMNS)
    for text, bold in who.header:
        _cell_paragraph(left, text, size=HEADER_PT, bold=bold)
    _cell_paragraph(left, f"Số: {letter_number_text(decision, who)}", size=HEADER_PT, before=6)
    _cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, after=6)
    _cell_paragraph(right, _date_line(who.place, decision.submission_letter_date), italic=True)


def _body(document, decision: AwardDecision, who: Proposer, groups: list[Group]) -> None:
    award = _award_name(decision)
    addressee = authority_name(decision.issuing_unit)
    total = sum(g.total for g in groups)
    _paragraph(document, "TỜ TRÌNH", bold=True, before=18)
    _paragraph(
        document,
        f"Về việc đề nghị tặng {award} cho các tập thể, cá nhân có thành tích trong {decision.campaign.name}",
        bold=True,
        after=12,
    )
    greeting = _paragraph(document, after=12)
    _run(greeting, "Kính gửi: ")
    _run(greeting, f"{addressee}.")

    def text(line: str) -> None:
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)

    # The decision's legal bases without its last line (the proposal, which is this letter).
    for line in legal_bases(decision)[:-1]:
        text(line)
    text(appraisal_line(decision, who))
    for line in council_lines(decision):
        text(line)
    counts = _counts_text(groups) if groups else "0 cá nhân"
    text(f"{who.name} kính trình {addressee} xem xét, tặng {award} cho {counts} (có danh sách kèm theo).")
    text(
        f"Tiền thưởng kèm theo: {_levels_text(groups) or 'không có'}. Tổng số tiền thưởng: {format_money(total)} "
        f"đồng, chi từ Quỹ thi đua, khen thưởng của {body_name(decision.issuing_unit)}."
    )
    text(f"Kính trình {addressee} xem xét, quyết định./.")


def _signature(document, who: Proposer) -> None:
    left, right = _layout_table(document, SIGNATURE_COLUMNS)
    label = _cell_paragraph(left, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _run(label, "Nơi nhận:", size=RECIPIENTS_LABEL_PT, bold=True, italic=True)
    for line in RECIPIENTS:
        _cell_paragraph(left, line, size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    for n, line in enumerate(who.signature):
        _cell_paragraph(right, line, bold=True, before=12 if n == 0 else 0)
    for _ in range(5):  # room for the signature, the seal and the name written at signing
        _cell_paragraph(right, "")


def submission_letter_docx(decision: AwardDecision) -> bytes:
    """The submission letter of ``decision`` (draft or signed) in the NĐ 30/2020 layout, followed by the annexed
    list on a new page (the decision's table: I. Tập thể, II. Cá nhân …, amounts, total). No side effects."""
    decision = AwardDecision.objects.select_related(
        "issuing_unit__parent", "award_type", "rule_set", "campaign", "created_by"
    ).get(pk=decision.pk)
    who = proposer(decision)
    groups = annex_groups(decision)
    draft = not (decision.submission_letter_number or "").strip()
    document = Document()
    _setup(document)
    if draft:
        _paragraph(document, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _header(document, decision, who)
    _body(document, decision, who, groups)
    _signature(document, who)
    annex_list(
        document,
        groups,
        title=f"{_counts_labels(groups)} đề nghị tặng {_award_name(decision)}",
        reference=(
            f"(Kèm theo Tờ trình số {letter_number_text(decision, who)} ngày {_day(decision.submission_letter_date)} "
            f"của {who.name})"
        ),
        draft=draft,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
