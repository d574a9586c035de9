"""The competition app's deadlines for the engine's reminders (``workflows/reminders.py``, which says when and how
they are sent). Both providers are registered in ``CompetitionConfig.ready()``.

- **Plan deadline**: key ``plan:<campaign pk>``, due ``Campaign.plan_deadline``. It covers campaigns that are
  running (launched or summarising). An enrolled unit owes its plan while the plan is missing, still a draft, or
  returned and not sent again. A submitted or accepted plan owes nothing (the plan's own ``late`` flag says
  whether it came late).
- **Reporting period**: key ``progress:<period pk>``, due ``ReportingPeriod.due``. It also covers running campaigns
  only. An enrolled unit owes a report until it has reported every indicator that applies to its kind for the
  period. A unit to which no indicator applies owes nothing.

For each unit that owes something, ``people`` are its active unit clerks and ``heads`` its active unit heads. The
engine reminds the clerks before the deadline (the heads, when the unit has no clerk) and tells both once the
deadline has passed. The board's daily digest goes to the active board officers and board heads (``BOARD_ROLES``).
Texts are Vietnamese, dates dd/mm/yyyy. They name the campaign and the deadline, never the unit, so that one text
serves every unit.

Each provider costs a fixed number of queries whatever the number of units: 4 for plans, 6 for reporting periods
(aggregation, no query per unit). The self-scoring and nomination deadlines will be further providers of the same
shape: a function of ``until`` that returns ``workflows.reminders.Deadline`` rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.enums import BOARD_ROLES, UNIT_ROLES, Role
from accounts.models import User
from workflows.reminders import OVERDUE, Deadline, Debtor

from ..enums import PlanState
from ..models import Campaign, Enrolment, Indicator, ProgressReport, ReportingPeriod, UnitPlan
from ..rules import PLAN_ISSUED, PLANNING_CAMPAIGN_STATES
from .progress import REPORTING_STATES


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def board() -> tuple[User, ...]:
    """Who receives the digest of overdue units: every active user with a board role. One query."""
    return tuple(User.objects.filter(is_active=True, role__in=BOARD_ROLES).order_by("pk"))


def people_by_unit(unit_ids) -> dict[int, tuple[list[User], list[User]]]:
    """``{unit pk: (clerks, heads)}`` for the active unit users of the units ``unit_ids`` (a subquery of unit ids).
    One query."""
    found: dict[int, tuple[list[User], list[User]]] = defaultdict(lambda: ([], []))
    users = (
        User.objects.filter(is_active=True, role__in=UNIT_ROLES, membership__unit_id__in=unit_ids)
        .annotate(unit_pk=F("membership__unit_id"))
        .order_by("pk")
    )
    for user in users:
        clerks, heads = found[user.unit_pk]
        (heads if user.role == Role.UNIT_HEAD else clerks).append(user)
    return found


def _debtor(name: str, people: dict, unit_id: int, note: str) -> Debtor:
    clerks, heads = people.get(unit_id, ([], []))
    return Debtor(name=name, people=tuple(clerks), heads=tuple(heads), note=note)


# --- The plan deadline ----------------------------------------------------------------------------------------


def plan_deadlines(until: date) -> list[Deadline]:
    """Every running campaign whose plan deadline is on or before ``until``, with the enrolled units whose plan is
    missing, a draft, or returned. Four queries."""
    campaigns = {
        c.pk: c
        for c in Campaign.objects.filter(
            state__in=PLANNING_CAMPAIGN_STATES, plan_deadline__isnull=False, plan_deadline__lte=until
        )
    }
    if not campaigns:
        return []
    plans = UnitPlan.objects.filter(campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id"))
    owing = Enrolment.objects.filter(campaign_id__in=campaigns).exclude(Exists(plans.filter(state__in=PLAN_ISSUED)))
    rows = list(
        owing.annotate(plan_state=Subquery(plans.values("state")[:1]))
        .order_by("unit__path")
        .values_list("campaign_id", "unit_id", "unit__name", "plan_state")
    )
    if not rows:
        return []
    people = people_by_unit(owing.values("unit_id"))
    watchers = board()
    notes = {
        None: _("chưa lập kế hoạch"),
        PlanState.DRAFT: _("kế hoạch đang soạn, chưa gửi"),
        PlanState.RETURNED: _("kế hoạch bị trả lại, chưa gửi lại"),
    }
    debtors: dict[int, list[Debtor]] = defaultdict(list)
    for campaign_id, unit_id, name, state in rows:
        debtors[campaign_id].append(_debtor(name, people, unit_id, notes.get(state, "")))
    return [
        Deadline(
            key=f"plan:{campaign.pk}",
            due=campaign.plan_deadline,
            group=_("Phong trào “%(c)s”") % {"c": campaign.name},
            label=_("Kế hoạch của đơn vị"),
            debtors=tuple(debtors[campaign.pk]),
            message=_plan_message(campaign),
            watchers=watchers,
            url=_url("competition:plan_mine", campaign.pk),
            board_url=_url("competition:plan_status", campaign.pk),
            target=campaign,
        )
        for campaign in campaigns.values()
        if debtors[campaign.pk]
    ]


def _plan_message(campaign: Campaign):
    values = {"c": campaign.name, "d": _day(campaign.plan_deadline)}

    def message(stage: str, working_days: int) -> tuple[str, str]:
        v = {**values, "n": working_days}
        if stage == OVERDUE:
            return (
                _("Quá hạn ban hành kế hoạch “%(c)s” (%(d)s)") % v,
                _(
                    "Đã quá hạn ban hành kế hoạch triển khai phong trào “%(c)s” (%(d)s) %(n)s ngày làm việc mà đơn vị "
                    "chưa gửi kế hoạch, hoặc chưa gửi lại kế hoạch bị trả lại. Thông báo này được gửi cho cán bộ thi "
                    "đua và thủ trưởng đơn vị."
                )
                % v,
            )
        if working_days:
            title = _("Còn %(n)s ngày làm việc đến hạn ban hành kế hoạch “%(c)s” (%(d)s)") % v
        else:
            title = _("Hôm nay là ngày làm việc cuối cùng trước hạn ban hành kế hoạch “%(c)s” (%(d)s)") % v
        body = (
            _(
                "Đơn vị chưa gửi kế hoạch triển khai phong trào “%(c)s”, hoặc chưa gửi lại kế hoạch bị trả lại. "
                "Hạn ban hành kế hoạch: %(d)s."
            )
            % v
        )
        return title, body

    return message


# --- Reporting periods ----------------------------------------------------------------------------------------


def progress_deadlines(until: date) -> list[Deadline]:
    """Every reporting period of a running campaign due on or before ``until``, with the enrolled units that have
    not reported every indicator applying to their kind. Six queries."""
    periods = list(
        ReportingPeriod.objects.filter(campaign__state__in=REPORTING_STATES, due__lte=until)
        .select_related("campaign")
        .order_by("due", "pk")
    )
    if not periods:
        return []
    campaign_ids = {p.campaign_id for p in periods}
    indicators: dict[int, list[list[str]]] = defaultdict(list)
    for campaign_id, applies_to in Indicator.objects.filter(campaign_id__in=campaign_ids).values_list(
        "campaign_id", "applies_to"
    ):
        indicators[campaign_id].append(applies_to or [])
    enrolled: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for campaign_id, unit_id, name, kind in (
        Enrolment.objects.filter(campaign_id__in=campaign_ids)
        .order_by("unit__path")
        .values_list("campaign_id", "unit_id", "unit__name", "unit__kind")
    ):
        enrolled[campaign_id].append((unit_id, name, kind))
    # record_progress accepts only indicators that apply to the unit's kind, so counting reports is enough.
    reported = {
        (period_id, unit_id): n
        for period_id, unit_id, n in ProgressReport.objects.filter(period__in=periods)
        .order_by()
        .values_list("period_id", "unit_id")
        .annotate(n=Count("pk"))
    }

    def applicable(campaign_id: int, kind: str) -> int:
        return sum(1 for applies_to in indicators[campaign_id] if not applies_to or kind in applies_to)

    owing: list[tuple[ReportingPeriod, int, str, int, int]] = []
    for period in periods:
        for unit_id, name, kind in enrolled[period.campaign_id]:
            total = applicable(period.campaign_id, kind)
            done = reported.get((period.pk, unit_id), 0)
            if done < total:
                owing.append((period, unit_id, name, done, total))
    if not owing:
        return []
    people = people_by_unit(Enrolment.objects.filter(campaign_id__in=campaign_ids).values("unit_id"))
    watchers = board()
    debtors: dict[int, list[Debtor]] = defaultdict(list)
    for period, unit_id, name, done, total in owing:
        note = (
            _("đã báo cáo %(k)s/%(n)s chỉ tiêu") % {"k": done, "n": total} if done else _("chưa báo cáo chỉ tiêu nào")
        )
        debtors[period.pk].append(_debtor(name, people, unit_id, note))
    return [
        Deadline(
            key=f"progress:{period.pk}",
            due=period.due,
            group=_("Phong trào “%(c)s”") % {"c": period.campaign.name},
            label=_("Báo cáo tiến độ kỳ “%(p)s”") % {"p": period.label},
            debtors=tuple(debtors[period.pk]),
            message=_progress_message(period),
            watchers=watchers,
            url=_url("competition:progress_periods", period.campaign_id),
            board_url=_url("competition:progress_board", period.campaign_id, period.pk),
            target=period,
        )
        for period in periods
        if debtors[period.pk]
    ]


def _progress_message(period: ReportingPeriod):
    values = {"p": period.label, "c": period.campaign.name, "d": _day(period.due)}

    def message(stage: str, working_days: int) -> tuple[str, str]:
        v = {**values, "n": working_days}
        if stage == OVERDUE:
            return (
                _("Quá hạn báo cáo tiến độ kỳ “%(p)s” (%(d)s)") % v,
                _(
                    "Đã quá hạn báo cáo tiến độ kỳ “%(p)s” của phong trào “%(c)s” (%(d)s) %(n)s ngày làm việc mà đơn "
                    "vị chưa báo cáo đủ các chỉ tiêu. Thông báo này được gửi cho cán bộ thi đua và thủ trưởng đơn vị."
                )
                % v,
            )
        if working_days:
            title = _("Còn %(n)s ngày làm việc đến hạn báo cáo tiến độ kỳ “%(p)s” (%(d)s)") % v
        else:
            title = _("Hôm nay là ngày làm việc cuối cùng trước hạn báo cáo tiến độ kỳ “%(p)s” (%(d)s)") % v
        body = _("Đơn vị chưa báo cáo đủ các chỉ tiêu của kỳ “%(p)s” (phong trào “%(c)s”). Hạn báo cáo: %(d)s.") % v
        return title, body

    return message
