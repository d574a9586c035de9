"""The engine: the transition door, the audit chain, the working-day calendar, notifications.

It imports no domain app: it names users through ``AUTH_USER_MODEL`` and records through content types.
"""


class _SystemActor:
    """The actor of automatic steps (timers, schedules, the simulator): no permission check, audited as such."""

    pk = None
    is_system = True
    is_authenticated = True
    username = "system"

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _SystemActor()


def transition(obj, name: str, *, actor, **data):
    """The one door for every change of state; see :func:`workflows.door.transition`."""
    from .door import transition as _transition

    return _transition(obj, name, actor=actor, **data)
