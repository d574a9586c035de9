"""The one door for every change of state (architecture principle 4).

Views, the API, commands, imports and the simulator all call :func:`transition`; nothing else calls a
``@transition`` method.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import lru_cache

from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from . import audit, flowsync
from .exceptions import ConflictError, TransitionForbidden, TransitionRefused


def _state_label(instance: models.Model, field, value) -> str:
    choices = dict(field.flatchoices) if field.choices else {}
    return str(choices.get(value, value))


def transition_label(method) -> str:
    """The human name of a transition: its ``custom={'label': …}`` or the method name."""
    meta = method._django_fsm
    for t in meta.transitions.values():
        if t.custom.get("label"):
            return str(t.custom["label"])
    return method.__name__


@lru_cache(maxsize=256)
def _takes_reason(method) -> bool:
    return "reason" in inspect.signature(method).parameters


def permission_name(model: type[models.Model], name: str) -> str:
    return f"{model._meta.app_label}.{name}_{model._meta.model_name}"


def allowed_transitions(obj: models.Model, actor) -> list[str]:
    """Names of the transitions ``actor`` may perform now on ``obj`` (state, conditions and permission)."""
    names = []
    for field in obj._meta.fields:
        if not hasattr(field, "get_all_transitions"):
            continue
        state = getattr(obj, field.attname)
        for t in field.get_all_transitions(obj.__class__):
            if t.source not in (state, "*", "+") or t.name in names:
                continue
            # The permission first: a rule on the actor's role and unit, where a condition may read the database
            # (a dossier's composition) and most actors may not perform most transitions.
            if not (getattr(actor, "is_system", False) or actor.has_perm(permission_name(obj.__class__, t.name), obj)):
                continue
            if all(c(obj) for c in t.conditions):
                names.append(t.name)
    return names


def transition(
    obj: models.Model,
    name: str,
    *,
    actor,
    reason: str = "",
    payload: dict | None = None,
    after: Callable[[models.Model, audit.AuditEvent], None] | None = None,
    **kwargs,
) -> models.Model:
    """Apply the transition ``name`` to ``obj`` on behalf of ``actor``.

    In one database transaction: re-read the record under a row lock; check that ``actor`` holds the object
    permission ``<app>.<name>_<model>`` (``rules`` predicates); check the state and every condition; call the
    ``@transition`` method with ``kwargs`` (and ``reason``, when the method takes one); save; append the audit
    event (with ``reason`` and ``payload``); complete the matching task of the record's viewflow flow, if its model
    is registered in :mod:`workflows.flowsync`; run ``after(record, event)`` (notifications are written there and
    mailed on commit). Any failure rolls it all back.

    Returns the fresh record; ``obj`` gets its saved values too. Raises ``TransitionForbidden`` (permission),
    ``TransitionRefused`` (state or condition, with every unmet condition's message) or ``ConflictError``
    (somebody else changed the record first).
    """
    model = obj._meta.concrete_model
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{model.__name__}.{name} is not a @transition method")
    field = meta.field
    seen_state = getattr(obj, field.attname, None)
    try:
        with transaction.atomic():
            manager = model._default_manager
            if connection.features.has_select_for_update:
                manager = manager.select_for_update()
            try:
                fresh = manager.get(pk=obj.pk)
            except model.DoesNotExist:
                raise TransitionRefused(_("Hồ sơ không còn tồn tại.")) from None
            current = getattr(fresh, field.attname)
            bound = getattr(fresh, name)
            label = transition_label(bound)
            if not getattr(actor, "is_system", False) and not actor.has_perm(permission_name(model, name), fresh):
                raise TransitionForbidden(
                    _("Bạn không có quyền “%(action)s” đối với %(obj)s.") % {"action": label, "obj": fresh}
                )
            if seen_state is not None and seen_state != current:
                raise ConflictError(
                    _("%(obj)s vừa được người khác chuyển sang trạng thái “%(state)s”. Hãy tải lại trang.")
                    % {"obj": fresh, "state": _state_label(fresh, field, current)}
                )
            t = meta.get_transition(current)
            if t is None or not meta.has_transition(current):
                raise TransitionRefused(
                    _("Không thể “%(action)s” khi %(obj)s đang ở trạng thái “%(state)s”.")
                    % {"action": label, "obj": fresh, "state": _state_label(fresh, field, current)}
                )
            if reason and _takes_reason(method):
                kwargs["reason"] = reason
            try:
                # django-fsm evaluates the conditions; only when one fails are they evaluated again, for the message.
                bound(**kwargs)
            except TransitionNotAllowed:
                unmet = [str(getattr(c, "message", c.__name__)) for c in t.conditions if not c(fresh)]
                raise TransitionRefused(
                    _("Chưa thể “%(action)s” %(obj)s:") % {"action": label, "obj": fresh}, reasons=unmet
                ) from None
            fresh.save()
            event_payload = {"transition": name, "field": field.name}
            if reason:
                event_payload["reason"] = reason
            if payload:
                event_payload.update(payload)
            event = audit.record(
                actor=actor,
                action=f"{model._meta.app_label}.{model._meta.model_name}.{name}",
                obj=fresh,
                from_state=str(current),
                to_state=str(getattr(fresh, field.attname)),
                payload=event_payload,
            )
            flowsync.complete_task(fresh, name, actor)
            if after is not None:
                after(fresh, event)
    except ConcurrentTransition:
        raise ConflictError(_("%(obj)s vừa được người khác thay đổi. Hãy tải lại trang.") % {"obj": obj}) from None
    _copy_fields(fresh, obj)
    return fresh


def _copy_fields(source: models.Model, target: models.Model) -> None:
    """Give the caller's instance the saved values without another query (a protected FSM field included)."""
    if target is source:
        return
    for f in source._meta.concrete_fields:
        target.__dict__[f.attname] = source.__dict__.get(f.attname)
    target._state.fields_cache = {}
    if hasattr(target, "_update_initial_state"):  # ConcurrentTransitionMixin: the state it will save over
        target._update_initial_state()
