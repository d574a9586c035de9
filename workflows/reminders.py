"""Reminders and escalation before and after deadlines (issue 4, item 6).

The engine imports no domain app. A domain app registers a *deadline provider* in its ``AppConfig.ready()``
(:func:`register`). A provider takes ``until`` (a date) and returns a :class:`Deadline` for every open deadline due
on or before that date, overdue ones included. Each deadline lists the *debtors* that still owe something (for
example the units without a plan), with their people, their heads and the board users who follow them
(``watchers``).

:func:`send_due_reminders` does the work. The daily django-q2 schedule ``thidua-reminders`` calls it at 07:00 local
time through ``workflows.tasks.send_reminders``; a ``post_migrate`` handler creates that schedule once
(:func:`ensure_schedule`). The runner looks at today's local date and sends the following:

- It runs on working days only (``workflows.calendar``: weekends, Vietnamese public holidays, the board's
  overrides). On a weekend or holiday it sends nothing. What falls due on such a day goes out on the next working
  day's run. A deadline that falls on a day off runs to the end of the next working day (Civil Code 2015, art.
  148(5)): a Saturday deadline is reminded as a Monday one and is overdue from Tuesday.
- **Reminder**: sent once to each debtor's ``people`` (the clerks; the heads when a debtor has no people). It goes
  out on the first working day on which at most N working days are left before the deadline. N is the setting
  ``THIDUA_REMINDER_WORKING_DAYS`` (default 3; environment variable of the same name). "Working days left" means
  the working days after today, up to and including the deadline. With N = 3, a Monday deadline is reminded on the
  Wednesday before. A deadline just after Tết or 2/9 is reminded that many working days earlier, skipping the
  holidays. If the worker was down that day, the next run sends the reminder instead, as long as the deadline is
  still ahead or is today. The text gives the working days actually left (0 = today is the last working day).
  After the deadline only the overdue notice goes.
- **Overdue notice**: sent once, from the first working day after the deadline, to the debtor's people. It is
  escalated to the debtor's ``heads`` as well.
- **Board digest**: one per watcher per working day on which something they follow is overdue. It lists every
  overdue debtor, by group (the campaign) and deadline, with how many working days late.

Every notification goes through :func:`workflows.notifications.notify`. Its idempotency key is
``reminder:<deadline key>:<due yyyy-mm-dd>:before``, ``reminder:<deadline key>:<due yyyy-mm-dd>:overdue`` or
``digest:overdue:<today yyyy-mm-dd>``; ``notify`` appends ``:<user pk>`` and never creates a key twice. A run
repeated on the same day (a worker restart, django-q2 catching up missed runs) therefore creates no notification
and sends no e-mail a second time. A user belongs to one unit, so one key per user and deadline is also one per
unit. Because the key carries no unit, one ``notify`` call serves every debtor of a deadline, and the queries of a
run do not grow with the number of units. When the board moves a deadline, the date in the key changes: the new
date gets its own reminder and overdue notice.

The whole run is one transaction: the e-mails are queued after it commits, and a run that fails leaves nothing
behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .calendar import WorkingCalendar
from .notifications import notify

BEFORE, OVERDUE = "before", "overdue"

SCHEDULE_NAME = "thidua-reminders"
SCHEDULE_FUNC = "workflows.tasks.send_reminders"
SCHEDULE_AT = time(7, 0)  # local time (settings.TIME_ZONE, Asia/Ho_Chi_Minh)


@dataclass(frozen=True)
class Debtor:
    """One party that still owes what a deadline asks for (a unit), as the board's digest names it."""

    name: str
    people: tuple = ()  # reminded before the deadline and told when it is overdue (the unit's clerks)
    heads: tuple = ()  # told as well when it is overdue (escalation); reminded only when there are no people
    note: str = ""  # where it stands, shown in the digest ("bị trả lại, chưa gửi lại", "đã báo cáo 1/3 chỉ tiêu")


@dataclass(frozen=True)
class Deadline:
    """One date by which every debtor listed owes the same thing.

    ``message(stage, working_days)`` returns the (title, body) that the debtors' people are sent. ``stage`` is
    :data:`BEFORE` or :data:`OVERDUE`. ``working_days`` is the number of working days left, or the number late.
    The text must not name a debtor: every debtor of a deadline gets the same text.
    """

    key: str  # stable, without the date: "plan:<campaign pk>"
    due: date
    group: str  # the digest heading (the campaign)
    label: str  # what is owed, in the digest ("Kế hoạch của đơn vị")
    debtors: tuple[Debtor, ...]
    message: Callable[[str, int], tuple[str, str]]
    watchers: tuple = ()  # the board users whose daily digest lists this deadline's overdue debtors
    url: str = ""  # the debtors' page
    board_url: str = ""  # the board's page, in the digest
    target: models.Model | None = None


Provider = Callable[[date], Iterable[Deadline]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def working_days_ahead() -> int:
    return max(int(settings.THIDUA_REMINDER_WORKING_DAYS), 0)


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def send_due_reminders(today: date | None = None) -> dict:
    """Send today's reminders, overdue notices and board digests (see the module docstring).

    ``today`` defaults to ``timezone.localdate()``. Side effects: ``Notification`` rows through ``notify`` (each
    key once), whose e-mails are queued after the run's transaction commits. Returns a summary: the date, whether
    it is a working day, and how many notifications are new for each kind.
    """
    today = today or timezone.localdate()
    summary = {"date": today.isoformat(), "working_day": False, "reminders": 0, "overdue": 0, "digests": 0}
    calendar = WorkingCalendar(today, today)
    if not calendar.is_working_day(today):
        return summary
    summary["working_day"] = True
    ahead = working_days_ahead()
    # The last day on which at most `ahead` working days are left: the day before the (ahead + 1)-th working day.
    until = calendar.add_working_days(today, ahead + 1) - timedelta(days=1)
    with translation.override("vi"), transaction.atomic():
        deadlines = [d for provider in _PROVIDERS for d in provider(until) if d.debtors and d.due <= until]
        if not deadlines:
            return summary
        calendar = WorkingCalendar(min(d.due for d in deadlines), until)
        overdue: list[tuple[Deadline, int]] = []
        for deadline in sorted(deadlines, key=lambda d: (d.due, d.group, d.label, d.key)):
            due = last_day(calendar, deadline.due)
            if due >= today:
                left = calendar.working_days_between(today, due)
                if left <= ahead:
                    summary["reminders"] += len(_tell(deadline, BEFORE, left, _reminded(deadline)))
            else:
                late = calendar.working_days_between(due, today)
                overdue.append((deadline, late))
                summary["overdue"] += len(_tell(deadline, OVERDUE, late, _escalated(deadline)))
        summary["digests"] = _digests(overdue, today)
    return summary


def last_day(calendar: WorkingCalendar, due: date) -> date:
    """A deadline that falls on a day off runs to the end of the next working day (Civil Code 2015, art. 148(5))."""
    while not calendar.is_working_day(due):
        due += timedelta(days=1)
    return due


def _reminded(deadline: Deadline) -> list:
    return [user for debtor in deadline.debtors for user in (debtor.people or debtor.heads)]


def _escalated(deadline: Deadline) -> list:
    return [user for debtor in deadline.debtors for user in (*debtor.people, *debtor.heads)]


def _tell(deadline: Deadline, stage: str, working_days: int, users: list) -> list[int]:
    if not users:
        return []
    title, body = deadline.message(stage, working_days)
    return notify(
        users,
        key=f"reminder:{deadline.key}:{deadline.due.isoformat()}:{stage}",
        title=title,
        body=body,
        url=deadline.url,
        target=deadline.target,
    )


def _digests(overdue: list[tuple[Deadline, int]], today: date) -> int:
    """One digest per watcher: watchers who follow the same deadlines share one ``notify`` call."""
    followed: dict[int, list[tuple[Deadline, int]]] = {}
    users: dict[int, object] = {}
    for deadline, late in sorted(overdue, key=lambda item: (item[0].group, item[0].due, item[0].label)):
        for user in deadline.watchers:
            users[user.pk] = user
            followed.setdefault(user.pk, []).append((deadline, late))
    audiences: dict[tuple[str, ...], list] = {}
    for pk, items in followed.items():
        audiences.setdefault(tuple(d.key for d, _late in items), []).append(users[pk])
    sent = 0
    for recipients in audiences.values():
        items = followed[recipients[0].pk]
        count = sum(len(d.debtors) for d, _late in items)
        sent += len(
            notify(
                recipients,
                key=f"digest:overdue:{today.isoformat()}",
                title=_("Tổng hợp đơn vị quá hạn ngày %(d)s: %(n)s trường hợp") % {"d": _day(today), "n": count},
                body=_digest_body(items),
            )
        )
    return sent


def _digest_body(items: list[tuple[Deadline, int]]) -> str:
    lines: list[str] = []
    group = None
    for deadline, late in items:
        if deadline.group != group:
            group = deadline.group
            lines += ["", group] if lines else [group]
        lines.append(
            _("%(label)s — hạn %(d)s, quá %(n)s ngày làm việc, %(k)s đơn vị chưa thực hiện:")
            % {"label": deadline.label, "d": _day(deadline.due), "n": late, "k": len(deadline.debtors)}
        )
        for debtor in sorted(deadline.debtors, key=lambda d: d.name):
            lines.append(f"- {debtor.name}" + (f" ({debtor.note})" if debtor.note else ""))
        if deadline.board_url:
            lines.append(_("Xem: %(url)s") % {"url": deadline.board_url})
    return "\n".join(lines)


# --- The daily schedule -----------------------------------------------------------------------------------------


def next_run_at(now: datetime | None = None) -> datetime:
    """The next :data:`SCHEDULE_AT` in local time strictly after ``now``."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=SCHEDULE_AT.hour, minute=SCHEDULE_AT.minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


# Daily django-q2 schedules that exist after every migrate: name → dotted function. Domain apps add theirs in
# ``AppConfig.ready()`` with :func:`register_daily` (the interim-review snapshots, for instance).
DAILY_SCHEDULES: dict[str, str] = {SCHEDULE_NAME: SCHEDULE_FUNC}

# viewflow's timers (``.OnTimeout`` of a task) are fired by this schedule, every few minutes.
TIMERS_SCHEDULE_NAME = "thidua-workflow-timers"
TIMERS_SCHEDULE_FUNC = "workflows.tasks.fire_workflow_timers"
TIMERS_EVERY_MINUTES = 5


# Background jobs whose task was lost with a dead worker are queued again by this one (workflows/jobs.py).
RESUME_SCHEDULE_NAME = "thidua-resume-jobs"
RESUME_SCHEDULE_FUNC = "workflows.tasks.resume_stalled_jobs"
# The schedules that run every TIMERS_EVERY_MINUTES minutes: name → dotted function.
FREQUENT_SCHEDULES: dict[str, str] = {
    TIMERS_SCHEDULE_NAME: TIMERS_SCHEDULE_FUNC,
    RESUME_SCHEDULE_NAME: RESUME_SCHEDULE_FUNC,
}


def register_daily(name: str, func: str) -> None:
    DAILY_SCHEDULES[name] = func


def ensure_schedule(*, apps=None, using: str = "default", **kwargs) -> None:
    """The ``post_migrate`` handler: create each daily django-q2 schedule of :data:`DAILY_SCHEDULES` (the reminders
    ``thidua-reminders`` first), and those of :data:`FREQUENT_SCHEDULES` (the timers' ``thidua-workflow-timers`` and
    the lost jobs' ``thidua-resume-jobs``, every :data:`TIMERS_EVERY_MINUTES` minutes), unless one of that name
    exists.

    A schedule already there is left as it is (the board may have changed its time in the admin). The handler does
    nothing while django-q2's tables are not migrated.
    """
    from django.apps import apps as installed

    try:
        schedule = (apps or installed).get_model("django_q", "Schedule")
    except LookupError:
        return
    manager = schedule.objects.using(using)
    existing = set(manager.filter(name__in=list(FREQUENT_SCHEDULES)).values_list("name", flat=True))
    for name, func in FREQUENT_SCHEDULES.items():
        if name in existing:
            continue
        manager.create(
            name=name,
            func=func,
            schedule_type="I",  # django_q.models.Schedule.MINUTES
            minutes=TIMERS_EVERY_MINUTES,
            repeats=-1,
            next_run=timezone.now(),
        )
    existing = set(manager.filter(name__in=list(DAILY_SCHEDULES)).values_list("name", flat=True))
    for name, func in DAILY_SCHEDULES.items():
        if name in existing:
            continue
        manager.create(
            name=name,
            func=func,
            schedule_type="D",  # django_q.models.Schedule.DAILY
            repeats=-1,
            next_run=next_run_at(),
        )
