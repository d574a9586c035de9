"""A dossier's composition (Law 06/2022/QH15 Art. 84; domain rule 7), returns for supplementation with reasons per
item, versions with what changed, and the appraisal time limit's timer (domain rule 9)."""

import io
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from accounts.enums import Role
from competition.models import RequiredDocument
from nominations.enums import AppraisalResult, DossierState
from nominations.models import DossierDocument, DossierReturn
from nominations.services import composition
from nominations.services import dossiers as services
from nominations.services.clock import appraisal_clocks, overdue_moment
from nominations.services.demo import document_file, fill_composition
from workflows import SYSTEM, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent, Notification, StandIn
from workflows.tasks import fire_workflow_timers

from ..factories import NomineeDataFactory, UserFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
LAW_ART_84 = "Luật Thi đua, khen thưởng 2022, Điều 84"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def world(world, rule_set):
    """The nomination world, with the composition of Law 06/2022/QH15 Art. 84 for the Chairman's Bằng khen."""
    award = rule_set.award_types.get(code="bang_khen_tinh")
    for order, (code, name, per_nominee, mandatory) in enumerate(
        [
            ("to_trinh", "Tờ trình kèm danh sách", False, True),
            ("bao_cao_thanh_tich", "Báo cáo thành tích", True, True),
            ("bien_ban_hoi_dong", "Biên bản họp Hội đồng", False, True),
            ("van_ban_xac_nhan", "Văn bản xác nhận", False, False),
        ],
        start=1,
    ):
        RequiredDocument.objects.create(
            award_type=award, code=code, name=name, per_nominee=per_nominee, mandatory=mandatory, order=order
        )
    return world


@pytest.fixture
def board_head(board_unit):
    return UserFactory(username="lanhdao.snv", role=Role.BOARD_HEAD, unit=board_unit)


def new_dossier(world, unit, clerk, *, nominees=2):
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code="bang_khen_tinh", title=f"Đề nghị — {unit}", actor=clerk
    )
    for _ in range(nominees):
        services.add_nominee(dossier, actor=clerk, **NomineeDataFactory())
    return dossier


def pdf(name="tai-lieu.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="tai-lieu.docx") -> SimpleUploadedFile:
    return document_file("Báo cáo", ["Nội dung"], name=name)


def complete(dossier, clerk) -> None:
    fill_composition(dossier, actor=clerk)


# --- Composition -------------------------------------------------------------------------------------------------


def test_the_composition_comes_from_the_rule_set_one_report_per_nominee(world, commune_a, clerk_a):
    """Law 06/2022/QH15 Art. 84: letter with the list, an achievement report per nominee, the council's minutes,
    certifications where required; kept as data (RequiredDocument)."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=2)
    items = composition.composition(dossier)
    assert [(i.required.code, i.nominee is not None) for i in items] == [
        ("to_trinh", False),
        ("bao_cao_thanh_tich", True),
        ("bao_cao_thanh_tich", True),
        ("bien_ban_hoi_dong", False),
        ("van_ban_xac_nhan", False),
    ]
    missing = composition.missing_documents(dossier)
    assert len(missing) == 4  # the certification is only asked for where required
    assert all(LAW_ART_84 in m for m in missing)


def test_the_unit_head_cannot_submit_an_incomplete_dossier(world, commune_a, clerk_a, head_a):
    """Domain rule 7: completeness gate; the refusal lists each missing document and its legal basis."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    composition.attach_document(dossier, code="to_trinh", upload=pdf(), actor=clerk_a)
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a)
    text = str(refused.value)
    assert "Báo cáo thành tích" in text and "Biên bản họp Hội đồng" in text and "Tờ trình" not in text
    assert dossier.state == DossierState.DRAFT
    complete(dossier, clerk_a)
    assert services.submit_dossier(dossier, actor=head_a).state == DossierState.SUBMITTED


def test_receipt_is_gated_even_for_the_system_actor(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 7: the receive transition carries the completeness condition itself."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    DossierDocument.objects.filter(dossier=dossier, code="bien_ban_hoi_dong").update(superseded_at=datetime.now(VN))
    with pytest.raises(TransitionRefused) as refused:
        services.receive_dossier(dossier, actor=board_officer)
    assert "Biên bản họp Hội đồng" in str(refused.value)
    with pytest.raises(TransitionRefused, match="thiếu tài liệu bắt buộc"):
        transition(dossier, "receive", actor=SYSTEM)
    assert dossier.state == DossierState.SUBMITTED


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("bien-ban.pdf", b"just text, not a PDF"), "không phải văn bản PDF hoặc Word"),
        (SimpleUploadedFile("bien-ban.docx", PDF), "có đuôi “.docx” nhưng nội dung là PDF"),
        (SimpleUploadedFile("bien-ban.pdf", PDF[:-7]), "không đọc được: tệp PDF bị cắt hoặc hỏng"),
        (SimpleUploadedFile("bien-ban.pdf", b""), "rỗng"),
    ],
)
def test_uploads_are_checked_by_content(world, commune_a, clerk_a, upload, message):
    """Files go as Word and PDF (Art. 84), checked by their content and readable; nothing is stored otherwise."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    with pytest.raises(TransitionRefused, match=message):
        composition.attach_document(dossier, code="bien_ban_hoi_dong", upload=upload, actor=clerk_a)
    assert not DossierDocument.objects.exists()


def test_a_damaged_word_file_and_a_format_the_document_does_not_take_are_refused(world, commune_a, clerk_a):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    good = docx().read()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
    damaged = bytearray(buffer.getvalue())
    start = damaged.index(b"word/document.xml") + 40
    damaged[start : start + 20] = b"\x00" * 20
    with pytest.raises(TransitionRefused, match="Word \\(DOCX\\) bị hỏng"):
        composition.attach_document(
            dossier, code="to_trinh", upload=SimpleUploadedFile("to-trinh.docx", bytes(damaged)), actor=clerk_a
        )
    RequiredDocument.objects.filter(code="to_trinh").update(formats="pdf")
    with pytest.raises(TransitionRefused, match="chỉ nhận: PDF"):
        composition.attach_document(dossier, code="to_trinh", upload=docx("to-trinh.docx"), actor=clerk_a)


@override_settings(THIDUA_MAX_UPLOAD_BYTES=1024)
def test_an_upload_above_the_size_limit_is_refused(world, commune_a, clerk_a):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    big = PDF[:-6] + b" " * 2048 + b"%%EOF\n"
    with pytest.raises(TransitionRefused, match="quá lớn"):
        composition.attach_document(dossier, code="to_trinh", upload=pdf(content=big), actor=clerk_a)


def test_a_new_file_supersedes_the_old_which_is_kept(world, commune_a, clerk_a):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    first = composition.attach_document(dossier, code="to_trinh", upload=pdf("v1.pdf"), actor=clerk_a)
    second = composition.attach_document(dossier, code="to_trinh", upload=docx("v2.docx"), actor=clerk_a)
    (item,) = [i for i in composition.composition(dossier) if i.required.code == "to_trinh"]
    assert item.document == second and item.history == [first]
    first.refresh_from_db()
    with first.file.open("rb") as kept:
        assert first.superseded_at is not None and kept.read() == PDF
    events = AuditEvent.objects.filter(action="nominations.document.attach").order_by("sequence")
    assert [e.payload["name"] for e in events] == ["v1.pdf", "v2.docx"]
    assert len(events[0].payload["sha256"]) == 64


def test_only_the_units_clerk_uploads_and_only_while_the_dossier_is_with_the_unit(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a
):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    with pytest.raises(TransitionForbidden):
        composition.attach_document(dossier, code="to_trinh", upload=pdf(), actor=clerk_b)
    with pytest.raises(TransitionRefused, match="từng người, tập thể"):
        composition.attach_document(dossier, code="bao_cao_thanh_tich", upload=pdf(), actor=clerk_a)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    with pytest.raises(TransitionRefused, match="chỉ sửa được khi đang soạn hoặc bị trả lại"):
        composition.attach_document(dossier, code="to_trinh", upload=pdf(), actor=clerk_a)


# --- Returns and versions ------------------------------------------------------------------------------------------


def test_a_return_at_receipt_names_each_item_and_the_resubmission_answers_it(
    world, commune_a, clerk_a, head_a, board_officer
):
    """Step 9: returned with reasons for supplementation; the unit resubmits; versions keep what changed."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=2)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    first, second = dossier.nominees.order_by("order")
    report = composition.target_of("bao_cao_thanh_tich", first.pk)
    services.return_dossier(
        dossier,
        actor=board_officer,
        reason="Hoàn thiện và gửi lại.",
        items=[
            {"target": report, "reason": "Chưa đúng mẫu của nghị định."},
            {"target": f"nominee:{second.pk}", "reason": "Ghi rõ chức vụ."},
            {"target": "document:to_trinh", "reason": "   "},  # no reason: not an item
        ],
    )
    assert dossier.state == DossierState.RETURNED
    (returned,) = DossierReturn.objects.filter(dossier=dossier)
    assert [(i["target"], i["reason"]) for i in returned.items] == [
        (report, "Chưa đúng mẫu của nghị định."),
        (f"nominee:{second.pk}", "Ghi rõ chức vụ."),
    ]
    assert returned.from_state == DossierState.SUBMITTED and returned.resolved_by_version is None
    note = Notification.objects.filter(recipient=clerk_a).latest("pk")
    assert "Chưa đúng mẫu của nghị định." in note.body and "Ghi rõ chức vụ." in note.body

    composition.attach_document(dossier, code="bao_cao_thanh_tich", nominee=first, upload=pdf("bc.pdf"), actor=clerk_a)
    services.update_nominee(second, actor=clerk_a, position="Phó Trưởng phòng")
    services.submit_dossier(dossier, actor=head_a)
    versions = list(dossier.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    changes = [c["what"] for c in versions[1].changes]
    assert any(c.startswith("Thay “Báo cáo thành tích") and "bc.pdf" in c for c in changes)
    assert any("chức vụ" in c and second.name in c for c in changes)
    returned.refresh_from_db()
    assert returned.resolved_by_version == versions[1]
    # The first version still names the files it held.
    assert len(versions[0].snapshot["files"]) == 5
    assert versions[0].snapshot["files"] != versions[1].snapshot["files"]


def test_a_return_needs_a_reason_and_items_of_this_dossier(world, commune_a, clerk_a, head_a, board_officer):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    with pytest.raises(TransitionRefused, match="Hãy ghi lý do trả lại"):
        services.return_dossier(dossier, actor=board_officer, items=[{"target": "document:to_trinh", "reason": ""}])
    with pytest.raises(TransitionRefused, match="không thuộc hồ sơ"):
        services.return_dossier(dossier, actor=board_officer, items=[{"target": "nominee:999999", "reason": "x"}])
    with pytest.raises(TransitionForbidden):
        services.return_dossier(dossier, actor=clerk_a, reason="Tự trả lại")
    assert dossier.state == DossierState.SUBMITTED and not DossierReturn.objects.exists()


def test_a_return_during_appraisal_keeps_opinions_on_unchanged_nominees(
    world, commune_a, clerk_a, head_a, board_officer
):
    """Returned during appraisal (step 10): the flow goes back to the unit; on resubmission a changed nominee is
    appraised again, an unchanged one keeps its opinion; state and work queue agree throughout."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=2)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    services.receive_dossier(dossier, actor=board_officer)
    first, second = dossier.nominees.order_by("order")
    for nominee in (first, second):
        services.appraise_nominee(nominee, actor=board_officer, result=AppraisalResult.ACCEPTED)
    services.return_dossier(
        dossier, actor=board_officer, items=[{"target": f"nominee:{second.pk}", "reason": "Bổ sung thành tích."}]
    )
    assert dossier.state == DossierState.RETURNED
    assert DossierReturn.objects.get(dossier=dossier).from_state == DossierState.RECEIVED
    assert check_agreement(strict=True) == []
    services.update_nominee(second, actor=clerk_a, achievement="Tổ chức 12 lớp tập huấn AI cho 600 người dân.")
    services.submit_dossier(dossier, actor=head_a)
    services.receive_dossier(dossier, actor=board_officer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.appraisal_result, second.appraisal_result) == (AppraisalResult.ACCEPTED, AppraisalResult.PENDING)
    change = dossier.versions.get(number=2).changes
    assert change == [{"kind": "changed", "what": f"Sửa “{second.name}”: tóm tắt thành tích"}]
    assert check_agreement(strict=True) == []


def test_versions_never_hold_personal_data(world, commune_a, clerk_a, head_a, board_officer):
    """Domain rule 16: a version stores a digest of birth date, gender and ID number, never the values."""
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    nominee = dossier.nominees.get()
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    services.return_dossier(dossier, actor=board_officer, reason="Kiểm tra lại ngày sinh.")
    services.update_nominee(nominee, actor=clerk_a, birth_date=date(1990, 12, 31))
    services.submit_dossier(dossier, actor=head_a)
    version = dossier.versions.get(number=2)
    assert "1990-12-31" not in str(version.snapshot) and "31/12/1990" not in str(version.changes)
    assert version.changes == [
        {"kind": "changed", "what": f"Sửa “{nominee.name}”: thông tin cá nhân (ngày sinh, giới tính, số định danh)"}
    ]


def test_the_time_limit_across_tet_stops_while_returned_during_appraisal(
    world, commune_a, clerk_a, head_a, board_officer, rule_set
):
    """Domain rule 9: 20 working days from a complete dossier, Tết (16–20/02/2026) excluded; a return during
    appraisal stops the clock, the next receipt resumes it."""
    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    with time_machine.travel(datetime(2026, 2, 2, 9, tzinfo=VN), tick=False):
        services.submit_dossier(dossier, actor=head_a)
        services.receive_dossier(dossier, actor=board_officer)  # Monday 02/02
    with time_machine.travel(datetime(2026, 2, 6, 9, tzinfo=VN), tick=False):  # Friday: 4 days used
        services.return_dossier(dossier, actor=board_officer, items=[{"target": "document:to_trinh", "reason": "x"}])
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=VN), tick=False):  # the clock stands still
        paused = appraisal_clocks([dossier])[dossier.pk]
        assert (paused.used, paused.running) == (4, False)
    with time_machine.travel(datetime(2026, 2, 23, 9, tzinfo=VN), tick=False):  # after Tết
        composition.attach_document(dossier, code="to_trinh", upload=pdf("moi.pdf"), actor=clerk_a)
        services.submit_dossier(dossier, actor=head_a)
        services.receive_dossier(dossier, actor=board_officer)
    now = appraisal_clocks([dossier], today=date(2026, 3, 6))[dossier.pk]
    assert (now.used, now.remaining, now.due) == (13, 7, date(2026, 3, 17))


# --- The appraisal timer (viewflow .OnTimeout, fired by django-q2) -----------------------------------------------


def test_the_appraisal_timer_escalates_once_when_the_limit_passes(
    world, commune_a, clerk_a, head_a, board_officer, board_head, board_unit, rule_set
):
    """Domain rule 9: overdue work escalates — to the board's head and the officer handling it (and their
    stand-in while away), through viewflow's timer fired by the django-q2 schedule."""
    rule_set.appraisal_working_days = 2
    rule_set.save(update_fields=["appraisal_working_days"])
    stand_in = UserFactory(username="canbo2.snv", role=Role.BOARD_OFFICER, unit=board_unit)
    StandIn.objects.create(
        absent=board_officer, stand_in=stand_in, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31)
    )
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):  # Monday
        services.submit_dossier(dossier, actor=head_a)
        services.receive_dossier(dossier, actor=board_officer)
        dossier.refresh_from_db()
        dossier.assignee = board_officer
        dossier.save(update_fields=["assignee"])
        (timer,) = Task.objects.filter(process__dossierprocess__dossier=dossier, flow_task_type="TIMER")
        # Two working days after Monday: Wednesday is the last; the timer fires at Thursday's start.
        assert timer.scheduled == datetime(2026, 3, 5, 0, 0, tzinfo=VN) == overdue_moment(dossier)
    with time_machine.travel(datetime(2026, 3, 4, 23, 0, tzinfo=VN), tick=False):
        assert fire_workflow_timers() == 0
    with time_machine.travel(datetime(2026, 3, 5, 0, 10, tzinfo=VN), tick=False):
        assert fire_workflow_timers() == 1
        assert fire_workflow_timers() == 0
    told = set(
        Notification.objects.filter(title__startswith="Quá hạn thẩm định").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"lanhdao.snv", "canbo.snv", "canbo2.snv"}
    assert AuditEvent.objects.filter(action="nominations.dossier.overdue").count() == 1
    # The appraisal task is still open (the timer does not interrupt it); the work queue agrees.
    assert dossier.state == DossierState.RECEIVED and check_agreement(strict=True) == []
    assert Task.objects.filter(
        process__dossierprocess__dossier=dossier, flow_task__isnull=False, status=STATUS.NEW
    ).exists()


def test_a_return_cancels_the_timer_and_the_next_receipt_arms_one_for_the_days_left(
    world, commune_a, clerk_a, head_a, board_officer, rule_set
):
    rule_set.appraisal_working_days = 5
    rule_set.save(update_fields=["appraisal_working_days"])
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):
        services.submit_dossier(dossier, actor=head_a)
        services.receive_dossier(dossier, actor=board_officer)
    with time_machine.travel(datetime(2026, 3, 4, 9, tzinfo=VN), tick=False):  # 2 days used
        services.return_dossier(dossier, actor=board_officer, reason="Bổ sung.")
    timers = Task.objects.filter(process__dossierprocess__dossier=dossier, flow_task_type="TIMER")
    assert list(timers.values_list("status", flat=True)) == [STATUS.CANCELED]
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=VN), tick=False):  # Tuesday
        services.submit_dossier(dossier, actor=head_a)
        services.receive_dossier(dossier, actor=board_officer)
    armed = timers.exclude(status=STATUS.CANCELED).get()
    # 3 days left from Tuesday 10/03: Wed, Thu, Fri 13/03 is the last; fires at Saturday's start.
    assert armed.scheduled == datetime(2026, 3, 14, 0, 0, tzinfo=VN)
    with time_machine.travel(datetime(2026, 3, 14, 1, 0, tzinfo=VN), tick=False):
        services.appraise_nominee(dossier.nominees.get(), actor=board_officer, result=AppraisalResult.ACCEPTED)
        services.complete_appraisal(dossier, actor=board_officer)
        assert fire_workflow_timers() == 0  # the task finished first: its timer was cancelled
    assert not AuditEvent.objects.filter(action="nominations.dossier.overdue").exists()


def test_the_timers_schedule_exists_after_migrate():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="thidua-workflow-timers")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "workflows.tasks.fire_workflow_timers",
        Schedule.MINUTES,
        5,
    )


# --- Pages ---------------------------------------------------------------------------------------------------------


def test_the_clerk_uploads_on_the_page_and_another_unit_cannot_download(
    world, commune_a, clerk_a, clerk_b, client, board_officer
):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    client.force_login(clerk_a)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Thành phần hồ sơ" in page and "Còn thiếu 3 tài liệu bắt buộc" in page
    response = client.post(
        f"/dossiers/{dossier.pk}/documents/upload/", {"code": "to_trinh", "file": pdf("to-trinh.pdf")}, follow=True
    )
    assert "Đã tải lên “to-trinh.pdf”" in response.content.decode()
    bad = client.post(
        f"/dossiers/{dossier.pk}/documents/upload/",
        {"code": "bien_ban_hoi_dong", "file": SimpleUploadedFile("bb.pdf", b"hello")},
        follow=True,
    )
    assert "không phải văn bản PDF hoặc Word" in bad.content.decode()
    document = DossierDocument.objects.get()
    download = client.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    download.close()
    client.force_login(clerk_b)
    assert client.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/").status_code == 404
    client.force_login(board_officer)
    board_download = client.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/")
    board_download.close()
    assert board_download.status_code == 200


def test_the_board_returns_with_reasons_per_item_from_the_page(
    world, commune_a, clerk_a, head_a, client, board_officer
):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=1)
    complete(dossier, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    nominee = dossier.nominees.get()
    client.force_login(board_officer)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert f'name="reason:document:bao_cao_thanh_tich:{nominee.pk}"' in page
    client.post(
        f"/dossiers/{dossier.pk}/return/",
        {"reason": "", f"reason:document:bao_cao_thanh_tich:{nominee.pk}": "Thiếu số liệu."},
    )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETURNED
    client.force_login(clerk_a)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Thiếu số liệu." in page and "Cần bổ sung:" in page
    client.force_login(clerk_a)
    assert client.post(f"/dossiers/{dossier.pk}/return/", {"reason": "x"}).status_code == 403
