"""Issue 8, item 1 (backup): the documented backup and restore (docs/operations.md, "Sao lưu và khôi phục") run on
a real PostgreSQL server. ``pg_dump --format=custom`` of the test database with data and audit events committed,
``createdb`` + ``pg_restore`` into a fresh database, then ``manage.py verify_audit --expect-head`` in a subprocess
on the restored database: exit 0 and the same head. The append-only trigger came back with the restore: an UPDATE
of ``workflows_auditevent`` on the restored database raises. The restored database is dropped at the end."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from accounts.enums import Role
from competition.enums import UnitKind
from competition.models import Enrolment
from competition.services.campaigns import launch_campaign
from workflows import audit
from workflows.models import AuditEvent

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

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 60


def pg_tool(name: str) -> str:
    """The PostgreSQL client program ``name``: from the newest server install (the version of the server the tests
    start), else from PATH."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in Path(path).parts[4].split(".") if part.isdigit())

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    path = found[-1] if found else shutil.which(name)
    if not path:
        skip_or_fail(f"{name} not found (apt-get install postgresql-client)")
    return path


def server_args() -> tuple[list[str], dict[str, str]]:
    """``--host --port --username`` of the test database's server, and the environment (password) for the tools."""
    db = connection.settings_dict
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT, cwd="/")
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def committed_trail():
    """A campaign launched through the door (its audit events and notifications committed) and a few more events."""
    province = UnitFactory(code="19", name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE)
    board = UnitFactory(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    wards = [
        UnitFactory(code="05443", name="Phường Phan Đình Phùng", kind=UnitKind.WARD, parent=province),
        UnitFactory(code="05710", name="Phường Linh Sơn", kind=UnitKind.WARD, parent=province),
    ]
    officer = UserFactory(username="canbo.snv", role=Role.BOARD_OFFICER, unit=board)
    for ward in wards:
        UserFactory(role=Role.UNIT_CLERK, unit=ward)
    rule_set = RuleSetFactory(code="nd152-2025", valid_from=date(2025, 7, 1))
    AwardTypeFactory(rule_set=rule_set, code="bang_khen_tinh")
    BaseSalaryFactory()
    campaign = CampaignFactory(name="Phong trào “Bình dân học vụ số” năm 2025")
    IndicatorFactory(campaign=campaign, code="1")
    for ward in wards:
        Enrolment.objects.create(campaign=campaign, unit=ward)
    launch_campaign(campaign, actor=officer, on=date(2025, 7, 15))
    for n in range(5):
        with transaction.atomic():
            audit.record(actor=officer, action="backup.test", obj=campaign, payload={"n": n, "ghi chú": "dữ liệu thử"})
    return audit.head()


def test_dump_restore_into_a_fresh_database_then_verify_audit(committed_trail, tmp_path):
    head = committed_trail
    events = AuditEvent.objects.count()
    assert head.sequence == events > 5
    args, env = server_args()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "thidua.dump"

    # Backup: one consistent snapshot of the whole database, in pg_dump's compressed custom format.
    run([pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={dump}", source], env)
    assert dump.stat().st_size > 0
    run([pg_tool("createdb"), *args, "--template=template0", "--encoding=UTF8", restored], env)
    try:
        # Restore into an empty database: everything or nothing (one transaction, stop at the first error).
        run(
            [
                pg_tool("pg_restore"),
                *args,
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={restored}",
                str(dump),
            ],
            env,
        )
        checked = subprocess.run(
            [sys.executable, "manage.py", "verify_audit", "--expect-head", head.hash],
            cwd=ROOT,
            env={**env, "DATABASE_URL": database_url(restored)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"{head.sequence} sự kiện" in checked.stdout and head.hash in checked.stdout, checked.stdout

        with psycopg.connect(database_url(restored), autocommit=True) as restored_db:
            count, last_hash = restored_db.execute(
                "SELECT count(*), (SELECT hash FROM workflows_auditevent ORDER BY sequence DESC LIMIT 1) "
                "FROM workflows_auditevent"
            ).fetchone()
            assert (count, last_hash) == (events, head.hash)
            # The append-only trigger was restored with the schema: the database refuses to change the trail.
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                restored_db.execute("UPDATE workflows_auditevent SET action = 'changed' WHERE sequence = 1")
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                restored_db.execute("DELETE FROM workflows_auditevent WHERE sequence = %s", [events])
            assert restored_db.execute("SELECT action FROM workflows_auditevent WHERE sequence = 1").fetchone()[0]

    finally:
        run([pg_tool("dropdb"), *args, "--if-exists", "--force", restored], env)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [restored])
        assert cursor.fetchone()[0] == 0
