"""Time limits counted in working days while a record is in given states (domain rule 9): the appraisal clock
starts when a complete dossier is received, stops while it is returned for supplementation, and resumes when it is
received again. The intervals come from the audit trail (every transition records its from and to states and its
time), so the clock needs no field of its own and cannot disagree with the history.

A day counts when it is a working day (``workflows.calendar``: weekends, Vietnamese public holidays including Tết,
the board's overrides) after the day the clock started, up to and including the day it stopped (or today).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from .calendar import WorkingCalendar


@dataclass(frozen=True)
class Clock:
    limit: int  # working days allowed
    used: int  # working days counted so far
    running: bool  # the record is in a running state now
    started: date | None  # the first day the clock ran
    due: date | None  # the last working day allowed (past when overdue), while running; else None

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    @property
    def overdue(self) -> bool:
        return self.remaining < 0

    @property
    def late_by(self) -> int:
        """Working days beyond the limit (0 while within it)."""
        return max(-self.remaining, 0)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def intervals(transitions: Iterable[tuple[datetime, str]], running: Sequence[str]) -> list[tuple[date, date | None]]:
    """From the (time, new state) of each transition, oldest first: the (start, stop) days of each stretch spent
    in a ``running`` state (stop None: still running)."""
    spans: list[tuple[date, date | None]] = []
    start: date | None = None
    for moment, state in transitions:
        day = _local_day(moment)
        if state in running and start is None:
            start = day
        elif state not in running and start is not None:
            spans.append((start, day))
            start = None
    if start is not None:
        spans.append((start, None))
    return spans


def clock(
    transitions: Iterable[tuple[datetime, str]],
    *,
    running: Sequence[str],
    limit: int,
    today: date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Clock:
    """The working days used by a record whose ``transitions`` are given, against ``limit``."""
    today = today or timezone.localdate()
    spans = intervals(transitions, running)
    if not spans:
        return Clock(limit, 0, False, None, None)
    calendar = calendar or WorkingCalendar(spans[0][0], today)
    used = sum(max(calendar.working_days_between(start, stop or today), 0) for start, stop in spans)
    is_running = spans[-1][1] is None
    due = calendar.add_working_days(today, limit - used) if is_running else None
    return Clock(limit, used, is_running, spans[0][0], due)
