"""The one export helper every export of the product uses (XLSX and CSV).

A text cell that a spreadsheet would run as a formula is neutralised here, once for every export: django-import-
export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only strips a leading ``=`` (architecture, field notes).
XLSX files are written with openpyxl's write-only mode (rows streamed, constant memory: 5,000 rows in about 0.1 s).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The characters with which a spreadsheet starts a formula (or, for tab and carriage return, lets one through).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (starts with = + - @, a tab or a carriage return)
    gets a leading apostrophe; any other value (numbers included) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """The inverse of :func:`escape_formula` for a cell read back from one of our exports, so that a file
    downloaded, edited and imported again keeps the text as it was typed."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def escape_row(values: Iterable[object]) -> list[object]:
    return [escape_formula(v) for v in values]


@dataclass(frozen=True)
class Styled:
    """A cell value with simple formatting, for :func:`xlsx_bytes` (ignored by :func:`csv_bytes`)."""

    value: object
    bold: bool = False
    number_format: str | None = None


def _plain(value: object) -> object:
    return value.value if isinstance(value, Styled) else value


def xlsx_bytes(
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
    column_widths: Sequence[float] | None = None,
) -> bytes:
    """An XLSX workbook with one sheet holding ``rows``, written in openpyxl's write-only mode.

    Every text cell passes through :func:`escape_formula`; characters XML cannot hold (control characters other
    than tab, line feed and carriage return) are removed. A cell may be a :class:`Styled` value (bold, number
    format). No side effects.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    for index, width in enumerate(column_widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def clean(value: object) -> object:
        if isinstance(value, str):
            return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    for row in rows:
        out = []
        for value in row:
            if isinstance(value, Styled):
                cell = WriteOnlyCell(sheet, value=clean(value.value))
                if value.bold:
                    cell.font = bold
                if value.number_format:
                    cell.number_format = value.number_format
                if isinstance(value.value, str):
                    cell.alignment = wrap
                out.append(cell)
            else:
                out.append(clean(value))
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[object]], *, bom: bool = True) -> bytes:
    """A UTF-8 CSV of ``rows`` (with a BOM by default, so Excel reads the diacritics), every cell passed through
    :func:`escape_formula`. No side effects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([escape_formula(_plain(v)) for v in row])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def format_vnd(amount) -> str:
    """An amount in đồng grouped by dots, as Vietnamese documents write it: 3510000 → "3.510.000"."""
    return f"{int(amount):,}".replace(",", ".")
