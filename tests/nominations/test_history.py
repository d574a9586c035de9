"""Award history (the register of awards) and holds: issue 6, item 3 and the hold/history parts of item 4.

Legal bases: one achievement is rewarded once, with one form (Law 06/2022/QH15 Art. 5(2)(c), domain rule 3);
thematic awards do not count toward merit-award eligibility, and a person or collective under discipline,
inspection or an open complaint is held, not awarded (NĐ 152/2025 Art. 4, domain rules 4 and 5).
"""

import csv
import io
import json
import unicodedata
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from nominations.enums import AppraisalResult, AwardSource, DossierState, HoldReason
from nominations.models import AwardRecord, NomineeHold
from nominations.services import dossiers as services
from nominations.services import history
from nominations.services.decisions import sign_decision
from workflows import SYSTEM
from workflows.audit import verify_chain
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.exports import xlsx_bytes
from workflows.models import AuditEvent

from ..factories import NomineeDataFactory, UserFactory, make_nomination_world
from ._decision_setup import build_world, drafted, issue, provincial_dossier

pytestmark = pytest.mark.django_db

LAW_ONE_AWARD = "điểm c khoản 2 Điều 5 Luật Thi đua, khen thưởng số 06/2022/QH15"
DECREE_HOLDS = "Điều 4 Nghị định số 152/2025/NĐ-CP"
HEADERS = [
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


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def head_a(world, commune_a):
    return world.heads[commune_a.code]


def dossier_of(world, unit, clerk, code="bang_khen_tinh"):
    return services.create_dossier(
        world.campaign, unit=unit, award_type_code=code, title=f"Hồ sơ {code} của {unit}", actor=clerk
    )


def csv_file(rows, headers=HEADERS, name="so-khen-thuong.csv"):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    upload = io.BytesIO(text.getvalue().encode("utf-8"))
    upload.name = name
    return upload


def row(name, *, kind="Cá nhân", birth="12/03/1985", id_number="", unit="UBND phường", award="bang_khen_tinh",
        thematic="Không", number="123/QĐ-UBND", day="15/12/2024", year="2024", campaign=""):  # fmt: skip
    return [name, kind, birth, id_number, unit, award, thematic, number, day, year, campaign]


# --- The canonical key against the register (Law 06/2022/QH15 Art. 5(2)(c)) --------------------------------------


def test_law_06_2022_art_5_2_c_the_register_refuses_the_same_award_in_the_same_campaign_whatever_the_spelling(
    world, commune_a, clerk_a, board_officer
):
    """Law 06/2022/QH15 Art. 5(2)(c): a person already given this award form in this campaign (the register, from
    the board's records) cannot be nominated for it again; the canonical key makes old and new tone placement, case,
    spaces and decomposed (NFD) input one name."""
    code = world.campaign.code
    result = history.import_award_history(
        csv_file(
            [
                row("Nguyễn Thị Hoà", campaign=code),
                row("Lê Thị Thuý", birth="", id_number="001185000321", campaign=code),
                row("Nguyễn Văn An", birth="02/09/1979", campaign=code),
                row("Phạm Thị Hòa", birth="01/01/1990", campaign=""),  # another campaign: not counted here
            ]
        ),
        actor=board_officer,
    )
    assert result.ok and result.new == 4
    dossier = dossier_of(world, commune_a, clerk_a)
    spellings = [
        NomineeDataFactory(name="nguyễn thị hòa", birth_date=date(1985, 3, 12)),
        NomineeDataFactory(name="LÊ  THỊ THÚY", birth_date=None, id_number="001185000321"),
        NomineeDataFactory(name=unicodedata.normalize("NFD", "NGUYỄN  Văn An"), birth_date=date(1979, 9, 2)),
    ]
    events = AuditEvent.objects.count()
    for data in spellings:
        with pytest.raises(TransitionRefused) as refused:
            services.add_nominee(dossier, actor=clerk_a, **data)
        message = str(refused.value)
        assert LAW_ONE_AWARD in message and "123/QĐ-UBND" in message
        assert "1985" not in message and "001185000321" not in message  # no personal data (domain rule 16)
    assert not dossier.nominees.exists() and AuditEvent.objects.count() == events
    # Not the same person (another birth date), not the same campaign, or another form: welcome.
    services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Nguyễn Thị Hòa", birth_date=date(1986, 1, 1))
    )
    services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Phạm Thị Hoà", birth_date=date(1990, 1, 1))
    )
    giay_khen = dossier_of(world, commune_a, clerk_a, code="giay_khen_xa")
    services.add_nominee(giay_khen, actor=clerk_a, **spellings[0])
    # Changing a nominee into a registered person is refused too.
    nominee = dossier.nominees.get(name="Nguyễn Thị Hòa")
    with pytest.raises(TransitionRefused, match="một thành tích chỉ được khen thưởng một lần"):
        services.update_nominee(nominee, actor=clerk_a, birth_date=date(1985, 3, 12))


def test_law_06_2022_art_5_2_c_submission_checks_the_register_again_naming_each_nominee(
    world, commune_a, clerk_a, head_a, board_officer
):
    """Law 06/2022/QH15 Art. 5(2)(c): an award registered after the nominee was added stops the submission."""
    dossier = dossier_of(world, commune_a, clerk_a)
    services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Đinh Thị Thuỷ", birth_date=date(1980, 5, 5))
    )
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Vũ Văn Khoẻ", birth_date=date(1975, 6, 6)))
    imported = history.import_award_history(
        csv_file([row("Đinh Thị Thủy", birth="05/05/1980", campaign=world.campaign.code)]), actor=board_officer
    )
    assert imported.ok and imported.new == 1, imported.errors
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a)
    assert "“Đinh Thị Thuỷ”" in str(refused.value) and "Vũ Văn Khoẻ" not in str(refused.value)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


# --- Importing the register: all or nothing, idempotent ----------------------------------------------------------


def test_the_import_is_all_or_nothing_and_reports_every_bad_row(world, board_officer):
    events = AuditEvent.objects.count()
    result = history.import_award_history(
        csv_file(
            [
                row("Hoàng Văn Mạnh"),  # row 2: good
                row("Tổ Công nghệ số", kind="Nhóm"),  # row 3
                row("Bùi Thị Lan", birth="31/02/1980"),  # row 4
                row("Đỗ Văn Hùng", award="Huân chương Sao Vàng"),  # row 5
                row("Ngô Thị Mai", number=""),  # row 6
                row("Lý Văn Tâm", birth="", id_number=""),  # row 7
                row("Hà Thị Nga", year="1900"),  # row 8
                row("Hoàng  văn MẠNH"),  # row 9: the same as row 2
                row("Mai Văn Tư", thematic="Có lẽ", campaign="khong-co-phong-trao-nay"),  # row 10
            ]
        ),
        actor=board_officer,
        filename="so-khen-thuong.csv",
    )
    found = [(e.row, e.column, e.value) for e in result.errors]
    assert found == [
        (3, "Loại (B)", "Nhóm"),
        (4, "Ngày sinh (C)", "31/02/1980"),
        (5, "Hình thức khen thưởng (F)", "Huân chương Sao Vàng"),
        (6, "Số quyết định (H)", ""),
        (7, "Ngày sinh (C)", ""),
        (8, "Năm (J)", "1900"),
        (9, "Số quyết định (H)", "123/QĐ-UBND"),
        (10, "Khen thưởng theo chuyên đề (G)", "Có lẽ"),
        (10, "Phong trào (K)", "khong-co-phong-trao-nay"),
    ]
    assert "dòng 2" in result.errors[6].message
    assert "Dòng 7, cột “Ngày sinh (C)”: Cá nhân cần có ngày sinh hoặc số định danh" in str(result.errors[4])
    assert (result.new, result.updated, result.unchanged) == (0, 0, 0)
    assert not AwardRecord.objects.exists() and AuditEvent.objects.count() == events


def test_a_reimport_of_the_same_file_changes_and_writes_nothing(world, board_officer):
    rows = [
        row("Hoàng Văn Mạnh", number="45/QĐ-UBND", day="", year="2023"),
        row("Trường Tiểu học Đội Cấn", kind="Tập thể", birth="", unit="UBND phường Phan Đình Phùng", thematic="Có"),
    ]
    first = history.import_award_history(csv_file(rows), actor=board_officer, filename="so.csv")
    assert first.ok and (first.new, first.updated, first.unchanged) == (2, 0, 0)
    event = AuditEvent.objects.get(action="nominations.awardrecord.import")
    assert event.payload["new"] == 2 and event.payload["file"] == "so.csv" and len(event.payload["sha256"]) == 64
    assert "1985" not in json.dumps(event.payload, ensure_ascii=False)  # no birth date in what is recorded
    mạnh = AwardRecord.objects.get(name="Hoàng Văn Mạnh")
    assert (mạnh.decision_number, mạnh.decision_symbol, mạnh.year, mạnh.source) == ("45", "QĐ-UBND", 2023, "imported")
    assert (
        mạnh.award_name == "Bằng khen của Chủ tịch UBND tỉnh" and mạnh.canonical_key == "cn:hoàng văn mạnh|1985-03-12"
    )

    again = history.import_award_history(csv_file(rows), actor=board_officer, filename="so.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert AwardRecord.objects.count() == 2 and AuditEvent.objects.filter(action__contains="awardrecord").count() == 1

    # The same person, form, decision and year (spelt otherwise): the same record, updated in place.
    rows[0] = row("HOÀNG VĂN  MẠNH", unit="Sở Nội vụ", number="45 / QĐ-UBND", day="", year="2023")
    changed = history.import_award_history(csv_file(rows), actor=board_officer)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 1)
    mạnh.refresh_from_db()
    assert mạnh.work_unit == "Sở Nội vụ" and AwardRecord.objects.count() == 2
    assert verify_chain() == []


def test_the_template_downloads_and_reads_back_as_an_empty_import(client, world, board_officer):
    client.force_login(board_officer)
    response = client.get(reverse("nominations:history_template"))
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    upload = io.BytesIO(response.content)
    result = history.import_award_history(upload, actor=board_officer, filename="mau.xlsx")
    assert result.ok and result.new == 0
    # The template filled in (an XLSX with a date cell and an award named by its name) imports.
    header = [str(c.header) for c in history.HISTORY_COLUMNS]
    filled = xlsx_bytes(
        [
            header,
            [
                "Lò Văn Pấng",
                "cá nhân",
                date(1970, 1, 2),
                "",
                "Bản Nà",
                "Bằng khen của Chủ tịch UBND tỉnh",
                "",
                "7/QĐ-UBND",
                date(2022, 4, 30),
                "",
                "UBND tỉnh",
                "",
            ],
        ]  # fmt: skip
    )
    result = history.import_award_history(io.BytesIO(filled), actor=board_officer, filename="so.xlsx")
    assert result.ok and result.new == 1, result.errors
    record = AwardRecord.objects.get()
    assert (record.birth_date, record.year, record.award_type_code) == (date(1970, 1, 2), 2022, "bang_khen_tinh")


# --- Signed decisions enter the register once; thematic awards (NĐ 152/2025 Art. 4) -------------------------------


def test_a_signed_decision_enters_each_award_in_the_register_once():
    world = build_world()
    dossier = provincial_dossier(
        world, [("individual", "Nguyễn Thị Hoa"), ("collective", "Tổ Chuyển đổi số"), ("individual", "Lê Văn Bình")],
        rejected={"Lê Văn Bình"},
    )  # fmt: skip
    decision = drafted(world, dossier)
    issue(decision, world.chairman_office, number=12, issued_on=date(2025, 9, 15))
    assert not AwardRecord.objects.exists()
    sign_decision(decision, actor=world.chairman_office)
    records = list(AwardRecord.objects.order_by("name"))
    assert [(r.name, r.subject_kind, r.source) for r in records] == [
        ("Nguyễn Thị Hoa", "individual", AwardSource.DECISION),
        ("Tổ Chuyển đổi số", "collective", AwardSource.DECISION),
    ]
    hoa = records[0]
    assert (hoa.decision_reference, hoa.decision_date, hoa.year, hoa.campaign) == (
        "12/QĐ-UBND",
        date(2025, 9, 15),
        2025,
        world.campaign,
    )
    assert hoa.award.nominee.name == "Nguyễn Thị Hoa" and hoa.award_type_code == "bang_khen_tinh"
    assert hoa.issuing_authority == "Chủ tịch Ủy ban nhân dân tỉnh Thái Nguyên"
    assert history.record_decision_awards(decision) == [] and AwardRecord.objects.count() == 2
    # The nominee's own award does not make the nominee ineligible in its own dossier.
    assert history.eligibility_problems(hoa.award.nominee, dossier) == []
    assert verify_chain() == []


def test_nd_152_2025_art_4_thematic_awards_do_not_count_toward_merit_eligibility(world, board_officer):
    """NĐ 152/2025 Art. 4: awards of a thematic campaign are not counted where merit-award eligibility is."""
    history.import_award_history(
        csv_file(
            [
                row("Trần Thị Thuý", number="1/QĐ-UBND", year="2022", thematic="Không"),
                row("Trần Thị Thúy", number="2/QĐ-UBND", year="2023", thematic="Có"),
                row("trần thị thuý", number="3/QĐ-UBND", year="2024", thematic=""),
            ]
        ),
        actor=board_officer,
    )
    key = services.canonical_key(kind="individual", name="Trần Thị Thúy", birth_date=date(1985, 3, 12))
    assert AwardRecord.objects.filter(canonical_key=key).count() == 3
    assert [r.decision_number for r in history.merit_history(key)] == ["1", "3"]


# --- Holds (NĐ 152/2025 Art. 4) -------------------------------------------------------------------------------


def test_nd_152_2025_art_4_a_held_person_cannot_be_added_until_the_hold_is_lifted(
    world, commune_a, clerk_a, board_officer
):
    """NĐ 152/2025 Art. 4: not awarded while under discipline, inspection or an open complaint; lifting restores."""
    hold = history.add_hold(
        actor=board_officer,
        kind="individual",
        name="Trần Văn Hòa",
        birth_date=date(1982, 7, 1),
        work_unit="UBND phường",
        reason=HoldReason.DISCIPLINE,
        note="Tờ trình xem xét kỷ luật số 5/TTr-UBND",
        since=date(2025, 9, 1),
    )
    assert hold.canonical_key == "cn:trần văn hoà|1982-07-01" and hold.is_active()
    dossier = dossier_of(world, commune_a, clerk_a)
    with pytest.raises(TransitionRefused) as refused:
        services.add_nominee(
            dossier, actor=clerk_a, **NomineeDataFactory(name="TRẦN VĂN HOÀ", birth_date=date(1982, 7, 1))
        )
    message = str(refused.value)
    assert "Đang bị xem xét thi hành kỷ luật" in message and DECREE_HOLDS in message and "01/09/2025" in message
    assert "1982" not in message
    with pytest.raises(TransitionRefused, match="Hãy ghi lý do gỡ"):
        history.lift_hold(hold, "  ", actor=board_officer)
    history.lift_hold(hold, "Không kỷ luật.", actor=board_officer)
    assert not hold.is_active() and hold.lifted_by == board_officer and hold.lift_reason == "Không kỷ luật."
    with pytest.raises(TransitionRefused, match="đã được gỡ"):
        history.lift_hold(hold, "Lần nữa", actor=board_officer)
    services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Trần Văn Hoà", birth_date=date(1982, 7, 1))
    )
    actions = list(AuditEvent.objects.filter(action__contains="nomineehold").values_list("action", flat=True))
    assert actions == ["nominations.nomineehold.add", "nominations.nomineehold.lift"]
    # The birth date is nowhere in what the events record (their payload: the body also holds hashes and times,
    # whose digits may spell a year by chance).
    assert all(
        "1982" not in json.dumps(e.payload, ensure_ascii=False)
        for e in AuditEvent.objects.filter(action__contains="nomineehold")
    )


def test_nd_152_2025_art_4_a_hold_ends_on_its_date_and_an_id_number_matches_too(
    world, commune_a, clerk_a, board_officer
):
    """NĐ 152/2025 Art. 4: a hold with an end date no longer holds after it; the ID number matches any spelling."""
    today = timezone.localdate()
    history.add_hold(
        actor=board_officer, kind="individual", name="Lương Thị Hằng", id_number="001190000777",
        reason=HoldReason.COMPLAINT, since=today - timedelta(days=30), until=today - timedelta(days=1),
    )  # fmt: skip
    history.add_hold(
        actor=board_officer, kind="individual", name="Cao Văn Dũng", id_number="001190000888",
        reason=HoldReason.INSPECTION, since=today, until=today,
    )  # fmt: skip
    dossier = dossier_of(world, commune_a, clerk_a)
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Lương Thị Hằng", id_number="001190000777"))
    with pytest.raises(TransitionRefused, match="Đang bị điều tra, thanh tra, kiểm tra"):
        services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Cao Dũng", id_number="001190000888"))
    assert NomineeHold.objects.active().count() == 1
    assert NomineeHold.objects.active(today + timedelta(days=1)).count() == 0


def test_nd_152_2025_art_4_a_hold_placed_after_submission_stops_acceptance_and_submission(
    client, world, commune_a, clerk_a, head_a, board_officer
):
    """NĐ 152/2025 Art. 4: a hold placed after submission shows on the appraisal page; the nominee can only be
    rejected or stay pending; lifting the hold lets the appraiser propose the award again. A hold placed before
    submission stops the submission, naming the nominee."""
    dossier = dossier_of(world, commune_a, clerk_a)
    nominee = services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Phùng Thị Xoè", birth_date=date(1988, 8, 8))
    )
    hold = history.add_hold(
        actor=board_officer, kind="individual", name="Phùng Thị Xòe", birth_date=date(1988, 8, 8),
        reason=HoldReason.COMPLAINT, since=timezone.localdate(),
    )  # fmt: skip
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a)
    assert "“Phùng Thị Xoè”" in str(refused.value) and DECREE_HOLDS in str(refused.value)
    history.lift_hold(hold, "Đơn thư đã được giải quyết.", actor=board_officer)
    services.submit_dossier(dossier, actor=head_a)
    services.receive_dossier(dossier, actor=board_officer)

    history.add_hold(
        actor=board_officer, kind="individual", name="phùng thị xoè", birth_date=date(1988, 8, 8),
        reason=HoldReason.INSPECTION, since=timezone.localdate(),
    )  # fmt: skip
    client.force_login(board_officer)
    page = client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Đang bị điều tra, thanh tra, kiểm tra khi có dấu hiệu vi phạm" in page
    with pytest.raises(TransitionRefused) as refused:
        services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)
    assert DECREE_HOLDS in str(refused.value)
    nominee.refresh_from_db()
    assert nominee.appraisal_result == AppraisalResult.PENDING
    services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.REJECTED, note="Đang thanh tra.")
    assert nominee.appraisal_result == AppraisalResult.REJECTED
    history.lift_hold(NomineeHold.objects.active().get(), "Kết luận thanh tra: không vi phạm.", actor=board_officer)
    services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)
    assert nominee.appraisal_result == AppraisalResult.ACCEPTED


def test_hold_requires_a_way_to_match_and_a_sane_period(world, board_officer):
    with pytest.raises(TransitionRefused) as refused:
        history.add_hold(
            actor=board_officer, kind="individual", name="Không Ngày Sinh", reason="nope",
            since=date(2025, 9, 2), until=date(2025, 9, 1),
        )  # fmt: skip
    reasons = " ".join(refused.value.reasons)
    assert "ngày sinh hoặc số định danh" in reasons and "lý do" in reasons and "trước ngày bắt đầu" in reasons
    assert not NomineeHold.objects.exists()


# --- Permissions and pages: the board only ---------------------------------------------------------------------


def test_only_the_board_keeps_the_register_and_the_holds(world, clerk_a, head_a, board_officer, province):
    chairman_office = world.chairman_office
    coordinator = UserFactory(username="skhcn", role=Role.COORDINATOR, unit=province)
    hold = history.add_hold(
        actor=board_officer, kind="collective", name="Tổ dân phố 5", work_unit="Phường Linh Sơn",
        reason=HoldReason.INSPECTION,
    )  # fmt: skip
    for outsider in (clerk_a, head_a, chairman_office, coordinator):
        with pytest.raises(TransitionForbidden):
            history.add_hold(actor=outsider, kind="collective", name="Tổ 6", reason=HoldReason.DISCIPLINE)
        with pytest.raises(TransitionForbidden):
            history.lift_hold(hold, "Gỡ", actor=outsider)
        with pytest.raises(PermissionDenied):
            history.import_award_history(csv_file([row("A")]), actor=outsider)
    hold.refresh_from_db()
    assert hold.lifted_at is None and not AwardRecord.objects.exists()
    board_head = UserFactory(username="lanhdao.snv", role=Role.BOARD_HEAD, unit=province)
    history.lift_hold(hold, "Đã xong thanh tra.", actor=board_head)
    assert history.add_hold(actor=SYSTEM, kind="collective", name="Tổ 7", reason=HoldReason.COMPLAINT).pk


def test_the_pages_are_the_boards(client, world, clerk_a, board_officer):
    client.force_login(clerk_a)
    for name in ("history_list", "history_import", "history_template", "hold_list"):
        assert client.get(reverse(f"nominations:{name}")).status_code == 403
    assert client.post(reverse("nominations:hold_add"), {"kind": "individual"}).status_code == 403
    assert "history/" not in client.get(reverse("nominations:dossier_list")).content.decode()

    client.force_login(board_officer)
    page = client.get(reverse("nominations:dossier_list")).content.decode()
    assert reverse("nominations:history_list") in page and reverse("nominations:hold_list") in page
    # Import: upload → preview with the counts → confirm.
    upload = SimpleUploadedFile(
        "so.csv", csv_file([row("Nguyễn Thị Hoà"), row("Quách Văn Toản", birth="03/03/1973")]).getvalue()
    )
    page = client.post(reverse("nominations:history_import"), {"file": upload}).content.decode()
    assert "Xác nhận nhập" in page and not AwardRecord.objects.exists()
    token = client.session["nominations.history_import"]["token"]
    response = client.post(reverse("nominations:history_import"), {"confirm": "1", "token": token})
    assert response.url == reverse("nominations:history_list") and AwardRecord.objects.count() == 2
    # A file with a bad row: the errors, no confirm button.
    upload = SimpleUploadedFile("sai.csv", csv_file([row("X", kind="?")]).getvalue())
    page = client.post(reverse("nominations:history_import"), {"file": upload}).content.decode()
    assert "Loại không hợp lệ" in page and "Xác nhận nhập" not in page
    # Search by name, in any spelling.
    page = client.get(reverse("nominations:history_list"), {"q": "nguyễn thị hòa"}).content.decode()
    assert "Nguyễn Thị Hoà" in page and "Quách Văn Toản" not in page
    # Holds: add, list, lift.
    response = client.post(
        reverse("nominations:hold_add"),
        {
            "kind": "individual",
            "name": "Đào Văn Khuê",
            "id_number": "001080000999",
            "reason": "discipline",
            "since": "2025-10-01",
        },  # fmt: skip
    )
    hold = NomineeHold.objects.get()
    assert response.url == reverse("nominations:hold_list") and hold.created_by == board_officer
    assert "Đào Văn Khuê" in client.get(reverse("nominations:hold_list")).content.decode()
    page = client.post(
        reverse("nominations:hold_lift", args=[hold.pk]), {"reason": "Không kỷ luật."}, follow=True
    ).content.decode()
    assert "Đã gỡ tạm dừng xét khen thưởng đối với Đào Văn Khuê." in page
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert "Đào Văn Khuê" not in client.get(reverse("nominations:hold_list")).content.decode()
    assert "Đào Văn Khuê" in client.get(reverse("nominations:hold_list"), {"show": "all"}).content.decode()


def test_the_dossier_page_checks_every_nominee_at_once_with_the_same_answers(world, commune_a, clerk_a, board_officer):
    """eligibility_problems_by_nominee (the dossier page, two queries) agrees with eligibility_problems (one
    nominee at a time): a record of the same award by key and by ID number, a hold, the nominee's own record, and
    a nominee with nothing against them."""
    dossier = dossier_of(world, commune_a, clerk_a)
    held = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Phùng Thị Xoè", id_number=""))
    by_id = services.add_nominee(
        dossier, actor=clerk_a, **NomineeDataFactory(name="Đỗ Văn Khải", id_number="001088000111")
    )
    free = services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory(name="Lý Thị Mai"))
    history.add_hold(
        actor=board_officer, kind="individual", name=held.name, birth_date=held.birth_date,
        reason=HoldReason.COMPLAINT, since=timezone.localdate(),
    )  # fmt: skip
    for name, id_number in (("Đỗ V. Khải", "001088000111"), (held.name, "")):
        AwardRecord.objects.create(
            subject_kind="individual", name=name, id_number=id_number,
            canonical_key=history.key_of(held) if not id_number else "cn:khác",
            campaign=world.campaign, award_type_code=dossier.award_type_code, award_name="Bằng khen",
            decision_number="1", decision_symbol="QĐ-UBND", decision_date=date(2025, 9, 1), year=2025,
            source=AwardSource.IMPORTED,
        )  # fmt: skip
    nominees = list(dossier.nominees.all())
    batch = history.eligibility_problems_by_nominee(nominees, dossier)
    assert batch == {n.pk: history.eligibility_problems(n, dossier) for n in nominees}
    assert len(batch[held.pk]) == 2 and len(batch[by_id.pk]) == 1 and batch[free.pk] == []
