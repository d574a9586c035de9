"""Smoke suite on a real PostgreSQL server (and the Redis broker): the distributed profile works end to end.

Started by ``scripts/test.sh`` (see ``conftest.py`` here for how the server is started).
"""

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.enums import Role
from competition.enums import CampaignState, UnitKind
from competition.models import Enrolment
from competition.services.campaigns import launch_campaign
from workflows import audit
from workflows.models import AuditEvent, Notification

from ..conftest import skip_or_fail
from ..factories import (
    AwardTypeFactory,
    BaseSalaryFactory,
    CampaignFactory,
    IndicatorFactory,
    RuleSetFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def launched_world():
    """A rule set in force from 01/7/2025, a draft campaign with one indicator and two wards, their clerks."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    ward_a = UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province)
    ward_b = UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province)
    officer = UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board)
    clerks = [
        UserFactory(username="vanthu.phandinhphung", role=Role.UNIT_CLERK, unit=ward_a),
        UserFactory(username="vanthu.linhson", role=Role.UNIT_CLERK, unit=ward_b),
    ]
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh")
    BaseSalaryFactory()
    campaign = CampaignFactory(name="Phong trào “Bình dân học vụ số” năm 2025")
    IndicatorFactory(campaign=campaign, code="1")
    Enrolment.objects.create(campaign=campaign, unit=ward_a)
    Enrolment.objects.create(campaign=campaign, unit=ward_b)
    return {"campaign": campaign, "officer": officer, "clerks": clerks, "rule_set": rule_set}


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 130000


def test_every_migration_is_applied():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'workflows_auditevent'::regclass AND NOT tgisinternal"
        )
        assert [row[0] for row in cursor.fetchall()] == ["workflows_auditevent_append_only"]


def test_the_audit_table_is_append_only():
    with transaction.atomic():
        event = audit.record(actor=None, action="smoke.test", payload={"n": 1})
    sequence = event.sequence
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=sequence).update(action="smoke.changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=sequence).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workflows_auditevent SET body = body || ' ' WHERE sequence = %s", [sequence])
    assert AuditEvent.objects.get(sequence=sequence).action == "smoke.test"
    assert audit.verify_chain() == []


def test_launch_a_campaign_then_verify_audit(launched_world, django_capture_on_commit_callbacks):
    campaign, officer = launched_world["campaign"], launched_world["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        launch_campaign(campaign, actor=officer, on=date(2025, 7, 15))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.LAUNCHED
    assert campaign.rule_set == launched_world["rule_set"]
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        c.username for c in launched_world["clerks"]
    }
    launch = AuditEvent.objects.get(action="competition.campaign.launch")
    assert (launch.from_state, launch.to_state, launch.actor) == ("draft", "launched", officer)

    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    assert "toàn vẹn" in out.getvalue()
    assert str(audit.head().sequence) in out.getvalue()


def test_verify_audit_notices_a_change_made_behind_the_trigger(launched_world):
    """verify_audit is not vacuous on PostgreSQL: with the trigger switched off (superuser only), a change of one
    stored byte is found. Everything is rolled back with the test's transaction."""
    launch_campaign(launched_world["campaign"], actor=launched_world["officer"], on=date(2025, 7, 15))
    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the database user is not a superuser: cannot switch the trigger off")
        # Django's foreign keys are deferred: check them now, or ALTER TABLE refuses ("pending trigger events").
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE workflows_auditevent DISABLE TRIGGER workflows_auditevent_append_only")
        cursor.execute(
            "UPDATE workflows_auditevent SET to_state = 'closed' WHERE action = 'competition.campaign.launch'"
        )
        cursor.execute("ALTER TABLE workflows_auditevent ENABLE TRIGGER workflows_auditevent_append_only")
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())


def test_the_redis_broker_answers():
    if not os.environ.get("REDIS_URL"):
        skip_or_fail("REDIS_URL is not set: scripts/test.sh starts a redis-server for this run")
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis

    broker = get_broker()
    assert isinstance(broker, Redis)
    assert broker.ping()
    broker.list_key = f"{broker.list_key}:smoke"
    broker.delete_queue()
    broker.enqueue("smoke-payload")
    assert broker.queue_size() == 1
    broker.delete_queue()
    assert broker.queue_size() == 0


def test_the_redis_cache_shares_one_client_per_pool_and_serves_the_data_cache(settings):
    """The production cache (config.cache.RedisCache): values round-trip through Redis, every call reuses the same
    client, and the data cache keeps a page's value there until the audit chain moves."""
    if not os.environ.get("REDIS_URL"):
        skip_or_fail("REDIS_URL is not set: scripts/test.sh starts a redis-server for this run")
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"smoke-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    from workflows.datacache import cached

    cache.clear()
    try:
        cache.set("k", {"a": [1, 2]}, 30)
        assert cache.get("k") == {"a": [1, 2]}
        assert cache._cache.get_client(write=False) is cache._cache.get_client(write=True)
        assert cache.delete("k") and cache.get("k", "gone") == "gone"

        calls = []
        assert cached("smoke", lambda: calls.append(1) or len(calls)) == 1
        assert cached("smoke", lambda: calls.append(1) or len(calls)) == 1  # kept in Redis
        with transaction.atomic():
            audit.record(actor=None, action="tests.smoke", payload={"n": 1})
        assert cached("smoke", lambda: calls.append(1) or len(calls)) == 2  # the chain moved
    finally:
        cache.clear()


def test_the_production_profile_passes_check_deploy():
    """README: DJANGO_PROFILE=production with a real secret key and host passes `check --deploy` clean."""
    env = {
        **os.environ,
        "DJANGO_PROFILE": "production",
        "DJANGO_SECRET_KEY": "smoke-" + "k7Qx9vLm2Rb8Tz4Wn6Yp3Hc5Jd1Fg0Sa" * 2,
        "DJANGO_ALLOWED_HOSTS": "thidua.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
