"""Importing a dossier's list of nominees from a file (issue 6, item 2): the same checks as adding one by hand.

One row of the file is one person, collective or household proposed in the dossier (columns: ``NOMINEE_COLUMNS``;
see docs/import-nominees.md). Rules kept here:

- only while the dossier can be edited (draft or returned), by the clerk of the proposing unit — the permission
  of adding a nominee (``nominations.change_dossier``);
- each row is read (kind, gender and yes/no labels with or without diacritics; dates as dd/mm/yyyy, yyyy-mm-dd or
  date cells; a collective that is a unit named by its code) and then checked by
  :func:`nominations.services.dossiers.add_nominee` itself, so every rule of a nominee added by hand (personal
  key, dissolved units, duplicates in the campaign, and whatever is added there later) holds for the file too;
- a person or collective appears once in the file (the canonical key of domain rule 3, or the ID number);
- all or nothing: every row is checked, inside one transaction that is rolled back when any row is bad (or for a
  dry run), and every problem is reported with its row (header = row 1), column, value and reason;
- re-importing the same file adds nobody: a row whose canonical key is already in the dossier is counted
  unchanged and left as it is;
- one audit event ``nominations.nominee.import`` on the dossier (file name, SHA-256, counts; no personal data)
  besides the event ``add_nominee`` writes for each nominee; nothing is written, not even an event, when nothing
  is new.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import Unit
from competition.resources import DATE_FORMATS, choice_lookup, fold
from competition.services.tables import (
    Column,
    ImportCounts,
    Layout,
    RowError,
    Source,
    SourceRow,
    column_letter,
    file_digest,
    iter_rows,
    open_columns,
)
from workflows import audit
from workflows.exceptions import TransitionForbidden, TransitionRefused

from ..enums import Gender, NomineeKind
from ..models import Dossier
from ..rules import OPEN_FOR_CHANGES
from .dossiers import DuplicateNominee, add_nominee, canonical_key

IMPORT_ACTION = "nominations.nominee.import"

NOMINEE_COLUMNS: tuple[Column, ...] = (
    Column(
        "kind",
        gettext_lazy("Loại"),
        ("loai doi tuong", "doi tuong", "ca nhan tap the"),
        required=True,
        help=gettext_lazy("Cá nhân, Tập thể hoặc Hộ gia đình."),
    ),
    Column(
        "name",
        gettext_lazy("Họ và tên / Tên tập thể"),
        ("ho va ten", "ho ten", "ten tap the", "ho ten ten tap the", "ten"),
        required=True,
        help=gettext_lazy(
            "Bắt buộc; với tập thể là một đơn vị có mã, để trống thì lấy tên của đơn vị đó. Tối đa 255 ký tự."
        ),
    ),
    Column("gender", gettext_lazy("Giới tính"), ("gioi",), help=gettext_lazy("Nam hoặc Nữ; tập thể để trống.")),
    Column(
        "birth_date",
        gettext_lazy("Ngày sinh"),
        ("ngay thang nam sinh", "birth date"),
        help=gettext_lazy(
            "Ngày/tháng/năm (02/04/1985) hoặc 1985-04-02. Cá nhân cần ngày sinh hoặc số định danh; tập thể để trống."
        ),
    ),
    Column(
        "id_number",
        gettext_lazy("Số định danh"),
        ("so dinh danh ca nhan", "so dinh danh khong bat buoc", "so cccd", "cccd", "can cuoc cong dan", "id number"),
        help=gettext_lazy("Không bắt buộc. Số định danh cá nhân (12 chữ số); định dạng ô là văn bản để giữ số 0."),
    ),
    Column("position", gettext_lazy("Chức vụ"), ("chuc danh",), help=gettext_lazy("Tối đa 255 ký tự.")),
    Column(
        "work_unit",
        gettext_lazy("Đơn vị công tác"),
        ("noi cong tac", "co quan don vi"),
        help=gettext_lazy("Của cá nhân; với tập thể: cơ quan, đơn vị cấp trên của tập thể. Tối đa 255 ký tự."),
    ),
    Column(
        "unit_code",
        gettext_lazy("Mã đơn vị"),
        ("ma dv", "ma don vi tap the"),
        help=gettext_lazy("Chỉ cho tập thể là một đơn vị trong danh mục đơn vị; đơn vị phải còn hoạt động."),
    ),
    Column(
        "direct_worker",
        gettext_lazy("Trực tiếp lao động, công tác"),
        ("truc tiep lao dong cong tac co khong", "truc tiep lao dong", "truc tiep", "direct worker"),
        help=gettext_lazy("Có hoặc Không (để trống là Không)."),
    ),
    Column("achievement", gettext_lazy("Tóm tắt thành tích"), ("thanh tich",)),
)
NOMINEE_COLUMN = {c.key: c for c in NOMINEE_COLUMNS}
ID_DIGITS = 12  # số định danh cá nhân (Luật Căn cước 2023)
MAX_LENGTHS = {"name": 255, "id_number": 20, "position": 255, "work_unit": 255}
YES = frozenset({"co", "x", "1", "true", "yes", "dung"})
NO = frozenset({"", "khong", "0", "false", "no", "sai"})


def max_rows() -> int:
    """The most data rows one file may hold (``THIDUA_NOMINEE_IMPORT_MAX_ROWS``, default 300): the whole file is
    checked inside one write transaction, at about 25 ms a row on SQLite (add_nominee's own queries), and web
    writes wait at most 20 s for the lock."""
    return int(getattr(settings, "THIDUA_NOMINEE_IMPORT_MAX_ROWS", 300))


@dataclass
class NomineeImportResult(ImportCounts):
    rows: int = 0  # data rows read (blank ones excluded)
    nominees: list[int] = field(default_factory=list)  # the nominees added (after a real import)


@dataclass
class _Row:
    number: int
    fields: dict
    texts: dict[str, str]
    key: str = ""


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


def _is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def require_importable(dossier: Dossier, actor) -> Dossier:
    """The dossier (read again) when ``actor`` may add nominees to it now; else ``TransitionRefused`` (the dossier
    is no longer with its unit) or ``TransitionForbidden`` (not the proposing unit's clerk)."""
    fresh = Dossier.objects.select_related("campaign", "unit").get(pk=dossier.pk)
    if fresh.state not in OPEN_FOR_CHANGES:
        raise TransitionRefused(
            _(
                "Hồ sơ “%(d)s” đang ở trạng thái “%(s)s”: chỉ nhập danh sách khi hồ sơ đang soạn hoặc bị trả lại "
                "để bổ sung."
            )
            % {"d": fresh, "s": fresh.get_state_display()}
        )
    if not _is_system(actor) and not actor.has_perm("nominations.change_dossier", fresh):
        raise TransitionForbidden(
            _("Chỉ cán bộ thi đua của “%(unit)s” được nhập danh sách vào hồ sơ “%(d)s”.")
            % {"unit": fresh.unit, "d": fresh}
        )
    return fresh


# --- Reading one row -------------------------------------------------------------------------------------------


def _labels(choices) -> str:
    with translation.override("vi"):
        return "; ".join(str(label) for _value, label in choices.choices)


def _date(raw: object, text: str) -> date | None:
    """A date cell, or text as dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy) or yyyy-mm-dd; None when it is neither."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _text(source: SourceRow, key: str) -> str:
    """A cell as text in Unicode NFC (a file typed with decomposed diacritics is stored composed), spaces
    collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", source.text(key))).strip()


def _read_row(source: SourceRow, layout: Layout, units: dict[str, Unit], errors: list[RowError]) -> _Row | None:
    """The row as keyword arguments of ``add_nominee``, or None when a cell cannot be read (reported in
    ``errors``)."""
    texts = {key: _text(source, key) for key in NOMINEE_COLUMN}
    bad = False

    def error(key: str, message: str, value: str | None = None) -> None:
        nonlocal bad
        bad = True
        errors.append(
            RowError(source.number, layout.label(NOMINEE_COLUMN[key]), texts[key] if value is None else value, message)
        )

    kind = choice_lookup(NomineeKind).get(fold(texts["kind"]))
    if not texts["kind"]:
        error("kind", _("Thiếu loại: ghi một trong %(labels)s.") % {"labels": _labels(NomineeKind)})
    elif kind is None:
        error(
            "kind",
            _("Loại không có trong danh mục. Hãy dùng một trong: %(labels)s.") % {"labels": _labels(NomineeKind)},
        )
    collective = kind == NomineeKind.COLLECTIVE

    unit = None
    if texts["unit_code"]:
        unit = units.get(texts["unit_code"])
        if kind is not None and not collective:
            error("unit_code", _("Mã đơn vị chỉ ghi cho tập thể là một đơn vị; cá nhân, hộ gia đình để trống."))
        elif unit is None:
            error("unit_code", _("Không có đơn vị nào mang mã này trong danh mục đơn vị."))

    name = texts["name"] or (unit.name if unit is not None and collective else "")
    if not name:
        error("name", _("Thiếu họ và tên (hoặc tên tập thể)."))

    gender = ""
    if texts["gender"]:
        gender = choice_lookup(Gender).get(fold(texts["gender"]))
        if collective:
            error("gender", _("Tập thể không có giới tính: để trống ô này."))
        elif gender is None:
            error("gender", _("Giới tính không hợp lệ. Hãy ghi một trong: %(labels)s.") % {"labels": _labels(Gender)})

    birth_date = None
    if texts["birth_date"]:
        birth_date = _date(source.raw.get("birth_date"), texts["birth_date"])
        if collective:
            error("birth_date", _("Tập thể không có ngày sinh: để trống ô này."))
        elif birth_date is None:
            error(
                "birth_date",
                _("Ngày không hợp lệ: hãy ghi theo dạng ngày/tháng/năm (02/04/1985) hoặc 1985-04-02."),
            )
        elif birth_date > timezone.localdate():
            error("birth_date", _("Ngày sinh ở sau ngày hôm nay."))

    id_number = texts["id_number"].replace(" ", "")
    if id_number:
        if collective:
            error("id_number", _("Tập thể không có số định danh cá nhân: để trống ô này."))
        elif not (id_number.isascii() and id_number.isdigit() and len(id_number) == ID_DIGITS):
            error(
                "id_number",
                _(
                    "Số định danh cá nhân gồm đúng %(n)s chữ số. Nếu ô ở dạng số, Excel đã bỏ các chữ số 0 ở đầu: "
                    "hãy định dạng ô là văn bản (Text) rồi ghi lại."
                )
                % {"n": ID_DIGITS},
            )

    folded = fold(texts["direct_worker"])
    direct_worker = folded in YES
    if folded not in YES | NO:
        error("direct_worker", _("Hãy ghi “Có” hoặc “Không” (để trống là Không)."))

    for key, limit in MAX_LENGTHS.items():
        value = name if key == "name" else texts[key]
        if len(value) > limit:
            error(
                key,
                _("Dài %(n)s ký tự, vượt quá %(max)s ký tự.") % {"n": len(value), "max": limit},
                value=value[:60] + "…",
            )

    if bad:
        return None
    fields = {
        "kind": kind,
        "name": name,
        "gender": gender or "",
        "birth_date": birth_date,
        "id_number": id_number,
        "position": texts["position"],
        "work_unit": texts["work_unit"],
        "collective_unit": unit,
        "direct_worker": direct_worker,
        "achievement": texts["achievement"],
    }
    row = _Row(source.number, fields, texts)
    if kind != NomineeKind.INDIVIDUAL or birth_date or id_number:  # else add_nominee refuses it: no key yet
        row.key = canonical_key(
            kind=kind,
            name=name,
            birth_date=birth_date,
            id_number=id_number,
            collective_unit=unit,
            work_unit=texts["work_unit"],
        )
    return row


def _refusal_column(row: _Row, exc: TransitionRefused) -> str:
    """The column a refusal of ``add_nominee`` is about, from the conditions it checks (its messages name no
    field): a duplicate found by ID number → the ID column; a person without birth date or ID number → the birth
    date; a dissolved collective → its unit code; anything else is about who is nominated → the name."""
    f = row.fields
    if isinstance(exc, DuplicateNominee):
        same_id = f["id_number"] and exc.other.id_number == f["id_number"]
        return "id_number" if same_id and exc.other.canonical_key != row.key else "name"
    if f["kind"] == NomineeKind.INDIVIDUAL and not f["birth_date"] and not f["id_number"]:
        return "birth_date"
    if f["collective_unit"] is not None and f["collective_unit"].is_dissolved:
        return "unit_code"
    return "name"


# --- The import ------------------------------------------------------------------------------------------------


def import_nominees(
    dossier: Dossier, source: Source, *, actor, dry_run: bool = False, filename: str | None = None
) -> NomineeImportResult:
    """Check (``dry_run``) or import a file (XLSX or UTF-8 CSV) of nominees into ``dossier``, all or nothing.

    Returns the number of nominees new and unchanged (already in the dossier with the same canonical key), and
    every bad row as a ``RowError`` (row, column, value, reason). Raises ``TransitionRefused`` when the dossier is
    no longer with its unit, ``TransitionForbidden`` when ``actor`` may not add nominees to it.

    Side effects (not in a dry run, only when every row is good and some are new), in one transaction: one
    ``Nominee`` and one audit event ``nominations.nominee.add`` per new row (by :func:`add_nominee`), then one
    audit event ``nominations.nominee.import`` on the dossier with the file's name, SHA-256 and counts.
    """
    dossier = require_importable(dossier, actor)
    read = open_columns(source, filename, NOMINEE_COLUMNS)
    table, layout = read.table, read.layout
    result = NomineeImportResult(dry_run=dry_run, errors=list(read.errors))
    if layout is None:
        return result
    errors = result.errors
    sources = list(iter_rows(table.dataset, layout, errors))
    result.rows = len(sources)
    if result.rows > max_rows():
        errors.append(
            RowError(
                None,
                "",
                table.filename,
                _("Tệp có %(n)s dòng dữ liệu, nhiều hơn %(max)s dòng một lần nhập: hãy chia thành nhiều tệp.")
                % {"n": result.rows, "max": max_rows()},
            )
        )
        return result
    if not sources:
        errors.append(RowError(None, "", table.filename, _("Tệp không có dòng dữ liệu nào (dưới dòng tiêu đề).")))
        return result

    codes = {_text(s, "unit_code") for s in sources} - {""}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes).select_related("successor")}
    rows = [row for s in sources if (row := _read_row(s, layout, units, errors)) is not None]

    # Within the file: one person or collective once (canonical key, or ID number); already in the dossier:
    # unchanged (a re-import of the same file adds nobody).
    in_dossier = set(dossier.nominees.values_list("canonical_key", flat=True))
    first_of_key: dict[str, int] = {}
    first_of_id: dict[str, int] = {}
    to_add: list[_Row] = []
    unchanged = 0
    for row in rows:
        id_number = row.fields["id_number"]
        if row.key and row.key in first_of_key:
            errors.append(
                RowError(
                    row.number,
                    layout.label(NOMINEE_COLUMN["name"]),
                    row.fields["name"],
                    _("Trùng với dòng %(row)s của tệp: mỗi người, tập thể chỉ được đề nghị một lần.")
                    % {"row": first_of_key[row.key]},
                )
            )
            continue
        if id_number and id_number in first_of_id:
            errors.append(
                RowError(
                    row.number,
                    layout.label(NOMINEE_COLUMN["id_number"]),
                    id_number,
                    _("Số định danh trùng với dòng %(row)s của tệp.") % {"row": first_of_id[id_number]},
                )
            )
            continue
        if row.key:
            first_of_key[row.key] = row.number
        if id_number:
            first_of_id[id_number] = row.number
        if row.key and row.key in in_dossier:
            unchanged += 1
        else:
            to_add.append(row)

    # Every remaining row goes through add_nominee, each in a savepoint so that one refusal does not hide the next;
    # the whole transaction is rolled back when anything is wrong, or for a dry run.
    added = []
    try:
        with transaction.atomic():
            for row in to_add:
                try:
                    with transaction.atomic():
                        added.append(add_nominee(dossier, actor=actor, **row.fields))
                except TransitionRefused as exc:
                    key = _refusal_column(row, exc)
                    value = row.fields["name"] if key == "name" else row.texts[key]
                    errors.append(RowError(row.number, layout.label(NOMINEE_COLUMN[key]), value, str(exc)))
            if errors or dry_run or not added:
                raise _Rollback
            audit.record(
                actor=actor,
                action=IMPORT_ACTION,
                obj=dossier,
                payload={
                    "file": table.filename,
                    "sha256": file_digest(table.data),
                    "rows": result.rows,
                    "new": len(added),
                    "unchanged": unchanged,
                    "nominees": [n.pk for n in added],
                },
            )
    except _Rollback:
        pass
    errors.sort(key=lambda e: e.row or 0)
    if errors:
        return result
    result.new, result.unchanged = len(to_add), unchanged
    if not dry_run:
        result.nominees = [n.pk for n in added]
    return result


# --- The template ------------------------------------------------------------------------------------------


def nominee_template_xlsx() -> bytes:
    """The file to fill in: sheet “Danh sách” with the header row (text cells for dates and ID numbers, lists for
    the kind, gender and yes/no columns), sheet “Hướng dẫn” describing each column, with examples. No side
    effects."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override("vi"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Danh sách"
        sheet.append([str(c.header) for c in NOMINEE_COLUMNS])
        widths = {"name": 30, "work_unit": 30, "achievement": 60, "direct_worker": 16}
        letters = {}
        for i, column in enumerate(NOMINEE_COLUMNS):
            letter = letters[column.key] = column_letter(i)
            sheet.column_dimensions[letter].width = widths.get(column.key, 16)
            sheet[f"{letter}1"].font = Font(bold=True)
            if column.key in ("birth_date", "id_number", "unit_code"):
                sheet.column_dimensions[letter].number_format = "@"  # 02/04/1985 and 001185000123 stay as typed
        sheet.freeze_panes = "A2"

        guide = workbook.create_sheet("Hướng dẫn")
        guide.append([_("Cột"), _("Bắt buộc"), _("Ghi chú")])
        for column in NOMINEE_COLUMNS:
            guide.append([str(column.header), _("Có") if column.required else "", str(column.help)])
        guide.append([])
        guide.append(
            [
                _(
                    "Có lỗi thì không ghi gì: mọi dòng được kiểm tra như khi thêm từng người trên trang hồ sơ; "
                    "mỗi lỗi nêu dòng, cột, giá trị và cách sửa. Người, tập thể đã có trong hồ sơ thì giữ nguyên."
                )
            ]
        )
        guide.append([])
        lists = {}
        for key, values in (
            ("kind", [str(label) for _v, label in NomineeKind.choices]),
            ("gender", [str(label) for _v, label in Gender.choices]),
            ("direct_worker", [_("Có"), _("Không")]),
        ):
            guide.append([str(NOMINEE_COLUMN[key].header)])
            guide[guide.max_row][0].font = Font(bold=True)
            first = guide.max_row + 1
            for value in values:
                guide.append([value])
            lists[key] = f"'Hướng dẫn'!$A${first}:$A${guide.max_row}"
            guide.append([])
        guide.append([_("Ví dụ")])
        guide[guide.max_row][0].font = Font(bold=True)
        guide.append([str(c.header) for c in NOMINEE_COLUMNS])
        guide.append(
            [
                str(NomineeKind.INDIVIDUAL.label),
                "Nguyễn Thị Hoà",
                str(Gender.FEMALE.label),
                "02/04/1985",
                "",
                "Công chức văn hoá - xã hội",
                "UBND phường Phan Đình Phùng",
                "",
                _("Có"),
                _("Tổ chức 12 lớp “Bình dân học AI” cho 600 người dân."),
            ]
        )
        guide.append(
            [
                str(NomineeKind.COLLECTIVE.label),
                "Tổ dân phố số 3",
                "",
                "",
                "",
                "",
                "Phường Phan Đình Phùng",
                "",
                "",
                _("100% hộ gia đình tham gia khoá học AI cơ bản trực tuyến."),
            ]
        )
        for letter, width in (("A", 30), ("B", 28), ("C", 90)):
            guide.column_dimensions[letter].width = width
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for key, formula in lists.items():
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            letter = letters[key]
            validation.add(f"{letter}2:{letter}{max_rows() + 1}")
            sheet.add_data_validation(validation)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
