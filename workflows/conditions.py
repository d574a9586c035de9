"""Conditions for ``@transition(conditions=[...])`` that carry the message the door shows when they fail."""

from collections.abc import Callable


def condition(message) -> Callable:
    """Mark a predicate ``f(instance) -> bool`` with the (lazy, translated) message shown when it is false."""

    def decorate(func: Callable) -> Callable:
        func.message = message
        return func

    return decorate
