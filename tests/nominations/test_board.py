"""The board at scale (issue 6, item 7): the filtered list of dossiers, bulk actions on every filtered dossier (not
just one page) with a confirmation and a background job over the threshold, and assignment of dossiers to officers.
"""

import io
import time
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from competition.enums import Authority
from nominations.enums import DossierState
from nominations.flows import DossierFlow
from nominations.models import BulkJob, Dossier, Nominee
from nominations.services import board
from nominations.services import dossiers as dossier_services
from nominations.services.inbox import inbox_for
from workflows import SYSTEM, flowsync, transition
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.flowsync import check_agreement
from workflows.models import AuditEvent, Notification

from ..factories import AwardTypeFactory, CampaignFactory, DossierFactory, UserFactory, make_nomination_world

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
THEMATIC = "bang_khen_chuyen_de"


def make_dossiers(
    n, *, campaign, unit, province, rule_set, prefix="Hồ sơ", award="bang_khen_tinh", submit=True, **extra
):
    """``n`` dossiers of ``unit`` for the provincial Chairman, one nominee each, with their flow; submitted through
    the door (system actor) unless ``submit`` is false. Rows are bulk-created: only the flow goes one by one."""
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                campaign=campaign,
                unit=unit,
                deciding_unit=province,
                award_type_code=award,
                title=f"{prefix} {i + 1}",
                **extra,
            )
            for i in range(n)
        ]
    )
    Nominee.objects.bulk_create(
        [
            Nominee(dossier=d, kind="individual", name=f"Người {d.pk}", canonical_key=f"cn:người {d.pk}|x", order=1)
            for d in dossiers
        ]
    )
    at = timezone.now()
    for dossier in dossiers:
        with transaction.atomic():
            flowsync.start_process(DossierFlow, dossier, SYSTEM)
        if submit:
            transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=at)
    return dossiers


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    AwardTypeFactory(
        rule_set=rule_set, code=THEMATIC, name="Bằng khen theo chuyên đề", authority=Authority.PROVINCIAL_CHAIRMAN
    )
    world = make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )
    world.campaign.award_type_codes = [*world.campaign.award_type_codes, THEMATIC]
    world.campaign.save(update_fields=["award_type_codes"])
    return world


@pytest.fixture
def head(board_unit):
    return UserFactory(username="giamdoc.snv", full_name="Lê Văn Giám Đốc", role=Role.BOARD_HEAD, unit=board_unit)


@pytest.fixture
def officer2(board_unit):
    return UserFactory(username="canbo2.snv", full_name="Phạm Thị Hai", role=Role.BOARD_OFFICER, unit=board_unit)


@pytest.fixture
def other_campaign(rule_set, commune_a, commune_b):
    return CampaignFactory(name="Phong trào khác", state="launched", rule_set=rule_set)


@pytest.fixture
def make(rule_set, province):
    def make_(n=1, *, campaign, unit, **kwargs):
        return make_dossiers(n, campaign=campaign, unit=unit, province=province, rule_set=rule_set, **kwargs)

    return make_


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


# --- Filters ---------------------------------------------------------------------------------------------------


@pytest.fixture
def four(world, other_campaign, make, commune_a, commune_b, board_officer, officer2):
    """a1: campaign A, ward A, submitted, nobody handles it; a2: campaign A, ward B, submitted, officer 2;
    a3: campaign A, ward A, the thematic form, a draft; b1: the other campaign, ward B, submitted, board_officer."""
    (a1,) = make(campaign=world.campaign, unit=commune_a, prefix="A1")
    (a2,) = make(campaign=world.campaign, unit=commune_b, prefix="A2", assignee=officer2)
    (a3,) = make(campaign=world.campaign, unit=commune_a, prefix="A3", award=THEMATIC, submit=False)
    (b1,) = make(campaign=other_campaign, unit=commune_b, prefix="B1", assignee=board_officer)
    return a1, a2, a3, b1


def test_each_filter_narrows_the_board_list(four, world, board_officer, officer2, clerk_a, commune_a):
    a1, a2, a3, b1 = four

    def found(**params):
        return pks(board.filtered_dossiers(board_officer, params))

    assert found() == {a1.pk, a2.pk, a3.pk, b1.pk}
    assert found(campaign=str(world.campaign.pk)) == {a1.pk, a2.pk, a3.pk}
    assert found(state="submitted") == {a1.pk, a2.pk, b1.pk}
    assert found(award=THEMATIC) == {a3.pk}
    assert found(unit="linh sơn") == {a2.pk, b1.pk}  # typed in lower case: "Phường Linh Sơn"
    assert found(unit="05443") == {a1.pk, a3.pk}  # by code
    assert found(assignee="none") == {a1.pk, a3.pk}
    assert found(assignee="me") == {b1.pk}
    assert found(assignee=str(officer2.pk)) == {a2.pk}
    assert found(campaign=str(world.campaign.pk), state="submitted", assignee="none") == {a1.pk}
    # Values that mean nothing are ignored rather than emptying the list.
    assert found(state="bogus", assignee="x1", clock="soon", campaign="abc") == {a1.pk, a2.pk, a3.pk, b1.pk}
    # Scoped as before: a ward's own Giấy khen stays with the ward, and a clerk sees their ward's dossiers only.
    own = DossierFactory(
        campaign=world.campaign, unit=commune_a, deciding_unit=commune_a, award_type_code="giay_khen_xa"
    )
    assert own.pk not in found()
    assert pks(board.filtered_dossiers(clerk_a, {})) == {a1.pk, a3.pk, own.pk}


def test_filters_round_trip_through_request_parameters():
    filters = board.DossierFilters.from_params({"campaign": "7", "clock": "due", "within": "99", "unit": " Linh "})
    assert filters.within == board.MAX_WITHIN and filters.unit == "Linh"
    assert filters.as_params() == {"campaign": "7", "unit": "Linh", "clock": "due", "within": "60"}
    assert board.DossierFilters.from_params(filters.as_params()) == filters
    assert board.DossierFilters.from_params({}).any is False


def test_the_clock_filters(world, make, commune_a, board_officer, rule_set):
    """Received Monday 02/02/2026 with 20 working days: across Tết its last day is Monday 09/03/2026; on Wednesday
    04/03 three working days are left. Received 05/01: long overdue on 04/03. Received 03/03: far from due."""
    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    due, overdue, fresh, returned, waiting = make(5, campaign=world.campaign, unit=commune_a)
    for dossier, day in ((due, date(2026, 2, 2)), (overdue, date(2026, 1, 5)), (fresh, date(2026, 3, 3))):
        moment = datetime(day.year, day.month, day.day, 9, tzinfo=VN)
        with time_machine.travel(moment, tick=False):
            transition(dossier, "receive", actor=SYSTEM, at=moment)
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=VN), tick=False):
        transition(returned, "receive", actor=SYSTEM, at=timezone.now())
        transition(returned, "send_back_in_appraisal", actor=SYSTEM, reason="Thiếu biên bản họp")

    with time_machine.travel(datetime(2026, 3, 4, 9, tzinfo=VN), tick=False):

        def found(**params):
            return pks(board.filtered_dossiers(board_officer, params))

        assert found(clock="overdue") == {overdue.pk}
        assert found(clock="due") == {due.pk}  # within 3 working days by default
        assert found(clock="due", within="2") == set()
        assert found(clock="due", within="30") == {due.pk, fresh.pk}
        assert found(clock="not_started") == {waiting.pk}  # never received; the returned one has started
        assert found(clock="overdue", state="submitted") == set()


# --- The list page ---------------------------------------------------------------------------------------------


def test_the_list_pages_by_50_keeping_the_filters(
    client, world, other_campaign, make, commune_a, commune_b, board_officer
):
    make(60, campaign=world.campaign, unit=commune_a, prefix="Thuộc bộ lọc")
    make(3, campaign=other_campaign, unit=commune_b, prefix="Phong trào khác")
    client.force_login(board_officer)
    url = reverse("nominations:dossier_list")
    page = client.get(url, {"campaign": world.campaign.pk, "state": "submitted"}).content.decode()
    assert "60 hồ sơ phù hợp" in page and "trang 1/2" in page
    assert page.count("Thuộc bộ lọc ") == 50 and "Phong trào khác 1" not in page
    assert f"?campaign={world.campaign.pk}&amp;state=submitted&amp;page=2" in page
    second = client.get(url, {"campaign": world.campaign.pk, "state": "submitted", "page": 2}).content.decode()
    assert second.count("Thuộc bộ lọc ") == 10 and "trang 2/2" in second
    assert f"?campaign={world.campaign.pk}&amp;state=submitted&amp;page=1" in second
    # The bulk form carries the filter, not the page.
    assert f'<input type="hidden" name="campaign" value="{world.campaign.pk}">' in second
    bulk_form = second.split(f'action="{reverse("nominations:dossier_bulk")}"')[1].split("</form>")[0]
    assert 'name="page"' not in bulk_form
    everything = client.get(url).content.decode()
    assert "63 hồ sơ phù hợp" in everything


def test_the_list_shows_officer_and_remaining_time_for_the_same_queries_however_many_rows(
    client, world, make, commune_a, commune_b, board_officer, officer2, head
):
    def received(dossiers):
        for d in dossiers:
            transition(d, "receive", actor=SYSTEM, at=timezone.now())

    received(make(2, campaign=world.campaign, unit=commune_a, assignee=officer2))
    make(1, campaign=world.campaign, unit=commune_b)
    client.force_login(head)
    url = reverse("nominations:dossier_list")
    client.get(url)  # warm caches (content types, the holiday calendar)

    def count() -> tuple[int, str]:
        client.get(url, {"campaign": world.campaign.pk})  # values of the data cache read once for the new rows
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"campaign": world.campaign.pk})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    few, page = count()
    assert "3 hồ sơ phù hợp" in page and "Phạm Thị Hai" in page and "còn 20 ngày làm việc" in page
    received(make(20, campaign=world.campaign, unit=commune_a, assignee=board_officer))
    make(20, campaign=world.campaign, unit=commune_b)
    many, page = count()
    assert "43 hồ sơ phù hợp" in page
    assert many == few, f"{few} queries for 3 rows, {many} for 43"
    assert few <= 20
    # The head reassigns from each row; the rows of nobody yet say so.
    assert page.count("Phân công lại") == 22 and "Chưa phân công" in page


# --- Assignment ------------------------------------------------------------------------------------------------


def test_an_officer_takes_an_unassigned_dossier_but_cannot_reassign_anothers(four, board_officer, officer2, head):
    a1, a2, a3, b1 = four
    board.assign_dossier(a1, board_officer, actor=board_officer)
    a1.refresh_from_db()
    assert a1.assignee == board_officer
    with pytest.raises(TransitionForbidden, match="đang do Phạm Thị Hai thụ lý: chỉ lãnh đạo Sở được phân công lại"):
        board.assign_dossier(a2, board_officer, actor=board_officer)
    with pytest.raises(TransitionForbidden, match="chỉ nhận thụ lý hồ sơ cho chính mình"):
        board.assign_dossier(b1, officer2, actor=board_officer)  # their own, to someone else
    with pytest.raises(TransitionRefused, match="Đang soạn"):
        board.assign_dossier(a3, board_officer, actor=board_officer)  # still with its unit
    with pytest.raises(TransitionRefused, match="chuyên viên Ban Thi đua"):
        board.assign_dossier(a1, head, actor=head)  # only to an officer
    a2.refresh_from_db()
    assert a2.assignee == officer2
    # The head reassigns; audited, and the new officer is told.
    board.assign_dossier(a2, board_officer, actor=head, reason="Chị Hai nghỉ phép")
    a2.refresh_from_db()
    assert a2.assignee == board_officer
    event = AuditEvent.objects.filter(action="nominations.dossier.assign", object_id=str(a2.pk)).get()
    assert event.actor == head and event.payload == {
        "from": "canbo2.snv",
        "to": "canbo.snv",
        "reason": "Chị Hai nghỉ phép",
    }
    assert Notification.objects.filter(recipient=board_officer, title__contains="Bạn được giao thụ lý").count() == 1


def test_the_row_forms_assign_one_dossier(client, four, board_officer, officer2, head):
    a1, a2, _a3, _b1 = four
    url = reverse("nominations:dossier_list") + "?state=submitted"
    client.force_login(board_officer)
    page = client.get(url).content.decode()
    assert page.count("Nhận thụ lý") == 1  # only a1 has nobody
    response = client.post(
        reverse("nominations:dossier_assign", args=[a2.pk]), {"officer": board_officer.pk, "next": url}
    )
    assert response.status_code == 302 and response.url == url
    a2.refresh_from_db()
    assert a2.assignee == officer2  # refused, with the reason shown
    page = client.get(url).content.decode()
    assert "chỉ lãnh đạo Sở được phân công lại" in page
    client.post(reverse("nominations:dossier_assign", args=[a1.pk]), {"officer": board_officer.pk, "next": url})
    a1.refresh_from_db()
    assert a1.assignee == board_officer
    client.force_login(head)
    client.post(
        reverse("nominations:dossier_assign", args=[a1.pk]), {"officer": officer2.pk, "next": "https://evil.example/"}
    )
    a1.refresh_from_db()
    assert a1.assignee == officer2


def test_the_officer_who_receives_takes_the_dossier(four, board_officer, officer2, head):
    a1, a2, _a3, _b1 = four
    received = dossier_services.receive_dossier(a1, actor=board_officer)
    board.take_on_receipt(received, board_officer)
    a1.refresh_from_db()
    assert a1.assignee == board_officer
    assert AuditEvent.objects.get(action="nominations.dossier.assign", object_id=str(a1.pk)).payload["on_receipt"]
    # Someone already handles it (or the head or the system receives it): nothing changes.
    assert board.take_on_receipt(a1, officer2) is False
    received = dossier_services.receive_dossier(a2, actor=board_officer)
    assert board.take_on_receipt(received, board_officer) is False
    a2.refresh_from_db()
    assert a2.assignee == officer2
    assert board.take_on_receipt(a1, SYSTEM) is False and board.take_on_receipt(a1, head) is False


def test_the_inbox_follows_the_officer(four, board_officer, officer2):
    a1, a2, _a3, _b1 = four
    assert {i.dossier.pk for i in inbox_for(board_officer)} >= {a1.pk}
    assert a2.pk not in {i.dossier.pk for i in inbox_for(board_officer)}  # officer 2 handles it
    assert {i.dossier.pk for i in inbox_for(officer2)} == {a1.pk, a2.pk}


# --- Bulk actions ----------------------------------------------------------------------------------------------


def test_bulk_receive_of_a_thousand_filtered_dossiers(
    world, other_campaign, make, commune_a, commune_b, board_officer, capsys
):
    started = time.perf_counter()
    filtered = make(1000, campaign=world.campaign, unit=commune_a, prefix="Hồ sơ đợt 1")
    drafts = make(2, campaign=world.campaign, unit=commune_b, prefix="Chưa gửi", submit=False)
    others = make(5, campaign=other_campaign, unit=commune_b, prefix="Phong trào khác")
    built = time.perf_counter()
    seen = []
    result = board.bulk_apply(
        "receive",
        {"campaign": str(world.campaign.pk)},
        actor=board_officer,
        progress=lambda done, total: seen.append((done, total)),
    )
    done = time.perf_counter()
    with capsys.disabled():
        print(f"\n1,000-dossier bulk receive: setup {built - started:.1f} s, bulk receive {done - built:.1f} s")
    assert (result.total, result.done, result.refused_count) == (1002, 1000, 2)
    assert {r.pk for r in result.refused} == {d.pk for d in drafts}
    assert "Đang soạn" in result.refused[0].reason
    summary = result.summary()
    assert summary.startswith("Đã tiếp nhận 1000 hồ sơ, không thực hiện 2: Không thể “Tiếp nhận” khi Chưa gửi")
    assert seen[-1] == (1002, 1002) and len(seen) > 10
    states = Counter(
        Dossier.objects.filter(pk__in=[d.pk for d in filtered + drafts + others]).values_list("state", flat=True)
    )
    assert states == {DossierState.RECEIVED: 1000, DossierState.DRAFT: 2, DossierState.SUBMITTED: 5}
    assert not Dossier.objects.filter(pk__in=[d.pk for d in others]).exclude(state=DossierState.SUBMITTED).exists()
    assert AuditEvent.objects.filter(action="nominations.dossier.receive", actor=board_officer).count() == 1000
    assert check_agreement() == []  # every flow moved on with its dossier


def test_bulk_assign_by_the_head_after_a_confirmation(
    client, four, make, world, commune_a, board_officer, officer2, head
):
    a1, a2, a3, b1 = four
    make(3, campaign=world.campaign, unit=commune_a, prefix="Thêm")
    client.force_login(head)
    params = {"campaign": world.campaign.pk, "assignee": "none", "action": "assign", "officer": officer2.pk}
    page = client.post(reverse("nominations:dossier_bulk"), params).content.decode()
    # a1, a3 (the draft is refused when it runs) and the 3 new ones: nothing changed yet.
    assert "Thao tác sẽ áp dụng cho 5 hồ sơ" in page and "Phạm Thị Hai" in page and "Chưa phân công" in page
    assert not Dossier.objects.filter(assignee=officer2).exclude(pk=a2.pk).exists()
    make(1, campaign=world.campaign, unit=commune_a, prefix="Đến muộn")  # the count changes before confirming
    page = client.post(
        reverse("nominations:dossier_bulk"), {**params, "confirm": "1", "expected": "5"}
    ).content.decode()
    assert "vừa thay đổi" in page and "Thao tác sẽ áp dụng cho 6 hồ sơ" in page
    response = client.post(
        reverse("nominations:dossier_bulk"), {**params, "confirm": "1", "expected": "6"}, follow=True
    )
    page = response.content.decode()
    assert "Đã phân công 5 hồ sơ, không thực hiện 1" in page
    assert Dossier.objects.filter(campaign=world.campaign, assignee=officer2).count() == 6  # a2 + 5
    a3.refresh_from_db()
    assert a3.assignee is None
    # Officer 2 is told once, not once per dossier.
    assert Notification.objects.filter(recipient=officer2).values_list("title", flat=True).get() == (
        "Bạn được giao thụ lý 5 hồ sơ"
    )
    # An officer cannot bulk-assign to someone else.
    client.force_login(board_officer)
    page = client.post(
        reverse("nominations:dossier_bulk"),
        {**params, "officer": officer2.pk, "confirm": "1", "expected": "1"},
        follow=True,
    ).content.decode()
    assert "chỉ nhận thụ lý hồ sơ cho chính mình" in page


def test_a_bulk_receive_from_the_page_reports_each_refusal(client, world, make, commune_a, commune_b, board_officer):
    make(3, campaign=world.campaign, unit=commune_a, prefix="Đủ")
    make(1, campaign=world.campaign, unit=commune_b, prefix="Nháp", submit=False)
    client.force_login(board_officer)
    params = {"campaign": world.campaign.pk, "action": "receive"}
    page = client.post(reverse("nominations:dossier_bulk"), params).content.decode()
    assert "Thao tác sẽ áp dụng cho 4 hồ sơ" in page
    page = client.post(
        reverse("nominations:dossier_bulk"), {**params, "confirm": "1", "expected": "4"}, follow=True
    ).content.decode()
    assert "Đã tiếp nhận 3 hồ sơ, không thực hiện 1: Không thể “Tiếp nhận” khi Nháp 1" in page
    assert Dossier.objects.filter(state=DossierState.RECEIVED).count() == 3


def test_a_bulk_action_over_the_threshold_runs_in_the_background(
    client, settings, world, make, commune_a, board_officer, django_capture_on_commit_callbacks, monkeypatch
):
    settings.THIDUA_BULK_BACKGROUND = 3
    make(5, campaign=world.campaign, unit=commune_a, prefix="Nền")
    seen = []
    original = board._job_progress

    def spy(job_id):
        report = original(job_id)

        def wrapped(done, total):
            seen.append((done, total, BulkJob.objects.get(pk=job_id).state))
            report(done, total)

        return wrapped

    monkeypatch.setattr(board, "_job_progress", spy)
    client.force_login(board_officer)
    params = {"state": "submitted", "action": "receive"}
    page = client.post(reverse("nominations:dossier_bulk"), params).content.decode()
    assert "Thao tác sẽ áp dụng cho 5 hồ sơ" in page and "chạy nền" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("nominations:dossier_bulk"), {**params, "confirm": "1", "expected": "5"})
    job = BulkJob.objects.get()
    assert response.url == reverse("nominations:bulk_job", args=[job.pk])
    assert (job.state, job.total, job.processed, job.succeeded, job.refused_count) == ("done", 5, 5, 5, 0)
    assert [s[:2] for s in seen] == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)] and seen[0][2] == "running"
    assert Dossier.objects.filter(state=DossierState.RECEIVED).count() == 5
    page = client.get(response.url).content.decode()
    assert "Đã tiếp nhận 5 hồ sơ." in page and 'http-equiv="refresh"' not in page
    assert Notification.objects.filter(
        recipient=board_officer, key=f"bulk-job:{job.pk}:done:{board_officer.pk}"
    ).exists()

    # While a job waits or runs, its page shows the progress and refreshes itself; others do not see it.
    waiting = BulkJob.objects.create(
        action="receive", actor=board_officer, total=8, processed=2, filters={"state": "received"}
    )
    page = client.get(reverse("nominations:bulk_job", args=[waiting.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "Đang xử lý: 2/8 hồ sơ." in page and 'value="25"' in page
    client.force_login(UserFactory(role=Role.BOARD_OFFICER))
    assert client.get(reverse("nominations:bulk_job", args=[waiting.pk])).status_code == 404
    # A task delivered twice does nothing the second time.
    assert board.run_job(job.pk).succeeded == 5


def test_a_bulk_job_lost_with_its_worker_is_resumed_and_does_each_dossier_once(
    settings, world, make, commune_a, board_officer, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 8, item 8: the worker running a bulk receive died after 2 of 5 dossiers; the job stayed "running" for
    good. The schedule ``thidua-resume-jobs`` queues it again once the task time limit has passed: the other 3 are
    received, none twice. A job that keeps dying is failed after three deliveries and its author told."""
    from datetime import timedelta

    from django.utils import timezone

    from workflows import jobs
    from workflows.models import AuditEvent
    from workflows.tasks import resume_stalled_jobs

    settings.THIDUA_BULK_BACKGROUND = 3
    make(5, campaign=world.campaign, unit=commune_a, prefix="Nền")
    real_queue = board._queue
    monkeypatch.setattr(board, "_queue", lambda job_id: jobs.mark_queued(BulkJob, job_id))  # the task is lost
    with django_capture_on_commit_callbacks(execute=True):
        job = board.start_bulk("receive", {"state": "submitted"}, actor=board_officer)
    # The worker took it and died after two dossiers.
    for dossier in Dossier.objects.order_by("pk")[:2]:
        dossier_services.receive_dossier(dossier, actor=board_officer)
    BulkJob.objects.filter(pk=job.pk).update(state="running", started_at=timezone.now(), processed=2)
    monkeypatch.setattr(board, "_queue", real_queue)

    assert resume_stalled_jobs() == 0  # not yet: the task may still be running
    later = timezone.now() + timedelta(hours=1)
    assert jobs.resume_all(later) == 1
    job.refresh_from_db()
    assert (job.state, job.succeeded, job.deliveries) == ("done", 3, 2)
    assert Dossier.objects.filter(state=DossierState.RECEIVED).count() == 5
    assert AuditEvent.objects.filter(action="nominations.dossier.receive").count() == 5  # each once
    assert jobs.resume_all(later) == 0  # done: left alone

    stuck = BulkJob.objects.create(
        action="receive", actor=board_officer, state="running", deliveries=3, queued_at=timezone.now()
    )
    assert jobs.resume_all(later) == 0
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "bị gián đoạn 3 lần" in stuck.message
    assert Notification.objects.filter(recipient=board_officer, key__startswith=f"bulk-job:{stuck.pk}:failed").exists()


def test_export_of_every_filtered_dossier(client, world, other_campaign, make, commune_a, commune_b, board_officer):
    from openpyxl import load_workbook

    make(55, campaign=world.campaign, unit=commune_a, prefix="=Xuất")
    make(2, campaign=other_campaign, unit=commune_b, prefix="Không xuất")
    client.force_login(board_officer)
    response = client.post(reverse("nominations:dossier_bulk"), {"campaign": world.campaign.pk, "action": "export"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Mã hồ sơ", "Trích yếu", "Mã đơn vị", "Đơn vị đề nghị")
    assert len(rows) == 56  # every page, not only the first 50
    assert {r[1] for r in rows[1:]} == {f"'=Xuất {i}" for i in range(1, 56)}  # formulas neutralised
    assert {r[6] for r in rows[1:]} == {"Đã gửi"}
