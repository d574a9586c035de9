"""The appraisal clock of dossiers (domain rule 9: working days from a complete dossier, Tết excluded), read from
the audit trail for many dossiers in a fixed number of queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations.flows import DossierFlow
from nominations.services.clock import appraisal_clocks
from workflows import SYSTEM, flowsync, transition

from ..factories import DossierFactory, NomineeFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _received(rule_set, day: date):
    dossier = DossierFactory()
    NomineeFactory(dossier=dossier)
    flowsync.start_process(DossierFlow, dossier, SYSTEM)
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=VN)
    with time_machine.travel(moment, tick=False):
        transition(dossier, "submit", actor=SYSTEM, rule_set=rule_set, at=moment)
        transition(dossier, "receive", actor=SYSTEM, at=moment)
    return dossier


def test_working_days_from_receipt_skip_tet(rule_set):
    """Received Monday 02/02/2026; on Friday 06/03/2026, 19 working days have passed (16–20/02 is Tết)."""
    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    dossier = _received(rule_set, date(2026, 2, 2))
    (result,) = appraisal_clocks([dossier], today=date(2026, 3, 6)).values()
    assert (result.limit, result.used, result.remaining, result.running) == (20, 19, 1, True)
    assert result.due == date(2026, 3, 9)
    draft = DossierFactory()
    assert appraisal_clocks([draft], today=date(2026, 3, 6))[draft.pk].started is None


def test_the_clocks_of_many_dossiers_cost_the_same_queries(rule_set, settings):
    settings.THIDUA_DATA_CACHE = False  # the calendar's overrides would be read once, then kept
    few = [_received(rule_set, date(2026, 3, 2)) for _ in range(2)]
    many = few + [_received(rule_set, date(2026, 3, 2)) for _ in range(8)]

    def count(dossiers) -> int:
        with CaptureQueriesContext(connection) as ctx:
            appraisal_clocks(dossiers, today=date(2026, 3, 20))
        return len(ctx.captured_queries)

    assert count(few) == count(many)


def test_the_board_sees_each_dossiers_remaining_time(rule_set, client, board_officer):
    import time_machine as tm

    dossier = _received(rule_set, date(2026, 3, 2))
    client.force_login(board_officer)
    with tm.travel(datetime(2026, 3, 5, 10, tzinfo=VN), tick=False):
        listing = client.get("/dossiers/").content.decode()
        detail = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "còn 17 ngày làm việc (hạn 30/03/2026)" in listing
    assert "còn 17 ngày làm việc (hạn 30/03/2026)" in detail


def test_the_dossier_page_clock_from_its_events_agrees_with_the_clocks_of_lists(rule_set):
    """The dossier page computes the clock from the timeline it shows (appraisal_clock_from), lists from the audit
    trail (appraisal_clocks): the same figures, for a dossier never received, running, returned and received again."""
    from nominations.services.clock import appraisal_clock_from
    from workflows.audit import events_for

    rule_set.appraisal_working_days = 20
    rule_set.save(update_fields=["appraisal_working_days"])
    draft = DossierFactory()
    running = _received(rule_set, date(2026, 2, 2))
    returned = _received(rule_set, date(2026, 2, 2))
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=VN), tick=False):
        transition(returned, "send_back_in_appraisal", actor=SYSTEM, reason="Thiếu báo cáo thành tích")
    again = _received(rule_set, date(2026, 2, 2))
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=VN), tick=False):
        transition(again, "send_back_in_appraisal", actor=SYSTEM, reason="Thiếu báo cáo thành tích")
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):
        transition(again, "submit", actor=SYSTEM, rule_set=rule_set, at=datetime(2026, 3, 2, 9, tzinfo=VN))
        transition(again, "receive", actor=SYSTEM, at=datetime(2026, 3, 2, 9, tzinfo=VN))
    dossiers = [draft, running, returned, again]
    for day in (date(2026, 2, 20), date(2026, 3, 6), date(2026, 4, 30)):
        lists = appraisal_clocks(dossiers, today=day)
        for dossier in dossiers:
            dossier.refresh_from_db()
            assert appraisal_clock_from(dossier, list(events_for(dossier)), today=day) == lists[dossier.pk]
    assert lists[again.pk].used > 0 and lists[returned.pk].running is False
