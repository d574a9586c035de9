"""The one export helper: formula escaping of the six leading characters, XLSX in write-only mode, CSV."""

import io

import openpyxl
import pytest

from workflows.exports import FORMULA_PREFIXES, Styled, csv_bytes, escape_formula, escape_row, xlsx_bytes


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_each_of_the_six_leading_characters_is_escaped(prefix):
    assert escape_formula(f"{prefix}SUM(A1:A9)") == f"'{prefix}SUM(A1:A9)"


def test_the_prefixes_are_exactly_the_six_and_other_values_pass_unchanged():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}
    for value in ("Nguyễn Văn A", "a=b", " =1", "", 3, -3, 1.5, None, True):
        assert escape_formula(value) == value
    assert escape_row(["=1", 2, "x"]) == ["'=1", 2, "x"]


def test_every_export_uses_this_helper():
    from competition.services import people

    assert people.escape_formula is escape_formula and people.FORMULA_PREFIXES is FORMULA_PREFIXES


def test_xlsx_cells_are_escaped_never_formulas_and_numbers_stay_numbers():
    rows = [
        [Styled("Tiêu đề", bold=True)],
        ['=HYPERLINK("http://x","bấm")', "+1", "-2", "@SUM(A1)", "\tA", "\rB", "bình thường"],
        [1, -5, 2.5, Styled(3_510_000, number_format="#,##0"), None, "xấu\x00\x07", "dòng\nmới"],
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows, sheet_title="Danh sách", column_widths=(10, 20))))
    sheet = workbook["Danh sách"]
    assert sheet["A1"].value == "Tiêu đề" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [
        '\'=HYPERLINK("http://x","bấm")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tA",
        "'\rB",
        "bình thường",
    ]
    third = [c.value for c in sheet[3]]
    assert third[:4] == [1, -5, 2.5, 3_510_000] and third[5:] == ["xấu", "dòng\nmới"]
    assert sheet["D3"].number_format == "#,##0"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert sheet.column_dimensions["A"].width == 10


def test_xlsx_streams_many_rows():
    data = xlsx_bytes([n, f"Người {n}", n * 1000] for n in range(20_000))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == 20_000 and rows[-1] == (19_999, "Người 19999", 19_999_000)


def test_csv_has_a_bom_and_escapes_formulas():
    data = csv_bytes([["Họ tên", "Ghi chú"], ["=1+1", Styled("@x", bold=True)], ["Lê Thị B", 5]])
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == ["Họ tên,Ghi chú", "'=1+1,'@x", "Lê Thị B,5"]
    assert not csv_bytes([["a"]], bom=False).startswith("\ufeff".encode())
