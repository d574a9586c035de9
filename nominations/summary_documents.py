"""The campaign summary (nominations/services/summary.py) as documents:

- **DOCX**: the report "BÁO CÁO TỔNG KẾT PHONG TRÀO THI ĐUA …" in the house style of the decision documents
  (nominations/documents.py, whose helpers are imported here: A4, NĐ 30/2020 margins, Times New Roman 13-14 pt,
  page numbers from page 2), with its tables and charts. The charts are drawn by matplotlib (the Agg canvas, no
  display) to PNG in memory with DejaVu Sans, which matplotlib ships and which has every Vietnamese glyph;
- **XLSX**: one sheet per section with native openpyxl charts (bar and pie) over the sheet's own cells, and the
  list of the awards counted. ``workflows.exports.xlsx_bytes`` writes one sheet without charts, so the workbook is
  built with openpyxl here and every cell value goes through the same ``escape_formula`` that module applies (and
  the same removal of characters XML cannot hold).

Both are administrative documents: they are always written in Vietnamese (``translation.override("vi")``), like
the decisions. No side effects.
"""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Twips

from competition.enums import PlanState, SubjectKind
from competition.models import Unit
from competition.models.progress import percent_of
from competition.services.dashboard import MISSING
from scoring.services.ranking import fmt_points
from workflows.charts import pct
from workflows.exports import escape_formula, format_vnd
from workflows.word import WordTable

from .documents import (
    FONT,
    HEADER_COLUMNS,
    HEADER_PT,
    RECIPIENTS_LABEL_PT,
    RECIPIENTS_PT,
    SIGNATURE_COLUMNS,
    TEXT_WIDTH,
    _cell_paragraph,
    _date_line,
    _layout_table,
    _paragraph,
    _run,
    _setup,
)
from .services.decisions import body_name, default_symbol, head_title, header_lines, place_name
from .services.summary import (
    SUBJECT_ORDER,
    CampaignSummary,
    TableScores,
    award_lines,
    subject_labels,
    table_subject_label,
)

TABLE_PT = 12
BLANK = "\u00a0" * 6
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"
# matplotlib's own copy of DejaVu Sans is always there and has the Vietnamese glyphs: no fallback, no warning.
CHART_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLORS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#808080")
UNIT_CHART_ROWS = 15  # the units with the most awards in the chart of the "by unit" sheet
PLAN_KEYS = (PlanState.ACCEPTED, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.DRAFT, MISSING)


def _plan_rows() -> list[tuple[str, str]]:
    labels = {
        PlanState.ACCEPTED: _("Đã chấp nhận"),
        PlanState.SUBMITTED: _("Đã gửi, chờ xem xét"),
        PlanState.RETURNED: _("Bị trả lại"),
        PlanState.DRAFT: _("Đang soạn"),
        MISSING: _("Chưa có kế hoạch"),
    }
    return [(key, labels[key]) for key in PLAN_KEYS]


def _met(meets: bool | None) -> str:
    if meets is None:
        return _("Chưa có số liệu")
    return _("Đạt") if meets else _("Chưa đạt")


def report_title(summary: CampaignSummary) -> str:
    """ "BÁO CÁO TỔNG KẾT PHONG TRÀO THI ĐUA …": the campaign's name, preceded by "phong trào thi đua" unless it
    already starts with it."""
    name = summary.campaign.name.strip()
    prefix = _("phong trào thi đua")
    if not name.lower().startswith(prefix.lower()):
        name = f"{prefix} {name}"
    return _("Báo cáo tổng kết %(campaign)s") % {"campaign": name}


# --- Charts (matplotlib, Agg, PNG in memory) -------------------------------------------------------------------


def _wrap(label: str, width: int = 36) -> str:
    return textwrap.fill(str(label), width) or " "


def _render(draw, rows: int) -> bytes:
    """A PNG of the figure ``draw(figure)`` fills, sized for ``rows`` rows of labels."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(CHART_RC):
        figure = Figure(figsize=(7.0, max(2.4, 0.5 * rows + 1.4)), dpi=150)
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _barh(
    labels: list[str], series: list[tuple[str, list[float]]], *, title: str, xlabel: str, targets=None, counts=True
):
    """Horizontal bars, one row per label, one colour per series (stacked when several); ``targets`` (one per
    row, or None) drawn as black marks; whole-number ticks when the bars are ``counts``."""

    def draw(figure) -> None:
        from matplotlib.ticker import MaxNLocator

        axes = figure.subplots()
        if counts:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        rows = list(range(len(labels)))
        left = [0.0] * len(labels)
        for n, (name, values) in enumerate(series):
            axes.barh(rows, values, left=left, color=COLORS[n % len(COLORS)], label=name)
            left = [a + b for a, b in zip(left, values, strict=True)]
        if targets is not None:
            points = [(t, r) for t, r in zip(targets, rows, strict=True) if t is not None]
            if points:
                axes.scatter(
                    [t for t, _r in points],
                    [r for _t, r in points],
                    marker="|",
                    s=400,
                    color="black",
                    zorder=3,
                    label=_("Mục tiêu"),
                )
        axes.set_yticks(rows, [_wrap(label) for label in labels])
        axes.invert_yaxis()
        axes.set_xlabel(xlabel)
        axes.set_title(title)
        if len(series) > 1 or targets is not None:
            axes.legend(loc="lower right", fontsize=8)

    return _render(draw, len(labels))


def _pie(labels: list[str], values: list[int], *, title: str) -> bytes:
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]

    def draw(figure) -> None:
        axes = figure.subplots()
        axes.pie(
            [value for _label, value in shown],
            labels=[f"{label} ({value})" for label, value in shown],
            colors=COLORS[: len(shown)],
            autopct="%1.1f%%",
            startangle=90,
            counterclock=False,
            textprops={"color": "black"},
            wedgeprops={"edgecolor": "white"},
            pctdistance=0.7,
        )
        axes.set_aspect("equal")
        axes.set_title(title)

    return _render(draw, 4)


def plan_chart(summary: CampaignSummary) -> bytes | None:
    plans = summary.plans
    if not plans.enrolled:
        return None
    rows = _plan_rows()
    return _barh(
        [label for _key, label in rows],
        [(_("Số đơn vị"), [float(plans.counts.get(key, 0)) for key, _label in rows])],
        title=_("Tình hình ban hành kế hoạch của các đơn vị tham gia"),
        xlabel=_("Số đơn vị"),
    )


def indicator_chart(summary: CampaignSummary) -> bytes | None:
    views = summary.indicators
    if not views:
        return None
    return _barh(
        [f"{v.indicator.code}. {v.indicator.name}" for v in views],
        [(_("Kết quả (%)"), [float(v.rollup.province.percent or 0) for v in views])],
        title=_("Kết quả thực hiện chỉ tiêu so với mục tiêu"),
        xlabel=_("Tỷ lệ (%)"),
        targets=[float(v.indicator.target_percent) for v in views],
        counts=False,
    )


def class_chart(scores: TableScores) -> bytes | None:
    if not scores.province.count:
        return None
    counts = scores.class_counts()
    return _barh(
        [label for label, _n in counts],
        [(_("Số phiếu"), [float(n) for _label, n in counts])],
        title=_("Xếp loại: %(table)s") % {"table": scores.table.name},
        xlabel=_("Số phiếu chấm điểm"),
    )


def award_type_chart(summary: CampaignSummary) -> bytes | None:
    rows = summary.awards.by_type
    if not rows:
        return None
    labels = subject_labels()
    kinds = [k for k in SUBJECT_ORDER if any(r.counts.get(k) for r in rows)]
    return _barh(
        [r.name for r in rows],
        [(labels[k], [float(r.counts.get(k, 0)) for r in rows]) for k in kinds],
        title=_("Số lượt khen thưởng theo hình thức và đối tượng"),
        xlabel=_("Số lượt khen thưởng"),
    )


def gender_chart(summary: CampaignSummary) -> bytes | None:
    awards = summary.awards
    if not awards.individuals:
        return None
    return _pie(
        [_("Nữ"), _("Nam"), _("Chưa ghi giới tính")],
        [awards.female, awards.male, awards.gender_unknown],
        title=_("Cá nhân được khen thưởng theo giới tính"),
    )


# --- DOCX ------------------------------------------------------------------------------------------------------


def _table(
    document, widths: tuple[int, ...], header: list[str], rows: list[list[str]], *, total=None, text=(0,)
) -> None:
    """A bordered table, its header repeated on each page; the columns ``text`` left-aligned, the figures of the
    others right-aligned."""
    table = WordTable(widths, font=FONT, size_pt=TABLE_PT, spacing=30)
    lines = [
        table.row("".join(table.cell(h, n, bold=True, align="center") for n, h in enumerate(header)), header=True)
    ]
    for row in [*rows, *([total] if total else [])]:
        bold = row is total
        cells = "".join(
            table.cell(str(value), n, bold=bold, align="left" if n in text else "right") for n, value in enumerate(row)
        )
        lines.append(table.row(cells))
    # The paragraph before the table keeps two tables in a row from merging into one.
    anchor = _paragraph(document, after=4)
    anchor._p.addnext(parse_xml(table.xml(lines)))


def _columns(first: int, rest: int) -> tuple[int, ...]:
    """A first column of ``first`` twips and ``rest`` equal columns filling the text width."""
    other = (TEXT_WIDTH - first) // rest
    return (first, *([other] * (rest - 1)), TEXT_WIDTH - first - other * (rest - 1))


def _picture(document, png: bytes | None, caption: str, *, share: float = 0.9) -> None:
    """``png`` centred, ``share`` of the text width wide, with its italic caption."""
    if png is None:
        return
    document.add_picture(io.BytesIO(png), width=Twips(int(TEXT_WIDTH * share)))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, caption, italic=True, size=12, after=8)


def _text(document, text: str) -> None:
    _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)


def _heading(document, text: str) -> None:
    _paragraph(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=8, after=4)


def _report_symbol(unit: Unit) -> str:
    """ "BC-SNV" for Sở Nội vụ, "BC-UBND" for a people's committee: the unit's decision symbol with "BC"."""
    symbol = default_symbol(unit)
    return "BC-" + (symbol.split("-", 1)[1] if "-" in symbol else symbol)


def _intro(summary: CampaignSummary, unit: Unit) -> str:
    campaign = summary.campaign
    parts = {
        "body": body_name(unit),
        "campaign": campaign.name,
        "day": summary.today.strftime("%d/%m/%Y"),
    }
    if campaign.plan_number:
        basis = _("văn bản số %(number)s") % {"number": campaign.plan_number}
        if campaign.plan_date:
            basis += " " + _("ngày %(day)s") % {"day": campaign.plan_date.strftime("%d/%m/%Y")}
        if campaign.issuing_body:
            basis += " " + _("của %(body)s") % {"body": campaign.issuing_body}
        return _(
            "Thực hiện %(basis)s, %(body)s báo cáo tổng kết %(campaign)s như sau (số liệu trên phần mềm tính "
            "đến ngày %(day)s):"
        ) % {**parts, "basis": basis}
    return _("%(body)s báo cáo tổng kết %(campaign)s như sau (số liệu trên phần mềm tính đến ngày %(day)s):") % parts


def _plans_section(document, summary: CampaignSummary) -> None:
    plans = summary.plans
    rate = plans.rate
    _heading(document, _("I. TÌNH HÌNH BAN HÀNH KẾ HOẠCH"))
    _text(
        document,
        _(
            "Có %(enrolled)s đơn vị tham gia phong trào; %(issued)s đơn vị đã ban hành kế hoạch (đã gửi hoặc đã được "
            "chấp nhận), đạt %(rate)s so với mục tiêu %(target)s; trong đó %(accepted)s kế hoạch đã được chấp nhận, "
            "%(late)s kế hoạch gửi quá hạn."
        )
        % {
            "enrolled": plans.enrolled,
            "issued": rate.done,
            "rate": pct(rate.percent),
            "target": pct(rate.target),
            "accepted": plans.counts.get(PlanState.ACCEPTED, 0),
            "late": plans.late,
        },
    )
    rows = [[label, str(plans.counts.get(key, 0))] for key, label in _plan_rows()]
    _table(
        document,
        _columns(6000, 1),
        [_("Tình trạng kế hoạch"), _("Số đơn vị")],
        rows,
        total=[_("Tổng số đơn vị tham gia"), str(plans.enrolled)],
    )
    if plans.clusters:
        _table(
            document,
            _columns(4200, 3),
            [_("Cụm, khối thi đua"), _("Đã ban hành"), _("Số đơn vị"), _("Tỷ lệ")],
            [[name, str(share.done), str(share.total), pct(share.percent)] for name, share in plans.clusters],
        )
    _picture(document, plan_chart(summary), _("Biểu đồ 1. Tình hình ban hành kế hoạch của các đơn vị."))


def _indicators_section(document, summary: CampaignSummary) -> None:
    _heading(document, _("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"))
    period = summary.period
    if period is None:
        _text(document, _("Phong trào chưa có kỳ báo cáo tiến độ nào: chưa có số liệu thực hiện chỉ tiêu."))
        return
    _text(
        document,
        _("Số liệu kỳ báo cáo %(period)s (%(start)s - %(end)s): %(met)s/%(count)s chỉ tiêu đạt mục tiêu.")
        % {
            "period": period.label,
            "start": period.start.strftime("%d/%m/%Y"),
            "end": period.end.strftime("%d/%m/%Y"),
            "met": summary.indicators_met,
            "count": len(summary.indicators),
        },
    )
    rows = []
    for view in summary.indicators:
        tally = view.rollup.province
        rows.append(
            [
                view.indicator.code,
                view.indicator.name,
                pct(view.indicator.target_percent),
                f"{format_vnd(tally.numerator)}/{format_vnd(tally.denominator)}",
                pct(tally.percent),
                _met(view.rollup.meets_target),
            ]
        )
    _table(
        document,
        (700, 3454, 1200, 1600, 1100, 1300),
        [_("Mã"), _("Chỉ tiêu"), _("Mục tiêu"), _("Kết quả"), _("Tỷ lệ"), _("Đánh giá")],
        rows,
        text=(0, 1, 5),
    )
    _picture(document, indicator_chart(summary), _("Biểu đồ 2. Kết quả thực hiện chỉ tiêu so với mục tiêu."))


def _scores_section(document, summary: CampaignSummary) -> None:
    _heading(document, _("III. KẾT QUẢ CHẤM ĐIỂM, XẾP LOẠI"))
    if not summary.scores:
        _text(document, _("Phong trào không có bảng chấm điểm."))
        return
    for n, scores in enumerate(summary.scores, start=1):
        province = scores.province
        _text(
            document,
            _("%(n)s. %(table)s (%(subject)s): %(count)s phiếu đã chốt điểm, điểm bình quân %(average)s.")
            % {
                "n": n,
                "table": scores.table.name,
                "subject": table_subject_label(scores.table).lower(),
                "count": province.count,
                "average": fmt_points(province.average),
            },
        )
        if not province.count:
            continue
        rows = [[label, str(count), pct(_share(count, province.count))] for label, count in scores.class_counts()]
        _table(document, _columns(5000, 2), [_("Xếp loại"), _("Số phiếu"), _("Tỷ lệ")], rows)
        if scores.clusters:
            header = [_("Cụm, khối thi đua"), _("Số phiếu"), _("Điểm bình quân")]
            header += [label for _code, label in scores.classes]
            rows = [
                [g.name, str(g.count), fmt_points(g.average)] + [str(n) for _label, n in scores.class_counts(g)]
                for g in scores.clusters
            ]
            _table(document, _columns(2800, len(header) - 1), header, rows)
        _picture(
            document, class_chart(scores), _("Biểu đồ 3.%(n)s. Xếp loại: %(table)s.") % {"n": n, "table": scores.table}
        )


def _share(part: int, whole: int) -> Decimal | None:
    return percent_of(part, whole)


def _awards_section(document, summary: CampaignSummary) -> None:
    awards = summary.awards
    counts = awards.counts
    _heading(document, _("IV. KẾT QUẢ KHEN THƯỞNG"))
    if not awards.total:
        _text(document, _("Chưa có quyết định khen thưởng nào của phong trào được ký."))
        return
    _text(
        document,
        _(
            "Có %(decisions)s quyết định khen thưởng đã ký với %(total)s lượt khen thưởng: %(collectives)s tập thể, "
            "%(individuals)s cá nhân (trong đó %(female)s nữ, %(direct)s người trực tiếp lao động, công tác), "
            "%(households)s hộ gia đình. Tổng số tiền thưởng: %(amount)s đồng."
        )
        % {
            "decisions": awards.decisions,
            "total": awards.total,
            "collectives": counts[SubjectKind.COLLECTIVE],
            "individuals": counts[SubjectKind.INDIVIDUAL],
            "female": awards.female,
            "direct": awards.direct_worker,
            "households": counts[SubjectKind.HOUSEHOLD],
            "amount": format_vnd(awards.amount),
        },
    )
    _heading(document, _("1. Theo hình thức khen thưởng và đối tượng"))
    rows = [
        [
            r.name,
            str(r.decisions),
            str(r.counts[SubjectKind.COLLECTIVE]),
            str(r.counts[SubjectKind.INDIVIDUAL]),
            str(r.female),
            str(r.counts[SubjectKind.HOUSEHOLD]),
            str(r.total),
            format_vnd(r.amount),
        ]
        for r in awards.by_type
    ]
    total = [
        _("Tổng cộng"),
        str(awards.decisions),
        str(counts[SubjectKind.COLLECTIVE]),
        str(counts[SubjectKind.INDIVIDUAL]),
        str(awards.female),
        str(counts[SubjectKind.HOUSEHOLD]),
        str(awards.total),
        format_vnd(awards.amount),
    ]
    header = [
        _("Hình thức"),
        _("Số QĐ"),
        _("Tập thể"),
        _("Cá nhân"),
        _("Trong đó nữ"),
        _("Hộ gia đình"),
        _("Tổng số"),
        _("Tiền thưởng (đồng)"),
    ]
    _table(document, (2500, 700, 900, 900, 1000, 900, 900, 1554), header, rows, total=total)
    _picture(document, award_type_chart(summary), _("Biểu đồ 4. Số lượt khen thưởng theo hình thức và đối tượng."))

    _heading(document, _("2. Cá nhân được khen thưởng theo giới tính"))
    rows = [
        [_("Nữ"), str(awards.female), pct(_share(awards.female, awards.individuals))],
        [_("Nam"), str(awards.male), pct(_share(awards.male, awards.individuals))],
    ]
    if awards.gender_unknown:
        rows.append(
            [
                _("Chưa ghi giới tính"),
                str(awards.gender_unknown),
                pct(_share(awards.gender_unknown, awards.individuals)),
            ]
        )
    _table(
        document,
        _columns(5000, 2),
        [_("Giới tính"), _("Số cá nhân"), _("Tỷ lệ")],
        rows,
        total=[_("Tổng số cá nhân"), str(awards.individuals), pct(_share(awards.individuals, awards.individuals))],
    )
    _picture(document, gender_chart(summary), _("Biểu đồ 5. Cá nhân được khen thưởng theo giới tính."), share=0.5)

    _heading(document, _("3. Theo đơn vị đề nghị"))
    rows = [
        [
            str(n),
            r.name,
            str(r.counts[SubjectKind.COLLECTIVE]),
            str(r.counts[SubjectKind.INDIVIDUAL]),
            str(r.counts[SubjectKind.HOUSEHOLD]),
            str(r.total),
            format_vnd(r.amount),
        ]
        for n, r in enumerate(awards.by_unit, start=1)
    ]
    _table(
        document,
        (700, 2954, 1000, 1000, 1000, 1000, 1700),
        [_("STT"), _("Đơn vị"), _("Tập thể"), _("Cá nhân"), _("Hộ gia đình"), _("Tổng số"), _("Tiền thưởng (đồng)")],
        rows,
        text=(1,),
    )

    _heading(document, _("4. Tiền thưởng"))
    for r in awards.by_type:
        _text(
            document,
            _("- %(award)s: %(amount)s đồng.") % {"award": r.name, "amount": format_vnd(r.amount)},
        )
    _text(document, _("Tổng số tiền thưởng: %(amount)s đồng.") % {"amount": format_vnd(awards.amount)})


def _signature(document, unit: Unit) -> None:
    left, right = _layout_table(document, SIGNATURE_COLUMNS)
    label = _cell_paragraph(left, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _run(label, _("Nơi nhận:"), size=RECIPIENTS_LABEL_PT, bold=True, italic=True)
    for line in (
        _("- Ủy ban nhân dân tỉnh (để báo cáo);"),
        _("- Các cơ quan, đơn vị tham gia phong trào;"),
        _("- Lưu: VT."),
    ):
        _cell_paragraph(left, line, size=RECIPIENTS_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_paragraph(right, head_title(unit).upper(), bold=True, before=12)
    for _n in range(4):
        _cell_paragraph(right, "")


def summary_docx(summary: CampaignSummary, *, issuing_unit: Unit) -> bytes:
    """The report of ``summary`` issued by ``issuing_unit`` (the board's department, or the coordinating
    department), number and date left blank for the signer's office: header, title, the four sections with their
    tables and charts, a closing section for the assessment the board writes, the signature block."""
    with translation.override("vi"):
        document = Document()
        _setup(document)
        left, right = _layout_table(document, HEADER_COLUMNS)
        for text, bold in header_lines(issuing_unit):
            _cell_paragraph(left, text, size=HEADER_PT, bold=bold)
        number_label = _("Số:")
        _cell_paragraph(left, f"{number_label} {BLANK}/{_report_symbol(issuing_unit)}", size=HEADER_PT, before=6)
        _cell_paragraph(right, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), size=HEADER_PT, bold=True)
        _cell_paragraph(right, _("Độc lập - Tự do - Hạnh phúc"), bold=True, after=6)
        _cell_paragraph(right, _date_line(place_name(issuing_unit), None), italic=True)

        _paragraph(document, report_title(summary).upper(), bold=True, before=18, after=12)
        _text(document, _intro(summary, issuing_unit))
        _plans_section(document, summary)
        _indicators_section(document, summary)
        _scores_section(document, summary)
        _awards_section(document, summary)
        _heading(document, _("V. ĐÁNH GIÁ CHUNG VÀ ĐỀ XUẤT"))
        _paragraph(
            document,
            _("(Ưu điểm, hạn chế, bài học kinh nghiệm và đề xuất do cơ quan tổng kết bổ sung trước khi ký.)"),
            italic=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            indent=True,
            after=6,
        )
        _signature(document, issuing_unit)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


# --- XLSX ------------------------------------------------------------------------------------------------------


def clean(value: object) -> object:
    """Every cell of the workbook: the same treatment as ``workflows.exports.xlsx_bytes`` (characters XML cannot
    hold removed, then :func:`workflows.exports.escape_formula`)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


class _Sheet:
    """Append rows to one sheet, every value through :func:`clean`; remembers the row numbers for charts."""

    def __init__(self, workbook, title: str, widths: tuple[float, ...]):
        from openpyxl.utils import get_column_letter

        self.sheet = workbook.create_sheet(title=clean(title)[:31])
        for n, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(n)].width = width

    @property
    def row(self) -> int:
        return self.sheet.max_row

    def add(self, values, *, bold: bool = False, formats: dict[int, str] | None = None) -> int:
        from openpyxl.styles import Alignment, Font

        self.sheet.append([clean(v) for v in values])
        number = self.sheet.max_row
        for n, cell in enumerate(self.sheet[number], start=1):
            if bold:
                cell.font = Font(bold=True)
            if isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if formats and n in formats and cell.value is not None:
                cell.number_format = formats[n]
        return number

    def title(self, text: str) -> None:
        from openpyxl.styles import Font

        self.add([text])
        self.sheet.cell(self.row, 1).font = Font(bold=True, size=13)

    def blank(self) -> None:
        self.sheet.append([])


def _bar_chart(
    sheet: _Sheet,
    *,
    title: str,
    data_cols: tuple[int, int],
    header_row: int,
    last_row: int,
    anchor: str,
    label_col: int = 1,
    stacked: bool = False,
    y_title: str = "",
) -> None:
    from openpyxl.chart import BarChart, Reference

    if last_row <= header_row:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = y_title
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(sheet.sheet, min_col=data_cols[0], max_col=data_cols[1], min_row=header_row, max_row=last_row)
    labels = Reference(sheet.sheet, min_col=label_col, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.height = max(7.5, 0.9 * (last_row - header_row) + 4)
    chart.width = 18
    sheet.sheet.add_chart(chart, anchor)


def _pie_chart(sheet: _Sheet, *, title: str, data_col: int, header_row: int, last_row: int, anchor: str) -> None:
    from openpyxl.chart import PieChart, Reference

    if last_row <= header_row:
        return
    chart = PieChart()
    chart.title = title
    chart.add_data(
        Reference(sheet.sheet, min_col=data_col, min_row=header_row, max_row=last_row), titles_from_data=True
    )
    chart.set_categories(Reference(sheet.sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    sheet.sheet.add_chart(chart, anchor)


def _xlsx_plans(workbook, summary: CampaignSummary) -> None:
    plans = summary.plans
    sheet = _Sheet(workbook, _("Kế hoạch"), (36, 14, 14, 12))
    sheet.title(_("Tình hình ban hành kế hoạch"))
    header = sheet.add([_("Tình trạng kế hoạch"), _("Số đơn vị")], bold=True)
    for key, label in _plan_rows():
        sheet.add([label, plans.counts.get(key, 0)])
    last = sheet.row
    sheet.add([_("Tổng số đơn vị tham gia"), plans.enrolled], bold=True)
    sheet.add(
        [_("Tỷ lệ đơn vị đã ban hành kế hoạch (%)"), plans.rate.percent, _("Mục tiêu (%)"), plans.rate.target],
        formats={2: PERCENT_FORMAT, 4: PERCENT_FORMAT},
    )
    sheet.add([_("Trong đó gửi quá hạn"), plans.late])
    if plans.clusters:
        sheet.blank()
        sheet.add([_("Cụm, khối thi đua"), _("Đã ban hành"), _("Số đơn vị"), _("Tỷ lệ (%)")], bold=True)
        for name, share in plans.clusters:
            sheet.add([name, share.done, share.total, share.percent], formats={4: PERCENT_FORMAT})
    _bar_chart(
        sheet,
        title=_("Tình hình ban hành kế hoạch"),
        data_cols=(2, 2),
        header_row=header,
        last_row=last,
        anchor="F2",
        y_title=_("Số đơn vị"),
    )


def _xlsx_indicators(workbook, summary: CampaignSummary) -> None:
    sheet = _Sheet(workbook, _("Chỉ tiêu"), (8, 50, 12, 12, 12, 12, 16))
    period = summary.period
    sheet.title(_("Kết quả thực hiện các chỉ tiêu"))
    sheet.add(
        [_("Kỳ báo cáo: %(period)s") % {"period": period.label}] if period else [_("Chưa có kỳ báo cáo tiến độ.")]
    )
    header = sheet.add(
        [_("Mã"), _("Chỉ tiêu"), _("Kết quả (%)"), _("Mục tiêu (%)"), _("Tử số"), _("Mẫu số"), _("Đánh giá")],
        bold=True,
    )
    for view in summary.indicators:
        tally = view.rollup.province
        sheet.add(
            [
                view.indicator.code,
                f"{view.indicator.code}. {view.indicator.name}",
                tally.percent,
                view.indicator.target_percent,
                tally.numerator,
                tally.denominator,
                _met(view.rollup.meets_target),
            ],
            formats={3: PERCENT_FORMAT, 4: PERCENT_FORMAT, 5: MONEY_FORMAT, 6: MONEY_FORMAT},
        )
    _bar_chart(
        sheet,
        title=_("Kết quả thực hiện chỉ tiêu so với mục tiêu"),
        data_cols=(3, 4),
        header_row=header,
        last_row=sheet.row,
        anchor="I2",
        label_col=2,
        y_title=_("Tỷ lệ (%)"),
    )


def _xlsx_scores(workbook, summary: CampaignSummary) -> None:
    sheet = _Sheet(workbook, _("Xếp loại"), (36, 12, 14, 12, 12, 12, 12, 12))
    sheet.title(_("Kết quả chấm điểm, xếp loại"))
    if not summary.scores:
        sheet.add([_("Phong trào không có bảng chấm điểm.")])
    anchor_row = 2
    for scores in summary.scores:
        sheet.blank()
        province = scores.province
        sheet.add(
            [
                f"{scores.table.name} ({table_subject_label(scores.table).lower()})",
                _("Số phiếu đã chốt điểm"),
                province.count,
                _("Điểm bình quân"),
                province.average,
            ],
            bold=True,
        )
        header = sheet.add([_("Xếp loại"), _("Số phiếu")], bold=True)
        for label, count in scores.class_counts():
            sheet.add([label, count])
        last = sheet.row
        if scores.clusters:
            sheet.blank()
            sheet.add(
                [_("Cụm, khối thi đua"), _("Số phiếu"), _("Điểm bình quân")] + [lb for _c, lb in scores.classes],
                bold=True,
            )
            for group in scores.clusters:
                sheet.add([group.name, group.count, group.average] + [n for _l, n in scores.class_counts(group)])
        _bar_chart(
            sheet,
            title=_("Xếp loại: %(table)s") % {"table": scores.table.name},
            data_cols=(2, 2),
            header_row=header,
            last_row=last,
            anchor=f"J{anchor_row}",
            y_title=_("Số phiếu"),
        )
        anchor_row += 18


def _xlsx_award_types(workbook, summary: CampaignSummary) -> None:
    awards = summary.awards
    counts = awards.counts
    sheet = _Sheet(workbook, _("Theo hình thức"), (40, 12, 12, 12, 12, 14, 12, 12, 18, 16))
    sheet.title(_("Khen thưởng theo hình thức và đối tượng"))
    header = sheet.add(
        [
            _("Hình thức khen thưởng"),
            _("Tập thể"),
            _("Cá nhân"),
            _("Hộ gia đình"),
            _("Trong đó nữ"),
            _("Trong đó trực tiếp lao động, công tác"),
            _("Tổng số"),
            _("Số quyết định"),
            _("Tiền thưởng (đồng)"),
            _("Mã hình thức"),
        ],
        bold=True,
    )
    for r in awards.by_type:
        sheet.add(
            [
                r.name,
                r.counts[SubjectKind.COLLECTIVE],
                r.counts[SubjectKind.INDIVIDUAL],
                r.counts[SubjectKind.HOUSEHOLD],
                r.female,
                r.direct_worker,
                r.total,
                r.decisions,
                r.amount,
                r.code,
            ],
            formats={9: MONEY_FORMAT},
        )
    last = sheet.row
    sheet.add(
        [
            _("Tổng cộng"),
            counts[SubjectKind.COLLECTIVE],
            counts[SubjectKind.INDIVIDUAL],
            counts[SubjectKind.HOUSEHOLD],
            awards.female,
            awards.direct_worker,
            awards.total,
            awards.decisions,
            awards.amount,
        ],
        bold=True,
        formats={9: MONEY_FORMAT},
    )
    _bar_chart(
        sheet,
        title=_("Số lượt khen thưởng theo hình thức và đối tượng"),
        data_cols=(2, 4),
        header_row=header,
        last_row=last,
        anchor="L2",
        stacked=True,
        y_title=_("Số lượt khen thưởng"),
    )


def _xlsx_units(workbook, summary: CampaignSummary) -> None:
    sheet = _Sheet(workbook, _("Theo đơn vị"), (44, 12, 12, 12, 12, 18, 14))
    sheet.title(_("Khen thưởng theo đơn vị đề nghị"))
    header = sheet.add(
        [
            _("Đơn vị"),
            _("Tổng số"),
            _("Tập thể"),
            _("Cá nhân"),
            _("Hộ gia đình"),
            _("Tiền thưởng (đồng)"),
            _("Mã đơn vị"),
        ],
        bold=True,
    )
    for r in summary.awards.by_unit:
        sheet.add(
            [
                r.name,
                r.total,
                r.counts[SubjectKind.COLLECTIVE],
                r.counts[SubjectKind.INDIVIDUAL],
                r.counts[SubjectKind.HOUSEHOLD],
                r.amount,
                r.code,
            ],
            formats={6: MONEY_FORMAT},
        )
    _bar_chart(
        sheet,
        title=_("Các đơn vị có nhiều lượt khen thưởng nhất"),
        data_cols=(2, 2),
        header_row=header,
        last_row=min(sheet.row, header + UNIT_CHART_ROWS),
        anchor="I2",
        y_title=_("Số lượt khen thưởng"),
    )


def _xlsx_gender(workbook, summary: CampaignSummary) -> None:
    awards = summary.awards
    sheet = _Sheet(workbook, _("Theo giới tính"), (30, 14, 12))
    sheet.title(_("Cá nhân được khen thưởng theo giới tính"))
    header = sheet.add([_("Giới tính"), _("Số cá nhân"), _("Tỷ lệ (%)")], bold=True)
    for label, count in (
        (_("Nữ"), awards.female),
        (_("Nam"), awards.male),
        (_("Chưa ghi giới tính"), awards.gender_unknown),
    ):
        sheet.add([label, count, _share(count, awards.individuals)], formats={3: PERCENT_FORMAT})
    last = sheet.row
    sheet.add([_("Tổng số cá nhân"), awards.individuals], bold=True)
    sheet.add([_("Trong đó trực tiếp lao động, công tác"), awards.direct_worker])
    _pie_chart(
        sheet,
        title=_("Cá nhân được khen thưởng theo giới tính"),
        data_col=2,
        header_row=header,
        last_row=last,
        anchor="E2",
    )


def _xlsx_money(workbook, summary: CampaignSummary) -> None:
    awards = summary.awards
    labels = subject_labels()
    sheet = _Sheet(workbook, _("Tiền thưởng"), (40, 18, 16, 16, 16))
    sheet.title(_("Tiền thưởng theo hình thức khen thưởng (đồng)"))
    header = sheet.add(
        [_("Hình thức khen thưởng"), _("Tổng số tiền (đồng)")] + [labels[k] for k in SUBJECT_ORDER], bold=True
    )
    money = dict.fromkeys(range(2, 3 + len(SUBJECT_ORDER)), MONEY_FORMAT)
    for r in awards.by_type:
        sheet.add([r.name, r.amount] + [r.amounts[k] for k in SUBJECT_ORDER], formats=money)
    last = sheet.row
    sheet.add([_("Tổng cộng"), awards.amount], bold=True, formats=money)
    _pie_chart(
        sheet,
        title=_("Tiền thưởng theo hình thức khen thưởng"),
        data_col=2,
        header_row=header,
        last_row=last,
        anchor="G2",
    )


def _xlsx_list(workbook, summary: CampaignSummary) -> None:
    labels = subject_labels()
    sheet = _Sheet(workbook, _("Danh sách"), (6, 34, 12, 34, 40, 16, 12, 16))
    sheet.title(_("Danh sách tập thể, cá nhân được khen thưởng"))
    sheet.add(
        [
            _("STT"),
            _("Họ và tên / Tên tập thể"),
            _("Đối tượng"),
            _("Đơn vị đề nghị"),
            _("Hình thức khen thưởng"),
            _("Quyết định số"),
            _("Ngày ký"),
            _("Tiền thưởng (đồng)"),
        ],
        bold=True,
    )
    for n, line in enumerate(award_lines(summary), start=1):
        sheet.add(
            [
                n,
                line.name,
                labels.get(line.subject_kind, line.subject_kind),
                line.unit,
                line.award,
                line.decision,
                line.issued_on.strftime("%d/%m/%Y") if line.issued_on else "",
                line.amount,
            ],
            formats={8: MONEY_FORMAT},
        )


def summary_xlsx(summary: CampaignSummary) -> bytes:
    """The figures of ``summary``, one sheet per section with its chart, and the list of the awards counted."""
    from openpyxl import Workbook

    with translation.override("vi"):
        workbook = Workbook()
        cover = workbook.active
        cover.title = clean(_("Tổng kết"))[:31]
        cover.column_dimensions["A"].width = 90
        cover.append([clean(report_title(summary).upper())])
        cover.append([clean(_("Số liệu tính đến ngày %(day)s.") % {"day": summary.today.strftime("%d/%m/%Y")})])
        cover.append(
            [
                clean(
                    _(
                        "Khen thưởng được tính: các dòng của quyết định đã ký (kể cả đã công bố) của phong trào, trừ "
                        "khen thưởng đã có quyết định thu hồi."
                    )
                )
            ]
        )
        _xlsx_plans(workbook, summary)
        _xlsx_indicators(workbook, summary)
        _xlsx_scores(workbook, summary)
        _xlsx_award_types(workbook, summary)
        _xlsx_units(workbook, summary)
        _xlsx_gender(workbook, summary)
        _xlsx_money(workbook, summary)
        _xlsx_list(workbook, summary)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
