"""Working days: weekends, Vietnamese public holidays (Tết), and the board's swapped days."""

from datetime import date

import pytest

from workflows import SYSTEM
from workflows.calendar import add_override, add_working_days, holiday_name, is_working_day, working_days_between
from workflows.models import WorkdayOverride

pytestmark = pytest.mark.django_db


def test_tet_2026_is_not_working_days():
    # Tết Bính Ngọ: 16–20/02/2026 are public holidays (Monday to Friday).
    for day in range(16, 21):
        assert not is_working_day(date(2026, 2, day))
    assert holiday_name(date(2026, 2, 17))
    # Friday 13/02 + 1 working day skips the weekend and the whole Tết week: Monday 23/02.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_twenty_working_days_across_tet():
    # From Monday 09/02/2026: 4 days that week, Tết week off, then 16 more → Monday 16/03/2026.
    assert add_working_days(date(2026, 2, 9), 20) == date(2026, 3, 16)
    assert working_days_between(date(2026, 2, 9), date(2026, 3, 16)) == 20


def test_swapped_day_off_and_compensatory_saturday():
    friday, saturday = date(2026, 1, 2), date(2026, 1, 10)
    assert is_working_day(friday)
    assert not is_working_day(saturday)
    # Through the board's service (audited), as the calendar page does: the calendar is read again at once.
    add_override(friday, WorkdayOverride.Kind.DAY_OFF, "Nghỉ bù Tết Dương lịch", actor=SYSTEM)
    add_override(saturday, WorkdayOverride.Kind.WORKING_DAY, "Làm bù", actor=SYSTEM)
    assert not is_working_day(friday)
    assert is_working_day(saturday)
    # Wed 31/12/2025 + 2 working days: 01/01 holiday, 02/01 swapped off, weekend → Mon 05/01, Tue 06/01.
    assert add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 6)


def test_between_is_antisymmetric():
    a, b = date(2026, 4, 20), date(2026, 5, 8)
    assert working_days_between(a, b) == -working_days_between(b, a)
    # 27/04 (Hùng Kings observed), 30/04 and 01/05 are holidays.
    assert working_days_between(a, b) == 11


def test_each_web_process_loads_the_national_holidays_when_it_starts():
    """config/wsgi.py loads last year's, this year's and next year's holidays before the first request."""
    import importlib

    import config.wsgi
    from workflows import calendar

    calendar._national_holidays.cache_clear()
    importlib.reload(config.wsgi)
    year = date.today().year
    loaded = calendar._national_holidays.cache_info()
    assert loaded.currsize == 3 and loaded.misses == 3
    assert date(year, 1, 1) in calendar._national_holidays(year)  # New Year's Day, already loaded
    assert calendar._national_holidays.cache_info().hits == 1
