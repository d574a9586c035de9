"""The fuzz tests' world: every table importer of the product behind one small interface (:class:`Target`), with a
user allowed to import, a header, rows that import cleanly, and the models an import may write; plus the file
builders (CSV in any encoding and delimiter, XLSX through openpyxl) and the checks every refusal must pass."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pytest
from openpyxl import Workbook

from accounts.models import User
from competition.models import Cluster, Membership, ProgressReport, Unit
from competition.services.indicator_import import import_indicators
from competition.services.people import import_accounts
from competition.services.tables import ImportCounts, RowError
from competition.services.units import import_units
from nominations.models import AwardRecord, Nominee
from nominations.services import dossiers as dossier_services
from nominations.services.history import import_award_history
from nominations.services.nominee_import import import_nominees
from workflows.models import AuditEvent

# The fixtures of other test folders this one reuses (a running campaign with indicators and a period; a scoring
# table using every formula).
from ..competition.conftest import campaign, on_time_ind, period, plan_ind  # noqa: F401
from ..factories import make_nomination_world
from ..scoring.conftest import running_campaign, table, trained_ind  # noqa: F401

# Letters only Vietnamese (of the languages in use here) writes; one of them, or a letter carrying a diacritic,
# marks a message as Vietnamese.
VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ")


def is_vietnamese(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return bool(VIETNAMESE & set(text)) or any(unicodedata.combining(ch) for ch in decomposed)


def nfd(value):
    return unicodedata.normalize("NFD", value) if isinstance(value, str) else value


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# --- Files ---------------------------------------------------------------------------------------------------


def csv_bytes(rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, empty_first_sheet: bool = False, formulas: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if empty_first_sheet:
        sheet.title = "Trống"
        sheet = workbook.create_sheet("Dữ liệu")
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters with their hats and horns precomposed, the five
    tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + "".join(c for c in decomposed if c in tones))
    return "".join(out).encode("cp1258", errors="replace")


def tcvn3(text: str) -> bytes:
    """Bytes that look like TCVN3 (ABC): every letter with a diacritic becomes one byte of 0xA1-0xFE."""
    return bytes(
        b
        for ch in unicodedata.normalize("NFC", text)
        for b in ([ord(ch)] if ord(ch) < 128 else [0xA1 + (ord(ch) * 7919) % 0x5E])
    )


# --- The importers ---------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One importer as the web calls it: ``run(data, filename)`` imports the bytes (not a dry run)."""

    name: str
    header: list[str]
    rows: list[list[object]]  # data rows that import cleanly (distinct keys)
    run_source: Callable[..., ImportCounts]
    models: tuple[type, ...]
    snapshot: Callable[[], object]  # what the import wrote, comparable between two runs
    required: list[str] = field(default_factory=list)  # headers of required columns
    text_column: int = 1  # a free-text column with a length limit

    def run(self, data: bytes, filename: str, *, dry_run: bool = False) -> ImportCounts:
        return self.run_source(io.BytesIO(data), filename=filename, dry_run=dry_run)

    def counts(self) -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (*self.models, AuditEvent))


UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Ngày giải thể", "Mã đơn vị kế thừa"]
ACCOUNT_HEADER = ["Tên đăng nhập", "Họ tên", "Thư điện tử", "Vai trò", "Mã đơn vị", "Chức vụ"]
INDICATOR_HEADER = ["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số", "Minh chứng"]
NOMINEE_HEADER = [
    "Loại",
    "Họ và tên / Tên tập thể",
    "Giới tính",
    "Ngày sinh",
    "Số định danh",
    "Chức vụ",
    "Đơn vị công tác",
    "Mã đơn vị",
    "Trực tiếp lao động, công tác",
    "Tóm tắt thành tích",
]
HISTORY_HEADER = [
    "Họ và tên / Tên tập thể",
    "Loại",
    "Ngày sinh",
    "Số định danh",
    "Đơn vị công tác",
    "Hình thức khen thưởng",
    "Khen thưởng theo chuyên đề",
    "Số quyết định",
    "Ngày quyết định",
    "Năm",
    "Phong trào",
]


def person(name, birth="02/04/1985", *, id_number="", gender="Nữ"):
    return ["Cá nhân", name, gender, birth, id_number, "Công chức", "UBND phường Hoà Bình", "", "Có", "Dạy AI"]


def history_row(name, *, birth="12/03/1985", number="123/QĐ-UBND", year="2024"):
    return [name, "Cá nhân", birth, "", "UBND phường", "bang_khen_tinh", "Không", number, "15/12/2024", year, ""]


def _units_target(request) -> Target:
    actor = request.getfixturevalue("board_officer")  # also creates the province (19) and its board (SNV)
    request.getfixturevalue("commune_a")  # 05443
    return Target(
        name="units",
        header=UNIT_HEADER,
        rows=[
            ["F001", "Phường Hoà Bình", "Phường", "19", "", ""],
            ["F002", "Xã Quyết Thắng", "xa", "19", "", ""],
            ["F003", "Tổ dân phố Đồng Tâm", "Bộ phận trực thuộc", "F001", "", ""],
            ["F004", "Xã Thịnh Đức (cũ)", "Xã", "19", "01/07/2025", "F002"],
        ],
        run_source=lambda source, **kw: import_units(source, actor=actor, **kw),
        models=(Unit, Cluster),
        snapshot=lambda: sorted(
            Unit.objects.filter(code__startswith="F").values_list(
                "code", "name", "kind", "parent__code", "dissolved_on", "successor__code", "path"
            )
        ),
        required=["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"],
    )


def _accounts_target(request) -> Target:
    actor = request.getfixturevalue("admin_user")
    request.getfixturevalue("commune_a")
    return Target(
        name="accounts",
        header=ACCOUNT_HEADER,
        rows=[
            ["hoà.nguyễn", "Nguyễn Thị Hoà", "hoa@example.org", "Cán bộ thi đua đơn vị", "05443", "Chuyên viên"],
            ["tuấn.lê", "Lê Văn Tuấn", "", "unit_head", "05443", "Chủ tịch UBND phường"],
            ["thuý.trần", "Trần Thị Thuý", "", "board_officer", "", "Chuyên viên chính"],
        ],
        run_source=lambda source, **kw: import_accounts(source, actor=actor, **kw),
        models=(User, Membership),
        snapshot=lambda: sorted(
            User.objects.exclude(pk=actor.pk)
            .filter(must_change_password=True)
            .values_list("username", "full_name", "email", "role", "position", "membership__unit__code")
        ),
        required=["Tên đăng nhập", "Họ tên", "Vai trò"],
    )


def _indicators_target(request) -> Target:
    actor = request.getfixturevalue("board_officer")
    the_campaign = request.getfixturevalue("campaign")
    request.getfixturevalue("on_time_ind")
    request.getfixturevalue("period")
    return Target(
        name="indicators",
        header=INDICATOR_HEADER,
        rows=[
            ["05443", "Quý III/2026", "1", "90", "100", "Kế hoạch số 12/KH-UBND ngày 02/7/2026"],
            ["05443", "Quý III/2026", "1.1", "40", "90", ""],
            ["05710", "Quý III/2026", "1", "1.200", "1500", "Báo cáo tiến độ của phường Linh Sơn"],
        ],
        run_source=lambda source, **kw: import_indicators(the_campaign, source, actor=actor, **kw),
        models=(ProgressReport,),
        snapshot=lambda: sorted(
            ProgressReport.objects.values_list(
                "unit__code", "period__label", "indicator__code", "numerator", "denominator", "evidence"
            )
        ),
        required=["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Tử số", "Mẫu số"],
        text_column=5,
    )


@pytest.fixture
def nomination_world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def dossier(nomination_world, commune_a, clerk_a):
    return dossier_services.create_dossier(
        nomination_world.campaign,
        unit=commune_a,
        award_type_code="bang_khen_tinh",
        title="Đề nghị tặng Bằng khen cho cá nhân phường Phan Đình Phùng",
        actor=clerk_a,
    )


def _nominees_target(request) -> Target:
    the_dossier = request.getfixturevalue("dossier")
    actor = request.getfixturevalue("clerk_a")
    return Target(
        name="nominees",
        header=NOMINEE_HEADER,
        rows=[
            person("Nguyễn Thị Hoà"),
            person("Trần Văn Khoẻ", "1979-11-30", gender="Nam"),
            person("Lê Thị Thuý", "", id_number="001185000123"),
        ],
        run_source=lambda source, **kw: import_nominees(the_dossier, source, actor=actor, **kw),
        models=(Nominee,),
        snapshot=lambda: sorted(
            Nominee.objects.values_list("kind", "name", "gender", "birth_date", "id_number", "canonical_key")
        ),
        required=["Loại", "Họ và tên / Tên tập thể"],
    )


def _history_target(request) -> Target:
    request.getfixturevalue("nomination_world")
    actor = request.getfixturevalue("board_officer")
    return Target(
        name="history",
        header=HISTORY_HEADER,
        rows=[
            history_row("Nguyễn Thị Hoà"),
            history_row("Phạm Văn Quyết", birth="05/06/1970", number="45/QĐ-UBND"),
            history_row("Đỗ Thị Thuỳ Dương", birth="1988-01-20", year="2023"),
        ],
        run_source=lambda source, **kw: import_award_history(source, actor=actor, **kw),
        models=(AwardRecord,),
        snapshot=lambda: sorted(
            AwardRecord.objects.values_list("canonical_key", "name", "birth_date", "decision_number", "year")
        ),
        required=["Họ và tên / Tên tập thể", "Loại", "Hình thức khen thưởng", "Số quyết định"],
        text_column=0,
    )


TARGETS = {
    "units": _units_target,
    "accounts": _accounts_target,
    "indicators": _indicators_target,
    "nominees": _nominees_target,
    "history": _history_target,
}


@pytest.fixture(params=list(TARGETS))
def target(request, db) -> Target:
    return TARGETS[request.param](request)


# --- What every refusal must be ------------------------------------------------------------------------------


def assert_refused(result: ImportCounts, filename: str, *, rows: int | None = None) -> list[RowError]:
    """``result`` carries errors, each a Vietnamese ``RowError`` located at its row and column, or naming the file
    when the whole file is at fault. ``rows``: the data rows of the file, when known."""
    assert isinstance(result, ImportCounts)
    assert result.errors, "the import should have been refused"
    for error in result.errors:
        assert isinstance(error, RowError), error
        assert error.message and is_vietnamese(error.message), error
        if error.row is None:  # a problem of the whole file: it is named
            assert filename in str(error), error
        else:
            assert error.row >= 1 and (rows is None or error.row <= rows + 1), error
            assert error.column, error
    return result.errors


def assert_file_refused(result: ImportCounts, filename: str) -> str:
    """A problem of the whole file: one message naming the file. Returns it."""
    assert_refused(result, filename)
    messages = " ".join(str(e) for e in result.errors)
    assert filename in messages, messages
    return messages


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text)).strip()


TODAY = date.today()
