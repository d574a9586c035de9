"""The appraisal time limit of each dossier (domain rule 9): working days counted from a complete dossier (its
receipt) while it is under appraisal, stopped while it is returned for supplementation; the limit is the rule set's
``appraisal_working_days``. Read from the audit trail's transitions (``workflows.deadlines``), for many dossiers in
a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from competition.models import RuleSet
from workflows.calendar import WorkingCalendar
from workflows.deadlines import Clock, clock
from workflows.models import AuditEvent

from ..enums import DossierState
from ..models import Dossier

# The states in which the board has the dossier and the clock runs.
RUNNING_STATES = (DossierState.RECEIVED,)


def appraisal_clocks(dossiers: Iterable[Dossier], *, today: date | None = None) -> dict[int, Clock]:
    """Each dossier's clock, by pk (dossiers never received have a clock that has not started; the limit is the
    rule set the dossier pinned at submission). A fixed number of queries whatever the number of dossiers."""
    dossiers = list(dossiers)
    if not dossiers:
        return {}
    today = today or timezone.localdate()
    ct = ContentType.objects.get_for_model(Dossier)
    transitions: dict[str, list] = defaultdict(list)
    for object_id, moment, state in (
        AuditEvent.objects.filter(content_type=ct, object_id__in=[str(d.pk) for d in dossiers])
        .exclude(to_state="")
        .order_by("sequence")
        .values_list("object_id", "created_at", "to_state")
    ):
        transitions[object_id].append((moment, state))
    limits = dict(
        RuleSet.objects.filter(pk__in={d.rule_set_id for d in dossiers if d.rule_set_id}).values_list(
            "pk", "appraisal_working_days"
        )
    )
    starts = [t[0][0] for t in transitions.values() if t]
    calendar = WorkingCalendar(timezone.localtime(min(starts)).date() if starts else today, today)
    result = {}
    for dossier in dossiers:
        limit = limits.get(dossier.rule_set_id, 0)
        result[dossier.pk] = clock(
            transitions.get(str(dossier.pk), []), running=RUNNING_STATES, limit=limit, today=today, calendar=calendar
        )
    return result


def appraisal_clock_from(dossier: Dossier, events: Iterable[AuditEvent], *, today: date | None = None) -> Clock:
    """The clock of one dossier from its audit events, already read in order (the dossier page shows them):
    :func:`appraisal_clocks` without its queries but the calendar's. The limit is the pinned rule set's."""
    today = today or timezone.localdate()
    transitions = [(event.created_at, event.to_state) for event in events if event.to_state]
    limit = dossier.rule_set.appraisal_working_days if dossier.rule_set_id else 0
    start = timezone.localtime(transitions[0][0]).date() if transitions else today
    calendar = WorkingCalendar(start, today)
    return clock(transitions, running=RUNNING_STATES, limit=limit, today=today, calendar=calendar)


def overdue_moment(dossier: Dossier, *, today: date | None = None) -> datetime:
    """When ``dossier`` becomes overdue: the start (local midnight) of the day after the last working day of its
    limit, counted from the time already used. The appraisal task's timer (nominations/flows.py) is set to it."""
    today = today or timezone.localdate()
    current = appraisal_clocks([dossier], today=today)[dossier.pk]
    if current.due is None:  # not running (never received, or returned): nothing is due yet
        last = WorkingCalendar(today, today).add_working_days(today, current.remaining)
    else:
        last = current.due
    return timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
