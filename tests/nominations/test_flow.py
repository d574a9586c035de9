"""The Dossier flow: every step through the door completes viewflow's task, and state and tasks always agree."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.models import Task

from accounts.enums import Role
from competition.enums import SubjectKind
from nominations.enums import AppraisalResult, DossierState
from nominations.flows import DossierFlow
from nominations.models import Award, AwardDecision, Dossier, DossierProcess
from nominations.services import dossiers as services
from nominations.services.codes import new_code
from workflows import SYSTEM, audit, transition
from workflows.audit import verify_chain
from workflows.consistency import check_states
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.flowsync import CLOSED_TASK_STATES, DoorTask, FlowOutOfStep, _door_only_view, check_agreement
from workflows.models import AuditEvent, Notification

from ..factories import NomineeDataFactory, UserFactory, pass_council

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime(2025, 9, 10, 9, 0))


def open_nodes(dossier) -> list[str]:
    """The work queue of ``dossier``: its open human tasks (the appraisal timer waits beside them: see timers())."""
    tasks = (
        Task.objects.filter(process__dossierprocess__dossier=dossier)
        .exclude(status__in=CLOSED_TASK_STATES)
        .exclude(flow_task_type="TIMER")
    )
    return sorted(t.flow_task.name for t in tasks)


def timers(dossier) -> list[tuple[str, str]]:
    tasks = Task.objects.filter(process__dossierprocess__dossier=dossier, flow_task_type="TIMER")
    return sorted((t.flow_task.name, t.status) for t in tasks)


def agree() -> None:
    """State and work queue agree, the trail is intact, every record is in the state its last event says."""
    assert check_agreement(strict=True) == []
    assert verify_chain() == []
    assert check_states() == []


def snapshot(dossier) -> tuple:
    tasks = Task.objects.filter(process__dossierprocess__dossier=dossier).order_by("pk")
    return (
        Dossier.objects.get(pk=dossier.pk).state,
        AuditEvent.objects.count(),
        list(tasks.values_list("pk", "status", "owner_id")),
    )


def new_dossier(world, unit, clerk, *, code="bang_khen_tinh", nominees=2) -> Dossier:
    dossier = services.create_dossier(
        world.campaign, unit=unit, award_type_code=code, title=f"Đề nghị khen thưởng — {unit}", actor=clerk
    )
    for _ in range(nominees):
        services.add_nominee(dossier, actor=clerk, **NomineeDataFactory())
    return dossier


def appraise_all(dossier, actor) -> None:
    for nominee in dossier.nominees.all():
        services.appraise_nominee(nominee, actor=actor, result=AppraisalResult.ACCEPTED)


def sign_decision_for(dossier, award_type_code="bang_khen_tinh") -> AwardDecision:
    """A signed decision built minimally from the models (services/decisions.py is the real path)."""
    award_type = dossier.rule_set.award_types.get(code=award_type_code)
    decision = AwardDecision.objects.create(
        campaign=dossier.campaign,
        issuing_unit=dossier.deciding_unit,
        authority=award_type.authority,
        award_type=award_type,
        rule_set=dossier.rule_set,
        number=101,
        year=2025,
        symbol="QĐ-UBND",
        issued_on=date(2025, 9, 30),
        place="Thái Nguyên",
    )
    for order, nominee in enumerate(dossier.nominees.all(), start=1):
        Award.objects.create(
            decision=decision, nominee=nominee, subject_kind=SubjectKind.INDIVIDUAL, name=nominee.name, order=order
        )
    transition(decision, "sign", actor=SYSTEM, at=AT, head_hash=audit.head().hash, code=new_code())
    Dossier.objects.filter(pk=dossier.pk).update(decision=decision)
    return decision


def test_full_path_state_and_tasks_agree_after_every_step(world, commune_a, clerk_a, head_a, board_officer):
    dossier = services.create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Đề nghị tặng Bằng khen", actor=clerk_a
    )
    assert dossier.state == DossierState.DRAFT and dossier.deciding_unit.parent_id is None
    assert open_nodes(dossier) == ["submit"]
    process = DossierProcess.objects.get(dossier=dossier)
    assert process.status == PROCESS.NEW and process.flow_class is DossierFlow
    agree()

    for data in (NomineeDataFactory(name="Nguyễn Thị Hoà"), NomineeDataFactory(name="Trần Văn Khoẻ")):
        services.add_nominee(dossier, actor=clerk_a, **data)
        agree()

    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 1), at=AT)
    assert (dossier.state, open_nodes(dossier)) == (DossierState.SUBMITTED, ["receive"])
    assert dossier.rule_set.code == "nd152-2025"
    assert Notification.objects.filter(recipient=board_officer, title__contains=dossier.title).exists()
    agree()

    services.return_dossier(dossier, actor=board_officer, reason="Thiếu biên bản họp Hội đồng thi đua của phường.")
    assert (dossier.state, open_nodes(dossier)) == (DossierState.RETURNED, ["submit"])
    assert dossier.return_reason == "Thiếu biên bản họp Hội đồng thi đua của phường."
    returned = AuditEvent.objects.get(action="nominations.dossier.send_back")
    assert returned.payload["reason"] == dossier.return_reason and returned.actor == board_officer
    assert set(
        Notification.objects.filter(body__contains="Thiếu biên bản").values_list("recipient__username", flat=True)
    ) == {clerk_a.username, head_a.username}
    agree()

    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 5), at=AT)
    assert (dossier.state, open_nodes(dossier), dossier.return_reason) == (DossierState.SUBMITTED, ["receive"], "")
    agree()

    services.receive_dossier(dossier, actor=board_officer, at=AT)
    assert (dossier.state, open_nodes(dossier)) == (DossierState.RECEIVED, ["appraise"])
    agree()

    first, second = dossier.nominees.all()
    services.appraise_nominee(first, actor=board_officer, result=AppraisalResult.ACCEPTED)
    agree()
    services.appraise_nominee(
        second, actor=board_officer, result=AppraisalResult.REJECTED, note="Thành tích chưa tiêu biểu."
    )
    agree()

    services.complete_appraisal(dossier, actor=board_officer, at=AT)
    assert (dossier.state, open_nodes(dossier)) == (DossierState.APPRAISED, ["council"])
    agree()

    pass_council([dossier], secretary=board_officer)
    dossier.refresh_from_db()
    assert (dossier.state, open_nodes(dossier)) == (DossierState.PROPOSED, ["decide"])
    assert Notification.objects.filter(recipient=world.chairman_office, title__contains=dossier.title).exists()
    agree()

    # Who did what is in the tasks (viewflow never fills ``assigned``: the door does) and in the trail.
    done = Task.objects.filter(process=process, flow_task_type="HUMAN", status=STATUS.DONE).order_by("pk")
    assert [(t.flow_task.name, t.owner_id) for t in done] == [
        ("submit", head_a.pk),
        ("receive", board_officer.pk),
        ("submit", head_a.pk),
        ("receive", board_officer.pk),
        ("appraise", board_officer.pk),
        ("council", board_officer.pk),
    ]
    assert all(t.assigned and t.started and t.finished for t in done)


def test_decide_needs_a_signed_decision_then_ends_the_process(world, commune_a, clerk_a, head_a, board_officer):
    dossier = new_dossier(world, commune_a, clerk_a)
    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 1))
    services.receive_dossier(dossier, actor=board_officer)
    appraise_all(dossier, board_officer)
    services.complete_appraisal(dossier, actor=board_officer)
    pass_council([dossier], secretary=board_officer)
    dossier.refresh_from_db()
    chairman = world.chairman_office

    before = snapshot(dossier)
    with pytest.raises(TransitionRefused) as refused:
        transition(dossier, "decide", actor=chairman, at=AT)
    assert "chưa thuộc quyết định khen thưởng nào đã ký" in str(refused.value)
    assert snapshot(dossier) == before

    sign_decision_for(dossier)
    with pytest.raises(TransitionForbidden):
        transition(dossier, "decide", actor=head_a, at=AT)  # a commune head does not decide a Bằng khen
    transition(dossier, "decide", actor=chairman, at=AT)
    assert dossier.state == DossierState.DECIDED and open_nodes(dossier) == []
    process = DossierProcess.objects.get(dossier=dossier)
    assert process.status == PROCESS.DONE and process.finished is not None
    agree()


def test_giay_khen_is_received_and_appraised_by_the_commune_and_decided_by_its_head(
    world, commune_a, clerk_a, head_a, board_officer
):
    dossier = new_dossier(world, commune_a, clerk_a, code="giay_khen_xa")
    assert dossier.deciding_unit == commune_a
    services.submit_dossier(dossier, actor=head_a, on=date(2025, 9, 1))
    assert Notification.objects.filter(recipient=clerk_a, title__contains=dossier.title).exists()
    assert not Notification.objects.filter(recipient=board_officer, title__contains=dossier.title).exists()

    before = snapshot(dossier)
    with pytest.raises(TransitionForbidden):
        services.receive_dossier(dossier, actor=board_officer)  # the provincial board does not receive a Giấy khen
    assert snapshot(dossier) == before

    services.receive_dossier(dossier, actor=clerk_a)
    appraise_all(dossier, clerk_a)
    services.complete_appraisal(dossier, actor=clerk_a)
    assert open_nodes(dossier) == ["council"]
    with pytest.raises(TransitionForbidden):  # the commune's own council, prepared by its own office
        pass_council([dossier], secretary=board_officer)
    pass_council([dossier], secretary=clerk_a)
    dossier.refresh_from_db()
    assert open_nodes(dossier) == ["decide"]
    agree()

    sign_decision_for(dossier, "giay_khen_xa")
    with pytest.raises(TransitionForbidden):
        transition(dossier, "decide", actor=world.chairman_office, at=AT)
    transition(dossier, "decide", actor=head_a, at=AT)
    assert dossier.state == DossierState.DECIDED and open_nodes(dossier) == []
    agree()


def test_wrong_role_or_state_is_refused_in_vietnamese_and_changes_nothing(
    world, commune_a, commune_b, clerk_a, clerk_b, head_a, head_b, board_officer
):
    dossier = new_dossier(world, commune_a, clerk_a)
    before = snapshot(dossier)
    for actor in (clerk_a, board_officer, head_b, world.chairman_office):
        with pytest.raises(TransitionForbidden) as forbidden:
            services.submit_dossier(dossier, actor=actor)
        assert "Bạn không có quyền “Gửi hồ sơ”" in forbidden.value.message
        assert snapshot(dossier) == before
    with pytest.raises(TransitionRefused) as refused:
        services.receive_dossier(dossier, actor=board_officer)
    assert "Không thể “Tiếp nhận” khi" in str(refused.value) and "“Đang soạn”" in str(refused.value)
    with pytest.raises(TransitionRefused) as refused:
        services.complete_appraisal(dossier, actor=board_officer)
    assert "Không thể “Hoàn thành thẩm định”" in str(refused.value)
    assert snapshot(dossier) == before

    services.submit_dossier(dossier, actor=head_a)
    before = snapshot(dossier)
    with pytest.raises(TransitionRefused) as refused:
        services.return_dossier(dossier, actor=board_officer, reason="   ")
    assert "lý do" in str(refused.value)
    with pytest.raises(TransitionForbidden):
        services.return_dossier(dossier, actor=clerk_b, reason="Không đủ")
    with pytest.raises(TransitionRefused):
        services.submit_dossier(dossier, actor=head_a)  # already submitted
    assert snapshot(dossier) == before
    agree()


def test_a_dossier_without_nominees_cannot_be_submitted(world, commune_a, clerk_a, head_a):
    dossier = new_dossier(world, commune_a, clerk_a, nominees=0)
    before = snapshot(dossier)
    with pytest.raises(TransitionRefused) as refused:
        services.submit_dossier(dossier, actor=head_a)
    assert "chưa có người hoặc tập thể nào" in str(refused.value)
    assert snapshot(dossier) == before


def test_the_door_refuses_when_the_work_queue_is_out_of_step(world, commune_a, clerk_a, head_a):
    dossier = new_dossier(world, commune_a, clerk_a)
    Task.objects.filter(process__dossierprocess__dossier=dossier, status=STATUS.NEW).update(status=STATUS.CANCELED)
    problems = check_agreement()
    assert len(problems) == 1 and "“Trình ký, gửi hồ sơ”" in problems[0]
    before = snapshot(dossier)
    with pytest.raises(FlowOutOfStep) as out_of_step:
        services.submit_dossier(dossier, actor=head_a)
    assert "không có việc “Trình ký, gửi hồ sơ” đang chờ" in out_of_step.value.message
    assert snapshot(dossier) == before  # the door rolled back the transition and its audit event


def test_the_agreement_check_sees_a_state_changed_behind_the_door(world, commune_a, clerk_a, head_a):
    dossier = new_dossier(world, commune_a, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.RECEIVED)
    problems = check_agreement()
    assert len(problems) == 1
    assert "“Đã tiếp nhận” cần việc “Thẩm định hồ sơ”" in problems[0] and "Tiếp nhận hồ sơ" in problems[0]
    assert any("khác với nhật ký" in p for p in check_states())


def test_records_outside_any_flow_are_left_alone_but_strict_check_names_them(world, commune_a):
    from ..factories import DossierFactory

    legacy = DossierFactory(campaign=world.campaign, unit=commune_a)
    assert check_agreement() == []
    assert check_agreement(strict=True) == [f"hồ sơ đề nghị khen thưởng #{legacy.pk}: không có quy trình xử lý nào."]


def test_viewflow_cannot_move_the_queue_behind_the_door(world, commune_a, clerk_a):
    superuser = UserFactory(username="root", role=Role.ADMIN, is_superuser=True)
    flow = DossierFlow.instance
    assert not flow.has_manage_permission(superuser)  # no cancel, undo or revive, not even for a superuser
    for node in flow.nodes():
        if isinstance(node, DoorTask):
            assert node.assign_view is None and node.unassign_view is None
            assert node.cancel_view is None and node.undo_view is None and node.revive_view is None
    with pytest.raises(PermissionDenied):
        _door_only_view(None)
    with pytest.raises(NoReverseMatch):
        reverse("nominations:dossier:index")  # viewflow's URLs are not mounted


def test_a_human_step_stays_within_its_query_budget(world, commune_a, clerk_a, head_a, board_officer):
    dossier = new_dossier(world, commune_a, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    board_officer.has_perm("nominations.receive_dossier", dossier)  # warm the scoping cache
    with CaptureQueriesContext(connection) as ctx:
        transition(dossier, "receive", actor=board_officer, at=AT)
    # The door (lock, permission, save, chain head, audit, refresh) plus viewflow's step (task read under the
    # lock, assign, complete, the gateway and the next task with its link); savepoints included. Receiving also
    # arms the appraisal timer (its task, and the clock read from the trail: 3 more) and checks the completeness
    # gate (the required documents, the files and the nominees: 3 more, once in the service and once as the door's
    # condition).
    assert len(ctx.captured_queries) <= 34, [q["sql"] for q in ctx.captured_queries]


def test_the_system_actor_completes_a_task_without_owning_it(world, commune_a, clerk_a, head_a):
    dossier = new_dossier(world, commune_a, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    transition(dossier, "receive", actor=SYSTEM, at=AT)  # e.g. a timer or the simulator
    task = Task.objects.get(process__dossierprocess__dossier=dossier, flow_task=DossierFlow.receive)
    assert (task.status, task.owner_id) == (STATUS.DONE, None)
    assert AuditEvent.objects.get(action="nominations.dossier.receive").actor_label == "system"
    agree()


def test_a_record_gets_one_running_process_and_the_registry_checks_its_wiring(world, commune_a, clerk_a):
    from django.core.exceptions import ImproperlyConfigured
    from django.db import transaction

    from workflows import flowsync

    dossier = new_dossier(world, commune_a, clerk_a, nominees=0)
    with pytest.raises(TransitionRefused), transaction.atomic():
        flowsync.start_process(DossierFlow, dossier, SYSTEM)
    assert DossierProcess.objects.filter(dossier=dossier).count() == 1
    with pytest.raises(ImproperlyConfigured):
        flowsync.register(Dossier, DossierProcess, "dossier", transitions={"timeline_errors": "submit"})
    with pytest.raises(ImproperlyConfigured):
        flowsync.register(AwardDecision, DossierProcess, "dossier", transitions={"sign": "decide"})


def test_a_task_claimed_by_one_officer_is_taken_over_by_the_one_who_acts(
    world, commune_a, clerk_a, head_a, board_unit
):
    first = UserFactory(username="canbo.1", role=Role.BOARD_OFFICER, unit=board_unit)
    second = UserFactory(username="canbo.2", role=Role.BOARD_OFFICER, unit=board_unit)
    dossier = new_dossier(world, commune_a, clerk_a)
    services.submit_dossier(dossier, actor=head_a)
    task = Task.objects.get(process__dossierprocess__dossier=dossier, status=STATUS.NEW)
    with task.activation() as act:  # as viewflow's own "assign" would (that view is not exposed)
        act.assign(first)
    services.receive_dossier(dossier, actor=second)
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.DONE, second.pk)
    agree()
