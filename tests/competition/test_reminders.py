"""The competition app's deadlines for the reminders (competition/services/reminders.py): which units owe a plan
or a progress report, what the digest says about them, who is told, and the providers' fixed query cost."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Campaign, Enrolment
from competition.services import plans as plan_services
from competition.services.campaigns import launch_campaign
from competition.services.progress import create_period, record_progress
from competition.services.reminders import plan_deadlines, progress_deadlines
from workflows.models import Notification
from workflows.reminders import send_due_reminders

from ..factories import CampaignFactory, IndicatorFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(day: date, capture) -> dict:
    with time_machine.travel(datetime.combine(day, time(7, 0), tzinfo=VN), tick=False), capture(execute=True):
        return send_due_reminders()


def told(user, stage: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, key__startswith="reminder:", key__contains=f":{stage}:"))


# --- plans ----------------------------------------------------------------------------------------------------


def _sent_plan(campaign, clerk):
    plan = plan_services.start_plan(campaign, unit=clerk.membership.unit, actor=clerk)
    plan_services.save_plan_draft(
        plan,
        actor=clerk,
        number="7/KH-UBND",
        date=date(2026, 8, 20),
        document=SimpleUploadedFile("ke-hoach.pdf", PDF),
        adopted_codes=["1"],
    )
    plan_services.submit_plan(plan, actor=clerk, at=datetime(2026, 8, 21, 9, 0, tzinfo=VN))
    return plan


@pytest.fixture
def plan_world(draft_campaign, board_officer, province, commune_a, commune_b, clerk_a, clerk_b):
    """Plan deadline Thursday 03/09/2026; five wards: A has no plan, B a draft, C a returned plan, D a submitted
    one, E an accepted one."""
    units = {"A": commune_a, "B": commune_b}
    clerks = {"A": clerk_a, "B": clerk_b}
    for letter in "CDE":
        units[letter] = UnitFactory(name=f"Phường {letter}", kind=UnitKind.WARD, parent=province)
        clerks[letter] = UserFactory(username=f"vanthu.{letter.lower()}", unit=units[letter])
        Enrolment.objects.create(campaign=draft_campaign, unit=units[letter])
    campaign = draft_campaign
    campaign.start_date, campaign.end_date, campaign.plan_deadline = (
        date(2026, 1, 1),
        date(2026, 12, 31),
        date(2026, 9, 3),
    )
    campaign.save()
    launch_campaign(campaign, actor=board_officer, on=date(2026, 1, 5))
    campaign.refresh_from_db()
    plan_services.start_plan(campaign, unit=units["B"], actor=clerks["B"])
    plan_services.return_plan(_sent_plan(campaign, clerks["C"]), actor=board_officer, reason="Thiếu chỉ tiêu 1.")
    _sent_plan(campaign, clerks["D"])
    plan_services.accept_plan(_sent_plan(campaign, clerks["E"]), actor=board_officer)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return campaign, units, clerks


def test_units_owe_a_plan_while_it_is_missing_a_draft_or_returned(plan_world, board_officer):
    campaign, units, clerks = plan_world
    head_c = UserFactory(username="thutruong.c", role=Role.UNIT_HEAD, unit=units["C"])
    assert plan_deadlines(date(2026, 9, 2)) == []  # not due by then

    (deadline,) = plan_deadlines(date(2026, 9, 3))
    assert (deadline.key, deadline.due, deadline.target) == (f"plan:{campaign.pk}", date(2026, 9, 3), campaign)
    assert [(d.name, d.note) for d in sorted(deadline.debtors, key=lambda d: d.name)] == [
        ("Phường C", "kế hoạch bị trả lại, chưa gửi lại"),
        ("Phường Linh Sơn", "kế hoạch đang soạn, chưa gửi"),
        ("Phường Phan Đình Phùng", "chưa lập kế hoạch"),
    ]
    by_name = {d.name: d for d in deadline.debtors}
    assert by_name["Phường C"].people == (clerks["C"],) and by_name["Phường C"].heads == (head_c,)
    assert deadline.watchers == (board_officer,)


def test_the_digest_names_each_late_unit_and_where_its_plan_stands(
    plan_world, board_officer, django_capture_on_commit_callbacks
):
    campaign, units, clerks = plan_world
    summary = run(date(2026, 9, 4), django_capture_on_commit_callbacks)
    assert (summary["overdue"], summary["digests"]) == (3, 1)
    for letter in "ABC":
        assert len(told(clerks[letter], "overdue")) == 1
    for letter in "DE":
        assert Notification.objects.filter(recipient=clerks[letter]).count() == 0
    digest = Notification.objects.get(recipient=board_officer, key__startswith="digest:overdue:2026-09-04")
    assert digest.title == "Tổng hợp đơn vị quá hạn ngày 04/09/2026: 3 trường hợp"
    assert digest.body.splitlines()[1:5] == [
        "Kế hoạch của đơn vị — hạn 03/09/2026, quá 1 ngày làm việc, 3 đơn vị chưa thực hiện:",
        "- Phường C (kế hoạch bị trả lại, chưa gửi lại)",
        "- Phường Linh Sơn (kế hoạch đang soạn, chưa gửi)",
        "- Phường Phan Đình Phùng (chưa lập kế hoạch)",
    ]
    assert "Phường D" not in digest.body and "Phường E" not in digest.body


def test_campaigns_not_running_owe_nothing(draft_campaign, board_officer, clerk_a):
    draft_campaign.plan_deadline = date(2025, 8, 15)
    draft_campaign.save()
    assert plan_deadlines(date(2025, 9, 1)) == []  # still a draft
    Campaign.objects.filter(pk=draft_campaign.pk).update(state=CampaignState.LAUNCHED)
    assert len(plan_deadlines(date(2025, 9, 1))) == 1
    Campaign.objects.filter(pk=draft_campaign.pk).update(state=CampaignState.CLOSED)
    assert plan_deadlines(date(2025, 9, 1)) == []


def test_a_unit_without_a_clerk_has_its_head_reminded(
    draft_campaign, board_officer, commune_a, clerk_b, django_capture_on_commit_callbacks
):
    head_a = UserFactory(username="thutruong.a", role=Role.UNIT_HEAD, unit=commune_a)
    draft_campaign.start_date, draft_campaign.end_date = date(2026, 1, 1), date(2026, 12, 31)
    draft_campaign.plan_deadline = date(2026, 10, 12)
    draft_campaign.save()
    launch_campaign(draft_campaign, actor=board_officer, on=date(2026, 1, 5))
    assert run(date(2026, 10, 7), django_capture_on_commit_callbacks)["reminders"] == 2
    assert len(told(head_a, "before")) == 1 and len(told(clerk_b, "before")) == 1


# --- reporting periods ------------------------------------------------------------------------------------------


@pytest.fixture
def progress_world(province, commune_a, commune_b, clerk_a, clerk_b, board_officer):
    """Period “Quý III/2026” due Saturday 10/10/2026. Indicators: 1 (every kind), 2 (wards), 3 (departments).
    Ward A reported 1 and 2; ward B only 1; commune C (a commune, so only indicator 1 applies) nothing."""
    campaign = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), plan_deadline=None)
    commune_c = UnitFactory(name="Xã Tân Cương", kind=UnitKind.COMMUNE, parent=province)
    clerk_c = UserFactory(username="vanthu.c", unit=commune_c)
    head_c = UserFactory(username="thutruong.c", role=Role.UNIT_HEAD, unit=commune_c)
    for unit in (commune_a, commune_b, commune_c):
        Enrolment.objects.create(campaign=campaign, unit=unit)
    every = IndicatorFactory(campaign=campaign, code="1", order=1)
    wards = IndicatorFactory(campaign=campaign, code="2", order=2, applies_to=[UnitKind.WARD])
    IndicatorFactory(campaign=campaign, code="3", order=3, applies_to=[UnitKind.DEPARTMENT])
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.LAUNCHED)
    campaign.refresh_from_db()
    period = create_period(
        campaign,
        label="Quý III/2026",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        due=date(2026, 10, 10),
        actor=board_officer,
    )

    def row(indicator, n, d):
        return {"indicator": indicator, "numerator": n, "denominator": d}

    record_progress(commune_a, period, [row(every, 5, 10), row(wards, 2, 5)], actor=clerk_a)
    record_progress(commune_b, period, [row(every, 1, 10)], actor=clerk_b)
    return campaign, period, clerk_c, head_c


def test_units_owe_a_report_until_every_applicable_indicator_is_reported(
    progress_world, clerk_a, clerk_b, board_officer, django_capture_on_commit_callbacks
):
    campaign, period, clerk_c, head_c = progress_world
    (deadline,) = progress_deadlines(date(2026, 10, 10))
    assert deadline.key == f"progress:{period.pk}" and deadline.label == "Báo cáo tiến độ kỳ “Quý III/2026”"
    assert [(d.name, d.note) for d in deadline.debtors] == [
        ("Phường Linh Sơn", "đã báo cáo 1/2 chỉ tiêu"),
        ("Xã Tân Cương", "chưa báo cáo chỉ tiêu nào"),
    ]

    # Due on Saturday 10/10, so the deadline runs to Monday 12/10 (Civil Code art. 148): 4 working days left on
    # Tuesday 06/10, 3 on Wednesday 07/10 (Thu, Fri, Mon).
    assert run(date(2026, 10, 6), django_capture_on_commit_callbacks)["reminders"] == 0
    assert run(date(2026, 10, 7), django_capture_on_commit_callbacks)["reminders"] == 2
    (note,) = told(clerk_b, "before")
    assert note.title == "Còn 3 ngày làm việc đến hạn báo cáo tiến độ kỳ “Quý III/2026” (10/10/2026)"
    assert note.url == f"/campaigns/{campaign.pk}/progress/" and note.object_id == str(period.pk)
    assert len(told(clerk_c, "before")) == 1 and told(clerk_a, "before") == [] and told(head_c, "before") == []

    # Overdue from the first working day after Monday 12/10, the last day of the deadline: Tuesday 13/10.
    assert run(date(2026, 10, 11), django_capture_on_commit_callbacks)["working_day"] is False
    monday = run(date(2026, 10, 12), django_capture_on_commit_callbacks)
    assert (monday["overdue"], monday["digests"]) == (0, 0)
    tuesday = run(date(2026, 10, 13), django_capture_on_commit_callbacks)
    assert (tuesday["overdue"], tuesday["digests"]) == (3, 1)  # clerk B, clerk C and head C; the board officer
    assert len(told(head_c, "overdue")) == 1 and told(clerk_a, "overdue") == []
    digest = Notification.objects.get(recipient=board_officer, key__startswith="digest:overdue:2026-10-13")
    assert digest.body.splitlines() == [
        f"Phong trào “{campaign.name}”",
        "Báo cáo tiến độ kỳ “Quý III/2026” — hạn 10/10/2026, quá 1 ngày làm việc, 2 đơn vị chưa thực hiện:",
        "- Phường Linh Sơn (đã báo cáo 1/2 chỉ tiêu)",
        "- Xã Tân Cương (chưa báo cáo chỉ tiêu nào)",
        f"Xem: /campaigns/{campaign.pk}/progress/{period.pk}/",
    ]


def test_each_provider_costs_a_fixed_number_of_queries(progress_world, province, django_assert_num_queries):
    campaign, period, _clerk, _head = progress_world
    Campaign.objects.filter(pk=campaign.pk).update(plan_deadline=date(2026, 9, 1))
    for _i in range(15):
        unit = UnitFactory(kind=UnitKind.WARD, parent=province)
        Enrolment.objects.create(campaign=campaign, unit=unit)
        UserFactory(unit=unit)
        UserFactory(role=Role.UNIT_HEAD, unit=unit)
    with django_assert_num_queries(4):
        (plans,) = plan_deadlines(date(2026, 10, 12))
    with django_assert_num_queries(6):
        (reports,) = progress_deadlines(date(2026, 10, 12))
    assert len(plans.debtors) == 18 and len(reports.debtors) == 17
    assert all(len(d.people) == 1 and len(d.heads) == 1 for d in reports.debtors if d.name.startswith("Xã Thử"))
