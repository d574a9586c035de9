"""Vietnamese working days (architecture principle 8).

A working day is Monday to Friday, not a public holiday of the ``holidays`` package (Tết included), unless the
board's ``WorkdayOverride`` table says otherwise for that date (a swapped day off, or a make-up working Saturday).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings

from .models import WorkdayOverride


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(settings.WORKDAY_COUNTRY, years=year).keys())


class WorkingCalendar:
    """Reads the overrides of a date range once; use it for many look-ups."""

    def __init__(self, start: date, end: date):
        lo, hi = min(start, end) - timedelta(days=400), max(start, end) + timedelta(days=400)
        self._overrides = dict(WorkdayOverride.objects.filter(date__range=(lo, hi)).values_list("date", "kind"))
        self._lo, self._hi = lo, hi

    def is_working_day(self, day: date) -> bool:
        kind = self._overrides.get(day)
        if kind == WorkdayOverride.Kind.WORKING_DAY:
            return True
        if kind == WorkdayOverride.Kind.DAY_OFF:
            return False
        return day.weekday() < 5 and day not in _national_holidays(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        step = 1 if days >= 0 else -1
        current, remaining = start, abs(days)
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def is_working_day(day: date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    return WorkingCalendar(start, start + timedelta(days=days * 2 + 30)).add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    return WorkingCalendar(start, end).working_days_between(start, end)


def holiday_name(day: date) -> str | None:
    names = holidays.country_holidays(settings.WORKDAY_COUNTRY, years=day.year, language="vi")
    return names.get(day)
