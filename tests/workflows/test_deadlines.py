"""The working-day clock of a time limit (domain rule 9): it runs in the running states only, skips weekends and
public holidays (Tết 2026: 16–20/02), stops while the record is returned and resumes when it is received again."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.deadlines import clock, intervals

pytestmark = pytest.mark.django_db  # the calendar reads the board's working-day overrides
VN = ZoneInfo("Asia/Ho_Chi_Minh")
RUNNING = ("received",)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN)


def test_the_clock_skips_tet():
    """Received on Friday 13/02/2026 with 5 working days: Tết (16–20/02) does not count, due Friday 27/02."""
    result = clock([(at(date(2026, 2, 13)), "received")], running=RUNNING, limit=5, today=date(2026, 2, 13))
    assert (result.used, result.remaining, result.running, result.due) == (0, 5, True, date(2026, 2, 27))
    later = clock([(at(date(2026, 2, 13)), "received")], running=RUNNING, limit=5, today=date(2026, 2, 23))
    assert (later.used, later.due) == (1, date(2026, 2, 27))


def test_a_return_stops_the_clock_across_tet_and_resubmission_resumes_it():
    """Decree-style appraisal limit of 20 working days (domain rule 9, NĐ 152/2025): received Mon 02/02, returned
    Fri 06/02 (4 days used), received again Mon 23/02 after Tết; on Fri 06/03: 4 + 9 = 13 used, 7 left, due 17/03.
    Without the pause the same dates would have used 19."""
    transitions = [
        (at(date(2026, 1, 30)), "submitted"),
        (at(date(2026, 2, 2)), "received"),
        (at(date(2026, 2, 6), 16), "returned"),
        (at(date(2026, 2, 20)), "submitted"),
        (at(date(2026, 2, 23)), "received"),
    ]
    assert intervals(transitions, RUNNING) == [(date(2026, 2, 2), date(2026, 2, 6)), (date(2026, 2, 23), None)]
    result = clock(transitions, running=RUNNING, limit=20, today=date(2026, 3, 6))
    assert (result.used, result.remaining, result.running, result.due) == (13, 7, True, date(2026, 3, 17))
    unpaused = clock(transitions[:2], running=RUNNING, limit=20, today=date(2026, 3, 6))
    assert unpaused.used == 19


def test_while_returned_the_clock_does_not_run_and_an_overdue_clock_names_its_past_due_day():
    returned = clock(
        [(at(date(2026, 2, 2)), "received"), (at(date(2026, 2, 6)), "returned")],
        running=RUNNING,
        limit=20,
        today=date(2026, 3, 30),
    )
    assert (returned.used, returned.running, returned.due) == (4, False, None)
    late = clock([(at(date(2026, 1, 5)), "received")], running=RUNNING, limit=5, today=date(2026, 1, 20))
    assert late.overdue and late.remaining == -6 and late.due == date(2026, 1, 12)  # the 5th working day after 05/01


def test_a_record_never_received_has_no_clock():
    result = clock([(at(date(2026, 2, 2)), "submitted")], running=RUNNING, limit=20, today=date(2026, 3, 6))
    assert (result.used, result.running, result.started, result.due) == (0, False, None, None)
