"""The data cache (workflows/datacache.py): a value is kept while the audit chain's head stays where it was, and
computed afresh after any audited change, in another language, on another day, inside a transaction, with the cache
turned off or broken."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache.backends.base import BaseCache
from django.db import transaction
from django.utils import translation

from workflows import audit
from workflows.datacache import cached, data_version, key_part

pytestmark = pytest.mark.django_db


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"computed": self.calls}


def _audited_change():
    with transaction.atomic():
        audit.record(actor=None, action="tests.change", payload={"n": 1})


def test_the_version_is_the_chain_head_and_moves_with_each_event():
    before = data_version()
    assert data_version() == before
    _audited_change()
    after = data_version()
    head = audit.head()
    assert after != before and after == f"{head.sequence}.{head.hash[:16]}"


def test_a_value_is_kept_until_an_audited_change():
    build = Counter()
    assert cached("k", build) == {"computed": 1}
    assert cached("k", build) == {"computed": 1}
    assert cached("other", build) == {"computed": 2}  # the caller's key is part of the key
    _audited_change()
    assert cached("k", build) == {"computed": 3}
    assert build.calls == 3


def _record_edit():
    with transaction.atomic():
        audit.record(actor=None, action="nominations.nominee.add", payload={"n": 1})


def test_a_record_edit_moves_the_head_but_not_the_outline():
    assert "nominations.nominee.add" in audit.RECORD_EDITS  # registered by the nominations app
    _audited_change()
    head, outline = data_version(), data_version(outline=True)
    chain = audit.head()
    assert outline == f"o{chain.outline_sequence}.{chain.outline_hash[:16]}" and chain.outline_hash == chain.hash
    _record_edit()
    assert data_version() != head and data_version(outline=True) == outline
    assert audit.head().outline_sequence == chain.sequence  # still the last event that was not a record edit
    _audited_change()
    assert data_version(outline=True) != outline


def test_a_value_of_the_outline_is_kept_across_record_edits_only():
    outline, whole = Counter(), Counter()
    assert cached("list", outline, outline=True) == {"computed": 1}
    assert cached("page", whole) == {"computed": 1}
    _record_edit()
    assert cached("list", outline, outline=True) == {"computed": 1}  # kept: no list shows a dossier's insides
    assert cached("page", whole) == {"computed": 2}  # the record's own page follows every event
    _audited_change()
    assert cached("list", outline, outline=True) == {"computed": 2}
    assert cached("page", whole) == {"computed": 3}


def test_the_language_and_the_day_are_part_of_the_key():
    build = Counter()
    with at(date(2026, 3, 2)):
        cached("k", build)
        with translation.override("en"):
            cached("k", build)
        cached("k", build)
    with at(date(2026, 3, 3)):
        cached("k", build)
    assert build.calls == 3


def test_nothing_is_kept_inside_a_transaction():
    """Inside a transaction the data may hold changes not yet audited, or about to be rolled back."""
    build = Counter()
    with transaction.atomic():
        cached("k", build)
        cached("k", build)
    assert build.calls == 2
    cached("k", build)
    cached("k", build)
    assert build.calls == 3


def test_turned_off(settings):
    settings.THIDUA_DATA_CACHE = False
    build = Counter()
    cached("k", build)
    cached("k", build)
    assert build.calls == 2


class BrokenCache(BaseCache):
    """A cache server that does not answer (Redis down)."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("cache down")

    def set(self, key, value, timeout=None, version=None):
        raise ConnectionError("cache down")

    def clear(self):
        pass


def test_a_broken_cache_serves_the_value_computed_afresh(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    build = Counter()
    assert cached("k", build) == {"computed": 1}
    assert cached("k", build) == {"computed": 2}
    assert "data cache unavailable" in caplog.text


def test_free_text_becomes_a_short_safe_key_part():
    part = key_part("hồ sơ  Phường Linh Sơn: 'x' \n")
    assert len(part) == 16 and part.isalnum()
    assert key_part("") == "-"
    assert key_part("a") != key_part("b")


def test_within_a_request_the_head_is_read_once_and_again_after_the_request_writes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflows.datacache import DataVersionMiddleware

    seen = {}

    def view(request):
        with CaptureQueriesContext(connection) as reads:
            seen["first"] = data_version()
            assert data_version() == seen["first"]
        seen["reads"] = sum("workflows_chainhead" in q["sql"] for q in reads.captured_queries)
        _audited_change()
        seen["after"] = data_version()
        return "response"

    assert DataVersionMiddleware(view)(object()) == "response"
    assert seen["reads"] == 1
    assert seen["after"] != seen["first"] and seen["after"] == data_version()
