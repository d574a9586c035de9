"""The dossiers waiting for a user: the open tasks of the Dossier flow that the user may act on.

Read from viewflow's Task table (the work-queue truth), narrowed by the scoping function (``competition.scoping``)
and then by each task's own permission on its dossier, the very permission the door checks for the transition
that completes the task. A constant number of queries, however many tasks wait.

The board's steps (receive, appraise) of a dossier that has an officer (``Dossier.assignee``, cán bộ thụ lý) wait
for that officer only, and for whoever stands in for them while they are away (``workflows.assignments``): the
viewflow task has no owner until the door completes it, so the assignment is the dossier's. A dossier nobody
handles yet waits for every officer who may act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from accounts.enums import Role
from competition.scoping import scope, user_unit
from workflows.assignments import absent_for
from workflows.inbox import InboxItem

from ..enums import Attendance, CouncilSessionState, DossierState
from ..flows import DossierFlow
from ..models import CouncilMember, Dossier

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


def inbox_for(user) -> list[WaitingDossier]:
    """The dossiers waiting for ``user``, oldest first. Queries: the scoping function's own (the user's unit,
    cached on the user), one for the tasks with their dossiers, units, campaigns and officers, and one for the
    people the user stands in for (only when a waiting dossier has another officer)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    visible = scope(user, Dossier.objects.all()).values("pk")
    tasks = (
        Task.objects.filter(
            process__flow_class=DossierFlow,
            flow_task_type="HUMAN",
            status__in=(STATUS.NEW, STATUS.ASSIGNED),
            process__dossierprocess__dossier__in=visible,
        )
        .select_related(
            "process__dossierprocess__dossier__campaign",
            "process__dossierprocess__dossier__unit",
            "process__dossierprocess__dossier__deciding_unit",
            "process__dossierprocess__dossier__assignee",
        )
        .order_by("created", "pk")
    )
    items = []
    away: set[int] | None = None  # the people the user stands in for today, read once if needed
    for task in tasks:
        dossier = task.process.dossierprocess.dossier
        if task.owner_id is not None and task.owner_id != user.pk:
            continue  # taken by somebody else
        if task.owner_permission and not user.has_perm(task.owner_permission, dossier):
            continue
        node = task.flow_task
        standing_in_for = None
        if node.name in HANDLER_NODES and dossier.assignee_id not in (None, user.pk):
            if away is None:
                away = set(absent_for(user))
            if dossier.assignee_id not in away:
                continue  # another officer handles it
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


def returned_to_clerk(user) -> list[Dossier]:
    """The dossiers of the clerk's unit returned for supplementation: the unit head's task is to resubmit, but it is
    the clerk who supplements them first (one query, for unit clerks only)."""
    if getattr(user, "role", None) != Role.UNIT_CLERK or not user.is_active:
        return []
    unit = user_unit(user)
    if unit is None:
        return []
    return list(
        Dossier.objects.filter(unit=unit, state=DossierState.RETURNED)
        .select_related("campaign", "unit")
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


def inbox_items(user) -> list[InboxItem]:
    """The same, as rows of the home page's inbox (registered with ``workflows.inbox`` in the app's ready()); for a
    unit clerk, the unit's dossiers returned for supplementation; for a council member, the secret ballots waiting
    for them."""
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
            )
        )
    for dossier in returned_to_clerk(user):
        last = dossier.returns.order_by("-number").values_list("returned_at", flat=True).first()
        rows.append(
            InboxItem(
                title=dossier.title,
                step=_("Bổ sung hồ sơ bị trả lại"),
                url=reverse("nominations:dossier_detail", args=[dossier.pk]),
                since=last or dossier.created_at,
                detail=f"{dossier.unit} — {dossier.campaign}",
            )
        )
    for item in inbox_for(user):
        try:
            url = reverse("nominations:dossier_detail", args=[item.dossier.pk])
        except NoReverseMatch:
            url = ""
        rows.append(
            InboxItem(
                title=item.dossier.title,
                step=item.title,
                url=url,
                since=item.since,
                detail=f"{item.dossier.unit} — {item.dossier.campaign}"
                + (
                    " · " + _("làm thay %(name)s") % {"name": item.standing_in_for}
                    if item.standing_in_for is not None
                    else ""
                ),
            )
        )
    return rows
