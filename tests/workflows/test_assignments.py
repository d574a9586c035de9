"""Stand-ins (workflows/assignments.py): who may name one for whom and when, cancelling, the audit trail; while one
is in force the stand-in sees the absent officer's dossiers in their inbox and in "mine", and gets their appraisal
reminders; a cancelled or expired stand-in does not. The reminder goes to the dossier's officer, not every officer,
and is still escalated to the board's head."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.enums import Role
from nominations.flows import DossierFlow
from nominations.services import board
from nominations.services.inbox import inbox_for, inbox_items
from workflows import SYSTEM, flowsync, transition
from workflows.assignments import (
    absent_for,
    cancel_stand_in,
    family_of,
    name_stand_in,
    stand_ins_by_absent,
    with_stand_ins,
)
from workflows.exceptions import TransitionForbidden, TransitionRefused
from workflows.models import AuditEvent, Notification, StandIn
from workflows.reminders import send_due_reminders

from ..factories import DossierFactory, NomineeFactory, UserFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 7, tzinfo=VN), tick=False)


@pytest.fixture
def head(board_unit):
    return UserFactory(username="giamdoc.snv", full_name="Lê Văn Giám Đốc", role=Role.BOARD_HEAD, unit=board_unit)


@pytest.fixture
def officer2(board_unit):
    return UserFactory(username="canbo2.snv", full_name="Phạm Thị Hai", role=Role.BOARD_OFFICER, unit=board_unit)


@pytest.fixture
def officer3(board_unit):
    return UserFactory(username="canbo3.snv", full_name="Đỗ Văn Ba", role=Role.BOARD_OFFICER, unit=board_unit)


# --- Naming and cancelling -------------------------------------------------------------------------------------


def test_an_officer_names_their_own_stand_in_audited_and_told(board_officer, officer2):
    with at(date(2026, 3, 2)):
        record = name_stand_in(
            board_officer,
            officer2,
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 6),
            reason="Nghỉ phép",
            actor=board_officer,
        )
        assert absent_for(officer2) == [board_officer.pk]
        assert [u.pk for u in with_stand_ins([board_officer])] == [board_officer.pk, officer2.pk]
        assert {k: [u.pk for u in v] for k, v in stand_ins_by_absent([board_officer.pk, 999]).items()} == {
            board_officer.pk: [officer2.pk]
        }
    event = AuditEvent.objects.get(action="workflows.standin.add")
    assert event.actor == board_officer and event.object_id == str(record.pk)
    assert event.payload == {
        "absent": "canbo.snv",
        "stand_in": "canbo2.snv",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-06",
        "reason": "Nghỉ phép",
    }
    note = Notification.objects.get(recipient=officer2)
    assert note.title == f"Phạm Thị Hai làm thay {board_officer} từ 02/03/2026 đến 06/03/2026"
    assert not Notification.objects.filter(recipient=board_officer).exists()  # they named it themselves


def test_who_may_name_whom_and_when(board_officer, officer2, officer3, head, clerk_a):
    days = {"starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 6)}
    with at(date(2026, 3, 1)):
        with pytest.raises(TransitionForbidden):
            name_stand_in(officer2, officer3, actor=board_officer, **days)  # somebody else's absence
        with pytest.raises(TransitionRefused, match="người khác"):
            name_stand_in(board_officer, board_officer, actor=board_officer, **days)
        with pytest.raises(TransitionRefused, match="không cùng bộ phận"):
            name_stand_in(board_officer, clerk_a, actor=board_officer, **days)
        with pytest.raises(TransitionForbidden):
            name_stand_in(clerk_a, board_officer, actor=clerk_a, **days)  # not the board's
        officer3.is_active = False
        officer3.save(update_fields=["is_active"])
        with pytest.raises(TransitionRefused, match="ngừng hoạt động"):
            name_stand_in(board_officer, officer3, actor=board_officer, **days)
        with pytest.raises(TransitionRefused, match="Ngày bắt đầu"):
            name_stand_in(
                board_officer, officer2, starts_on=date(2026, 3, 6), ends_on=date(2026, 3, 2), actor=board_officer
            )
        with pytest.raises(TransitionRefused, match="đã qua"):
            name_stand_in(
                board_officer, officer2, starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 27), actor=board_officer
            )
        # The board's head names one for an officer; the head may stand in too (same family).
        name_stand_in(board_officer, head, actor=head, **days)
        with pytest.raises(TransitionRefused, match="đã có người làm thay từ 02/03/2026 đến 06/03/2026"):
            name_stand_in(
                board_officer, officer2, starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 9), actor=board_officer
            )
        with pytest.raises(TransitionRefused, match="cũng vắng mặt"):
            name_stand_in(officer2, board_officer, actor=officer2, **days)  # away then themselves
        name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13), actor=board_officer
        )
    assert StandIn.objects.count() == 2
    assert set(family_of(board_officer)) == {officer2, head}  # officer 3's account is closed
    assert family_of(clerk_a).count() == 0


def test_cancelling_a_stand_in(board_officer, officer2, officer3, head):
    with at(date(2026, 3, 2)):
        record = name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), actor=board_officer
        )
        with pytest.raises(TransitionForbidden):
            cancel_stand_in(record, actor=officer3)
        cancel_stand_in(record, actor=head, reason="Đã đi làm lại")
        assert absent_for(officer2) == []
        with pytest.raises(TransitionRefused, match="đã được huỷ"):
            cancel_stand_in(record, actor=board_officer)
        event = AuditEvent.objects.get(action="workflows.standin.cancel")
        assert event.actor == head and event.payload["reason"] == "Đã đi làm lại"
        later = name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 4), actor=board_officer
        )
    with at(date(2026, 3, 9)), pytest.raises(TransitionRefused, match="đã kết thúc"):
        cancel_stand_in(later, actor=board_officer)


def test_the_stand_in_page(client, board_officer, officer2, head, clerk_a):
    url = reverse("workflows:standin_list")
    client.force_login(clerk_a)
    assert client.get(url).status_code == 403
    client.force_login(board_officer)
    with at(date(2026, 3, 2)):
        page = client.get(url).content.decode()
        assert "Cử người làm thay" in page
        response = client.post(
            url,
            {
                "absent": board_officer.pk,
                "stand_in": officer2.pk,
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-06",
                "reason": "Đi công tác",
            },
            follow=True,
        )
        page = response.content.decode()
        assert "Đã cử Phạm Thị Hai làm thay" in page and "Đang làm thay" in page and "Đi công tác" in page
        record = StandIn.objects.get()
        # An officer cannot name one for somebody else: the absent person is themselves only.
        page = client.post(
            url, {"absent": officer2.pk, "stand_in": head.pk, "starts_on": "2026-03-09", "ends_on": "2026-03-10"}
        ).content.decode()
        assert StandIn.objects.count() == 1 and "errorlist" in page
        client.force_login(head)
        assert "Phạm Thị Hai" in client.get(url).content.decode()  # the head sees every stand-in
        client.post(reverse("workflows:standin_cancel", args=[record.pk]), {"reason": "Thay đổi lịch"})
        record.refresh_from_db()
        assert record.cancelled_at is not None
        assert "Không có ai đang làm thay" in client.get(url).content.decode()
        assert "Đã huỷ" in client.get(url, {"show": "all"}).content.decode()


# --- The stand-in's inbox, "mine" and reminders ------------------------------------------------------------------


@pytest.fixture
def handled(rule_set, board_officer, officer3, head):
    """Bằng khen dossiers received Monday 02/02/2026 with 20 working days (last day Monday 09/03/2026): ``mine``
    handled by board_officer, ``theirs`` by officer 3, ``nobodys`` by nobody."""
    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    made = {}
    moment = datetime(2026, 2, 2, 9, tzinfo=VN)
    for key, officer in (("mine", board_officer), ("theirs", officer3), ("nobodys", None)):
        dossier = DossierFactory(title=f"Hồ sơ {key}", assignee=officer)
        NomineeFactory(dossier=dossier)
        flowsync.start_process(DossierFlow, dossier, SYSTEM)
        with time_machine.travel(moment, tick=False):
            transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=moment)
            transition(dossier, "receive", actor=SYSTEM, at=moment)
        made[key] = dossier
    return made


def waiting(user) -> set[str]:
    return {item.dossier.title for item in inbox_for(user)}


def test_the_stand_in_sees_the_absent_officers_dossiers_while_in_force(handled, board_officer, officer2, officer3):
    with at(date(2026, 3, 2)):
        assert waiting(board_officer) == {"Hồ sơ mine", "Hồ sơ nobodys"}
        assert waiting(officer2) == {"Hồ sơ nobodys"}
        assert waiting(officer3) == {"Hồ sơ theirs", "Hồ sơ nobodys"}
        record = name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), actor=board_officer
        )
        assert waiting(officer2) == {"Hồ sơ mine", "Hồ sơ nobodys"}
        row = next(r for r in inbox_items(officer2) if r.title == "Hồ sơ mine")
        assert row.detail.endswith(f"làm thay {board_officer}")
        mine = board.filtered_dossiers(officer2, {"assignee": "me"})
        assert [d.title for d in mine] == ["Hồ sơ mine"]
        assert waiting(board_officer) == {"Hồ sơ mine", "Hồ sơ nobodys"}  # the absent officer still sees it
    with at(date(2026, 3, 9)):  # expired
        assert waiting(officer2) == {"Hồ sơ nobodys"}
        assert not board.filtered_dossiers(officer2, {"assignee": "me"}).exists()
    with at(date(2026, 3, 4)):
        cancel_stand_in(record, actor=board_officer)
        assert waiting(officer2) == {"Hồ sơ nobodys"}
        assert not board.filtered_dossiers(officer2, {"assignee": "me"}).exists()


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


def reminders(user) -> list[str]:
    return [t for t in titles(user) if "hạn thẩm định" in t]


def run(day: date, capture) -> dict:
    with at(day), capture(execute=True):
        return send_due_reminders()


def test_reminders_go_to_the_officer_and_their_stand_in(
    handled, board_officer, officer2, officer3, head, django_capture_on_commit_callbacks
):
    with at(date(2026, 3, 2)):
        name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), actor=board_officer
        )
    run(date(2026, 3, 4), django_capture_on_commit_callbacks)
    before = "Còn 3 ngày làm việc đến hạn thẩm định hồ sơ “Hồ sơ {}” (09/03/2026)"
    assert reminders(board_officer) == [before.format("mine"), before.format("nobodys")]
    assert reminders(officer2) == [before.format("mine"), before.format("nobodys")]  # standing in; and nobody's
    assert reminders(officer3) == [before.format("theirs"), before.format("nobodys")]
    assert reminders(head) == []
    # Overdue from Tuesday 10/03: the stand-in has ended, so only the officer, and the head (escalation).
    run(date(2026, 3, 10), django_capture_on_commit_callbacks)
    overdue = "Quá hạn thẩm định hồ sơ “Hồ sơ {}” (09/03/2026)"
    assert overdue.format("mine") in reminders(board_officer)
    assert overdue.format("mine") not in reminders(officer2)
    assert overdue.format("mine") in reminders(head) and overdue.format("theirs") in reminders(head)
    assert overdue.format("theirs") not in reminders(board_officer)


def test_a_cancelled_stand_in_gets_no_reminder(handled, board_officer, officer2, django_capture_on_commit_callbacks):
    with at(date(2026, 3, 2)):
        record = name_stand_in(
            board_officer, officer2, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), actor=board_officer
        )
        cancel_stand_in(record, actor=board_officer)
    run(date(2026, 3, 4), django_capture_on_commit_callbacks)
    assert not any("Hồ sơ mine" in t for t in reminders(officer2))
    assert any("Hồ sơ mine" in t for t in reminders(board_officer))
