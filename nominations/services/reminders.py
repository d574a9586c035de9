"""The nominations app's deadlines for the engine's reminders (``workflows/reminders.py`` says when and how they
are sent): the appraisal time limit of every dossier under appraisal (domain rule 9), counted in working days from
its receipt and stopped while it is returned (``services/clock.py``). Registered in ``NominationsConfig.ready()``.

- Key ``appraisal:<dossier pk>``; due: the last working day of the dossier's limit. When a return and a new
  receipt move that day, the new day gets its own reminder and overdue notice.
- Who owes it: for the Chairman's Bằng khen, the officer handling the dossier (``Dossier.assignee``) and whoever
  stands in for them while they are away (``workflows.assignments``), or every board officer when nobody handles
  it yet; escalated to the board heads. For a unit's own Giấy khen, the clerks of the deciding unit, escalated to
  its head. Overdue dossiers also appear in the board's daily digest.

A fixed number of queries whatever the number of dossiers.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from competition.services.reminders import board, people_by_unit
from workflows.assignments import stand_ins_by_absent
from workflows.reminders import OVERDUE, Deadline, Debtor

from ..models import Dossier
from ..rules import decided_by_province
from .clock import RUNNING_STATES, appraisal_clocks


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def appraisal_deadlines(until: date) -> list[Deadline]:
    """Every dossier under appraisal whose last allowed day is on or before ``until``."""
    dossiers = list(
        Dossier.objects.filter(state__in=RUNNING_STATES).select_related(
            "campaign", "unit", "deciding_unit__parent", "assignee"
        )
    )
    if not dossiers:
        return []
    clocks = appraisal_clocks(dossiers, today=timezone.localdate())
    due = [(d, clocks[d.pk]) for d in dossiers if clocks[d.pk].due is not None and clocks[d.pk].due <= until]
    if not due:
        return []
    watchers = board()
    officers = tuple(User.objects.filter(is_active=True, role=Role.BOARD_OFFICER).order_by("pk"))
    heads = tuple(User.objects.filter(is_active=True, role=Role.BOARD_HEAD).order_by("pk"))
    local = people_by_unit([d.deciding_unit_id for d, _c in due if not decided_by_province(d)])
    stand_ins = stand_ins_by_absent(d.assignee_id for d, _c in due if _handled_by(d) is not None)
    deadlines = []
    for dossier, clock in due:
        if decided_by_province(dossier):
            officer = _handled_by(dossier)
            people = (officer, *stand_ins.get(officer.pk, ())) if officer is not None else officers
            escalated = heads
        else:
            clerks, unit_heads = local.get(dossier.deciding_unit_id, ([], []))
            people, escalated = tuple(clerks), tuple(unit_heads)
        name = _("%(d)s — %(u)s") % {"d": dossier.title, "u": dossier.unit}
        deadlines.append(
            Deadline(
                key=f"appraisal:{dossier.pk}",
                due=clock.due,
                group=_("Phong trào “%(c)s”") % {"c": dossier.campaign.name},
                label=_("Thẩm định hồ sơ đề nghị khen thưởng"),
                debtors=(
                    Debtor(
                        name=name,
                        people=people,
                        heads=escalated,
                        note=_("đã dùng %(n)s/%(l)s ngày làm việc") % {"n": clock.used, "l": clock.limit},
                    ),
                ),
                message=_message(dossier, clock.due),
                watchers=watchers,
                url=_url(dossier),
                board_url=_url(dossier),
                target=dossier,
            )
        )
    return deadlines


def _handled_by(dossier: Dossier):
    """The active officer handling a dossier of the board, or None (nobody yet, or their account was closed)."""
    if not decided_by_province(dossier) or dossier.assignee_id is None or not dossier.assignee.is_active:
        return None
    return dossier.assignee


def _url(dossier: Dossier) -> str:
    try:
        return reverse("nominations:dossier_detail", args=[dossier.pk])
    except NoReverseMatch:
        return ""


def _message(dossier: Dossier, due: date):
    values = {"t": dossier.title, "u": str(dossier.unit), "d": _day(due)}

    def message(stage: str, working_days: int) -> tuple[str, str]:
        v = {**values, "n": working_days}
        if stage == OVERDUE:
            return (
                _("Quá hạn thẩm định hồ sơ “%(t)s” (%(d)s)") % v,
                _(
                    "Hồ sơ “%(t)s” của %(u)s đã quá thời hạn thẩm định (%(d)s) %(n)s ngày làm việc. Thông báo này "
                    "được gửi cho người thẩm định và lãnh đạo phụ trách."
                )
                % v,
            )
        if working_days:
            title = _("Còn %(n)s ngày làm việc đến hạn thẩm định hồ sơ “%(t)s” (%(d)s)") % v
        else:
            title = _("Hôm nay là ngày làm việc cuối cùng để thẩm định hồ sơ “%(t)s” (%(d)s)") % v
        return title, _("Hồ sơ “%(t)s” của %(u)s đang chờ thẩm định; hạn: %(d)s.") % v

    return message


def escalate_overdue_dossier(dossier: Dossier, *, task_pk: int) -> int:
    """The appraisal task's timer fired (nominations/flows.py): if ``dossier`` is still under appraisal and past
    its limit, tell whoever answers for it (the board's heads and the officer handling it, or the deciding unit's
    head and clerks for its own Giấy khen; a stand-in in place of an absent officer). Once per timer. Returns the
    number of people told."""
    from workflows import audit
    from workflows.assignments import with_stand_ins
    from workflows.notifications import notify

    dossier = Dossier.objects.select_related("campaign", "unit", "deciding_unit", "assignee").get(pk=dossier.pk)
    if dossier.state not in RUNNING_STATES:
        return 0
    clock = appraisal_clocks([dossier])[dossier.pk]
    if not clock.overdue:
        return 0
    if decided_by_province(dossier):
        people = list(User.objects.filter(is_active=True, role=Role.BOARD_HEAD).order_by("pk"))
        if dossier.assignee_id:
            people.append(dossier.assignee)
    else:
        clerks, heads = people_by_unit([dossier.deciding_unit_id]).get(dossier.deciding_unit_id, ([], []))
        people = [*heads, *clerks]
    people = with_stand_ins(people)
    values = {"t": dossier.title, "u": str(dossier.unit), "d": _day(clock.due), "n": clock.late_by}
    notify(
        people,
        key=f"appraisal-timeout:{dossier.pk}:{task_pk}",
        title=_("Quá hạn thẩm định hồ sơ “%(t)s” (%(d)s)") % values,
        body=_("Hồ sơ “%(t)s” của %(u)s đã hết thời hạn thẩm định (%(d)s) mà chưa hoàn thành.") % values,
        url=_url(dossier),
        target=dossier,
    )
    audit.record(
        actor=None,
        action="nominations.dossier.overdue",
        obj=dossier,
        payload={"due": clock.due.isoformat(), "used": clock.used, "limit": clock.limit, "told": len(people)},
    )
    return len(people)
