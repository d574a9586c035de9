"""The yearly statistics of emulation and rewards that the province sends to the Ministry of Home Affairs (Bộ Nội
vụ), issue 7 item 7: the number of awards per form and subject kind (collective, individual, household), of which
women and people doing direct work, and the money, in a layout the board can replace.

**What is counted** for a year:

- every line of the issued decisions (signed, published or not) whose date of signing (``issued_on``) falls in the
  year, of every campaign and every issuing body, except awards revoked by a decided revocation (they no longer
  count, Law 06/2022 Art. 93). These carry gender, direct work and money;
- the awards imported from the board's register (``AwardRecord`` with source ``imported``) of that year and not
  revoked. They carry the form and the subject kind, not gender, direct work nor money: they count in the totals
  (``count <form>``, ``count <form> individual`` …) and never in ``female``, ``male``, ``direct_worker`` nor
  ``amount``. The default layout says so in a note. Records entered from the product's own signed decisions are
  not counted twice.

**The template** is an XLSX workbook. Any cell may hold placeholders ``{{ … }}``; a cell that is exactly one
placeholder becomes a number (or the province's name), a cell with text around placeholders stays text with the
values written in. The grammar (words separated by spaces, lower case)::

    {{ year }}                                  the year
    {{ province }}                              the province's name (the root of the unit tree)
    {{ count FORM [SUBJECT] [FILTER ...] }}     a number of awards
    {{ amount FORM [SUBJECT] }}                 money in đồng (issued decisions only)

    FORM     an award form code, as in the rule sets (bang_khen_tinh, giay_khen_so, giay_khen_xa, …) or in the
             imported register, or ``all`` (every form)
    SUBJECT  collective | individual | household | all   (default: all)
    FILTER   female | male | direct_worker               (individuals only; female and male exclude each other)

For instance ``{{ count bang_khen_tinh individual female }}``, ``{{ amount all }}``. A workbook is refused, as a
whole and with nothing stored, when a placeholder is not understood (the Vietnamese message names the sheet, the
cell and the placeholder), when a cell holds a formula (totals are placeholders with ``all``: a formula would be
written to the export as is), or when the file is not a valid XLSX within ``THIDUA_STATISTICS_TEMPLATE_MAX_BYTES``
(default 2 MB). Every value written into the export passes through ``workflows.exports.escape_formula``.

The default layout (:func:`default_template_xlsx`) follows the Ministry's yearly statistics table: one row per
award form, columns for the total, collectives, individuals, of which women, of which direct workers, households
and money. The board can replace it by uploading its own (``upload_template``), switch between stored templates or
back to the default (``activate_template``); each upload and each change is one audit event with the file's
SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competition.enums import SubjectKind
from competition.models import AwardType, Unit
from competition.scoping import scope
from workflows import audit
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.exports import escape_formula

from ..enums import AwardSource, Gender
from ..models import Award, AwardRecord, StatisticsTemplate
from .summary import issued_awards

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a zip that would inflate beyond this is refused (a "zip bomb")
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
ALL = "all"
SUBJECTS = {
    "collective": SubjectKind.COLLECTIVE,
    "individual": SubjectKind.INDIVIDUAL,
    "household": SubjectKind.HOUSEHOLD,
}
FILTERS = ("female", "male", "direct_worker")
MONEY_FORMAT = "#,##0"
DEFAULT_TEMPLATE_NAME = "mau-thong-ke-khen-thuong.xlsx"


def max_template_bytes() -> int:
    return int(getattr(settings, "THIDUA_STATISTICS_TEMPLATE_MAX_BYTES", MAX_TEMPLATE_BYTES))


# --- The figures of a year -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Awards of one form and subject kind with the same gender and direct work, from one source."""

    form: str
    subject: str
    gender: str  # "" when unknown (always for imported records)
    direct_worker: bool | None  # None when unknown (imported records)
    imported: bool
    count: int
    amount: int


@dataclass
class YearStatistics:
    year: int
    province: str
    groups: list[Group]
    forms: dict[str, str]  # every known form code → its name, in order (rule sets' forms first)

    def _matching(self, form: str, subject: str, filters: tuple[str, ...] = ()):
        for g in self.groups:
            if form != ALL and g.form != form:
                continue
            if subject != ALL and g.subject != SUBJECTS[subject]:
                continue
            if "female" in filters and g.gender != Gender.FEMALE:
                continue
            if "male" in filters and g.gender != Gender.MALE:
                continue
            if "direct_worker" in filters and not g.direct_worker:
                continue
            yield g

    def count(self, form: str = ALL, subject: str = ALL, filters: tuple[str, ...] = ()) -> int:
        return sum(g.count for g in self._matching(form, subject, filters))

    def amount(self, form: str = ALL, subject: str = ALL) -> int:
        return sum(g.amount for g in self._matching(form, subject) if not g.imported)

    @property
    def imported(self) -> int:
        return sum(g.count for g in self.groups if g.imported)

    def rows(self) -> list[StatisticsRow]:
        """One row per form that has awards in the year (in the forms' order), for the page."""
        present = {g.form for g in self.groups}
        return [StatisticsRow(self, code, name) for code, name in self.forms.items() if code in present]

    def total_row(self) -> StatisticsRow:
        return StatisticsRow(self, ALL, _("Tổng cộng"))


@dataclass
class StatisticsRow:
    """One award form's figures in the year (the page's table)."""

    stats: YearStatistics = field(repr=False)
    code: str
    name: str

    @property
    def total(self) -> int:
        return self.stats.count(self.code)

    @property
    def collective(self) -> int:
        return self.stats.count(self.code, "collective")

    @property
    def individual(self) -> int:
        return self.stats.count(self.code, "individual")

    @property
    def household(self) -> int:
        return self.stats.count(self.code, "household")

    @property
    def female(self) -> int:
        return self.stats.count(self.code, "individual", ("female",))

    @property
    def direct_worker(self) -> int:
        return self.stats.count(self.code, "individual", ("direct_worker",))

    @property
    def amount(self) -> int:
        return self.stats.amount(self.code)

    @property
    def imported(self) -> int:
        return sum(g.count for g in self.stats.groups if g.imported and self.code in (ALL, g.form))


def known_forms() -> dict[str, str]:
    """Every award form code the product knows, with its name: the rule sets' forms (the most recent rule set's
    name, in their order), then the forms of the imported register. Two queries."""
    forms: dict[str, str] = {}
    rows = AwardType.objects.order_by("order", "code", "-rule_set__valid_from").values_list("code", "name")
    for code, name in rows:
        forms.setdefault(code, name)
    imported = (
        AwardRecord.objects.values("award_type_code").annotate(name=Max("award_name")).order_by("award_type_code")
    )
    for row in imported:
        forms.setdefault(row["award_type_code"], row["name"] or row["award_type_code"])
    return forms


def province_name() -> str:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return root.name if root else ""


def year_statistics(year: int, *, user, awards: QuerySet | None = None, records: QuerySet | None = None):
    """The figures of ``year`` as ``user`` may see them (the board and auditors see every unit). ``awards`` and
    ``records`` default to ``user``'s scoped ``Award`` and ``AwardRecord``. Five queries. No side effects."""
    awards = scope(user, Award.objects.all()) if awards is None else awards
    records = scope(user, AwardRecord.objects.all()) if records is None else records
    groups: list[Group] = []
    decided = (
        issued_awards(None, awards)
        .filter(decision__issued_on__year=year)
        .values("decision__award_type__code", "subject_kind", "nominee__gender", "nominee__direct_worker")
        .annotate(n=Count("pk"), money=Sum("amount"))
        .order_by()
    )
    for row in decided:
        groups.append(
            Group(
                form=row["decision__award_type__code"],
                subject=row["subject_kind"],
                gender=row["nominee__gender"] or "",
                direct_worker=bool(row["nominee__direct_worker"]),
                imported=False,
                count=row["n"],
                amount=row["money"] or 0,
            )
        )
    imported = (
        records.filter(source=AwardSource.IMPORTED, year=year, revoked_on__isnull=True)
        .values("award_type_code", "subject_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in imported:
        groups.append(Group(row["award_type_code"], row["subject_kind"], "", None, True, row["n"], 0))
    return YearStatistics(year=year, province=province_name(), groups=groups, forms=known_forms())


def statistics_years(*, user) -> list[int]:
    """The years that have awards (issued decisions or imported records), and the current year, latest first."""
    years = {timezone.localdate().year}
    years.update(
        issued_awards(None, scope(user, Award.objects.all()))
        .filter(decision__issued_on__isnull=False)
        .annotate(issued_year=ExtractYear("decision__issued_on"))
        .values_list("issued_year", flat=True)
        .distinct()
    )
    years.update(
        scope(user, AwardRecord.objects.all())
        .filter(source=AwardSource.IMPORTED)
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


# --- Placeholders ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A parsed placeholder."""

    kind: str  # "year" | "province" | "count" | "amount"
    form: str = ALL
    subject: str = ALL
    filters: tuple[str, ...] = ()

    def value(self, stats: YearStatistics):
        if self.kind == "year":
            return stats.year
        if self.kind == "province":
            return stats.province
        if self.kind == "count":
            return stats.count(self.form, self.subject, self.filters)
        return stats.amount(self.form, self.subject)


class PlaceholderError(ValueError):
    """Why a placeholder is not understood (a Vietnamese sentence)."""


def parse_placeholder(text: str, forms: set[str]) -> Term:
    """The term of the placeholder whose inside (between the braces) is ``text``; raises
    :class:`PlaceholderError` saying what is wrong. ``forms``: the award form codes that exist."""
    words = text.split()
    if not words:
        raise PlaceholderError(_("chỗ điền trống."))
    head, rest = words[0], words[1:]
    if head in ("year", "province"):
        if rest:
            raise PlaceholderError(_("“%(word)s” không nhận thêm từ nào.") % {"word": head})
        return Term(head)
    if head not in ("count", "amount"):
        raise PlaceholderError(
            _("không hiểu “%(word)s”: chỗ điền bắt đầu bằng year, province, count hoặc amount.") % {"word": head}
        )
    if not rest:
        raise PlaceholderError(
            _("thiếu mã hình thức khen thưởng sau “%(word)s” (ví dụ bang_khen_tinh, hoặc all).") % {"word": head}
        )
    form, rest = rest[0], rest[1:]
    if form != ALL and form not in forms:
        raise PlaceholderError(
            _("không có hình thức khen thưởng mã “%(code)s” (các mã hiện có: %(codes)s).")
            % {"code": form, "codes": ", ".join(sorted(forms)) or "—"}
        )
    subject = ALL
    if rest and (rest[0] in SUBJECTS or rest[0] == ALL):
        subject, rest = rest[0], rest[1:]
    filters: list[str] = []
    for word in rest:
        if word in SUBJECTS or word == ALL:
            raise PlaceholderError(_("đối tượng “%(word)s” phải đứng ngay sau mã hình thức.") % {"word": word})
        if word not in FILTERS:
            raise PlaceholderError(
                _(
                    "không hiểu “%(word)s”: đối tượng là collective, individual, household hoặc all; điều kiện là "
                    "female, male hoặc direct_worker."
                )
                % {"word": word}
            )
        if word in filters:
            raise PlaceholderError(_("điều kiện “%(word)s” bị lặp.") % {"word": word})
        filters.append(word)
    if filters and head == "amount":
        raise PlaceholderError(_("tiền thưởng (amount) không chia theo giới tính hay lao động trực tiếp."))
    if filters and subject != "individual":
        raise PlaceholderError(
            _("điều kiện %(filters)s chỉ dùng với đối tượng individual (cá nhân).") % {"filters": ", ".join(filters)}
        )
    if "female" in filters and "male" in filters:
        raise PlaceholderError(_("không thể vừa female vừa male."))
    return Term(head, form, subject, tuple(filters))


@dataclass
class Fill:
    """What to write into one cell: ``whole`` when the cell is exactly one placeholder (its value as is), else the
    text with each placeholder replaced."""

    sheet: str
    coordinate: str
    text: str
    terms: list[tuple[str, Term]]  # (placeholder as written, term)

    @property
    def whole(self) -> Term | None:
        if len(self.terms) == 1 and self.text.strip() == self.terms[0][0]:
            return self.terms[0][1]
        return None

    def value(self, stats: YearStatistics):
        whole = self.whole
        if whole is not None:
            return whole.value(stats)
        text = self.text
        for written, term in self.terms:
            value = term.value(stats)
            text = text.replace(written, str(value), 1)
        return text


def _cell_problem(sheet: str, coordinate: str, placeholder: str, reason: str) -> str:
    return _("Trang tính “%(sheet)s”, ô %(cell)s: chỗ điền “%(placeholder)s” không hợp lệ: %(reason)s") % {
        "sheet": sheet,
        "cell": coordinate,
        "placeholder": placeholder,
        "reason": reason,
    }


def scan_workbook(workbook, forms: set[str]) -> tuple[list[Fill], list[str]]:
    """Every cell of ``workbook`` to fill, and every problem (an unknown placeholder, unbalanced braces, a formula),
    each naming its sheet and cell."""
    fills: list[Fill] = []
    problems: list[str] = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if cell.data_type == "f":
                    problems.append(
                        _(
                            "Trang tính “%(sheet)s”, ô %(cell)s: mẫu không được chứa công thức (“%(formula)s”); dòng "
                            "tổng hãy dùng chỗ điền với all, ví dụ “{{ count all individual }}”."
                        )
                        % {"sheet": sheet.title, "cell": cell.coordinate, "formula": str(value)[:60]}
                    )
                    continue
                if not isinstance(value, str) or ("{{" not in value and "}}" not in value):
                    continue
                terms = []
                for match in PLACEHOLDER.finditer(value):
                    try:
                        terms.append((match.group(0), parse_placeholder(match.group(1), forms)))
                    except PlaceholderError as exc:
                        problems.append(_cell_problem(sheet.title, cell.coordinate, match.group(0), str(exc)))
                leftover = PLACEHOLDER.sub("", value)
                if "{{" in leftover or "}}" in leftover:
                    problems.append(
                        _cell_problem(
                            sheet.title,
                            cell.coordinate,
                            value.strip()[:80],
                            _("thiếu dấu mở “{{” hoặc dấu đóng “}}”."),
                        )
                    )
                elif terms:
                    fills.append(Fill(sheet.title, cell.coordinate, value, terms))
    return fills, problems


# --- Reading and checking a workbook -----------------------------------------------------------------------------


def _too_big(name: str, size: int, limit: int) -> str:
    return _("Tệp “%(name)s” quá lớn (%(size)s MB): mẫu thống kê tối đa %(limit)s MB.") % {
        "name": name,
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{limit / 1024 / 1024:g}",
    }


def read_upload(upload) -> tuple[str, bytes]:
    """The name and content of an uploaded file, refused when empty or over the size limit."""
    name = PurePath(getattr(upload, "name", "") or "mau-thong-ke.xlsx").name
    limit = max_template_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise TransitionRefused(_too_big(name, size, limit))
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise TransitionRefused(_too_big(name, len(content), limit))
    if not content:
        raise TransitionRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    return name, content


def load_xlsx(name: str, content: bytes):
    """The openpyxl workbook of ``content``, checked by its content whatever its name: a zip archive holding an
    Excel workbook, without macros, that does not inflate beyond a sane size, and that openpyxl opens. Raises
    ``TransitionRefused`` naming the file otherwise."""
    from openpyxl import load_workbook

    not_xlsx = _("Tệp “%(name)s” không phải bảng tính Excel (XLSX): nội dung tệp không đúng định dạng.") % {
        "name": name
    }
    if not content.startswith(b"PK"):
        raise TransitionRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TransitionRefused(not_xlsx) from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise TransitionRefused(not_xlsx)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise TransitionRefused(
            _("Tệp “%(name)s” có macro: hãy lưu mẫu thành bảng tính Excel thường (.xlsx).") % {"name": name}
        )
    if inflated > MAX_UNZIPPED_BYTES:
        raise TransitionRefused(_("Tệp “%(name)s” giải nén ra quá lớn.") % {"name": name})
    try:
        return load_workbook(io.BytesIO(content))
    except Exception:  # openpyxl raises many kinds on a broken workbook; any of them means "not readable"
        raise TransitionRefused(not_xlsx) from None


def check_template(name: str, content: bytes, forms: set[str] | None = None):
    """The workbook and its cells to fill; ``TransitionRefused`` with every problem when it is not a usable
    template."""
    workbook = load_xlsx(name, content)
    fills, problems = scan_workbook(workbook, set(known_forms()) if forms is None else forms)
    if problems:
        raise TransitionRefused(
            _("Mẫu thống kê “%(name)s” chưa dùng được, chưa lưu gì:") % {"name": name}, reasons=problems
        )
    if not fills:
        raise TransitionRefused(
            _("Mẫu thống kê “%(name)s” không có chỗ điền nào (ví dụ “{{ count all individual }}”), chưa lưu gì.")
            % {"name": name}
        )
    return workbook, fills


# --- Rendering ---------------------------------------------------------------------------------------------------


def render(name: str, content: bytes, stats: YearStatistics) -> bytes:
    """``content`` (a template) with every placeholder filled from ``stats``; every value written passes through
    ``escape_formula``. Raises ``TransitionRefused`` when the template is not usable (e.g. a form it names no longer
    exists)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook, fills = check_template(name, content, set(stats.forms))
    for fill in fills:
        cell = workbook[fill.sheet][fill.coordinate]
        value = fill.value(stats)
        if isinstance(value, str):
            value = escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.value = value
        whole = fill.whole
        if whole is not None and whole.kind == "amount" and cell.number_format == "General":
            cell.number_format = MONEY_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def default_template_xlsx(forms: dict[str, str] | None = None) -> bytes:
    """The default layout, in the shape of the Ministry's yearly statistics table: a title with the year and the
    province, a note, one row per award form (``forms``, default every known form) and a total row; columns: total,
    collectives, individuals, of which women, of which direct workers, households, money. Its cells are
    placeholders; the board may download it, change it and upload it as its own. No side effects."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    forms = known_forms() if forms is None else forms
    with translation.override("vi"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Thống kê khen thưởng")
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        wrap = Alignment(wrap_text=True, vertical="center")
        center = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header = [
            _("STT"),
            _("Hình thức khen thưởng"),
            _("Tổng số"),
            _("Tập thể"),
            _("Cá nhân"),
            _("Trong đó: nữ"),
            _("Trong đó: trực tiếp lao động, công tác"),
            _("Hộ gia đình"),
            _("Tiền thưởng (đồng)"),
        ]
        width = len(header)
        for n, w in enumerate((6, 46, 10, 10, 10, 10, 16, 10, 18), start=1):
            sheet.column_dimensions[chr(64 + n)].width = w
        sheet.append(["{{ province }}"])
        sheet.append([_("THỐNG KÊ KẾT QUẢ KHEN THƯỞNG NĂM %(year)s") % {"year": "{{ year }}"}])
        sheet.append(
            [
                _(
                    "Bố cục theo biểu thống kê khen thưởng hằng năm gửi Bộ Nội vụ; Ban Thi đua - Khen thưởng có thể "
                    "thay bằng mẫu của mình. Số liệu gồm khen thưởng của các quyết định đã ký có ngày ký trong năm và "
                    "khen thưởng nhập từ sổ theo dõi khen thưởng của năm; khen thưởng nhập từ sổ không có giới tính, "
                    "lao động trực tiếp và tiền thưởng nên chỉ được tính vào tổng số và số tập thể, cá nhân, hộ gia "
                    "đình. Khen thưởng đã bị thu hồi không được tính."
                )
            ]
        )
        for row in (1, 2, 3):
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            sheet.cell(row, 1).alignment = center if row < 3 else wrap
        sheet.cell(1, 1).font = Font(bold=True)
        sheet.cell(2, 1).font = Font(bold=True, size=13)
        sheet.cell(3, 1).font = Font(italic=True, size=9)
        sheet.row_dimensions[3].height = 48
        sheet.append([])
        sheet.append(header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font, cell.alignment, cell.border = Font(bold=True), center, border

        def placeholders(code: str) -> list[str]:
            return [
                f"{{{{ count {code} }}}}",
                f"{{{{ count {code} collective }}}}",
                f"{{{{ count {code} individual }}}}",
                f"{{{{ count {code} individual female }}}}",
                f"{{{{ count {code} individual direct_worker }}}}",
                f"{{{{ count {code} household }}}}",
                f"{{{{ amount {code} }}}}",
            ]

        for n, (code, name) in enumerate(forms.items(), start=1):
            sheet.append([n, name, *placeholders(code)])
        sheet.append(["", _("Tổng cộng"), *placeholders(ALL)])
        for row in sheet.iter_rows(min_row=header_row + 1, max_row=sheet.max_row):
            for cell in row:
                cell.border = border
                cell.alignment = wrap if cell.column == 2 else center
                if cell.column == width:
                    cell.number_format = MONEY_FORMAT
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


# --- The board's templates -----------------------------------------------------------------------------------------


def _require(actor, message: str) -> None:
    if not getattr(actor, "is_system", False) and not actor.has_perm("nominations.change_statisticstemplate"):
        raise TransitionForbidden(message)


def _real_user(actor):
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def active_template() -> StatisticsTemplate | None:
    return StatisticsTemplate.objects.filter(active=True).first()


def template_content(template: StatisticsTemplate | None) -> tuple[str, bytes]:
    """The name and content of ``template``, or of the default layout when None."""
    if template is None:
        return DEFAULT_TEMPLATE_NAME, default_template_xlsx()
    with template.file.open("rb") as handle:
        return template.name, handle.read()


def upload_template(upload, *, actor, name: str = "") -> StatisticsTemplate:
    """Store the board's own layout and make it the active one. Checked first, as a whole (the size, an XLSX by
    its content, every placeholder understood, no formula): any problem refuses the upload with every reason and
    stores nothing. Refuses a file identical to a stored template (activate that one instead).

    Permission: ``nominations.change_statisticstemplate`` (the board). Side effects: the file stored, one
    ``StatisticsTemplate`` row (active, the previous one no longer), one audit event
    ``nominations.statistics_template.upload`` with its SHA-256.
    """
    _require(actor, _("Chỉ Ban Thi đua - Khen thưởng được tải lên mẫu thống kê."))
    filename, content = read_upload(upload)
    check_template(filename, content)
    digest = hashlib.sha256(content).hexdigest()
    label = (name or "").strip()[:255] or filename
    with transaction.atomic():
        same = StatisticsTemplate.objects.select_for_update().filter(sha256=digest).first()
        if same is not None:
            raise TransitionRefused(
                _("Tệp này giống hệt mẫu “%(name)s” đã lưu: hãy chọn dùng mẫu đó.") % {"name": same.name}
            )
        previous = StatisticsTemplate.objects.select_for_update().filter(active=True).first()
        if previous is not None:
            previous.active = False
            previous.save(update_fields=["active"])
        template = StatisticsTemplate(
            name=label, sha256=digest, uploaded_by=_real_user(actor), uploaded_at=timezone.now(), active=True
        )
        template.file.save(f"{digest[:16]}.xlsx", ContentFile(content), save=False)
        template.save()
        audit.record(
            actor=actor,
            action="nominations.statistics_template.upload",
            obj=template,
            payload={
                "name": label,
                "file": filename,
                "size": len(content),
                "sha256": digest,
                "active": True,
                "replaces": previous.sha256 if previous else "",
            },
        )
    return template


def activate_template(template: StatisticsTemplate | None, *, actor) -> StatisticsTemplate | None:
    """Make ``template`` the active layout, or go back to the default layout when None. Nothing happens when it
    already is. Permission as :func:`upload_template`. Side effects: the ``active`` flags; one audit event
    ``nominations.statistics_template.activate`` (or ``.deactivate`` back to the default) with the SHA-256 of the
    template now in use and of the one before."""
    _require(actor, _("Chỉ Ban Thi đua - Khen thưởng được chọn mẫu thống kê."))
    with transaction.atomic():
        previous = StatisticsTemplate.objects.select_for_update().filter(active=True).first()
        if template is not None:
            template = StatisticsTemplate.objects.select_for_update().get(pk=template.pk)
        if (previous and previous.pk) == (template and template.pk):
            return template
        if previous is not None:
            previous.active = False
            previous.save(update_fields=["active"])
        payload = {"replaces": previous.sha256 if previous else "", "replaces_name": previous.name if previous else ""}
        if template is None:
            audit.record(
                actor=actor,
                action="nominations.statistics_template.deactivate",
                obj=previous,
                payload={**payload, "sha256": ""},
            )
            return None
        template.active = True
        template.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="nominations.statistics_template.activate",
            obj=template,
            payload={**payload, "name": template.name, "sha256": template.sha256},
        )
    return template


def statistics_xlsx(year: int, *, user, template: StatisticsTemplate | None = None) -> bytes:
    """The statistics of ``year`` in ``template`` (default: the active template, or the default layout). No side
    effects."""
    template = template or active_template()
    name, content = template_content(template)
    return render(name, content, year_statistics(year, user=user))


def export_filename(year: int) -> str:
    return f"thong-ke-khen-thuong-{year}.xlsx"
