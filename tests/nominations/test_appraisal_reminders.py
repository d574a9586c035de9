"""Reminders of the appraisal time limit (domain rule 9): before the last allowed working day and when overdue,
to the appraisers and escalated to the board head, once each (idempotency keys), with the board's digest."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.enums import Role
from nominations.flows import DossierFlow
from workflows import SYSTEM, flowsync, transition
from workflows.models import Notification
from workflows.reminders import send_due_reminders

from ..factories import DossierFactory, NomineeFactory, UserFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 7, tzinfo=VN), tick=False)


@pytest.fixture
def received(rule_set, board_officer, board_unit):
    """A Bằng khen dossier (decided by the province) received on Monday 02/02/2026 with 20 working days: across
    Tết 2026 (16–20/02) its last day is Monday 09/03/2026."""
    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    UserFactory(username="giamdoc.snv", role=Role.BOARD_HEAD, unit=board_unit)
    dossier = DossierFactory(title="Đề nghị tặng Bằng khen cho ông Nguyễn Văn An")
    NomineeFactory(dossier=dossier)
    flowsync.start_process(DossierFlow, dossier, SYSTEM)
    moment = datetime(2026, 2, 2, 9, tzinfo=VN)
    with time_machine.travel(moment, tick=False):
        transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=moment)
        transition(dossier, "receive", actor=SYSTEM, at=moment)
    return dossier


def run(day: date, capture) -> dict:
    with at(day), capture(execute=True):
        return send_due_reminders()


def titles(username: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient__username=username).order_by("pk").values_list("title", flat=True)
    )


def test_appraisers_are_reminded_then_escalated_once(received, board_officer, django_capture_on_commit_callbacks):
    assert received.deciding_unit.parent_id is None  # the provincial Chairman decides
    # 3 working days before Monday 09/03: Wednesday 04/03 (Thu 05, Fri 06, Mon 09 left).
    assert run(date(2026, 3, 3), django_capture_on_commit_callbacks)["reminders"] == 0
    run(date(2026, 3, 4), django_capture_on_commit_callbacks)
    assert titles("canbo.snv") == [
        "Còn 3 ngày làm việc đến hạn thẩm định hồ sơ “Đề nghị tặng Bằng khen cho ông Nguyễn Văn An” (09/03/2026)"
    ]
    assert titles("giamdoc.snv") == []
    sent = len(mail.outbox)
    run(date(2026, 3, 4), django_capture_on_commit_callbacks)  # a restart: nothing new
    assert len(mail.outbox) == sent and len(titles("canbo.snv")) == 1

    overdue = run(date(2026, 3, 10), django_capture_on_commit_callbacks)
    assert overdue["overdue"] == 2 and overdue["digests"] == 2  # officer and head; a digest for each
    assert any(t.startswith("Quá hạn thẩm định hồ sơ") for t in titles("giamdoc.snv"))
    digest = Notification.objects.get(recipient=board_officer, key__startswith="digest:overdue:2026-03-10")
    assert "Thẩm định hồ sơ đề nghị khen thưởng" in digest.body and "đã dùng 21/20 ngày làm việc" in digest.body


def test_a_dossier_appraised_in_time_is_not_chased(received, django_capture_on_commit_callbacks):
    from nominations.enums import AppraisalResult

    received.nominees.update(appraisal_result=AppraisalResult.ACCEPTED)
    with at(date(2026, 3, 2)):
        transition(received, "appraise", actor=SYSTEM, at=datetime(2026, 3, 2, 9, tzinfo=VN))
    assert run(date(2026, 3, 11), django_capture_on_commit_callbacks) == {
        "date": "2026-03-11",
        "working_day": True,
        "reminders": 0,
        "overdue": 0,
        "digests": 0,
    }
