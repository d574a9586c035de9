"""The load test's users, for locust (started by ``bench/load/run.py`` as a subprocess, with its gevent; never import
this module from Django code).

Each simulated person signs in once through the real login form (its CSRF token), then loops over four requests
with a pause of 1 to 3 s between them, as people do: the home page (their inbox), the campaign dashboard, one of
the dossiers they may see (picked at random from the list ``seed.py`` wrote), and ``/healthz/``, the baseline
measured in the same run. Board officers and unit clerks or heads are mixed 1 to 9. Once everybody has signed in,
the run goes on for ``THIDUA_LOAD_SECONDS`` and stops.

The server runs the production profile behind no proxy: every request says ``X-Forwarded-Proto: https`` (the
settings trust that header, as behind the reverse proxy), the login form gets an HTTPS ``Referer`` (Django's CSRF
check wants one on a secure request), and the cookies, which the profile marks ``Secure``, are unmarked in the
client's jar so that it sends them back over the plain loopback connection.

A request fails when its status is not the expected one: 200 for a page, a redirect away from the login page for
the sign-in. A redirect to the login page is a failure too (the session was lost, so the page was not measured).
Every request is also written to ``THIDUA_LOAD_SAMPLES`` (CSV: start, name, kind of user, milliseconds, ok,
status) when locust stops, for run.py's table.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["THIDUA_LOAD_PLAN"]).read_text())
SAMPLES = os.environ.get("THIDUA_LOAD_SAMPLES", "")
# run.py measures WINDOW seconds of browsing once all USERS people have signed in (sign-ins cost PBKDF2 and come in a
# burst at the start), then stops the run; locust's own --run-time is only the outer bound.
WINDOW = float(os.environ.get("THIDUA_LOAD_SECONDS", "0"))
USERS = int(os.environ.get("THIDUA_LOAD_USERS", "0"))
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = ("inbox", "dashboard", "dossier", "health")

_accounts = {
    kind: itertools.cycle([a for a in PLAN["accounts"] if a["kind"] == kind and a["dossiers"]])
    for kind in ("board", "unit")
}
_samples: list[tuple] = []
_sign_ins = {"done": 0}


def _signed_in(environment) -> None:
    """Count a sign-in (succeeded or not); after the last one, stop the run WINDOW seconds later."""
    _sign_ins["done"] += 1
    if WINDOW and _sign_ins["done"] == USERS:
        gevent.spawn_later(WINDOW, environment.runner.quit)


@events.request.add_listener
def _record(name, response_time, context=None, exception=None, start_time=None, response=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    _samples.append((start_time, name, (context or {}).get("kind", ""), response_time, exception is None, status))


@events.quitting.add_listener
def _write_samples(**_kwargs):
    if not SAMPLES:
        return
    with open(SAMPLES, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["start", "name", "kind", "ms", "ok", "status"])
        for start, name, kind, ms, ok, status in _samples:
            writer.writerow([f"{start:.3f}", name, kind, f"{ms:.1f}", int(ok), status])


def _unsecure(jar) -> None:
    """The production profile marks its cookies Secure; the client talks plain HTTP to 127.0.0.1 (TLS ends at the
    proxy in production), so it would never send them back. Unmark them in the jar."""
    for cookie in jar:
        cookie.secure = False


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def context(self) -> dict:
        return {"kind": self.kind}

    def on_start(self) -> None:
        self.account = next(_accounts[self.kind])
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.step = random.randrange(len(PAGES))  # people do not all start on the same page
        login_url = f"https://{urlsplit(self.host).netloc}/login/"
        with self.client.get("/login/", name="login form", catch_response=True) as response:
            token = CSRF_FIELD.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(
                    f"login form: HTTP {response.status_code}, CSRF token {'found' if token else 'absent'}"
                )
                raise StopUser()
        _unsecure(self.client.cookies)
        with self.client.post(
            "/login/",
            data={
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": login_url},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            refused = response.status_code != 302 or location.startswith("/login")
            if refused:
                response.failure(f"sign-in refused: HTTP {response.status_code} {location}")
        _signed_in(self.environment)
        if refused:
            raise StopUser()
        _unsecure(self.client.cookies)

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"HTTP {response.status_code}" + (f" to {where}" if where else ""))

    @task
    def browse(self) -> None:
        page = PAGES[self.step % len(PAGES)]
        self.step += 1
        if page == "inbox":
            self._get("/", "inbox")
        elif page == "dashboard":
            self._get(f"/campaigns/{PLAN['campaign']}/dashboard/", "dashboard")
        elif page == "dossier":
            self._get(f"/dossiers/{random.choice(self.account['dossiers'])}/", "dossier")
        else:
            self._get("/healthz/", "health")


class BoardOfficer(Person):
    """Cán bộ Ban Thi đua - Khen thưởng: every Bằng khen dossier of the province, the board's inbox."""

    weight = 1  # one person in ten: a province's board has a handful of officers, its units hundreds of users
    kind = "board"


class UnitUser(Person):
    """Cán bộ thi đua or thủ trưởng of a commune, ward or department: their unit's dossiers and inbox."""

    weight = 9
    kind = "unit"
