"""Operations and web security (issue 8 items 1 and 5): the health endpoint, one log line per request without
personal data, JSON logs in production, the Content Security Policy with no inline script in any page, and login
throttling."""

import json
import logging
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from workflows import health

from ..factories import UserFactory
from .test_settings import _run

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_health_answers_without_login_and_says_what_failed(client, monkeypatch):
    response = client.get(reverse("workflows:healthz"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] is True
    assert "broker" not in body["checks"]  # the embedded default has no Redis

    def broken():
        raise ConnectionError("database down")

    monkeypatch.setattr(health, "_database", broken)
    failed = client.get(reverse("workflows:healthz"))
    assert failed.status_code == 503
    assert failed.json()["checks"]["database"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": pytest.approx(0, abs=50),
    }


def test_each_request_is_logged_once_without_its_query_string(client, caplog):
    user = UserFactory()
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="thidua.request"):
        client.get(reverse("nominations:history_list"), {"q": "Nguyễn Thị Hoà 12/05/1987"})
    (record,) = [r for r in caplog.records if r.name == "thidua.request"]
    assert (record.method, record.path, record.user_id) == ("GET", reverse("nominations:history_list"), user.pk)
    assert record.status in (200, 403) and record.ms >= 0
    assert "Nguyễn" not in record.getMessage() and "1987" not in record.getMessage()


def test_production_logs_are_json_lines(tmp_path):
    probe = (
        "import django, logging; django.setup(); "
        "logging.getLogger('thidua.request').info('GET /x/ 200', extra={'path': '/x/', 'status': 200})"
    )
    result = _run(
        ["-c", probe],
        DJANGO_PROFILE="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="thidua.example.org",
        THIDUA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["logger"] == "thidua.request" and line["level"] == "INFO" and line["status"] == 200


def test_pages_carry_a_content_security_policy_and_no_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # The policy forbids inline scripts, so no template may carry one: no <script> without src, no on…= handler
    # (the pages need no script at all).
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(client, throttled):
    user = UserFactory(username="thidua.ls")
    user.set_password("Mat-khau-dung-2026")
    user.save()
    url = reverse("login")
    for _ in range(2):
        wrong = client.post(url, {"username": "thidua.ls", "password": "sai"})
        assert wrong.status_code == 200 and "không đúng" in wrong.content.decode()
    locked = client.post(url, {"username": "thidua.ls", "password": "sai"})
    assert locked.status_code == 429
    again = client.post(url, {"username": "thidua.ls", "password": "Mat-khau-dung-2026"})
    assert again.status_code == 429 and "Tạm khoá đăng nhập" in again.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same machine is not locked.
    other = UserFactory(username="thidua.khac")
    other.set_password("Mat-khau-khac-2026")
    other.save()
    assert client.post(url, {"username": "thidua.khac", "password": "Mat-khau-khac-2026"}).status_code == 302
