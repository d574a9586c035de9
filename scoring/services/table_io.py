"""A scoring table as an XLSX workbook, out and back in.

The workbook has four sheets: "Tiêu chí" (one row per criterion, in display order: code, parent code, name, kind,
base points, formula, indicator code, steps as ``100:20; 80:14``, points per item, cap, evidence required
Có/Không, guidance), "Xếp loại" (the classes), "Phân định bằng điểm" (the tie-break cascade) and "Hướng dẫn" (what
each column means; not read back). Sheets and columns are found by name in any interface language, with or
without diacritics; so are the labels of kinds, formulas and tie-break steps.

The import replaces the table's criteria, classes and tie-breaks with the file's, all or nothing: every sheet is
read and checked first (by the same checks as a change made on the page, ``services/tables.py``) and every bad
cell is reported with its row, column, value and reason; only then, in one transaction and only while the table
is not locked, are the rows written, matched by code (so criteria kept keep their scorecard entries). The file
exported and imported again changes nothing and records nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import tablib
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from competition.resources import choice_lookup, fold
from competition.services.tables import (
    Column,
    ImportCounts,
    ImportFileError,
    Layout,
    RowError,
    Source,
    cell_text,
    file_digest,
    iter_rows,
    map_headers,
)
from workflows import audit
from workflows.exports import Styled, unescape_formula, xlsx_bytes
from workflows.uploads import zip_problem

from ..enums import CriterionKind, Formula, Subject, TieBreak
from ..models import ScoringTable
from .tables import (
    Changes,
    ClassDraft,
    CriterionDraft,
    Problem,
    TableLocked,
    TieBreakDraft,
    apply_classes,
    apply_criteria,
    apply_tie_breaks,
    check_classes,
    check_criteria,
    check_tie_breaks,
    criteria_tree,
    fmt,
    format_steps,
    is_locked,
    lock_for_edit,
    locked_message,
    parse_number,
    parse_steps,
    require_change,
)

SHEET_CRITERIA = gettext_lazy("Tiêu chí")
SHEET_CLASSES = gettext_lazy("Xếp loại")
SHEET_TIE_BREAKS = gettext_lazy("Phân định bằng điểm")
SHEET_GUIDE = gettext_lazy("Hướng dẫn")

CRITERION_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        gettext_lazy("Mã"),
        ("ma tieu chi",),
        required=True,
        help=gettext_lazy("Bắt buộc, không trùng nhau: chữ, số, dấu chấm, gạch ngang, ví dụ 1, 1.2, T1, P1."),
    ),
    Column(
        "parent_code",
        gettext_lazy("Mã tiêu chí cha"),
        ("ma cha", "thuoc tieu chi", "parent"),
        help=gettext_lazy(
            "Để trống với tiêu chí lớn. Tiêu chí có tiêu chí con là một nhóm: điểm của nhóm là tổng điểm các tiêu "
            "chí con, tối đa bằng điểm chuẩn của nhóm."
        ),
    ),
    Column(
        "name", gettext_lazy("Tên tiêu chí"), ("tieu chi", "noi dung"), required=True, help=gettext_lazy("Bắt buộc.")
    ),
    Column(
        "kind",
        gettext_lazy("Loại"),
        ("loai tieu chi",),
        help=gettext_lazy("Tiêu chí, Điểm thưởng hoặc Điểm trừ; để trống là Tiêu chí."),
    ),
    Column(
        "base_points",
        gettext_lazy("Điểm chuẩn"),
        ("diem", "base"),
        required=True,
        help=gettext_lazy("Bắt buộc, lớn hơn 0, tối đa 2 chữ số thập phân."),
    ),
    Column(
        "formula",
        gettext_lazy("Cách tính"),
        ("cong thuc",),
        help=gettext_lazy("Để trống ở dòng nhóm và với cách tính người chấm cho điểm. Các cách tính: xem bên dưới."),
    ),
    Column(
        "indicator_code",
        gettext_lazy("Mã chỉ tiêu"),
        ("chi tieu",),
        help=gettext_lazy("Mã chỉ tiêu của phong trào; bắt buộc với cách tính theo tỷ lệ hoặc theo bậc."),
    ),
    Column(
        "steps",
        gettext_lazy("Các bậc (tỷ lệ đạt %: điểm)"),
        ("cac bac", "bac"),
        help=gettext_lazy(
            "Chỉ với cách tính theo bậc: “tỷ lệ đạt so với mục tiêu (%): điểm”, cách nhau bởi dấu chấm phẩy, ví dụ "
            "“100:20; 80:14; 50:8”. Tỷ lệ từ 0 đến 1000, điểm không quá điểm chuẩn."
        ),
    ),
    Column(
        "points_per_item",
        gettext_lazy("Điểm mỗi lần"),
        ("diem moi lan", "per item"),
        help=gettext_lazy("Chỉ với cách tính mỗi lần một số điểm (sáng kiến, mô hình…), ví dụ 2."),
    ),
    Column(
        "cap",
        gettext_lazy("Điểm tối đa"),
        ("toi da",),
        help=gettext_lazy("Không bắt buộc: mức tối đa thấp hơn điểm chuẩn. Không dùng ở dòng nhóm."),
    ),
    Column(
        "evidence_required",
        gettext_lazy("Bắt buộc có minh chứng"),
        ("minh chung", "bat buoc minh chung", "evidence"),
        help=gettext_lazy("Có hoặc Không: thiếu minh chứng thì tiêu chí được 0 điểm (điểm thưởng cũng vậy)."),
    ),
    Column(
        "guidance",
        gettext_lazy("Hướng dẫn chấm"),
        ("huong dan",),
        help=gettext_lazy("Cho đơn vị tự chấm và thành viên chấm: chấm thế nào, minh chứng là gì."),
    ),
)

CLASS_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        gettext_lazy("Mã"),
        ("ma xep loai",),
        required=True,
        help=gettext_lazy("Bắt buộc: chữ không dấu, số, gạch dưới, ví dụ xuat_sac."),
    ),
    Column("label", gettext_lazy("Xếp loại"), ("ten", "muc"), required=True, help=gettext_lazy("Bắt buộc.")),
    Column(
        "min_total",
        gettext_lazy("Tổng điểm từ"),
        ("tu", "nguong"),
        required=True,
        help=gettext_lazy("Tổng điểm thấp nhất đạt mức này; mỗi mức một ngưỡng, phải có một mức từ 0."),
    ),
    Column(
        "no_zero",
        gettext_lazy("Hạ một mức nếu có tiêu chí 0 điểm"),
        ("khong co tieu chi nao bi 0 diem", "no zero"),
        help=gettext_lazy("Có hoặc Không."),
    ),
    Column(
        "max_penalty",
        gettext_lazy("Điểm trừ không quá"),
        ("max penalty",),
        help=gettext_lazy("Hạ một mức nếu điểm trừ nhiều hơn số này; để trống nếu không áp dụng."),
    ),
)

TIE_BREAK_COLUMNS: tuple[Column, ...] = (
    Column("order", gettext_lazy("Thứ tự"), ("stt",), help=gettext_lazy("1 là bước xét trước; để trống: theo dòng.")),
    Column(
        "kind",
        gettext_lazy("Cách phân định"),
        ("tieu chi phan dinh", "buoc"),
        required=True,
        help=gettext_lazy("Các cách phân định: xem bên dưới."),
    ),
    Column(
        "criterion_code",
        gettext_lazy("Mã tiêu chí ưu tiên"),
        ("ma tieu chi", "tieu chi uu tien"),
        help=gettext_lazy("Với bước theo tiêu chí ưu tiên: mã một tiêu chí của trang “Tiêu chí”."),
    ),
    Column(
        "threshold",
        gettext_lazy("Ngưỡng tỷ lệ nữ (%)"),
        ("nguong", "ty le nu"),
        help=gettext_lazy("Với bước theo tỷ lệ nữ: tập thể có tỷ lệ nữ từ ngưỡng này trở lên được ưu tiên, ví dụ 70."),
    ),
)

# The sheets read back, with their columns (the import page lists them).
COLUMNS_BY_SHEET = (
    (SHEET_CRITERIA, CRITERION_COLUMNS),
    (SHEET_CLASSES, CLASS_COLUMNS),
    (SHEET_TIE_BREAKS, TIE_BREAK_COLUMNS),
)

# What people type besides the labels of the choices (folded: lower case, no diacritics).
KIND_ALIASES = {"thuong": CriterionKind.BONUS, "diem cong": CriterionKind.BONUS, "tru": CriterionKind.PENALTY}
FORMULA_ALIASES = {
    "thu cong": Formula.MANUAL,
    "nhap tay": Formula.MANUAL,
    "nguoi cham cho diem": Formula.MANUAL,
    "co dinh": Formula.FIXED,
    "dat khong dat": Formula.FIXED,
    "ty le": Formula.RATIO,
    "theo ty le": Formula.RATIO,
    "bac": Formula.STEPPED,
    "theo bac": Formula.STEPPED,
    "moi lan": Formula.CAPPED,
    "theo so lan": Formula.CAPPED,
    "co muc toi da": Formula.CAPPED,
}
TIE_BREAK_ALIASES = {
    "tieu chi uu tien": TieBreak.CRITERION,
    "diem tieu chi": TieBreak.CRITERION,
    "nu": TieBreak.WOMEN,
    "ty le nu": TieBreak.WOMEN,
    "khong lanh dao": TieBreak.NON_LEADER,
    "khong giu chuc vu": TieBreak.NON_LEADER,
}
YES = {"co", "x", "1", "yes", "true", "dung"}
NO = {"", "khong", "0", "no", "false", "sai"}

# The form field a check names → the column of the criteria sheet that holds it.
CRITERION_FIELD_COLUMN = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "base_points": "base_points",
    "formula": "formula",
    "parent": "parent_code",
    "indicator": "indicator_code",
    "steps": "steps",
    "points_per_item": "points_per_item",
    "cap": "cap",
    "evidence_required": "evidence_required",
    "guidance": "guidance",
}
TIE_BREAK_FIELD_COLUMN = {"kind": "kind", "criterion": "criterion_code", "threshold": "threshold"}


# --- Export --------------------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    whole = int(value)
    return whole if value == whole else float(value)


def _yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def _text(value: str) -> Styled:
    """A code kept as text (a spreadsheet would turn 1.10 into 1.1)."""
    return Styled(value, number_format="@")


def _header(columns: Sequence[Column]) -> list[Styled]:
    return [Styled(str(c.header), bold=True) for c in columns]


def _criteria_rows(table: ScoringTable) -> Iterable[list]:
    tree = criteria_tree(table)
    code_of = {row.criterion.pk: row.criterion.code for row in tree}
    yield _header(CRITERION_COLUMNS)
    for row in tree:
        c = row.criterion
        stepped = c.formula == Formula.STEPPED and not row.is_group
        yield [
            _text(c.code),
            _text(code_of.get(c.parent_id, "")),
            c.name,
            str(CriterionKind(c.kind).label),
            _number(c.base_points),
            "" if row.is_group else str(Formula(c.formula).label),
            _text(c.indicator.code if c.indicator_id and not row.is_group else ""),
            format_steps(c.steps) if stepped else "",
            _number(c.points_per_item) if c.formula == Formula.CAPPED else None,
            _number(c.cap),
            _yes_no(c.evidence_required),
            c.guidance,
        ]


def _class_rows(table: ScoringTable) -> Iterable[list]:
    yield _header(CLASS_COLUMNS)
    for k in table.classes.order_by("-min_total", "order", "pk"):
        yield [_text(k.code), k.label, _number(k.min_total), _yes_no(k.no_zero), _number(k.max_penalty)]


def _tie_break_rows(table: ScoringTable) -> Iterable[list]:
    yield _header(TIE_BREAK_COLUMNS)
    for position, step in enumerate(table.tie_breaks.select_related("criterion").order_by("order", "pk"), start=1):
        yield [
            position,
            str(TieBreak(step.kind).label),
            _text(step.criterion.code if step.criterion_id and step.kind == TieBreak.CRITERION else ""),
            _number(step.threshold) if step.kind == TieBreak.WOMEN else None,
        ]


def _guide_rows(table: ScoringTable) -> Iterable[list]:
    bold = lambda text: Styled(str(text), bold=True)  # noqa: E731
    yield [bold(_("Mục")), bold(_("Nội dung"))]
    yield [_("Bảng điểm"), table.name]
    yield [_("Phong trào"), table.campaign.name]
    yield [_("Đối tượng"), str(Subject(table.subject).label)]
    yield [_("Điểm thưởng tối đa"), fmt(table.bonus_cap)]
    yield [_("Điểm trừ tối đa"), fmt(table.penalty_cap)]
    yield [
        _("Cách nhập lại"),
        _(
            "Sửa các trang “%(c)s”, “%(k)s”, “%(t)s” rồi tải tệp lên ở trang bảng điểm. Tệp thay thế toàn bộ "
            "cấu hình: tiêu chí, mức xếp loại, bước phân định không còn trong tệp sẽ bị xoá. Có lỗi ở bất kỳ ô nào "
            "thì không ghi gì. Trang “%(g)s” này chỉ để đọc."
        )
        % {"c": SHEET_CRITERIA, "k": SHEET_CLASSES, "t": SHEET_TIE_BREAKS, "g": SHEET_GUIDE},
    ]
    for sheet, columns in COLUMNS_BY_SHEET:
        yield []
        yield [bold(_("Trang “%(s)s”") % {"s": sheet}), ""]
        for column in columns:
            yield [str(column.header), str(column.help)]
    yield []
    yield [bold(_("Loại")), "; ".join(str(k.label) for k in CriterionKind)]
    yield [bold(_("Cách tính")), ""]
    for formula in Formula:
        yield [str(formula.label), _describe(formula)]
    yield [bold(_("Cách phân định")), "; ".join(str(t.label) for t in TieBreak)]


def _describe(formula: str) -> str:
    return {
        Formula.MANUAL: _("Người chấm nhập điểm, từ 0 đến điểm chuẩn (hoặc điểm tối đa nếu thấp hơn)."),
        Formula.FIXED: _("Đạt: đủ điểm chuẩn; không đạt: 0 điểm."),
        Formula.RATIO: _("Tỷ lệ đạt của đơn vị so với mục tiêu của chỉ tiêu (tối đa 100%) × điểm chuẩn."),
        Formula.STEPPED: _("Điểm của bậc cao nhất mà tỷ lệ đạt so với mục tiêu của chỉ tiêu với tới."),
        Formula.CAPPED: _("Số lần × điểm mỗi lần, tối đa bằng điểm chuẩn (hoặc điểm tối đa)."),
    }[formula]


def table_xlsx(table: ScoringTable) -> bytes:
    """The table as a workbook of four sheets (criteria, classes, tie-breaks, guide) that :func:`import_table_xlsx`
    reads back unchanged. Every sheet is written by ``workflows.exports.xlsx_bytes`` (formula escaping) and the
    sheets are put together in one workbook. No side effects."""
    parts = [
        (SHEET_CRITERIA, _criteria_rows(table), [10, 10, 60, 14, 10, 28, 10, 22, 10, 10, 12, 60]),
        (SHEET_CLASSES, _class_rows(table), [20, 24, 14, 20, 16]),
        (SHEET_TIE_BREAKS, _tie_break_rows(table), [10, 50, 18, 18]),
        (SHEET_GUIDE, _guide_rows(table), [34, 100]),
    ]
    return _join_sheets(
        [xlsx_bytes(rows, sheet_title=str(title), column_widths=widths) for title, rows, widths in parts]
    )


def _join_sheets(workbooks: Sequence[bytes]) -> bytes:
    """One workbook holding the first sheet of each of ``workbooks`` (values, fonts, alignment, number formats and
    column widths are carried over; the cells were escaped when each was written)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbooks[0]))
    for data in workbooks[1:]:
        source = load_workbook(io.BytesIO(data)).worksheets[0]
        target = book.create_sheet(source.title)
        for row in source.iter_rows():
            for cell in row:
                copied = target.cell(row=cell.row, column=cell.column)
                copied.value = cell.value
                if cell.has_style:
                    copied.font = copy(cell.font)
                    copied.alignment = copy(cell.alignment)
                    copied.number_format = cell.number_format
        for letter, dimension in source.column_dimensions.items():
            target.column_dimensions[letter].width = dimension.width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Import --------------------------------------------------------------------------------------------------


@dataclass
class TableImportResult(ImportCounts):
    """What an import did (or would do): counts over the three sheets, and for each sheet."""

    deleted: int = 0
    parts: list[tuple[str, Changes]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted)


def _names(label) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(fold(str(label)))
    return names


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def read_workbook(data: bytes, filename: str) -> dict[str, tablib.Dataset]:
    """Every sheet of an XLSX file as a dataset (header = row 1; blank rows kept, so data row ``i`` is row
    ``i + 2``), by the sheet's name. Raises ``ImportFileError`` (Vietnamese) when the file is not an XLSX one."""
    if Path(filename).suffix.lower() != ".xlsx":
        raise ImportFileError(
            _("Tệp “%(f)s”: bảng điểm nhập từ tệp .xlsx (nhiều trang) tải về từ trang bảng điểm.") % {"f": filename}
        )
    problem = zip_problem(data, filename)
    if problem:
        raise ImportFileError(problem)
    try:
        with CalamineWorkbook.from_object(io.BytesIO(data)) as workbook:
            raw = {
                name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in workbook.sheet_names
            }
    except Exception as exc:  # calamine raises its own error types for every kind of unreadable file
        raise ImportFileError(
            _(
                "Tệp “%(f)s” không đọc được như một bảng tính Excel (.xlsx). Hãy mở tệp bằng Excel hoặc LibreOffice "
                "và lưu lại dạng .xlsx."
            )
            % {"f": filename}
        ) from exc
    sheets = {}
    for name, rows in raw.items():
        while rows and all(cell_text(v) == "" for v in rows[-1]):
            rows.pop()
        if not rows:
            sheets[name] = tablib.Dataset(headers=[])
            continue
        width = max(len(row) for row in rows)
        dataset = tablib.Dataset(headers=[cell_text(v) for v in rows[0]] + [""] * (width - len(rows[0])))
        for row in rows[1:]:
            dataset.append(list(row) + [""] * (width - len(row)))
        sheets[name] = dataset
    return sheets


class _Sheet:
    """One sheet being read: its rows, and the errors located in it (the sheet's name leads the column)."""

    def __init__(self, title: str, dataset: tablib.Dataset, columns: Sequence[Column]):
        self.title, self.columns = title, columns
        self.errors: list[RowError] = []
        self.layout: Layout | None = None
        self.rows: list = []
        self.bad: set[tuple[str, str]] = set()  # (item, column key) already reported
        if not dataset.headers or not any(cell_text(h) for h in dataset.headers):
            self.fail(1, "", "", _("Dòng 1 phải là dòng tiêu đề (tên các cột)."))
            return
        layout, header_errors = map_headers(dataset.headers, columns)
        for e in header_errors:
            self.fail(e.row, e.column, e.value, e.message)
        if header_errors:
            return
        self.layout = layout
        extra: list[RowError] = []
        self.rows = list(iter_rows(dataset, layout, extra))
        for e in extra:
            self.fail(e.row, e.column, e.value, e.message)

    def label(self, key: str) -> str:
        column = next(c for c in self.columns if c.key == key)
        return self.layout.label(column) if self.layout else str(column.header)

    def fail(self, row: int | None, column: str, value: str, message: str) -> None:
        where = f"{self.title} › {column}" if column else str(self.title)
        self.errors.append(RowError(row, where, value, message))

    def cell_error(self, item: str, row: int | None, key: str, value: str, message: str) -> None:
        self.bad.add((item, key))
        self.fail(row, self.label(key), value, message)


def _text_of(source, key: str) -> str:
    return unescape_formula(source.text(key))


def _choice(sheet: _Sheet, item: str, source, key: str, choices, aliases: dict, default: str) -> str:
    text = _text_of(source, key)
    if not text:
        return default
    value = choice_lookup(choices).get(fold(text)) or aliases.get(fold(text))
    if value is None:
        with translation.override("vi"):
            labels = "; ".join(str(label) for _value, label in choices.choices)
        sheet.cell_error(
            item, source.number, key, text, _("Không nhận ra giá trị này. Hãy dùng một trong: %(c)s.") % {"c": labels}
        )
        return ""
    return value


def _decimal(sheet: _Sheet, item: str, source, key: str) -> Decimal | None:
    text = source.text(key)
    if not text:
        return None
    try:
        return parse_number(source.raw.get(key))
    except ValueError as exc:
        sheet.cell_error(item, source.number, key, text, str(exc))
    except ArithmeticError:  # decimal's InvalidOperation: more digits than a Decimal holds (1e50, 40 nines)
        sheet.cell_error(item, source.number, key, text, _("Số quá lớn."))
    return None


def _flag(sheet: _Sheet, item: str, source, key: str) -> bool:
    text = source.text(key)
    folded = fold(text)
    if folded in YES:
        return True
    if folded not in NO:
        sheet.cell_error(item, source.number, key, text, _("Hãy ghi Có hoặc Không."))
    return False


def _report(sheet: _Sheet, problems: Iterable[Problem], rows: dict[str, object], columns: dict[str, str]) -> None:
    """Locate each problem of the checks at its cell (skipping cells already reported as unreadable)."""
    for p in problems:
        key = columns.get(p.field, "")
        source = rows.get(p.code)
        if (p.code, key) in sheet.bad:
            continue
        if source is None or not key:
            sheet.fail(None, sheet.label(key) if key else "", "", p.message)
        else:
            sheet.fail(source.number, sheet.label(key), unescape_formula(source.text(key)), p.message)


def _criteria(sheet: _Sheet, campaign_id: int, indicators: dict) -> list[CriterionDraft]:
    drafts: list[CriterionDraft] = []
    rows: dict[str, object] = {}
    for source in sheet.rows:
        code = _text_of(source, "code")
        if not code:
            sheet.cell_error("", source.number, "code", "", _("Hãy nhập mã tiêu chí, ví dụ 1, 1.2 hoặc T1."))
            continue
        if code in rows:
            sheet.cell_error(
                code, source.number, "code", code, _("Mã này đã có ở dòng %(r)s.") % {"r": rows[code].number}
            )
            continue
        rows[code] = source
        formula = _choice(sheet, code, source, "formula", Formula, FORMULA_ALIASES, Formula.MANUAL)
        indicator_code = _text_of(source, "indicator_code")
        indicator = indicators.get(indicator_code) if indicator_code else None
        if indicator_code and indicator is None:
            sheet.cell_error(
                code,
                source.number,
                "indicator_code",
                indicator_code,
                _("Phong trào không có chỉ tiêu mã này. Các mã đang có: %(c)s.") % {"c": ", ".join(indicators) or "—"},
            )
        steps = ()
        if formula == Formula.STEPPED and source.text("steps"):
            try:
                steps = parse_steps(_text_of(source, "steps"))
            except ValueError as exc:
                sheet.cell_error(code, source.number, "steps", source.text("steps"), str(exc))
            except ArithmeticError:  # a threshold or points with more digits than a Decimal holds
                sheet.cell_error(code, source.number, "steps", source.text("steps"), _("Số quá lớn."))
        drafts.append(
            CriterionDraft(
                code=code,
                name=_text_of(source, "name"),
                base_points=_decimal(sheet, code, source, "base_points"),
                kind=_choice(sheet, code, source, "kind", CriterionKind, KIND_ALIASES, CriterionKind.NORMAL),
                formula=formula,
                parent_code=_text_of(source, "parent_code"),
                indicator=indicator,
                steps=steps,
                points_per_item=_decimal(sheet, code, source, "points_per_item"),
                cap=_decimal(sheet, code, source, "cap"),
                evidence_required=_flag(sheet, code, source, "evidence_required"),
                guidance=_text_of(source, "guidance"),
            ).normalised()
        )
    # A cell found unreadable is not blamed twice (an unknown formula is not also "needs an indicator").
    follow = {
        "formula": ("formula", "indicator_code", "steps", "points_per_item"),
        "kind": ("kind", "formula", "evidence_required"),
        "base_points": ("base_points", "steps"),
    }
    for code, key in list(sheet.bad):
        sheet.bad.update((code, k) for k in follow.get(key, ()))
    _report(sheet, check_criteria(drafts, campaign_id), rows, CRITERION_FIELD_COLUMN)
    return drafts


def _classes(sheet: _Sheet) -> list[ClassDraft]:
    drafts: list[ClassDraft] = []
    rows: dict[str, object] = {}
    for source in sheet.rows:
        code = _text_of(source, "code")
        if code in rows:
            sheet.cell_error(
                code, source.number, "code", code, _("Mã này đã có ở dòng %(r)s.") % {"r": rows[code].number}
            )
            continue
        rows[code] = source
        drafts.append(
            ClassDraft(
                code=code,
                label=_text_of(source, "label"),
                min_total=_decimal(sheet, code, source, "min_total"),
                no_zero=_flag(sheet, code, source, "no_zero"),
                max_penalty=_decimal(sheet, code, source, "max_penalty"),
            ).normalised()
        )
    columns = {name: name for name in ("code", "label", "min_total", "no_zero", "max_penalty")}
    _report(sheet, check_classes(drafts), rows, columns)
    return drafts


def _tie_breaks(sheet: _Sheet, subject: str, criterion_codes: Sequence[str]) -> list[TieBreakDraft]:
    ordered: list[tuple[int, object]] = []
    seen: dict[int, int] = {}
    for index, source in enumerate(sheet.rows):
        text = source.text("order")
        position = index + 1
        if text:
            try:
                number = parse_number(source.raw.get("order"))
            except (ValueError, ArithmeticError):  # not a number, or more digits than a Decimal holds
                number = None
            if number is None or number != int(number) or number < 1:
                sheet.cell_error(str(index), source.number, "order", text, _("Thứ tự phải là số nguyên từ 1."))
            elif int(number) in seen:
                sheet.cell_error(
                    str(index),
                    source.number,
                    "order",
                    text,
                    _("Thứ tự này đã có ở dòng %(r)s.") % {"r": seen[int(number)]},
                )
            else:
                position = int(number)
                seen[position] = source.number
        ordered.append((position, source))
    ordered.sort(key=lambda pair: pair[0])
    drafts: list[TieBreakDraft] = []
    rows: dict[str, object] = {}
    for position, (_order, source) in enumerate(ordered, start=1):
        kind = _choice(sheet, str(position), source, "kind", TieBreak, TIE_BREAK_ALIASES, "")
        if not kind and not source.text("kind"):
            sheet.cell_error(str(position), source.number, "kind", "", _("Hãy chọn cách phân định."))
        rows[str(position)] = source
        drafts.append(
            TieBreakDraft(
                kind=kind,
                criterion_code=_text_of(source, "criterion_code"),
                threshold=_decimal(sheet, str(position), source, "threshold"),
            ).normalised()
        )
    problems = [
        p
        for p in check_tie_breaks(drafts, subject, criterion_codes)
        if p.field != "kind" or drafts[int(p.code) - 1].kind
    ]
    _report(sheet, problems, rows, TIE_BREAK_FIELD_COLUMN)
    return drafts


@dataclass
class _Parsed:
    criteria: list[CriterionDraft]
    classes: list[ClassDraft]
    tie_breaks: list[TieBreakDraft]


def _parse(table: ScoringTable, data: bytes, filename: str, errors: list[RowError]) -> _Parsed | None:
    try:
        workbook = read_workbook(data, filename)
    except ImportFileError as exc:
        errors.append(RowError(None, "", filename, exc.message))
        return None
    found: dict[str, tuple[str, tablib.Dataset]] = {}
    for title in (SHEET_CRITERIA, SHEET_CLASSES, SHEET_TIE_BREAKS):
        names = _names(title)
        match = next((name for name in workbook if fold(name) in names), None)
        if match is None:
            errors.append(
                RowError(
                    None,
                    "",
                    str(title),
                    _("Tệp không có trang “%(s)s”. Hãy dùng tệp tải về từ trang bảng điểm (các trang: %(all)s).")
                    % {
                        "s": title,
                        "all": ", ".join(f"“{t}”" for t in (SHEET_CRITERIA, SHEET_CLASSES, SHEET_TIE_BREAKS)),
                    },
                )
            )
        else:
            found[str(title)] = (match, workbook[match])
    if len(found) < 3:
        return None
    sheets = {
        key: _Sheet(found[str(title)][0], found[str(title)][1], columns)
        for key, title, columns in (
            ("criteria", SHEET_CRITERIA, CRITERION_COLUMNS),
            ("classes", SHEET_CLASSES, CLASS_COLUMNS),
            ("tie_breaks", SHEET_TIE_BREAKS, TIE_BREAK_COLUMNS),
        )
    }
    parsed = None
    if all(sheet.layout is not None for sheet in sheets.values()):
        indicators = {i.code: i for i in table.campaign.indicators.all()}
        criteria = _criteria(sheets["criteria"], table.campaign_id, indicators)
        classes = _classes(sheets["classes"])
        tie_breaks = _tie_breaks(sheets["tie_breaks"], table.subject, [d.code for d in criteria])
        parsed = _Parsed(criteria, classes, tie_breaks)
    for sheet in sheets.values():
        errors.extend(sorted(sheet.errors, key=lambda e: e.row or 0))
    return parsed


def _plan(table: ScoringTable, parsed: _Parsed) -> list[tuple[str, Changes]]:
    return [
        (str(SHEET_CRITERIA), apply_criteria(table, parsed.criteria, write=False)),
        (str(SHEET_CLASSES), apply_classes(table, parsed.classes, write=False)),
        (str(SHEET_TIE_BREAKS), apply_tie_breaks(table, parsed.tie_breaks, write=False)),
    ]


def _count(result: TableImportResult, parts: list[tuple[str, Changes]]) -> None:
    result.parts = parts
    result.new = sum(c.new for _t, c in parts)
    result.updated = sum(c.updated for _t, c in parts)
    result.unchanged = sum(c.unchanged for _t, c in parts)
    result.deleted = sum(c.deleted for _t, c in parts)


def import_table_xlsx(
    table: ScoringTable, file: Source, *, actor, dry_run: bool = False, filename: str | None = None
) -> TableImportResult:
    """Check (``dry_run``) or import a workbook in the layout of :func:`table_xlsx` into ``table``.

    Returns the counts of criteria, classes and tie-break steps that are new, changed, unchanged and deleted, and
    every bad cell (row, column, value, reason); writes nothing when any cell is bad, when the table is locked or
    when nothing changes. Raises ``PermissionDenied`` when ``actor`` may not edit the table. Side effects (when
    not a dry run and something changes): the table's criteria, classes and tie-breaks replaced in one
    transaction, with one audit event ``scoring.table.import`` holding the file's name and SHA-256.
    """
    require_change(actor, table)
    result = TableImportResult(dry_run=dry_run)
    filename = filename or Path(getattr(file, "name", None) or str(file)).name
    if is_locked(table):
        result.errors.append(RowError(None, "", "", locked_message(table)))
        return result
    data = _read_bytes(file)
    parsed = _parse(table, data, filename, result.errors)
    if parsed is None or result.errors:
        return result
    if dry_run:
        _count(result, _plan(table, parsed))
        return result
    try:
        with transaction.atomic():
            fresh = lock_for_edit(table, actor)
            parts = _plan(fresh, parsed)
            _count(result, parts)
            if not result.changed:
                return result
            apply_criteria(fresh, parsed.criteria)
            apply_classes(fresh, parsed.classes)
            apply_tie_breaks(fresh, parsed.tie_breaks)
            audit.record(
                actor=actor,
                action="scoring.table.import",
                obj=fresh,
                payload={
                    "filename": filename,
                    "sha256": file_digest(data),
                    "changes": {
                        title: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged, "deleted": c.deleted}
                        for title, c in parts
                    },
                },
            )
    except TableLocked as exc:
        result.errors.append(RowError(None, "", "", exc.message))
    return result
