"""Reminders and escalation (issue 4, item 6): the daily runner under a frozen clock, through the competition
app's providers. Reminders N working days ahead (weekends, Tết, 2/9 and the board's days off skipped), overdue
notices escalated to the unit head, the board's digest, idempotency across a restart, the schedule created by
``migrate``, and a query count that does not grow with the number of units."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Enrolment, ReportingPeriod
from competition.services import plans as plan_services
from competition.services.campaigns import launch_campaign
from workflows.models import Notification, WorkdayOverride
from workflows.reminders import SCHEDULE_FUNC, SCHEDULE_NAME, send_due_reminders

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def head_a(commune_a):
    return UserFactory(username="thutruong.a", role=Role.UNIT_HEAD, unit=commune_a)


@pytest.fixture
def head_b(commune_b):
    return UserFactory(username="thutruong.b", role=Role.UNIT_HEAD, unit=commune_b)


@pytest.fixture
def board_head(board_unit):
    return UserFactory(username="lanhdao.snv", role=Role.BOARD_HEAD, unit=board_unit)


def launched(campaign, board_officer, plan_deadline: date):
    """``campaign`` (communes A and B enrolled) runs through 2026 with ``plan_deadline``, launched on 05/01/2026."""
    campaign.start_date, campaign.end_date, campaign.plan_deadline = (
        date(2026, 1, 1),
        date(2026, 12, 31),
        plan_deadline,
    )
    campaign.save()
    launch_campaign(campaign, actor=board_officer, on=date(2026, 1, 5))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED
    mail.outbox.clear()
    return campaign


def run(day: date, capture, at: time = time(7, 0)) -> dict:
    """The scheduled function, called directly at ``at`` local time on ``day``, its mail sent on commit."""
    with time_machine.travel(datetime.combine(day, at, tzinfo=VN), tick=False), capture(execute=True):
        return send_due_reminders()


def reminders(stage: str = "") -> list[Notification]:
    return list(Notification.objects.filter(key__startswith="reminder:", key__contains=stage).order_by("key"))


def keys_of(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, key__regex=r"^(reminder|digest):").values_list("key", flat=True)
    )


def mailed_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# --- before the deadline ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "too_early", "reminder_day", "days_off"),
    [
        # Monday 12/10/2026: 3 working days left on Wednesday 07/10 (Thu, Fri, Mon); 4 on Tuesday.
        pytest.param(date(2026, 10, 12), date(2026, 10, 6), date(2026, 10, 7), [], id="across-a-weekend"),
        # Thursday 03/09/2026, after 2/9: 31/08 (swapped day off), 01/09 and 02/09 are holidays, so the 3 working
        # days left from Wednesday 26/08 are Thu 27/08, Fri 28/08 and Thu 03/09.
        pytest.param(date(2026, 9, 3), date(2026, 8, 25), date(2026, 8, 26), [], id="after-national-day"),
        # Tuesday 24/02/2026, after Tết (16–20/02): from Thursday 12/02 the days left are 13/02, 23/02 and 24/02.
        pytest.param(date(2026, 2, 24), date(2026, 2, 11), date(2026, 2, 12), [], id="after-tet"),
        # The board's own day off (Friday 09/10/2026) counts too: the Monday deadline is reminded on Tuesday.
        pytest.param(
            date(2026, 10, 12), date(2026, 10, 5), date(2026, 10, 6), [date(2026, 10, 9)], id="board-day-off"
        ),
    ],
)
def test_reminder_goes_n_working_days_before_the_deadline(
    deadline,
    too_early,
    reminder_day,
    days_off,
    draft_campaign,
    board_officer,
    clerk_a,
    clerk_b,
    head_a,
    django_capture_on_commit_callbacks,
):
    for day in days_off:
        WorkdayOverride.objects.create(date=day, kind=WorkdayOverride.Kind.DAY_OFF)
    campaign = launched(draft_campaign, board_officer, deadline)

    summary = run(too_early, django_capture_on_commit_callbacks)
    assert summary["working_day"] and summary["reminders"] == 0
    assert reminders() == [] and mail.outbox == []

    summary = run(reminder_day, django_capture_on_commit_callbacks)
    assert summary == {
        "date": reminder_day.isoformat(),
        "working_day": True,
        "reminders": 2,
        "overdue": 0,
        "digests": 0,
    }
    shown = deadline.strftime("%d/%m/%Y")
    title = f"Còn 3 ngày làm việc đến hạn ban hành kế hoạch “{campaign.name}” ({shown})"
    for clerk in (clerk_a, clerk_b):
        (note,) = Notification.objects.filter(recipient=clerk, key__startswith="reminder:")
        assert note.key == f"reminder:plan:{campaign.pk}:{deadline.isoformat()}:before:{clerk.pk}"
        assert note.title == title
        assert f"Hạn ban hành kế hoạch: {shown}." in note.body
        assert note.url == f"/campaigns/{campaign.pk}/plan/" and note.emailed_at is not None
    # Before the deadline only the clerks are reminded: the head and the board hear nothing yet.
    assert keys_of(head_a) == [] and keys_of(board_officer) == []
    assert mailed_to() == sorted([clerk_a.email, clerk_b.email])
    assert {m.subject for m in mail.outbox} == {title}


def test_no_run_on_a_day_off_and_a_missed_reminder_is_caught_up_once(
    draft_campaign, board_officer, clerk_a, clerk_b, django_capture_on_commit_callbacks
):
    # Tuesday 13/10/2026: due Thursday 08/10. The worker is down Thursday and Friday.
    campaign = launched(draft_campaign, board_officer, date(2026, 10, 13))
    saturday = run(date(2026, 10, 10), django_capture_on_commit_callbacks)
    assert saturday == {"date": "2026-10-10", "working_day": False, "reminders": 0, "overdue": 0, "digests": 0}
    assert reminders() == []

    # Monday 12/10, at 00:30 local time (still Sunday in UTC): the local date counts, one working day is left.
    monday = run(date(2026, 10, 12), django_capture_on_commit_callbacks, at=time(0, 30))
    assert monday["reminders"] == 2
    assert {n.title for n in reminders()} == {
        f"Còn 1 ngày làm việc đến hạn ban hành kế hoạch “{campaign.name}” (13/10/2026)"
    }
    assert len(mail.outbox) == 2

    # A restart later that morning, and the deadline day itself: already reminded, nothing new.
    assert run(date(2026, 10, 12), django_capture_on_commit_callbacks)["reminders"] == 0
    assert run(date(2026, 10, 13), django_capture_on_commit_callbacks)["reminders"] == 0
    assert len(reminders()) == 2 and len(mail.outbox) == 2


# --- after the deadline -------------------------------------------------------------------------------------


@pytest.fixture
def overdue_world(draft_campaign, board_officer, board_head, clerk_a, clerk_b, head_a, head_b):
    """Plan deadline Thursday 03/09/2026. Commune B submitted its plan on time; commune A has none."""
    campaign = launched(draft_campaign, board_officer, date(2026, 9, 3))
    plan = plan_services.start_plan(campaign, unit=clerk_b.membership.unit, actor=clerk_b)
    plan_services.save_plan_draft(
        plan,
        actor=clerk_b,
        number="12/KH-UBND",
        date=date(2026, 8, 20),
        document=SimpleUploadedFile("ke-hoach.pdf", PDF),
        adopted_codes=["1"],
    )
    plan_services.submit_plan(plan, actor=clerk_b, at=datetime(2026, 8, 21, 9, 0, tzinfo=VN))
    Notification.objects.all().delete()
    mail.outbox.clear()
    return campaign


def test_overdue_notice_escalates_to_the_head_and_the_board_gets_a_digest(
    overdue_world,
    commune_a,
    commune_b,
    board_officer,
    board_head,
    clerk_a,
    clerk_b,
    head_a,
    head_b,
    django_capture_on_commit_callbacks,
):
    campaign = overdue_world
    # On the deadline itself nothing is overdue yet; the first run in the window was today (the last working day).
    thursday = run(date(2026, 9, 3), django_capture_on_commit_callbacks)
    assert (thursday["reminders"], thursday["overdue"], thursday["digests"]) == (1, 0, 0)
    assert reminders("before")[0].title == (
        f"Hôm nay là ngày làm việc cuối cùng trước hạn ban hành kế hoạch “{campaign.name}” (03/09/2026)"
    )

    friday = run(date(2026, 9, 4), django_capture_on_commit_callbacks)
    assert friday == {"date": "2026-09-04", "working_day": True, "reminders": 0, "overdue": 2, "digests": 2}
    prefix = f"reminder:plan:{campaign.pk}:2026-09-03:overdue"
    assert keys_of(clerk_a) == [
        f"reminder:plan:{campaign.pk}:2026-09-03:before:{clerk_a.pk}",
        f"{prefix}:{clerk_a.pk}",
    ]
    assert keys_of(head_a) == [f"{prefix}:{head_a.pk}"]  # escalated
    notice = Notification.objects.get(key=f"{prefix}:{head_a.pk}")
    assert notice.title == f"Quá hạn ban hành kế hoạch “{campaign.name}” (03/09/2026)"
    assert "1 ngày làm việc" in notice.body and "thủ trưởng đơn vị" in notice.body
    # Commune B submitted its plan: neither its clerk nor its head is chased.
    assert keys_of(clerk_b) == [] and keys_of(head_b) == []

    for officer in (board_officer, board_head):
        digest = Notification.objects.get(recipient=officer, key=f"digest:overdue:2026-09-04:{officer.pk}")
        assert digest.title == "Tổng hợp đơn vị quá hạn ngày 04/09/2026: 1 trường hợp"
        assert digest.body.splitlines() == [
            f"Phong trào “{campaign.name}”",
            "Kế hoạch của đơn vị — hạn 03/09/2026, quá 1 ngày làm việc, 1 đơn vị chưa thực hiện:",
            f"- {commune_a.name} (chưa lập kế hoạch)",
            f"Xem: /campaigns/{campaign.pk}/plans/",
        ]
        assert commune_b.name not in digest.body
    # E-mails: the before-reminder caught up on Thursday (clerk A), then the overdue notices and the digests.
    assert mailed_to() == sorted([clerk_a.email, clerk_a.email, head_a.email, board_officer.email, board_head.email])

    # The next working day (after the weekend): a new digest, two working days late; no second overdue notice.
    mail.outbox.clear()
    assert run(date(2026, 9, 5), django_capture_on_commit_callbacks)["working_day"] is False
    monday = run(date(2026, 9, 7), django_capture_on_commit_callbacks)
    assert (monday["overdue"], monday["digests"]) == (0, 2)
    digest = Notification.objects.get(key=f"digest:overdue:2026-09-07:{board_officer.pk}")
    assert "hạn 03/09/2026, quá 2 ngày làm việc" in digest.body
    assert mailed_to() == sorted([board_officer.email, board_head.email])


def test_a_second_run_after_a_restart_sends_nothing_new(
    overdue_world, board_officer, clerk_a, head_a, django_capture_on_commit_callbacks
):
    first = run(date(2026, 9, 4), django_capture_on_commit_callbacks)
    assert (first["overdue"], first["digests"]) == (2, 2)  # clerk and head of commune A; board officer and head
    rows = sorted(Notification.objects.values_list("key", "emailed_at"))
    sent = len(mail.outbox)
    assert len(rows) == sent == 4 and all(emailed for _key, emailed in rows)

    again = run(date(2026, 9, 4), django_capture_on_commit_callbacks, at=time(7, 5))
    assert again == {"date": "2026-09-04", "working_day": True, "reminders": 0, "overdue": 0, "digests": 0}
    assert sorted(Notification.objects.values_list("key", "emailed_at")) == rows
    assert len(mail.outbox) == sent


# --- the schedule and the entry point -----------------------------------------------------------------------


def test_migrate_creates_the_daily_schedule_once_and_it_runs_the_reminders(
    draft_campaign, board_officer, clerk_a, django_capture_on_commit_callbacks
):
    from django_q.tasks import async_task, result

    (schedule,) = Schedule.objects.filter(name=SCHEDULE_NAME)  # created when the test database was migrated
    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1
    assert Schedule.objects.filter(func=SCHEDULE_FUNC).count() == 1
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (SCHEDULE_FUNC, Schedule.DAILY, -1)
    assert timezone.localtime(schedule.next_run, VN).time() == time(7, 0)
    assert schedule.next_run > timezone.now() - timedelta(days=1)

    # The schedule's function, queued the way the cluster queues it (sync in tests), sends the reminders.
    launched(draft_campaign, board_officer, date(2026, 10, 12))
    with (
        time_machine.travel(datetime(2026, 10, 7, 7, 0, tzinfo=VN), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        task_id = async_task(schedule.func)
    assert result(task_id)["reminders"] == 1
    assert keys_of(clerk_a) == [f"reminder:plan:{draft_campaign.pk}:2026-10-12:before:{clerk_a.pk}"]
    assert mailed_to() == [clerk_a.email]


def test_reminder_working_days_is_a_setting(
    settings, draft_campaign, board_officer, clerk_a, django_capture_on_commit_callbacks
):
    settings.THIDUA_REMINDER_WORKING_DAYS = 5
    campaign = launched(draft_campaign, board_officer, date(2026, 10, 12))
    assert run(date(2026, 10, 2), django_capture_on_commit_callbacks)["reminders"] == 0  # 6 working days left
    assert run(date(2026, 10, 5), django_capture_on_commit_callbacks)["reminders"] == 1
    (note,) = reminders("before")
    assert note.title.startswith("Còn 5 ngày làm việc") and str(campaign.name) in note.title


# --- cost ---------------------------------------------------------------------------------------------------


def _world(n_units: int, province, day: date) -> Campaign:
    """A running campaign of ``n_units`` communes, each with a clerk and a head: its plan deadline passed the
    working day before ``day``, and a reporting period falls due two working days after it."""
    campaign = CampaignFactory(
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=day - timedelta(days=1)
    )
    IndicatorFactory(campaign=campaign, code="1")
    IndicatorFactory(campaign=campaign, code="2", applies_to=[UnitKind.COMMUNE])
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    ReportingPeriod.objects.create(
        campaign=campaign, label="Quý III", start=date(2026, 7, 1), end=date(2026, 9, 30), due=day + timedelta(days=2)
    )
    for _i in range(n_units):
        unit = UnitFactory(kind=UnitKind.COMMUNE, parent=province)
        Enrolment.objects.create(campaign=campaign, unit=unit)
        UserFactory(role=Role.UNIT_CLERK, unit=unit)
        UserFactory(role=Role.UNIT_HEAD, unit=unit)
    return campaign


def _measured(day: date) -> tuple[int, dict]:
    ContentType.objects.clear_cache()
    with (
        time_machine.travel(datetime.combine(day, time(7, 0), tzinfo=VN), tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        summary = send_due_reminders()
    return len(ctx.captured_queries), summary


def test_the_runner_queries_do_not_grow_with_the_number_of_units(
    province, board_officer, django_assert_max_num_queries
):
    # Wednesday 07/10/2026 (plan deadline Tuesday, period due Friday), then Wednesday 14/10 for the larger world.
    small = _world(2, province, date(2026, 10, 7))
    small_queries, small_summary = _measured(date(2026, 10, 7))
    # 2 units: plan overdue to clerk and head (4), period reminder to the clerk (2), one digest.
    assert small_summary == {"date": "2026-10-07", "working_day": True, "reminders": 2, "overdue": 4, "digests": 1}
    # The competition providers, the nominations one finding no dossier, and the data cache's read of the audit
    # chain's head (outside a request, once per kept value: the calendar's overrides).
    assert small_queries <= 27

    Campaign.objects.filter(pk=small.pk).update(state=CampaignState.CLOSED)
    _world(20, province, date(2026, 10, 14))
    ContentType.objects.clear_cache()
    with (
        time_machine.travel(datetime(2026, 10, 14, 7, 0, tzinfo=VN), tick=False),
        django_assert_max_num_queries(small_queries),
    ):
        large_summary = send_due_reminders()
    assert large_summary == {"date": "2026-10-14", "working_day": True, "reminders": 20, "overdue": 40, "digests": 1}
    digest = Notification.objects.get(key=f"digest:overdue:2026-10-14:{board_officer.pk}")
    assert digest.body.count("\n- ") == 20
