"""The dossiers waiting for a user: the open tasks of the Dossier flow that the user may act on.

Read from viewflow's Task table (the work-queue truth), narrowed by the scoping function (``competition.scoping``)
and then by each task's own permission on its dossier, the very permission the door checks for the transition
that completes the task. A constant number of queries, however many tasks wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from competition.scoping import scope
from workflows.inbox import InboxItem

from ..flows import DossierFlow
from ..models import Dossier


@dataclass(frozen=True)
class WaitingDossier:
    """One dossier waiting for the user: at which step (the flow node and its title) and since when."""

    dossier: Dossier
    task_id: int
    node: str
    title: str
    since: datetime


def inbox_for(user) -> list[WaitingDossier]:
    """The dossiers waiting for ``user``, oldest first. Queries: the scoping function's own (the user's unit,
    cached on the user) and one for the tasks with their dossiers, units and campaigns."""
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
        )
        .order_by("created", "pk")
    )
    items = []
    for task in tasks:
        dossier = task.process.dossierprocess.dossier
        if task.owner_id is not None and task.owner_id != user.pk:
            continue  # taken by somebody else
        if task.owner_permission and not user.has_perm(task.owner_permission, dossier):
            continue
        node = task.flow_task
        items.append(
            WaitingDossier(
                dossier=dossier, task_id=task.pk, node=node.name, title=str(node.task_title), since=task.created
            )
        )
    return items


def inbox_items(user) -> list[InboxItem]:
    """The same, as rows of the home page's inbox (registered with ``workflows.inbox`` in the app's ready())."""
    rows = []
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
                detail=f"{item.dossier.unit} — {item.dossier.campaign}",
            )
        )
    return rows
