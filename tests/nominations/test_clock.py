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


def test_the_clocks_of_many_dossiers_cost_the_same_queries(rule_set):
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
