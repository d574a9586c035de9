"""The dossiers waiting for a user: the open tasks of the Dossier flow that the user may act on.

Read from viewflow's Task table (the work-queue truth), narrowed by the scoping function (``competition.scoping``)
and by each task's own permission on its dossier, the very permission the door checks for the transition that
completes the task. The permission is checked in the database through its SQL twin
(``nominations.rules.dossiers_acted_on``, tested to agree with the predicates), so that a board officer with
thousands of waiting dossiers gets the count per step and one page of them in a few queries.

The board's steps (receive, appraise) of a dossier that has an officer (``Dossier.assignee``, cán bộ thụ lý) wait
for that officer only, and for whoever stands in for them while they are away (``workflows.assignments``): the
viewflow task has no owner until the door completes it, so the assignment is the dossier's. A dossier nobody
handles yet waits for every officer who may act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from accounts.enums import Role
from competition.models import Campaign
from competition.scoping import root_unit_ids, scope, user_unit
from workflows.assignments import absent_for
from workflows.inbox import InboxItem, InboxSlice, StepCount, slice_rows

from ..enums import Attendance, CouncilSessionState, DossierState
from ..flows import DossierFlow
from ..models import CouncilMember, Dossier
from ..rules import dossiers_acted_on

# The steps of the appraising office, which follow the dossier's officer (its assignee).
HANDLER_NODES = frozenset({"receive", "appraise"})


@dataclass(frozen=True)
class WaitingDossier:
    """One dossier waiting for the user: at which step (the flow node and its title) and since when."""

    dossier: Dossier
    task_id: int
    node: str
    title: str
    since: datetime
    standing_in_for: object = None  # the absent officer whose dossier this is, when the user stands in for them


def _waiting_tasks(user):
    """The open tasks of the Dossier flow waiting for ``user``, as a queryset: scoped, not taken by somebody else,
    allowed by each task's own permission (its SQL twin, ``nominations.rules.dossiers_acted_on``) and, on the
    board's steps, the user's to handle (no officer yet, the user, or someone the user stands in for today)."""
    dossier = "process__dossierprocess__dossier__"
    allowed = Q(owner_permission__isnull=True) | Q(owner_permission="")
    provinces = root_unit_ids()
    # Permissions whose twins are the same condition (receiving, appraising, the council) share one branch: a
    # smaller condition is cheaper to compile for every page and to plan.
    by_condition: dict[Q, list[str]] = {}
    for permission in sorted({task._owner_permission for task in _human_nodes() if task._owner_permission}):
        twin = dossiers_acted_on(user, permission, dossier, provinces=provinces)
        by_condition.setdefault(twin, []).append(permission)
    for twin, permissions in by_condition.items():
        allowed |= Q(owner_permission__in=permissions) & twin
    handled = Q(**{f"{dossier}assignee__isnull": True}) | Q(**{f"{dossier}assignee_id": user.pk})
    away = absent_for(user)
    if away:
        handled |= Q(**{f"{dossier}assignee_id__in": away})
    return Task.objects.filter(
        Q(owner__isnull=True) | Q(owner=user),
        allowed,
        ~Q(flow_task__in=[_node(name) for name in HANDLER_NODES]) | handled,
        process__flow_class=DossierFlow,
        flow_task_type="HUMAN",
        status__in=(STATUS.NEW, STATUS.ASSIGNED),
        process__dossierprocess__dossier__in=scope(user, Dossier.objects.all()).values("pk"),
    )


def _human_nodes():
    return [node for node in DossierFlow.instance.nodes() if getattr(node, "_owner_permission", None) is not None]


def _node(name: str):
    return getattr(DossierFlow, name)


def _search(queryset, search: str):
    """Every word (lower case) in the dossier's title or its unit's name. SQLite folds the case of ASCII letters
    only, so a word is also looked for capitalised: "đình" finds "Đình" on the embedded database too."""
    for word in search.split():
        condition = Q()
        for form in {word, word.capitalize()}:
            condition |= Q(process__dossierprocess__dossier__title__icontains=form)
            condition |= Q(process__dossierprocess__dossier__unit__name__icontains=form)
        queryset = queryset.filter(condition)
    return queryset


def inbox_for(
    user, *, step: str = "", search: str = "", limit: int | None = None, waiting=None
) -> list[WaitingDossier]:
    """The dossiers waiting for ``user``, oldest first: all of them, or the oldest ``limit``; ``step`` a node
    name, ``search`` words of the title or the unit's name (``waiting``: that queryset, already built). Queries:
    the scoping function's own (the user's unit, cached on the user), the province's pk, the people the user stands
    in for, and one for the tasks with their dossiers, units, campaigns and officers, however many wait (two with
    a ``limit``: the oldest first, then their rows)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    tasks = waiting if waiting is not None else _search(_waiting_tasks(user), search)
    if step:
        tasks = tasks.filter(flow_task=_node(step)) if step in _node_names() else tasks.none()
    tasks = tasks.order_by("created", "pk")
    if limit is not None:
        # The oldest ``limit`` first, through the narrow joins only; then their rows with everything shown. Sorting
        # the wide rows of every waiting task to keep ten took PostgreSQL 15 times longer.
        oldest = list(tasks.values_list("pk", flat=True)[:limit])
        tasks = Task.objects.filter(pk__in=oldest).order_by("created", "pk")
    tasks = tasks.select_related(
        "process__dossierprocess__dossier__campaign",
        "process__dossierprocess__dossier__unit",
        "process__dossierprocess__dossier__deciding_unit",
        "process__dossierprocess__dossier__assignee",
    ).defer(*Campaign.deferred_texts("process__dossierprocess__dossier__campaign__"))
    items = []
    for task in tasks:
        dossier = task.process.dossierprocess.dossier
        node = task.flow_task
        standing_in_for = None
        if node.name in HANDLER_NODES and dossier.assignee_id not in (None, user.pk):
            standing_in_for = dossier.assignee
        items.append(
            WaitingDossier(
                dossier=dossier,
                task_id=task.pk,
                node=node.name,
                title=str(node.task_title),
                since=task.created,
                standing_in_for=standing_in_for,
            )
        )
    return items


def _node_names() -> set[str]:
    return {node.name for node in _human_nodes()}


def waiting_counts(user, *, search: str = "", waiting=None) -> dict[str, int]:
    """How many dossiers wait for ``user`` at each step (node name): one grouped query (``waiting``: the queryset
    of :func:`inbox_for`, already built)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    tasks = waiting if waiting is not None else _search(_waiting_tasks(user), search)
    rows = tasks.order_by().values_list("flow_task").annotate(n=Count("pk"))
    return {node.name: n for node, n in rows if node is not None}


def returned_to_clerk(user) -> list[Dossier]:
    """The dossiers of the clerk's unit returned for supplementation: the unit head's task is to resubmit, but it is
    the clerk who supplements them first (one query, for unit clerks only; ``returned_at``: the last return)."""
    if getattr(user, "role", None) != Role.UNIT_CLERK or not user.is_active:
        return []
    unit = user_unit(user)
    if unit is None:
        return []
    return list(
        Dossier.objects.filter(unit=unit, state=DossierState.RETURNED)
        .select_related("campaign", "unit")
        .annotate(returned_at=Max("returns__returned_at"))
        .order_by("pk")
    )


def ballots_waiting(user) -> list[CouncilMember]:
    """The council sessions open for voting where ``user`` is a member who may still vote (present, or absent with
    a written vote, and not yet voted): one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        CouncilMember.objects.filter(user=user, has_voted=False, session__state=CouncilSessionState.VOTING)
        .exclude(attendance=Attendance.ABSENT)
        .select_related("session__campaign", "session__deciding_unit")
        .order_by("session__opened_at", "session_id")
    )


STEP_PREFIX = "dossier."


def _few_rows(user) -> list[InboxItem]:
    """The rows that are few by nature: a council member's ballots, a clerk's returned dossiers."""
    rows = []
    for member in ballots_waiting(user):
        session = member.session
        rows.append(
            InboxItem(
                title=session.title,
                step=_("Bỏ phiếu kín"),
                url=reverse("nominations:council_ballot", args=[session.pk]),
                since=session.opened_at,
                detail=f"{session.deciding_unit} — {session.campaign}",
                step_key="council.ballot",
            )
        )
    for dossier in returned_to_clerk(user):
        rows.append(
            InboxItem(
                title=dossier.title,
                step=_("Bổ sung hồ sơ bị trả lại"),
                url=reverse("nominations:dossier_detail", args=[dossier.pk]),
                since=dossier.returned_at or dossier.created_at,
                detail=f"{dossier.unit} — {dossier.campaign}",
                step_key=STEP_PREFIX + "returned",
            )
        )
    return rows


def _row(item: WaitingDossier) -> InboxItem:
    # The council step is done on the council's pages (a session takes several dossiers), not on the dossier's.
    name, args = (
        ("nominations:council_list", [])
        if item.node == "council"
        else ("nominations:dossier_detail", [item.dossier.pk])
    )
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        url = ""
    detail = f"{item.dossier.unit} — {item.dossier.campaign}"
    if item.standing_in_for is not None:
        detail += " · " + _("làm thay %(name)s") % {"name": item.standing_in_for}
    return InboxItem(
        title=item.dossier.title,
        step=item.title,
        url=url,
        since=item.since,
        detail=detail,
        step_key=STEP_PREFIX + item.node,
    )


def inbox_slice(user, *, step: str = "", search: str = "", limit: int | None = None) -> InboxSlice:
    """The provider registered with ``workflows.inbox`` (in the app's ready()): the dossiers waiting for ``user``
    counted per step in the database and only the oldest ``limit`` read; plus, for a unit clerk, the unit's
    dossiers returned for supplementation and, for a council member, the secret ballots waiting for them."""
    few = slice_rows(_few_rows(user), step=step, search=search, limit=limit)
    active = getattr(user, "is_authenticated", False) and user.is_active
    waiting = _search(_waiting_tasks(user), search) if active else None
    counts = waiting_counts(user, waiting=waiting)
    titles = {node.name: str(node.task_title) for node in _human_nodes()}
    steps = few.steps + [
        StepCount(STEP_PREFIX + name, titles[name], n) for name, n in sorted(counts.items()) if name in titles
    ]
    node = ""
    if step:
        node = step.removeprefix(STEP_PREFIX) if step.startswith(STEP_PREFIX) else "-"
    if step and node not in counts:
        rows, total = [], 0
    else:
        rows = [_row(item) for item in inbox_for(user, step=node, limit=limit, waiting=waiting)]
        total = counts.get(node, 0) if node else sum(counts.values())
    items = sorted(few.items + rows, key=lambda i: (i.since is None, i.since or datetime.min))
    return InboxSlice(total=few.total + total, steps=steps, items=items if limit is None else items[:limit])


def inbox_items(user) -> list[InboxItem]:
    """Every row waiting for ``user`` (for tests and small callers; pages use :func:`inbox_slice`)."""
    return inbox_slice(user).items
