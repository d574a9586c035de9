"""Vietnamese working days (architecture principle 8).

A working day is Monday to Friday, not a public holiday of the ``holidays`` package (Tết included), unless the
board's ``WorkdayOverride`` table says otherwise for that date (a swapped day off, or a make-up working Saturday).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .datacache import cached
from .models import WorkdayOverride


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(settings.WORKDAY_COUNTRY, years=year).keys())


def load_national_holidays() -> None:
    """Load the national holidays of last year, this year and next. The ``holidays`` package imports its tables of
    every country on first use (close to a second where Python may not keep compiled files): each web process calls
    this when it starts (config/wsgi.py), so that no reader's first page with a deadline pays for it."""
    year = date.today().year
    for each in (year - 1, year, year + 1):
        _national_holidays(each)


class WorkingCalendar:
    """Reads the overrides of a date range once; use it for many look-ups."""

    def __init__(self, start: date, end: date):
        lo, hi = min(start, end) - timedelta(days=400), max(start, end) + timedelta(days=400)
        # Kept in the data cache (workflows/datacache.py): the board's overrides change through audited services.
        self._overrides = cached(
            f"workdays:{lo.isoformat()}:{hi.isoformat()}",
            lambda: dict(WorkdayOverride.objects.filter(date__range=(lo, hi)).values_list("date", "kind")),
            outline=True,
        )
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


def national_holidays(year: int) -> list[tuple[date, str]]:
    """The public holidays of ``year`` from the ``holidays`` package (observed days included), named in
    Vietnamese where the package has the name, oldest first."""
    names = holidays.country_holidays(settings.WORKDAY_COUNTRY, years=year, language="vi")
    return sorted(names.items())


def _natively_working(day: date) -> bool:
    return day.weekday() < 5 and day not in _national_holidays(day.year)


@transaction.atomic
def add_override(day: date, kind: str, note: str = "", *, actor) -> WorkdayOverride:
    """Declare ``day`` a swapped day off or a make-up working day for the board's calendar.

    Side effects: one ``WorkdayOverride`` row, which changes ``is_working_day(day)`` and every time limit
    counted across it; one audit event ``workflows.calendar.add`` (payload: date, field kind, old, new, note).
    Raises ``ValidationError`` (Vietnamese message) for an unknown kind, a date that already has an override, or
    an override that would change nothing.
    """
    if kind not in WorkdayOverride.Kind.values:
        raise ValidationError(_("Loại ngày điều chỉnh không hợp lệ: hãy chọn “ngày nghỉ” hoặc “ngày làm việc bù”."))
    note = (note or "").strip()
    max_note = WorkdayOverride._meta.get_field("note").max_length
    if len(note) > max_note:
        raise ValidationError(_("Ghi chú dài quá %(n)s ký tự; hãy rút gọn.") % {"n": max_note})
    shown = day.strftime("%d/%m/%Y")
    existing = WorkdayOverride.objects.filter(date=day).first()
    if existing is not None:
        raise ValidationError(
            _("Ngày %(day)s đã được điều chỉnh (%(kind)s): hãy xoá điều chỉnh đó trước nếu muốn đổi.")
            % {"day": shown, "kind": existing.get_kind_display()}
        )
    working = _natively_working(day)
    if kind == WorkdayOverride.Kind.WORKING_DAY and working:
        raise ValidationError(_("Ngày %(day)s vốn đã là ngày làm việc: không cần điều chỉnh.") % {"day": shown})
    if kind == WorkdayOverride.Kind.DAY_OFF and not working:
        raise ValidationError(
            _("Ngày %(day)s vốn đã là ngày nghỉ (cuối tuần hoặc ngày lễ): không cần điều chỉnh.") % {"day": shown}
        )
    override = WorkdayOverride.objects.create(date=day, kind=kind, note=note)
    audit.record(
        actor=actor,
        action="workflows.calendar.add",
        obj=override,
        payload={"date": day.isoformat(), "field": "kind", "old": None, "new": kind, "note": note},
    )
    return override


@transaction.atomic
def remove_override(override: WorkdayOverride, *, actor) -> None:
    """Remove one of the board's overrides: the day follows the national calendar again.

    Side effects: deletes the row; one audit event ``workflows.calendar.remove`` (payload: date, field kind, old,
    new None, note).
    """
    override = WorkdayOverride.objects.select_for_update().get(pk=override.pk)
    audit.record(
        actor=actor,
        action="workflows.calendar.remove",
        obj=override,
        payload={
            "date": override.date.isoformat(),
            "field": "kind",
            "old": override.kind,
            "new": None,
            "note": override.note,
        },
    )
    override.delete()
