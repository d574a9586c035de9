"""Authentication (token, session), the api_token command and its audit events, throttling."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from workflows.audit import verify_chain
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_authenticates_and_a_bad_one_is_401(api, world, clerk_a, client):
    assert api(clerk_a).get("/api/v1/campaigns/").status_code == 200
    bad = client.get("/api/v1/campaigns/", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert bad.status_code == 401 and bad["WWW-Authenticate"] == "Token"
    assert "detail" in bad.json()
    anonymous = api(None).get("/api/v1/campaigns/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_an_inactive_users_token_is_refused(api, world, clerk_a):
    client = api(clerk_a)
    clerk_a.is_active = False
    clerk_a.save(update_fields=["is_active"])
    assert client.get("/api/v1/campaigns/").status_code == 401


def test_a_temporary_password_must_be_changed_before_using_the_api(api, world, clerk_a, client):
    clerk_a.must_change_password = True
    clerk_a.save(update_fields=["must_change_password"])
    refused = api(clerk_a).get("/api/v1/campaigns/")
    assert refused.status_code == 403 and "đổi mật khẩu" in refused.json()["detail"]
    client.force_login(clerk_a)
    by_session = client.get("/api/v1/campaigns/")
    assert by_session.status_code == 403 and by_session["Content-Type"].startswith("application/json")


def test_tokens_are_not_managed_in_the_admin():
    from django.contrib import admin
    from rest_framework.authtoken.models import TokenProxy

    assert not admin.site.is_registered(TokenProxy)


def test_unknown_addresses_under_the_api_are_json_404(api, clerk_a):
    response = api(clerk_a).get("/api/v1/khong-co/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def _run(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_the_api_token_command_creates_rotates_and_revokes_with_audit_events(api, world, clerk_a):
    key, message = _run(clerk_a.username)
    assert len(key) == 40 and Token.objects.get(user=clerk_a).key == key and "Đã cấp mã truy cập API" in message
    assert _run(clerk_a.username)[0] == key  # printed again, unchanged, no new event
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/units/").status_code == 200

    rotated, _message = _run(clerk_a.username, "--rotate")
    assert rotated != key and client.get("/api/v1/units/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert client.get("/api/v1/units/").status_code == 200

    out, message = _run(clerk_a.username, "--revoke")
    assert out == "" and "Đã thu hồi" in message
    assert not Token.objects.filter(user=clerk_a).exists() and client.get("/api/v1/units/").status_code == 401

    events = list(AuditEvent.objects.filter(action__startswith="accounts.api_token.").order_by("sequence"))
    assert [e.action for e in events] == [
        "accounts.api_token.create",
        "accounts.api_token.rotate",
        "accounts.api_token.revoke",
    ]
    assert [e.action_display for e in events] == [
        "Cấp mã truy cập API",
        "Cấp lại mã truy cập API",
        "Thu hồi mã truy cập API",
    ]
    assert all(e.actor is None and e.object_id == str(clerk_a.pk) for e in events)
    assert not any(key in e.body or rotated in e.body for e in events)  # the key never enters the trail
    assert verify_chain() == []


def test_the_api_token_command_refuses_unknown_and_inactive_users(clerk_a):
    with pytest.raises(CommandError, match="Không có người dùng"):
        _run("khong.co.ai")
    clerk_a.is_active = False
    clerk_a.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="đã bị khoá"):
        _run(clerk_a.username)
    assert _run(clerk_a.username, "--revoke")[1].endswith("không có mã truy cập API.")


def test_requests_are_throttled_per_user(api, world, clerk_a, monkeypatch):
    # The rates come from THIDUA_API_RATE_USER / THIDUA_API_RATE_ANON (config/settings.py), read when DRF loads.
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": settings.THIDUA_API_RATE_USER,
        "anon": settings.THIDUA_API_RATE_ANON,
    }
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    client = api(clerk_a)
    assert [client.get("/api/v1/units/").status_code for _i in range(4)] == [200, 200, 200, 429]
    throttled = client.get("/api/v1/units/")
    assert "Retry-After" in throttled and "detail" in throttled.json()


def test_the_rates_are_read_from_the_environment():
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_API_")}
    env.update(
        THIDUA_API_RATE_USER="5/second", THIDUA_API_RATE_ANON="7/hour", DJANGO_SETTINGS_MODULE="config.settings"
    )
    probe = "import django, json; django.setup(); from django.conf import settings as s; " + (
        "print(json.dumps(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"user": "5/second", "anon": "7/hour"}
