"""Caching what many pages read and few requests change, keyed by the state of the data.

Every change of this product's data is appended to the audit chain by the service that makes it (architecture
principles 4 and 5: the door for transitions, ``workflows.audit.record`` for everything else), and the chain head
(``ChainHead``: its sequence and hash) moves with each append. So the head names the state of the data: a value
computed from the data while the head was at H is still right while the head is at H. :func:`cached` keys each value
by the head, the language and the day (pages say "overdue" and "today"), and a change anywhere makes every key new.
The old values are never read again and expire after ``THIDUA_DATA_CACHE_SECONDS``, which also bounds how long a
change made outside the services (the database by hand, Django's admin) can go unseen.

A value that shows no record's insides (an inbox, a dashboard, the menu) is keyed by the chain's **outline**
instead: the last event that was not a record edit (``workflows.audit.RECORD_EDITS``: adding a nominee to a dossier,
uploading its files), kept in the same row. A clerk filling in a draft then leaves everybody's inbox and dashboard
kept; only that dossier's page, keyed by the head, is computed afresh.

Reading the head is one indexed read of one row, once per request (``DataVersionMiddleware``). It is read before
the value is computed, so a change committed meanwhile can only leave a newer value under the older key, never an
older value under the newer one. A value computed inside a transaction is not cached at all: it could hold changes
not yet appended to the chain, or rolled back.

Which values: the inbox, the campaign dashboard, the dossier page, the menu, a user's unit, the province's units, a
rule set's required documents and award forms, the calendar's overrides. Each is kept per user where it depends on
who reads it (the key starts with what the caller passes). What is not audited is never kept this way:
notifications, sessions, background jobs' progress.

The cache is Django's (``CACHES``): Redis in the production profile, so that the web processes share it, and each
process's memory otherwise (correct too: the key is read from the database, not from the cache). When the cache
fails (Redis down), the value is computed as if there were none and the page is served.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from .models import GENESIS_HASH, ChainHead

T = TypeVar("T")
logger = logging.getLogger(__name__)
_MISSING = object()


def enabled() -> bool:
    return bool(getattr(settings, "THIDUA_DATA_CACHE", True))


# The head read once per request (DataVersionMiddleware opens the memo; workflows.audit.record empties it when the
# request itself appends an event). Outside a request (tasks, commands, tests) every call reads it.
_memo: ContextVar[dict | None] = ContextVar("thidua_data_version", default=None)


class DataVersionMiddleware:
    """Read the audit chain's head at most once per request, however many cached values the page uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def forget_version() -> None:
    """The head has moved (called by ``workflows.audit.record``): the next :func:`data_version` reads it again."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def data_version(*, outline: bool = False) -> str:
    """The state of the data: the audit chain head's sequence and the start of its hash.
    ``outline``: the state of everything but the insides of records, the last event that was not a record edit
    (``workflows.audit.RECORD_EDITS``)."""
    memo = _memo.get()
    versions = memo.get("versions") if memo else None
    if versions is None:
        versions = _read_versions()
        if memo is not None:
            memo["versions"] = versions
    return versions[1] if outline else versions[0]


def _read_versions() -> tuple[str, str]:
    table = ChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sequence, hash, outline_sequence, outline_hash FROM {table} WHERE id = 1"  # noqa: S608 (its own)
        )
        row = cursor.fetchone()
    sequence, hash_, outline_sequence, outline_hash = row or (0, GENESIS_HASH, 0, GENESIS_HASH)  # no event yet
    return f"{sequence}.{hash_[:16]}", f"o{outline_sequence}.{outline_hash[:16]}"


def _in_transaction() -> bool:
    """Inside a transaction the code opened (the test case's own, which only isolates tests, does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def key_part(value: str) -> str:
    """A short, safe piece of a cache key for free text (a search, a filter): its digest."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16] if value else "-"


def cached(key: str, build: Callable[[], T], *, outline: bool = False) -> T:
    """``build()``, or what it returned earlier for ``key`` while the data were as they are now. ``key``: what the
    value depends on besides the data, the language and the day (the reader's pk for anything scoped).
    ``outline=True`` for a value that shows no record's insides (a list, an inbox, a dashboard, a menu): it is kept
    across record edits (``workflows.audit.RECORD_EDITS``) and computed afresh after any other change."""
    if not enabled() or _in_transaction():
        return build()
    version = data_version(outline=outline)
    full = ":".join(("thidua", key, version, translation.get_language() or "-", timezone.localdate().isoformat()))
    try:
        value = cache.get(full, _MISSING)
    except Exception:  # noqa: BLE001 (the cache is an optimisation: a page never fails for it)
        logger.warning("data cache unavailable (get %s)", key, exc_info=True)
        return build()
    if value is not _MISSING:
        return value
    value = build()
    try:
        cache.set(full, value, settings.THIDUA_DATA_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("data cache unavailable (set %s)", key, exc_info=True)
    return value
