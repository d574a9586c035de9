"""The inbox: work waiting for a user, contributed by each domain app, on the home page and on a page of its own.

The engine imports no domain app: an app registers a provider in its ``AppConfig.ready()``. A provider takes a user
and returns :class:`InboxItem` rows for the records that wait for that user. A provider whose rows can be many (the
board's officers wait on thousands of dossiers in a large campaign) registers with ``sliced=True`` instead: it takes
the filters and a limit and returns an :class:`InboxSlice` (the total, the count per step and only the oldest rows),
counting and filtering in the database.

The home page shows the counts per step and the oldest few rows; the inbox page (``workflows:inbox``) pages through
the rest, filtered by step or by words of the title.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.text import slugify

from .datacache import cached, key_part


@dataclass(frozen=True)
class InboxItem:
    title: str
    step: str
    url: str
    since: datetime | None
    detail: str = ""
    # A stable key of the step, for the step filter (a provider's own, e.g. "dossier.receive"); by default the step's
    # label made a slug.
    step_key: str = ""

    @property
    def key(self) -> str:
        return self.step_key or slugify(self.step)


@dataclass
class StepCount:
    key: str
    label: str
    count: int


@dataclass
class InboxSlice:
    """What waits for a user: ``total`` rows (after the filters), the count per step (before the step filter, so a
    page can offer every step) and the oldest ``items`` (at most the limit asked for), oldest first."""

    total: int = 0
    steps: list[StepCount] = field(default_factory=list)
    items: list[InboxItem] = field(default_factory=list)


Provider = Callable[..., object]
_PROVIDERS: list[tuple[Provider, bool]] = []


def register(provider: Provider, *, sliced: bool = False) -> None:
    """``provider(user)`` returns every row; with ``sliced``, ``provider(user, step=, search=, limit=)`` returns an
    :class:`InboxSlice` (``step`` a step key or "", ``search`` lower-case words or "", ``limit`` None for all)."""
    if all(p is not provider for p, _sliced in _PROVIDERS):
        _PROVIDERS.append((provider, sliced))


def _order(item: InboxItem):
    return (item.since is None, item.since or datetime.min)


def matches(item: InboxItem, search: str) -> bool:
    """Every word of ``search`` (lower case) appears in the row's title or detail."""
    text = f"{item.title} {item.detail}".lower()
    return all(word in text for word in search.split())


def slice_rows(rows: list[InboxItem], *, step: str = "", search: str = "", limit: int | None = None) -> InboxSlice:
    """An :class:`InboxSlice` of rows already in memory (providers with few rows)."""
    rows = [row for row in rows if matches(row, search)] if search else list(rows)
    counts: dict[str, StepCount] = {}
    for row in rows:
        count = counts.setdefault(row.key, StepCount(row.key, row.step, 0))
        count.count += 1
    if step:
        rows = [row for row in rows if row.key == step]
    rows.sort(key=_order)
    return InboxSlice(total=len(rows), steps=list(counts.values()), items=rows if limit is None else rows[:limit])


def inbox_for(user, *, step: str = "", search: str = "", limit: int | None = None) -> InboxSlice:
    """Everything waiting for ``user`` from every provider, oldest first: the total, the count per step and the
    oldest ``limit`` rows (all when None). Kept in the data cache (``workflows.datacache``) until anything but a
    record edit changes."""
    search = " ".join(search.lower().split())
    return cached(
        f"inbox:{user.pk}:{key_part(step)}:{key_part(search)}:{limit}",
        lambda: _collect(user, step=step, search=search, limit=limit),
        outline=True,
    )


def _collect(user, *, step: str, search: str, limit: int | None) -> InboxSlice:
    result = InboxSlice()
    items: list[InboxItem] = []
    for provider, sliced in _PROVIDERS:
        if sliced:
            part = provider(user, step=step, search=search, limit=limit)
        else:
            part = slice_rows(provider(user), step=step, search=search, limit=limit)
        result.total += part.total
        items.extend(part.items)
        for count in part.steps:
            same = next((c for c in result.steps if c.key == count.key), None)
            if same is None:
                result.steps.append(StepCount(count.key, count.label, count.count))
            else:
                same.count += count.count
    items.sort(key=_order)
    result.items = items if limit is None else items[:limit]
    return result


def items_for(user) -> list[InboxItem]:
    """Every row waiting for ``user``, oldest first."""
    return inbox_for(user).items
