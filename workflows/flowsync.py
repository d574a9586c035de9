"""Keeping viewflow's work queue in step with the records' state machines (architecture principles 2-4).

The record's django-fsm-2 state is the business truth; viewflow's ``Process`` and ``Task`` rows are the work-queue
truth (who must act next). A domain app registers each record model that a flow drives, in its ``ready()``::

    flowsync.register(Dossier, DossierProcess, "dossier", transitions={"submit": "submit", "send_back": "receive"})

``transitions`` maps a ``@transition`` name to the human node whose open task it completes. Then:

- the service that creates the record calls :func:`start_process` inside its transaction;
- the door (:func:`workflows.door.transition`) calls :func:`complete_task` inside its transaction, after the
  record's transition and its audit event: the open task of the mapped node is assigned to the actor, started and
  executed, and the flow routes on (gateways read the record's new state; flows route, they never decide);
- :func:`check_agreement` (``verify_audit`` and the tests) lists every record whose state and open tasks disagree.

Human nodes are :class:`DoorTask` and the start node :class:`RecordStart`; flows mix in :class:`RecordFlowMixin`.
viewflow's own action views (execute, assign, unassign, cancel, undo, revive) are not exposed by these nodes and
the flow grants nobody the "manage" permission: only the door moves the work queue. The engine imports no domain
app: records are named through the registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow import lock as flow_lock
from viewflow.workflow.flow import StartHandle, View

from .exceptions import TransitionForbidden, TransitionRefused

# A task that is still waiting for somebody (a human node's task moves NEW → ASSIGNED → STARTED → DONE).
OPEN_TASK_STATES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# A task that no longer waits; anything else (ERROR, SCHEDULED, ...) is open for the agreement check.
CLOSED_TASK_STATES = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)


class FlowOutOfStep(TransitionRefused):
    """The record's flow has no open task for this transition: the work queue and the state disagree."""


# --- Nodes and flow behaviour ------------------------------------------------------------------------------------


def _door_only_view(request, *args, **kwargs):
    raise PermissionDenied(_("Việc này chỉ được thực hiện từ trang của hồ sơ, không qua trang quy trình."))


class DoorTask(View):
    """A human task that only the transition door completes (:func:`complete_task`).

    Its execute view refuses, and it has no assign, unassign, cancel, undo or revive view: even if someone mounted
    the flow's URLs, nothing could move the work queue behind the door. Assign it by ``.Permission(perm, obj=...)``
    with the same permission the door checks for the transition, so that inboxes and the door agree.
    """

    assign_view_class = None
    unassign_view_class = None
    cancel_view_class = None
    undo_view_class = None
    revive_view_class = None

    def __init__(self, **kwargs):
        super().__init__(_door_only_view, **kwargs)


def _bind_record(activation, *, record, actor):
    """The start function of :class:`RecordStart`: link the new process to its record (and its creator)."""
    registration = _by_process_model.get(activation.flow_class.process_class)
    if registration is None:
        raise ImproperlyConfigured(f"{activation.flow_class.process_class.__name__} is not registered in flowsync")
    setattr(activation.process, registration.record_field, record)
    user = _user(actor)
    if user is not None:
        activation.task.owner = user
        activation.task.assigned = timezone.now()
    return activation.process


class RecordStart(StartHandle):
    """Start of a flow over a record, run from code by :func:`start_process` (no start view, no undo view)."""

    undo_view_class = None

    def __init__(self, **kwargs):
        super().__init__(func=_bind_record, **kwargs)


class DatabaseLock:
    """viewflow's process lock for the database in use, chosen when the lock is taken: ``select_for_update_lock``
    where the database has row locks (PostgreSQL, per the field notes); elsewhere (SQLite) the plain transaction,
    or, inside one already (the door's), nothing more: SQLite's IMMEDIATE transaction holds the database's write
    lock from its start, and a failure rolls the whole door back anyway, so a savepoint would only cost two
    statements. Inside the door the record's row is locked before the process."""

    def __call__(self, flow_class, process_pk):
        if connection.features.has_select_for_update:
            return flow_lock.select_for_update_lock(flow_class, process_pk)
        if connection.in_atomic_block:
            return nullcontext()
        return flow_lock.no_lock(flow_class, process_pk)


class RecordFlowMixin:
    """Mix into a ``Flow`` over a record (before ``Flow``): the database's lock, and nobody may "manage" the flow
    (viewflow's cancel, undo and revive of tasks and processes would change the work queue behind the door)."""

    lock_impl = DatabaseLock()

    def has_manage_permission(self, user, obj=None) -> bool:
        return False


# --- The registry ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    record_model: type[models.Model]
    process_model: type[models.Model]
    record_field: str
    transitions: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def state_field(self):
        return getattr(self.record_model, next(iter(self.transitions)))._django_fsm.field

    @cached_property
    def record_attname(self) -> str:
        return self.process_model._meta.get_field(self.record_field).attname

    def expected_nodes(self, state) -> frozenset[str]:
        """The nodes whose tasks must be open while the record is in ``state``: those of the mapped transitions
        that can leave ``state``. Empty for a final state (the process must then be finished)."""
        nodes = set()
        for t in self.state_field.get_all_transitions(self.record_model):
            if t.name in self.transitions and t.source in (state, "*", "+"):
                nodes.add(self.transitions[t.name])
        return frozenset(nodes)


_by_record_model: dict[type[models.Model], Registration] = {}
_by_process_model: dict[type[models.Model], Registration] = {}


def register(
    record_model: type[models.Model],
    process_model: type[models.Model],
    record_field: str,
    transitions: Mapping[str, str],
) -> Registration:
    """Declare that ``process_model`` (a viewflow ``Process`` subclass whose ``record_field`` is a foreign key to
    ``record_model``) drives ``record_model``, and which node each transition completes. Idempotent."""
    if not transitions:
        raise ImproperlyConfigured("flowsync.register needs at least one transition")
    for name in transitions:
        if not hasattr(getattr(record_model, name, None), "_django_fsm"):
            raise ImproperlyConfigured(f"{record_model.__name__}.{name} is not a @transition method")
    fk = process_model._meta.get_field(record_field)
    if fk.related_model is not record_model:
        raise ImproperlyConfigured(f"{process_model.__name__}.{record_field} is not a foreign key to {record_model}")
    registration = Registration(record_model, process_model, record_field, dict(transitions))
    _by_record_model[record_model._meta.concrete_model] = registration
    _by_process_model[process_model] = registration
    return registration


def registration_for(record: models.Model | type[models.Model]) -> Registration | None:
    model = record if isinstance(record, type) else type(record)
    return _by_record_model.get(model._meta.concrete_model)


def registrations() -> list[Registration]:
    return list(_by_record_model.values())


def _user(actor):
    """The user behind ``actor``, or None for the system actor."""
    if actor is None or getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None:
        return None
    return actor


class _DoorRequest:
    """What ``ViewActivation.start(request)`` receives when the door, not a viewflow view, completes a task.

    viewflow 2.4 reads nothing from it (``start`` stamps ``task.started`` and sends ``task_started``); it carries
    the actor as ``user``, like a request would, for any receiver of that signal.
    """

    method = "POST"
    resolver_match = None

    def __init__(self, actor):
        self.user = actor
        self.GET: dict = {}
        self.POST: dict = {}


# --- Driving the flow from code ----------------------------------------------------------------------------------


def active_processes(record: models.Model):
    """The record's unfinished processes (normally one)."""
    registration = registration_for(record)
    if registration is None:
        return None
    return registration.process_model._default_manager.filter(
        **{registration.record_attname: record.pk}, status=PROCESS.NEW
    )


def _has_any_process(registration: Registration, record: models.Model) -> bool:
    return registration.process_model._default_manager.filter(**{registration.record_attname: record.pk}).exists()


def start_process(flow_class, record: models.Model, actor):
    """Start ``flow_class`` for ``record`` (registered) on behalf of ``actor``: its :class:`RecordStart` node runs,
    and the first human task is created. Must run inside the transaction that creates the record.

    Side effects: inserts the process, the start task and the first task(s). Returns the process.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("flowsync.start_process must be called inside transaction.atomic()")
    registration = registration_for(record)
    if registration is None or registration.process_model is not flow_class.process_class:
        raise ImproperlyConfigured(f"{type(record).__name__} is not registered in flowsync for {flow_class}")
    if active_processes(record).exists():
        raise TransitionRefused(_("%(obj)s đã có quy trình xử lý đang chạy.") % {"obj": record})
    starts = [node for node in flow_class.instance.nodes() if isinstance(node, RecordStart)]
    if len(starts) != 1:
        raise ImproperlyConfigured(f"{flow_class.__name__} needs exactly one flowsync.RecordStart node")
    return starts[0].run(record=record, actor=actor)


def complete_task(record: models.Model, transition_name: str, actor):
    """Complete the open task that ``transition_name`` stands for, on behalf of ``actor``.

    Called by the door inside its transaction, after the record's transition was applied, saved and audited. A
    no-op (returns None) for an unregistered model or an unmapped transition. Otherwise, under the flow's lock: the
    open task of the mapped node is assigned to the actor (who must satisfy the task's permission on the record,
    ``act.assign.has_perm``: the activation API itself checks nothing), started and executed, and the flow routes
    on. Raises ``FlowOutOfStep`` when there is no such task and ``TransitionForbidden`` when the actor may not take
    it: the door's transaction then rolls everything back. Returns the completed task. A record that never had a
    process (made before its flow existed, or by a test fixture) is left alone; ``check_agreement(strict=True)``
    reports it.
    """
    registration = registration_for(record)
    if registration is None:
        return None
    node_name = registration.transitions.get(transition_name)
    if node_name is None:
        return None
    processes = list(active_processes(record)[:2])
    if not processes and not _has_any_process(registration, record):
        return None  # a record that never entered a flow (made before it existed, or by a fixture): left alone
    if len(processes) != 1:
        raise FlowOutOfStep(
            _("%(obj)s không có đúng một quy trình xử lý đang chạy (có %(n)s): không cập nhật được hàng việc.")
            % {"obj": record, "n": len(processes)}
        )
    process = processes[0]
    flow_class = process.flow_class
    node = flow_class.instance.node(node_name, no_obsolete=True)
    if node is None:
        raise ImproperlyConfigured(f"{flow_class.__name__} has no node {node_name!r}")
    # The door already holds the record: hand it to the process, so that the task's permission object (and
    # anything else of the flow that reads ``process.<record_field>``) uses it instead of reading it again.
    setattr(process, registration.record_field, record)
    user = _user(actor)
    # This is Task.activation() (the flow's lock, then the task read under it, then its activation), with the
    # process the door already loaded attached to the task.
    with flow_class.lock(process.pk):
        task = (
            flow_class.task_class._default_manager.filter(
                process_id=process.pk, flow_task=node, status__in=OPEN_TASK_STATES
            )
            .order_by("pk")
            .first()
        )
        if task is None:
            raise FlowOutOfStep(
                _("Quy trình của %(obj)s không có việc “%(task)s” đang chờ: hàng việc không khớp với trạng thái.")
                % {"obj": record, "task": node.task_title}
            )
        task.process = process
        act = node.activation_class(task)
        if task.status == STATUS.NEW:
            if user is not None and not act.assign.has_perm(user):
                raise _forbidden(user, node, record)
            task.assigned = timezone.now()
            act.assign(user)  # the system actor leaves the task without an owner; the audit event names it
        elif task.status == STATUS.ASSIGNED and user is not None and task.owner_id != user.pk:
            obj = node.calc_owner_permission_obj(act)
            if task.owner_permission and not user.has_perm(task.owner_permission, obj):
                raise _forbidden(user, node, record)
            act.reassign(user)
        if task.status == STATUS.ASSIGNED:
            act.start(_DoorRequest(actor))
        act.execute()
    return task


def _forbidden(user, node, record) -> TransitionForbidden:
    return TransitionForbidden(
        _("%(user)s không được giao việc “%(task)s” của %(obj)s.")
        % {"user": user, "task": node.task_title, "obj": record}
    )


# --- The agreement check -----------------------------------------------------------------------------------------


def _titles(flow_classes, names) -> str:
    titles = []
    for name in sorted(names):
        node = next((f.instance.node(name, no_obsolete=True) for f in flow_classes), None)
        titles.append(str(node.task_title) if node is not None else name)
    return ", ".join(titles) or "—"


def check_agreement(*, strict: bool = False) -> list[str]:
    """For every registered record that has a process: its state and its flow agree. A state that some mapped
    transition can leave needs exactly one running process whose open tasks are exactly those transitions' nodes; a
    final state needs a finished process and no running one. With ``strict``, a record without any process is a
    problem too. Returns the problems as Vietnamese sentences (empty when all agree). Three queries per registered
    model."""
    problems: list[str] = []
    for registration in registrations():
        problems.extend(_check_registration(registration, strict=strict))
    return problems


def _check_registration(reg: Registration, *, strict: bool) -> list[str]:
    record_model = reg.record_model
    processes_by_record: dict[object, list[tuple[int, str]]] = defaultdict(list)
    flow_classes = set()
    for pk, record_id, status, flow_class in reg.process_model._default_manager.values_list(
        "pk", reg.record_attname, "status", "flow_class"
    ):
        processes_by_record[record_id].append((pk, status))
        if flow_class is not None:
            flow_classes.add(flow_class)
    open_nodes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for task_class in {f.task_class for f in flow_classes}:
        tasks = (
            task_class._default_manager.filter(process_id__in=reg.process_model._default_manager.values("pk"))
            .exclude(status__in=CLOSED_TASK_STATES)
            # Timers (``.OnTimeout``) wait beside a human task and are not part of the work queue.
            .exclude(flow_task_type="TIMER")
            .values_list("process_id", "flow_task", "status")
        )
        for process_id, node, status in tasks:
            open_nodes[process_id].append((getattr(node, "name", str(node)), status))

    state_field = reg.state_field
    state_labels = dict(state_field.flatchoices) if state_field.choices else {}
    label = record_model._meta.verbose_name
    problems = []
    for pk, state in record_model._default_manager.values_list("pk", state_field.attname).order_by("pk"):
        obj = f"{label} #{pk}"
        state_label = state_labels.get(state, state)
        processes = processes_by_record.get(pk, [])
        running = [p for p, status in processes if status == PROCESS.NEW]
        expected = reg.expected_nodes(state)
        if not processes:
            if strict:
                problems.append(_("%(obj)s: không có quy trình xử lý nào.") % {"obj": obj})
            continue
        if len(running) > 1:
            problems.append(_("%(obj)s: có %(n)s quy trình xử lý cùng chạy.") % {"obj": obj, "n": len(running)})
            continue
        waiting = [(name, status) for p in running for name, status in open_nodes.get(p, [])]
        broken = [name for name, status in waiting if status not in OPEN_TASK_STATES]
        if broken:
            problems.append(
                _("%(obj)s: việc “%(tasks)s” của quy trình bị lỗi.")
                % {"obj": obj, "tasks": _titles(flow_classes, broken)}
            )
            continue
        names = [name for name, _status in waiting]
        if not expected:
            if running or not any(status == PROCESS.DONE for _p, status in processes):
                problems.append(
                    _("%(obj)s: đã ở trạng thái cuối “%(state)s” nhưng quy trình chưa kết thúc (đang chờ: %(open)s).")
                    % {"obj": obj, "state": state_label, "open": _titles(flow_classes, names)}
                )
            continue
        if not running:
            problems.append(
                _("%(obj)s: trạng thái “%(state)s” cần việc “%(expected)s” nhưng quy trình đã kết thúc.")
                % {"obj": obj, "state": state_label, "expected": _titles(flow_classes, expected)}
            )
        elif sorted(names) != sorted(expected):
            problems.append(
                _("%(obj)s: trạng thái “%(state)s” cần việc “%(expected)s” nhưng quy trình đang chờ: %(open)s.")
                % {
                    "obj": obj,
                    "state": state_label,
                    "expected": _titles(flow_classes, expected),
                    "open": _titles(flow_classes, names),
                }
            )
    return problems
