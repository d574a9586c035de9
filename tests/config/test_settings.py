"""The one settings module: DATABASE_URL, REDIS_URL and the production profile, each in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
out = {"engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
       "q": {k: v for k, v in settings.Q_CLUSTER.items() if k in ("orm", "redis", "retry", "timeout")},
       "lang": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE}
if db["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode")
        out["journal"] = c.fetchone()[0]
        c.execute("PRAGMA busy_timeout")
        out["busy_timeout"] = c.fetchone()[0]
print(json.dumps(out))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    base.update(env)
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def _probe(**env: str) -> dict:
    result = _run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_is_a_sqlite_file_in_wal_mode(tmp_path):
    out = _probe(THIDUA_VAR_DIR=str(tmp_path))
    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["name"] == str(tmp_path / "thidua.sqlite3")
    assert out["journal"] == "wal"
    assert out["busy_timeout"] == 20000
    assert out["options"]["transaction_mode"] == "IMMEDIATE"
    assert out["q"]["orm"] == "default" and "redis" not in out["q"]
    assert out["q"]["retry"] > out["q"]["timeout"]
    assert (out["lang"], out["tz"]) == ("vi", "Asia/Ho_Chi_Minh")


def test_absolute_sqlite_url(tmp_path):
    path = tmp_path / "khac" / "db.sqlite3"
    out = _probe(DATABASE_URL=f"sqlite:///{path}", THIDUA_VAR_DIR=str(tmp_path))
    assert out["name"] == str(path) and out["journal"] == "wal"


def test_postgres_and_redis_urls(tmp_path):
    code = PROBE.replace('if db["ENGINE"]', 'if False and db["ENGINE"]')
    result = _run(
        ["-c", code],
        DATABASE_URL="postgres://thidua:pw@db.internal:5433/thidua",
        REDIS_URL="redis://127.0.0.1:6379/1",
        THIDUA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["engine"] == "django.db.backends.postgresql"
    assert out["name"] == "thidua"
    assert out["q"]["redis"] == "redis://127.0.0.1:6379/1" and "orm" not in out["q"]


def test_production_profile_passes_check_deploy(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_PROFILE="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="thidua.example.org",
        THIDUA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(["manage.py", "check"], DJANGO_PROFILE="production", THIDUA_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_media_can_live_in_an_s3_compatible_bucket(tmp_path):
    probe = (
        "import django; django.setup(); from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)"
    )
    result = _run(
        ["-c", probe],
        THIDUA_VAR_DIR=str(tmp_path),
        THIDUA_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="thidua-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.vn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "thidua-media", "https://s3.example.vn", "private"]
