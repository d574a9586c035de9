"""Issue 8, item 8: faults, on a real PostgreSQL server with the Redis broker.

- A worker killed in the middle of an import: a real ``manage.py qcluster`` (Redis broker) writes a background
  indicator import of 8,000 values; the cluster's whole process group gets SIGKILL while its INSERT runs. Nothing
  is left half-written, the job stays "writing" and its task is gone from Redis (this broker has no redelivery).
  A new cluster starts, the ``thidua-resume-jobs`` schedule queues the lost job again, and the values are
  written exactly once, with one audit event, the job done with the right counts. A duplicate delivery after that
  writes nothing, and two deliveries of the same write at once (threads) write it once: the job's row lock decides.
- The web keeps serving while no worker runs: a bulk action over the background threshold and a large import return
  at once with their "in progress" page (the task waits in Redis), and the usual pages answer 200.
- Deadlines and reminders catch up after downtime: the reminders schedule, missed for days, runs as django-q2's
  scheduler catches up (once per missed day, all on the day the workers come back); the reminder or overdue notice
  that fell in the downtime goes out once, escalated to the heads, whatever the number of catch-up runs. The
  appraisal timer that fell due in the downtime escalates once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf

from accounts.enums import Role
from competition import tasks as competition_tasks
from competition.enums import CampaignState, ImportState, UnitKind
from competition.models import Campaign, Enrolment, Indicator, IndicatorImport, ProgressReport, Unit
from competition.services.campaigns import launch_campaign
from competition.services.indicator_import import confirm_import, start_import
from competition.services.progress import create_period
from nominations.enums import DossierState
from nominations.models import BulkJob, Dossier
from nominations.services import dossiers as services
from workflows import tasks as workflows_tasks
from workflows.audit import verify_chain
from workflows.models import AuditEvent, Notification
from workflows.reminders import SCHEDULE_FUNC, SCHEDULE_NAME

from ..conftest import skip_or_fail
from ..factories import CampaignFactory, NomineeDataFactory, UnitFactory, UserFactory, make_nomination_world

pytestmark = [pytest.mark.postgres]

ROOT = Path(settings.BASE_DIR)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT = 40  # seconds: the longest any one wait of these tests may take


def redis_broker():
    if not os.environ.get("REDIS_URL"):
        skip_or_fail("REDIS_URL is not set: scripts/test.sh starts a redis-server for this run")
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis

    broker = get_broker()
    assert isinstance(broker, Redis) and broker.ping()
    return broker


def wait_for(condition, what: str, *, seconds: float = WAIT, every: float = 0.1, cluster=None):
    """Poll ``condition()`` until it returns something true; fail after ``seconds`` (or when ``cluster`` died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if cluster is not None and cluster.poll() is not None:
            pytest.fail(f"the qcluster exited ({cluster.returncode}) while waiting for {what}: {cluster.log_text()}")
        time.sleep(every)
    pytest.fail(f"waited {seconds} s for {what}")


# --- A worker killed in the middle of an import ------------------------------------------------------------------

UNITS, INDICATORS, PERIODS = 40, 100, 2  # 8,000 values: 4 INSERTs of 2,000, long enough to be killed in one


class Cluster:
    """A real ``manage.py qcluster`` (Redis broker, one worker) on the test database, in its own process group."""

    def __init__(self, log: Path):
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "THIDUA_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the uploaded file, where the test process kept it
            "THIDUA_VAR_DIR": str(log.parent / "var"),
            "Q_WORKERS": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL reaches the sentinel and every worker
            )

    def poll(self):
        return self.process.poll()

    @property
    def returncode(self):
        return self.process.returncode

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL to the whole process group, as a machine that loses power or the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)


def other_sessions(query_like: str | None = None) -> list[int]:
    """The pids of the other sessions on the test database (those of the clusters), optionally only those running a
    statement that starts with ``query_like``."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    params = []
    if query_like:
        sql += " AND state = 'active' AND query LIKE %s"
        params.append(query_like + "%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def big_campaign():
    """A running campaign with 40 enrolled wards, 100 indicators and 2 periods; a board officer."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    officer = UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board)
    wards = Unit.objects.bulk_create(
        Unit(code=f"P{i:05d}", name=f"Phường {i}", kind=UnitKind.WARD, parent=province, path=f"/19/P{i:05d}/")
        for i in range(UNITS)
    )
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    Enrolment.objects.bulk_create(Enrolment(campaign=campaign, unit=ward) for ward in wards)
    Indicator.objects.bulk_create(
        Indicator(
            campaign=campaign,
            code=f"{i + 1}",
            name=f"Chỉ tiêu {i + 1}",
            numerator_label="Số đạt",
            denominator_label="Tổng số",
            target_percent=Decimal(80),
            order=i,
        )
        for i in range(INDICATORS)
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    periods = [
        create_period(
            campaign,
            label=f"Quý {q}/2026",
            start=date(2026, 3 * q - 2, 1),
            end=date(2026, 3 * q, 28),
            due=date(2026, 3 * q, 28) + timedelta(days=10),
            actor=officer,
        )
        for q in range(1, PERIODS + 1)
    ]
    return campaign, periods, officer


def big_file(periods) -> tuple[SimpleUploadedFile, int, int]:
    """One value per ward, indicator and period; returns the upload, the number of values and their numerators' sum."""
    lines = ["Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số"]
    total = 0
    for period in periods:
        for i in range(UNITS):
            for j in range(INDICATORS):
                numerator = (i * 7 + j) % 50
                total += numerator
                lines.append(f"P{i:05d},{period.label},{j + 1},{numerator},50")
    data = ("\n".join(lines) + "\n").encode()
    return SimpleUploadedFile("so-lieu-ca-tinh.csv", data, content_type="text/csv"), len(lines) - 1, total


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_resumed_and_writes_once(big_campaign, monkeypatch, tmp_path):
    from django_q.models import Schedule, Task

    broker = redis_broker()
    monkeypatch.setattr(Conf, "SYNC", False)  # tasks go to Redis, for the clusters below
    broker.delete_queue()
    Schedule.objects.all().delete()  # only the tasks of this test run in the clusters
    campaign, periods, officer = big_campaign
    upload, values, numerators = big_file(periods)
    clusters = [Cluster(tmp_path / "qcluster.log")]
    try:
        job = start_import(campaign, upload, actor=officer)
        assert job.state == ImportState.QUEUED and job.rows_total == values
        wait_for(
            lambda: IndicatorImport.objects.filter(pk=job.pk, state=ImportState.READY).exists(),
            "the background check",
            cluster=clusters[0],
        )
        job.refresh_from_db()
        assert (job.new, job.error_count) == (values, 0)

        confirm_import(job, actor=officer)  # queues the write

        def writing_now() -> list[int]:
            inserting = other_sessions('INSERT INTO "competition_progressreport"')
            if not inserting and IndicatorImport.objects.filter(pk=job.pk, state=ImportState.DONE).exists():
                pytest.fail("the write ended before it could be killed: make the file larger")
            return inserting

        writer = wait_for(
            writing_now,
            "the worker's INSERT",
            every=0.005,
            cluster=clusters[0],
        )
        clusters[0].kill()  # in the middle of the write
        killed = set(other_sessions())
        clusters.append(Cluster(tmp_path / "qcluster-2.log"))  # the workers come back (it takes a few seconds)
        wait_for(lambda: not killed & set(other_sessions()), "the killed worker's sessions to end")

        job.refresh_from_db()
        assert writer and job.state == ImportState.WRITING  # left "writing" …
        assert ProgressReport.objects.count() == 0  # … with nothing half-written: the transaction died with it
        assert not AuditEvent.objects.filter(action="competition.progress.import").exists()
        assert broker.queue_size() == 0  # and its task is gone: nothing would ever run it again

        # The schedule thidua-resume-jobs (every few minutes) queues again a job whose task was queued longer ago
        # than the task time limit: run it as if that time had passed.
        IndicatorImport.objects.filter(pk=job.pk).update(queued_at=F("queued_at") - timedelta(hours=1))
        assert workflows_tasks.resume_stalled_jobs() == 1
        wait_for(
            lambda: IndicatorImport.objects.filter(pk=job.pk, state=ImportState.DONE).exists(),
            "the resumed write",
            cluster=clusters[1],
        )

        job.refresh_from_db()
        assert (job.new, job.updated, job.unchanged, job.error_count) == (values, 0, 0, 0)
        assert job.rows_done == job.rows_total == values and job.finished_at is not None
        assert ProgressReport.objects.count() == values
        assert ProgressReport.objects.aggregate(n=Sum("numerator"))["n"] == numerators
        (event,) = AuditEvent.objects.filter(action="competition.progress.import")
        assert (event.payload["new"], event.payload["sha256"]) == (values, job.sha256)

        # A second delivery of the same task (the ORM broker's redelivery, the clean-up running again): nothing.
        name = f"write_indicator_import-{job.pk}"
        done_before = Task.objects.filter(name=name, success=True).count()
        from competition.services.indicator_import import _queue

        _queue("competition.tasks.write_indicator_import", job.pk)
        wait_for(
            lambda: Task.objects.filter(name=name, success=True).count() > done_before,
            "the duplicate delivery",
            cluster=clusters[1],
        )
        assert AuditEvent.objects.filter(action="competition.progress.import").count() == 1
        assert ProgressReport.objects.count() == values
        job.refresh_from_db()
        assert (job.state, job.new) == (ImportState.DONE, values)
        assert not Task.objects.filter(success=False).exists(), clusters[1].log_text()
        assert verify_chain() == []
    finally:
        for cluster in clusters:
            cluster.kill()  # done with it: no need to wait for a graceful stop
        broker.delete_queue()
        wait_for(lambda: not other_sessions(), "the clusters' sessions to end")


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_same_write_at_once_write_it_once(monkeypatch):
    """The same write task delivered twice at once (the clean-up requeued a job a slow worker was still writing, or
    the ORM broker redelivered it): both check the file and reach the write together; the job's row lock lets one
    write, the other finds the job done and writes nothing."""
    import threading

    from competition.services import indicator_import

    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    officer = UserFactory(role=Role.BOARD_OFFICER, unit=province)
    wards = [UnitFactory(code=f"0544{i}", kind=UnitKind.WARD, parent=province) for i in range(2)]
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    for ward in wards:
        Enrolment.objects.create(campaign=campaign, unit=ward)
    Indicator.objects.create(
        campaign=campaign,
        code="1",
        name="Chỉ tiêu",
        numerator_label="Đạt",
        denominator_label="Tổng",
        target_percent=50,
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    period = create_period(
        campaign,
        label="Quý I/2026",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        due=date(2026, 4, 10),
        actor=officer,
    )
    data = f"Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số\n05440,{period.label},1,3,4\n05441,{period.label},1,1,2\n"
    job = start_import(campaign, SimpleUploadedFile("so-lieu.csv", data.encode()), actor=officer)
    assert job.state == ImportState.READY, job.errors
    IndicatorImport.objects.filter(pk=job.pk).update(state=ImportState.WRITING)  # confirmed; its task queued twice

    both_ready = threading.Barrier(2)
    store = indicator_import._store_result

    def store_together(*args, **kwargs):
        if connection.in_atomic_block:  # inside the write transaction, nothing written yet: wait for the other
            both_ready.wait(timeout=30)
        return store(*args, **kwargs)

    monkeypatch.setattr(indicator_import, "_store_result", store_together)
    outcomes: list = [None, None]

    def deliver(index: int) -> None:
        try:
            competition_tasks.write_indicator_import(job.pk)
            outcomes[index] = "ok"
        except BaseException as exc:  # noqa: BLE001 — the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(t.is_alive() for t in threads)
    assert outcomes == ["ok", "ok"]
    assert AuditEvent.objects.filter(action="competition.progress.import").count() == 1
    assert sorted(ProgressReport.objects.values_list("numerator", "denominator")) == [(1, 2), (3, 4)]
    job.refresh_from_db()
    assert (job.state, job.new, job.updated, job.unchanged) == (ImportState.DONE, 2, 0, 0)
    assert verify_chain() == []


# --- The web while no worker runs --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_web_keeps_serving_while_the_workers_are_down(
    settings,
    monkeypatch,
    client,
    rule_set,
    draft_campaign,
    board_officer,
    commune_a,
    clerk_a,
    django_capture_on_commit_callbacks,
):
    broker = redis_broker()
    monkeypatch.setattr(Conf, "SYNC", False)  # the tasks go to Redis, where no cluster takes them
    broker.delete_queue()
    settings.THIDUA_BULK_BACKGROUND = 2
    settings.THIDUA_IMPORT_BACKGROUND_ROWS = 0
    world = make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a]
    )
    dossiers = []
    for _ in range(3):
        dossier = services.create_dossier(
            world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Đề nghị", actor=clerk_a
        )
        services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
        dossiers.append(services.submit_dossier(dossier, actor=world.heads[commune_a.code]))
    client.force_login(board_officer)
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("nominations:dossier_bulk"),
                {"action": "receive", "state": DossierState.SUBMITTED, "confirm": "1", "expected": "3"},
                follow=True,
            )
        assert time.monotonic() - started < 5
        assert response.status_code == 200
        page = response.content.decode()
        assert "Đang thực hiện nền cho 3 hồ sơ" in page and "Đang xử lý: 0/3 hồ sơ." in page
        assert BulkJob.objects.get().state == BulkJob.State.QUEUED
        assert broker.queue_size() == 1  # waiting for a worker
        assert set(Dossier.objects.values_list("state", flat=True)) == {DossierState.SUBMITTED}

        campaign = world.campaign
        period = create_period(
            campaign,
            label="Quý III/2025",
            start=date(2025, 7, 1),
            end=date(2025, 9, 30),
            due=date(2025, 10, 10),
            actor=board_officer,
        )
        upload = SimpleUploadedFile(
            "so-lieu.csv", f"Mã đơn vị,Kỳ báo cáo,Mã chỉ tiêu,Tử số,Mẫu số\n05443,{period.label},1,1,2\n".encode()
        )
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("competition:indicator_import", args=[campaign.pk]), {"file": upload}, follow=True
            )
        assert time.monotonic() - started < 5
        assert response.status_code == 200
        assert "Đang chờ xử lý" in response.content.decode() and "Đang xử lý: 0/1 dòng." in response.content.decode()
        assert IndicatorImport.objects.get().state == ImportState.QUEUED
        assert broker.queue_size() == 2

        for url in (
            reverse("home"),
            reverse("nominations:dossier_list"),
            reverse("nominations:dossier_detail", args=[dossiers[0].pk]),
            reverse("competition:campaign_dashboard", args=[campaign.pk]),
            reverse("workflows:healthz"),
        ):
            started = time.monotonic()
            assert client.get(url).status_code == 200, url
            assert time.monotonic() - started < 5, url
    finally:
        broker.delete_queue()


# --- Deadlines and reminders after downtime ----------------------------------------------------------------------


def catch_up(day: date, capture, at: clock_time = clock_time(7, 5)) -> int:
    """The workers come back at ``at`` on ``day``: django-q2's scheduler ticks until no schedule is due (with
    ``catch_up`` on, each tick runs a missed daily schedule once and moves it on by a day). Returns the runs."""
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    runs = 0
    with time_machine.travel(datetime.combine(day, at, tzinfo=VN), tick=False), capture(execute=True):
        while Schedule.objects.filter(name=SCHEDULE_NAME, next_run__lte=timezone.now()).exists():
            scheduler()
            runs += 1
            assert runs <= 31
    return runs


def keys(prefix: str, user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, key__startswith=prefix).values_list("key", flat=True))


@pytest.mark.django_db
def test_reminders_missed_while_the_workers_were_down_go_out_once(
    draft_campaign, board_officer, board_unit, commune_a, clerk_a, clerk_b, django_capture_on_commit_callbacks
):
    from django_q.models import Schedule, Task

    head_a = UserFactory(username="thutruong.a", role=Role.UNIT_HEAD, unit=commune_a)
    board_head = UserFactory(username="lanhdao.snv", role=Role.BOARD_HEAD, unit=board_unit)
    campaign = draft_campaign
    campaign.start_date, campaign.end_date = date(2026, 1, 1), date(2026, 12, 31)
    campaign.plan_deadline = date(2026, 10, 12)  # Monday: reminded on Wednesday 07/10 (3 working days left)
    campaign.save()
    launch_campaign(campaign, actor=board_officer, on=date(2026, 1, 5))
    Schedule.objects.exclude(name=SCHEDULE_NAME).delete()
    # The workers stop after the run of Monday 05/10: the next one, Tuesday 06/10 at 07:00, never happens.
    Schedule.objects.filter(name=SCHEDULE_NAME).update(next_run=datetime(2026, 10, 6, 7, 0, tzinfo=VN))
    mail.outbox.clear()
    plan = f"reminder:plan:{campaign.pk}:2026-10-12"

    # Back on Friday 09/10: Tuesday's, Wednesday's (the reminder day), Thursday's and Friday's runs, one after the
    # other. The reminder goes once, with the working days really left (Monday).
    assert catch_up(date(2026, 10, 9), django_capture_on_commit_callbacks) == 4
    for clerk in (clerk_a, clerk_b):
        assert keys("reminder:", clerk) == [f"{plan}:before:{clerk.pk}"]
    reminder = Notification.objects.get(recipient=clerk_a, key__startswith="reminder:")
    assert "1 ngày làm việc" in reminder.title or "1 ngày làm việc" in reminder.body, reminder.title
    assert not keys("reminder:", head_a)  # the unit has a clerk: the head is told only once it is overdue
    assert sorted(m.to[0] for m in mail.outbox) == sorted([clerk_a.email, clerk_b.email])

    # Down again from Monday 12/10 (the deadline) to Friday 16/10 (Tuesday 13/10 was the first overdue day); back on
    # Monday 19/10: ten missed runs, one overdue notice each, escalated to the head, one digest for the board.
    mail.outbox.clear()
    assert catch_up(date(2026, 10, 19), django_capture_on_commit_callbacks) == 10
    for person in (clerk_a, clerk_b, head_a):
        assert keys(f"{plan}:overdue", person) == [f"{plan}:overdue:{person.pk}"]
    for clerk in (clerk_a, clerk_b):
        assert len(keys("reminder:", clerk)) == 2  # the reminder and the overdue notice, never twice
    for user in (board_officer, board_head):
        assert keys("digest:", user) == [f"digest:overdue:2026-10-19:{user.pk}"]
    notice = Notification.objects.get(recipient=clerk_a, key__startswith=f"{plan}:overdue")
    assert "(12/10/2026) 5 ngày làm việc" in notice.body, notice.body  # 13, 14, 15, 16 and 19/10
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [clerk_a.email, clerk_b.email, head_a.email, board_officer.email, board_head.email]
    ), [(m.to, m.subject) for m in mail.outbox]

    # The day after, a normal run: no notice again, only that day's digest.
    assert catch_up(date(2026, 10, 20), django_capture_on_commit_callbacks) == 1
    for person in (clerk_a, clerk_b, head_a):
        assert len(keys(f"{plan}:overdue", person)) == 1
    assert len(keys("digest:", board_head)) == 2
    runs = Task.objects.filter(func=SCHEDULE_FUNC)
    assert runs.count() == 15 and not runs.filter(success=False).exists()


@pytest.mark.django_db
def test_an_appraisal_time_limit_that_ran_out_in_the_downtime_escalates_once(
    rule_set, draft_campaign, board_officer, board_unit, commune_a, commune_b, clerk_a
):
    from workflows.reminders import send_due_reminders
    from workflows.tasks import fire_workflow_timers

    board_head = UserFactory(username="lanhdao.snv", role=Role.BOARD_HEAD, unit=board_unit)
    rule_set.appraisal_working_days = 3
    rule_set.save(update_fields=["appraisal_working_days"])
    draft_campaign.plan_deadline = None  # only the appraisal deadline here
    draft_campaign.save(update_fields=["plan_deadline"])
    world = make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )
    dossier = services.create_dossier(
        world.campaign, unit=commune_a, award_type_code="bang_khen_tinh", title="Đề nghị", actor=clerk_a
    )
    services.add_nominee(dossier, actor=clerk_a, **NomineeDataFactory())
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):  # Monday
        services.submit_dossier(dossier, actor=world.heads[commune_a.code])
        services.receive_dossier(dossier, actor=board_officer)  # 3 working days: due Thursday 05/03
    # The workers are down from then until Friday 13/03: neither the timer nor the reminders ran.
    with time_machine.travel(datetime(2026, 3, 13, 7, 5, tzinfo=VN), tick=False):
        assert fire_workflow_timers() == 1
        assert fire_workflow_timers() == 0  # a second tick (another cluster, a catch-up run): nothing
        first = send_due_reminders()
        again = send_due_reminders()
    assert AuditEvent.objects.filter(action="nominations.dossier.overdue").count() == 1
    told = sorted(
        Notification.objects.filter(key__startswith=f"appraisal-timeout:{dossier.pk}:").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == sorted([board_officer.pk, board_head.pk])
    overdue = f"reminder:appraisal:{dossier.pk}:2026-03-05:overdue"
    assert sorted(Notification.objects.filter(key__startswith=overdue).values_list("recipient_id", flat=True)) == (
        sorted([board_officer.pk, board_head.pk])
    )
    assert first["overdue"] == 2 and again["overdue"] == 0 and again["digests"] == 0
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED
    assert verify_chain() == []
