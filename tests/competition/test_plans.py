"""Unit plans (issue 4, item 1): draft with a checked document, submit, return with a reason, resubmit as a new
version with what changed, accept; late marking; scoping; the UnitPlan flow agrees with the plan's state."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook
from viewflow.workflow.models import Task

from competition.models import Cluster, PlanState, UnitPlan, UnitPlanProcess
from competition.scoping import scope
from competition.services import plans as services
from competition.services.campaigns import launch_campaign
from workflows.audit import verify_chain
from workflows.consistency import check_states
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.flowsync import CLOSED_TASK_STATES, check_agreement
from workflows.models import AuditEvent, Notification

from ..factories import IndicatorFactory

pytestmark = pytest.mark.django_db

ON_TIME = timezone.make_aware(datetime(2025, 8, 10, 9, 0))
LATE = timezone.make_aware(datetime(2025, 8, 20, 9, 0))
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="ke-hoach.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="ke-hoach.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(draft_campaign, board_officer):
    IndicatorFactory(campaign=draft_campaign, code="2")
    IndicatorFactory(campaign=draft_campaign, code="3")
    launch_campaign(draft_campaign, actor=board_officer, on=date(2025, 7, 15))
    draft_campaign.refresh_from_db()
    return draft_campaign


def open_nodes(plan) -> list[str]:
    tasks = Task.objects.filter(process__unitplanprocess__plan=plan).exclude(status__in=CLOSED_TASK_STATES)
    return sorted(t.flow_task.name for t in tasks)


def agree() -> None:
    assert check_agreement(strict=True) == []
    assert verify_chain() == []
    assert check_states() == []


def drafted(campaign, unit, clerk, **overrides) -> UnitPlan:
    plan = services.start_plan(campaign, unit=unit, actor=clerk)
    data = {"number": "45/KH-UBND", "date": date(2025, 8, 1), "document": pdf(), "adopted_codes": ["1", "2"]}
    data.update(overrides)
    return services.save_plan_draft(plan, actor=clerk, **data)


def test_return_and_resubmission_keep_versions_with_changes(
    campaign, commune_a, clerk_a, board_officer, django_capture_on_commit_callbacks
):
    plan = services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    assert (plan.state, open_nodes(plan)) == (PlanState.DRAFT, ["submit"])
    assert UnitPlanProcess.objects.filter(plan=plan).count() == 1
    agree()

    # Without number, date and document it cannot be sent.
    with pytest.raises(TransitionRefused) as refused:
        services.submit_plan(plan, actor=clerk_a, at=ON_TIME)
    assert "chưa có số, ngày ban hành hoặc tệp" in str(refused.value)

    services.save_plan_draft(
        plan, actor=clerk_a, number="45/KH-UBND", date=date(2025, 8, 1), document=pdf(), adopted_codes=["2", "1"]
    )
    assert plan.adopted_codes == ["1", "2"] and plan.document_name == "ke-hoach.pdf"
    assert plan.document.name.startswith(f"plans/{campaign.pk}/{commune_a.pk}/")
    first_hash = plan.document_sha256
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_plan(plan, actor=clerk_a, at=ON_TIME)
    assert (plan.state, open_nodes(plan), plan.late) == (PlanState.SUBMITTED, ["review"], False)
    assert Notification.objects.filter(recipient=board_officer, title__contains=commune_a.name).exists()
    agree()

    # Returning needs a reason; a clerk cannot review.
    with pytest.raises(TransitionRefused):
        services.return_plan(plan, actor=board_officer, reason="  ")
    with pytest.raises(TransitionForbidden):
        services.accept_plan(plan, actor=clerk_a)
    reason = "Chưa giao chỉ tiêu 3 cho các tổ dân phố."
    services.return_plan(plan, actor=board_officer, reason=reason)
    assert (plan.state, open_nodes(plan), plan.return_reason) == (PlanState.RETURNED, ["submit"], reason)
    event = AuditEvent.objects.get(action="competition.unitplan.send_back")
    assert event.payload["reason"] == reason and event.actor == board_officer
    assert Notification.objects.filter(recipient=clerk_a, body__contains=reason).exists()
    agree()

    # The board cannot edit; the clerk fixes the plan: a new file, a new number, one more indicator.
    with pytest.raises(TransitionForbidden):
        services.save_plan_draft(plan, actor=board_officer, number="x", date=date(2025, 8, 1))
    services.save_plan_draft(
        plan,
        actor=clerk_a,
        number="45a/KH-UBND",
        date=date(2025, 8, 1),
        document=docx("ke-hoach-sua.docx"),
        adopted_codes=["1", "2", "3"],
    )
    services.submit_plan(plan, actor=clerk_a, at=LATE)
    assert (plan.state, open_nodes(plan), plan.return_reason) == (PlanState.SUBMITTED, ["review"], "")
    # Late is decided by the first submission, which was on time; the version itself records it came after.
    assert plan.late is False
    agree()

    services.accept_plan(plan, actor=board_officer)
    assert (plan.state, open_nodes(plan)) == (PlanState.ACCEPTED, [])
    assert plan.processes.get().status == "DONE"
    agree()

    first, second = plan.versions.order_by("version")
    assert (first.version, first.number, first.sha256, first.late) == (1, "45/KH-UBND", first_hash, False)
    assert first.changes == "Gửi lần đầu."
    assert first.adopted_codes == ["1", "2"]
    assert (second.version, second.file_name, second.late) == (2, "ke-hoach-sua.docx", True)
    assert second.sha256 == plan.document_sha256 != first_hash
    assert second.changes.splitlines() == [
        "Số kế hoạch: 45/KH-UBND → 45a/KH-UBND.",
        "Thay tệp: ke-hoach.pdf → ke-hoach-sua.docx.",
        "Thêm chỉ tiêu: 3.",
    ]
    # Both files are kept: the first version still points at the first upload.
    assert first.document.name != second.document.name
    with first.document.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_first_submission_after_the_deadline_is_marked_late(campaign, commune_a, clerk_a):
    plan = drafted(campaign, commune_a, clerk_a)
    services.submit_plan(plan, actor=clerk_a, at=LATE)
    plan.refresh_from_db()
    assert plan.late is True and plan.versions.get().late is True
    agree()


def test_submission_on_the_deadline_day_is_on_time(campaign, commune_a, clerk_a):
    plan = drafted(campaign, commune_a, clerk_a)
    services.submit_plan(plan, actor=clerk_a, at=timezone.make_aware(datetime(2025, 8, 15, 23, 30)))
    plan.refresh_from_db()
    assert plan.late is False


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("ke-hoach.pdf", b"Day la mot tep van ban thuong.\n"), "“ke-hoach.pdf” không phải"),
        (SimpleUploadedFile("ke-hoach.docx", b"PK\x03\x04 not really a zip"), "“ke-hoach.docx” không phải"),
        (SimpleUploadedFile("ke-hoach.txt", PDF_BYTES), "có đuôi “.txt” nhưng nội dung là PDF"),
        (SimpleUploadedFile("rong.pdf", b""), "“rong.pdf” rỗng"),
    ],
)
def test_documents_are_checked_by_content(campaign, commune_a, clerk_a, upload, message):
    plan = services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    before = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        services.save_plan_draft(plan, actor=clerk_a, number="1/KH", date=date(2025, 8, 1), document=upload)
    assert message in str(refused.value)
    plan.refresh_from_db()
    assert (plan.document.name, plan.number, AuditEvent.objects.count()) == ("", "", before)


def test_a_zip_without_word_document_is_not_a_docx(campaign, commune_a, clerk_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    plan = services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="không phải văn bản PDF hoặc Word"):
        services.save_plan_draft(
            plan,
            actor=clerk_a,
            number="1",
            date=date(2025, 8, 1),
            document=SimpleUploadedFile("a.docx", buffer.getvalue()),
        )


def test_size_limit(settings, campaign, commune_a, clerk_a):
    settings.THIDUA_MAX_UPLOAD_BYTES = 100
    plan = services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="“to.pdf” quá lớn"):
        services.save_plan_draft(
            plan, actor=clerk_a, number="1", date=date(2025, 8, 1), document=pdf("to.pdf", PDF_BYTES + b"0" * 200)
        )


def test_unknown_indicator_code_is_refused(campaign, commune_a, clerk_a):
    plan = services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="“9”"):
        services.save_plan_draft(plan, actor=clerk_a, number="1", date=date(2025, 8, 1), adopted_codes=["1", "9"])


def test_one_plan_per_unit_and_only_its_own_clerk(campaign, commune_a, commune_b, clerk_a, clerk_b):
    services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionRefused, match="đã có kế hoạch"):
        services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    with pytest.raises(TransitionForbidden):
        services.start_plan(campaign, unit=commune_a, actor=clerk_b)


def test_another_unit_cannot_see_the_plan(campaign, commune_a, clerk_a, clerk_b, board_officer, client):
    plan = drafted(campaign, commune_a, clerk_a)
    services.submit_plan(plan, actor=clerk_a, at=ON_TIME)
    assert list(scope(clerk_b, UnitPlan.objects.all())) == []
    assert list(scope(clerk_a, UnitPlan.objects.all())) == [plan]
    assert list(scope(board_officer, UnitPlan.objects.all())) == [plan]
    assert not clerk_b.has_perm("competition.change_unitplan", plan)

    client.force_login(clerk_b)
    assert client.get(reverse("competition:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("competition:plan_document", args=[plan.pk])).status_code == 404
    assert client.get(reverse("competition:plan_status", args=[campaign.pk])).status_code == 403
    # ... nor the other unit's inbox: clerk B has nothing waiting, the board officer has the review.
    from workflows.inbox import items_for

    assert [i.title for i in items_for(clerk_b) if "Kế hoạch" in i.title] == []
    assert [i.step for i in items_for(board_officer)] == ["Xem xét kế hoạch"]


def test_a_unit_head_without_a_plan_is_sent_back_to_the_campaign(campaign, commune_a, client):
    from accounts.enums import Role

    from ..factories import UserFactory

    head = UserFactory(username="thutruong.a", role=Role.UNIT_HEAD, unit=commune_a)
    client.force_login(head)
    response = client.get(reverse("competition:plan_mine", args=[campaign.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("competition:campaign_detail", args=[campaign.pk])
    assert "cán bộ thi đua của đơn vị lập và gửi" in response.content.decode()
    assert not UnitPlan.objects.exists()


def test_views_board_status_table_and_download(campaign, commune_a, commune_b, clerk_a, board_officer, client):
    client.force_login(clerk_a)
    detail = client.get(reverse("competition:campaign_detail", args=[campaign.pk]))
    assert reverse("competition:plan_mine", args=[campaign.pk]) in detail.content.decode()
    response = client.post(
        reverse("competition:plan_mine", args=[campaign.pk]),
        {"number": "45/KH-UBND", "date": "2025-08-01", "document": pdf(), "adopted_codes": ["1"]},
    )
    plan = UnitPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("competition:plan_detail", args=[plan.pk])
    client.post(reverse("competition:plan_transition", args=[plan.pk, "submit"]))
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    download = client.get(reverse("competition:plan_document", args=[plan.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES
    download.close()

    client.force_login(board_officer)
    page = client.get(reverse("competition:plan_status", args=[campaign.pk])).content.decode()
    assert commune_a.name in page and commune_b.name in page and "Chưa có" in page and "1/2 (50,0%)" in page
    cluster = Cluster.objects.create(code="C1", name="Cụm 1")
    cluster.units.add(commune_a, commune_b)
    export = client.get(reverse("competition:plan_status_export", args=[campaign.pk]))
    sheet = CalamineWorkbook.from_object(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert ["Toàn bộ", 1, 2, 50.0, 100] in [r[:5] for r in sheet]
    assert ["Cụm 1", 1, 2, 50.0, 100] in [r[:5] for r in sheet]
    unit_rows = {r[0]: r for r in sheet if r and r[0] in (commune_a.code, commune_b.code)}
    assert unit_rows[commune_a.code][3:5] == ["Đã gửi", "45/KH-UBND"]
    assert unit_rows[commune_b.code][3] == "Chưa có"
    client.post(reverse("competition:plan_transition", args=[plan.pk, "send_back"]), {"reason": ""})
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    client.post(reverse("competition:plan_transition", args=[plan.pk, "send_back"]), {"reason": "Thiếu chữ ký."})
    plan.refresh_from_db()
    assert (plan.state, plan.return_reason) == (PlanState.RETURNED, "Thiếu chữ ký.")
    page = client.get(reverse("competition:plan_status", args=[campaign.pk])).content.decode()
    assert "0/2 (0,0%)" in page  # a returned plan no longer counts as issued
    agree()


def test_clerk_inbox_lists_campaigns_whose_plan_is_not_started(campaign, commune_a, clerk_a, commune_b, clerk_b):
    from workflows.inbox import items_for

    steps = [(i.title, i.step) for i in items_for(clerk_a)]
    assert (str(campaign), "Lập và gửi kế hoạch của đơn vị") in steps
    services.start_plan(campaign, unit=commune_a, actor=clerk_a)
    steps = [(i.title, i.step) for i in items_for(clerk_a)]
    assert (str(campaign), "Lập và gửi kế hoạch của đơn vị") not in steps
    assert any(i.step == "Lập và gửi kế hoạch của đơn vị" for i in items_for(clerk_b))
