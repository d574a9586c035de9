"""The inbox on every user's home page: work waiting for them, contributed by each domain app.

The engine imports no domain app: an app registers a provider in its ``AppConfig.ready()``; a provider takes a user
and returns :class:`InboxItem` rows for the records that wait for that user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InboxItem:
    title: str
    step: str
    url: str
    since: datetime | None
    detail: str = ""


_PROVIDERS: list[Callable[[object], list[InboxItem]]] = []


def register(provider: Callable[[object], list[InboxItem]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def items_for(user) -> list[InboxItem]:
    items: list[InboxItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user))
    return sorted(items, key=lambda i: (i.since is None, i.since or datetime.min))
