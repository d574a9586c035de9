"""Operations: the health endpoint and one structured log line per request (issue 8 item 1).

``GET /healthz/`` answers a load balancer or a monitor without logging in: 200 with ``{"status": "ok", ...}`` when
the database answers and, in the production profile, when the Redis broker of django-q2 answers; 503 otherwise. It
names no host, version or user: only the checks and how long they took.

``RequestLogMiddleware`` writes one line per request to the ``thidua.request`` logger: method, the path without its
query string (a search may carry a person's name: domain rule 16 keeps personal data out of logs), status,
duration, the user's id. In the production profile the log is JSON (python-json-logger), one object a line.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

request_log = logging.getLogger("thidua.request")


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure makes the check fail; its kind is enough to act on
        return {"ok": False, "error": exc.__class__.__name__, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
def healthz(request):
    checks = {"database": _timed(_database)}
    if getattr(settings, "REDIS_URL", ""):
        checks["broker"] = _timed(_broker)
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


class RequestLogMiddleware:
    """One log line per request (see the module's docstring). Place right after ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
