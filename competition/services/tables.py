"""Reading import files, the layer every importer shares: an XLSX (python-calamine) or UTF-8 CSV file becomes a
``tablib.Dataset`` whose rows keep the spreadsheet's numbering; headers are matched to :class:`Column` s in any
interface language, with or without diacritics; each problem is a :class:`RowError` naming the row, column, value
and reason; :class:`ImportCounts` is what every importer returns.

Importers built on it: units (``services/units.py``), accounts (``services/people.py``), indicator values
(``services/indicator_import.py``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, NamedTuple

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from workflows.uploads import zip_problem

from ..resources import fold

Source = str | os.PathLike | IO[bytes]


# --- Reading a table --------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, no header). ``message`` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


SHOWN_MAX = 100  # characters of a cell's value (or header) quoted in a message


@dataclass(frozen=True)
class RowError:
    """One problem of an import file, located as the person sees it in the spreadsheet (header = row 1)."""

    row: int | None
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        # A cell of thousands of characters (a pasted document, a lost quote) is named by its start, not quoted whole.
        for name in ("column", "value"):
            text = getattr(self, name)
            if isinstance(text, str) and len(text) > SHOWN_MAX:
                object.__setattr__(self, name, text[: SHOWN_MAX - 40] + "…")

    def __str__(self) -> str:
        where = _("Dòng %(row)s") % {"row": self.row} if self.row else _("Tệp")
        if self.column:
            where += _(", cột “%(col)s”") % {"col": self.column}
        if self.value:
            where += _(", giá trị “%(value)s”") % {"value": self.value}
        return f"{where}: {self.message}"


def cell_text(value: object) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates as dd/mm/yyyy, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != datetime.min.time() else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    # Composed Unicode (NFC), as typed on most keyboards: a name typed with decomposed diacritics (macOS, some
    # Vietnamese input methods) is the same name, and matches the same periods, usernames and stored records.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _cell(value: object) -> object:
    """Normalise a spreadsheet cell: dates stay dates, everything else becomes text."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return cell_text(value)


def _is_blank(row: Sequence[object]) -> bool:
    return all(cell_text(v) == "" for v in row)


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _xlsx_rows(data: bytes, filename: str) -> list[list[object]]:
    problem = zip_problem(data, filename)
    if problem:
        raise ImportFileError(problem)
    try:
        with CalamineWorkbook.from_object(io.BytesIO(data)) as workbook:
            # Keep the empty rows and columns before the data, so row and column numbers match the spreadsheet.
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of unreadable file
        raise ImportFileError(
            _(
                "Tệp “%(f)s” không đọc được như một bảng tính Excel (.xlsx). Hãy mở tệp bằng Excel hoặc LibreOffice "
                "và lưu lại dạng .xlsx."
            )
            % {"f": filename}
        ) from exc
    return [[_cell(v) for v in row] for row in rows]


def _csv_rows(data: bytes, filename: str) -> list[list[object]]:
    not_utf8 = _(
        "Tệp “%(f)s” không ở bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3). Hãy lưu lại bằng Excel, chọn "
        "“CSV UTF-8 (Comma delimited)”, hoặc tải lên tệp .xlsx."
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8 % {"f": filename}) from exc
    if "\x00" in text:  # no text file holds NUL characters; UTF-16 without a byte order mark is full of them
        raise ImportFileError(not_utf8 % {"f": filename})
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    rows: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:  # a cell longer than the csv module's limit (131,072 characters), often a lost quote
        raise ImportFileError(
            _(
                "Tệp “%(f)s”, dòng %(row)s: một ô dài quá %(n)s ký tự, thường do thiếu dấu ngoặc kép đóng ô. "
                "Hãy kiểm tra lại dòng này rồi lưu lại tệp."
            )
            % {"f": filename, "row": len(rows) + 1, "n": f"{csv.field_size_limit():,}".replace(",", ".")}
        ) from exc
    return rows


def read_table(path_or_file: Source, filename: str) -> tablib.Dataset:
    """Read the first sheet of an XLSX file (with python-calamine) or a UTF-8 CSV file into a ``tablib.Dataset``.

    The dataset's headers are the file's first row as written; every following row is kept, blank ones included,
    so that data row ``i`` (from 0) is spreadsheet row ``i + 2``. Blank rows at the end are dropped. Raises
    :class:`ImportFileError` with a Vietnamese message when the file cannot be read.
    """
    extension = Path(filename).suffix.lower()
    data = _read_bytes(path_or_file)
    if extension == ".xlsx":
        rows = _xlsx_rows(data, filename)
    elif extension == ".csv":
        rows = _csv_rows(data, filename)
    else:
        raise ImportFileError(_("Tệp “%(f)s”: chỉ nhận tệp .xlsx hoặc .csv.") % {"f": filename})
    while rows and _is_blank(rows[-1]):
        rows.pop()
    if not rows or _is_blank(rows[0]):
        raise ImportFileError(_("Tệp “%(f)s”: dòng 1 phải là dòng tiêu đề (tên các cột).") % {"f": filename})
    width = max(len(row) for row in rows)
    dataset = tablib.Dataset(headers=[cell_text(v) for v in rows[0]] + [""] * (width - len(rows[0])))
    for row in rows[1:]:
        dataset.append(list(row) + [""] * (width - len(row)))
    return dataset


# --- Columns ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key, the header of the template, the other spellings accepted."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    def names(self) -> set[str]:
        """The header in every interface language (the template is downloaded in the user's), and the aliases."""
        names = {fold(self.key), *(fold(a) for a in self.aliases)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(fold(str(self.header)))
        return names


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Layout:
    """Where each known column sits in the file, and how to name it in a message."""

    index: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra: list[int] = field(default_factory=list)  # columns without a header

    def label(self, column: Column) -> str:
        return self.labels.get(column.key) or str(column.header)


def map_headers(headers: Sequence[str], columns: Sequence[Column]) -> tuple[Layout, list[RowError]]:
    """Match the file's header row to ``columns`` (case, diacritics and punctuation do not matter)."""
    by_name = {name: column for column in columns for name in column.names()}
    layout, errors = Layout(), []
    for i, header in enumerate(headers):
        text = cell_text(header)
        label = f"{text} ({column_letter(i)})" if text else column_letter(i)
        if not text:
            layout.extra.append(i)
            continue
        column = by_name.get(fold(text))
        if column is None:
            errors.append(
                RowError(
                    1,
                    label,
                    text,
                    _("Không nhận ra cột này. Các cột dùng được: %(cols)s.")
                    % {"cols": ", ".join(str(c.header) for c in columns)},
                )
            )
        elif column.key in layout.index:
            errors.append(
                RowError(1, label, text, _("Cột này trùng với cột %(other)s.") % {"other": layout.labels[column.key]})
            )
        else:
            layout.index[column.key] = i
            layout.labels[column.key] = label
    for column in columns:
        if column.required and column.key not in layout.index:
            errors.append(
                RowError(1, str(column.header), "", _("Thiếu cột bắt buộc “%(col)s”.") % {"col": column.header})
            )
    return layout, errors


@dataclass
class SourceRow:
    """A data row of the file: its spreadsheet number and the raw values of the known columns."""

    number: int
    raw: dict[str, object]

    def text(self, key: str) -> str:
        return cell_text(self.raw.get(key))


def iter_rows(dataset: tablib.Dataset, layout: Layout, errors: list[RowError]) -> Iterator[SourceRow]:
    """The non-blank data rows; a value in a column without a header is reported in ``errors``."""
    for offset, values in enumerate(dataset):
        number = offset + 2
        if _is_blank(values):
            continue
        for i in layout.extra:
            if cell_text(values[i]):
                errors.append(
                    RowError(
                        number,
                        column_letter(i),
                        cell_text(values[i]),
                        _("Ô có dữ liệu nhưng cột không có tiêu đề ở dòng 1."),
                    )
                )
        yield SourceRow(number, {key: values[i] for key, i in layout.index.items()})


class OpenedTable(NamedTuple):
    dataset: tablib.Dataset | None
    errors: list[RowError]
    data: bytes
    filename: str


def open_table(path: Source, filename: str | None = None) -> OpenedTable:
    """Read an uploaded or local import file; a file that cannot be read at all is one ``RowError`` naming it."""
    filename = filename or Path(getattr(path, "name", None) or str(path)).name
    try:
        data = _read_bytes(path)
    except OSError as exc:
        message = _("Không mở được tệp: %(e)s") % {"e": exc.strerror or exc}
        return OpenedTable(None, [RowError(None, "", filename, message)], b"", filename)
    try:
        return OpenedTable(read_table(io.BytesIO(data), filename), [], data, filename)
    except ImportFileError as exc:
        return OpenedTable(None, [RowError(None, "", filename, exc.message)], data, filename)


class ReadTable(NamedTuple):
    """An import file opened and its header row matched: ``layout`` is None when either failed (``errors`` say
    why, for the person to fix)."""

    table: OpenedTable
    layout: Layout | None
    errors: list[RowError]


def open_columns(path: Source, filename: str | None, columns: Sequence[Column]) -> ReadTable:
    """:func:`open_table` then :func:`map_headers`: what every importer does first."""
    table = open_table(path, filename)
    if table.dataset is None:
        return ReadTable(table, None, list(table.errors))
    layout, errors = map_headers(table.dataset.headers or [], columns)
    return ReadTable(table, None if errors else layout, errors)


def require_actor_perm(actor, perm: str) -> None:
    """Commands and automatic steps act as the system; a person needs ``perm``."""
    if actor is None or getattr(actor, "is_system", False):
        return
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ImportCounts:
    """What an import did (or, in a dry run, would do): the counts every importer reports."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors
