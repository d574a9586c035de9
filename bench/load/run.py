"""A bounded load test on loopback (issue 8 item 10): the production profile under gunicorn, PostgreSQL and Redis,
50 people signed in, the inbox, the campaign dashboard and the dossier pages against ``/healthz/`` in the same run.

    .venv/bin/python bench/load/run.py [--users 50] [--seconds 60] [--dossiers 10000] [--templates 70]
                                       [--workers CPUs+1] [--no-data-cache] [--changes-per-minute N]
                                       [--keep DIR]

1. Starts a throwaway PostgreSQL server (initdb and pg_ctl as the ``postgres`` user when run as root, in a temporary
   folder, on a free port of 127.0.0.1, ``fsync=off``) and a ``redis-server`` when there is one (else django-q2's
   ORM broker). Everything started is stopped and removed at the end, on failure, SIGTERM and Ctrl-C too.
2. ``collectstatic`` (the manifest of the production profile's storage), then ``seed.py`` in a process of its own:
   migrate, the demo's campaign, template dossiers through the services, replicas up to ``--dossiers``.
3. gunicorn (``config.wsgi``, sync workers) with ``DJANGO_PROFILE=production``, a random secret key,
   ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, ``DJANGO_SECURE_SSL_REDIRECT=false`` and ``THIDUA_LOGIN_THROTTLE=false`` (50
   sign-ins from one address in a few seconds would otherwise look like an attack); a few warm-up requests.
4. locust, headless, in a subprocess (its gevent monkey-patching stays out of every Django process): ``--users``
   people spawned 10 a second, each signing in once, then inbox, dashboard, a dossier, /healthz/, 1 to 3 s apart,
   for ``--seconds`` after the last sign-in (locust's ``-t`` adds 300 s for the sign-ins, as the outer bound).
5. The table, over that window: requests, failures, p50 and p95 of each page as the client saw them, their p95
   against /healthz/'s, the target "p95 < 200 ms" (ok/OVER), and the p50 and p95 inside the worker from the
   request log (the difference is the wait for a free worker); the sign-ins (PBKDF2 at Django's cost) apart; the
   CPU used in the window by gunicorn, PostgreSQL, locust and the rest of the machine; the peak RSS of gunicorn's
   processes (sum over master and workers, from /proc, every 0.2 s) against a cap. Slow pages are reported, never
   asserted: the exit code is 0 unless the set-up fails (2) or more than 1 % of the requests fail (1).
6. With ``--changes-per-minute N``, ``changes.py`` beside locust: unit clerks add and remove people on drafts through
   the services, N times a minute in all, and the table says how many changes the window saw.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV = ROOT / ".venv" / "bin"
PAGES = ("inbox", "dashboard", "dossier", "health")
TARGET_MS = 200
RSS_CAP_MB = 2048
MAX_FAILED_SHARE = 0.01
SPAWN_RATE = 10
SIGN_IN_ALLOWANCE = 300  # seconds locust may spend on the sign-ins before the measured window (outer bound)
# collectstatic as the production profile does it (the same manifest, so the same hashed names in the pages), but
# with Django's ManifestStaticFilesStorage: whitenoise's subclass would also gzip and brotli the 50 MB of viewflow's
# static files (minutes on two busy CPUs) for static requests that the load test does not make.
COLLECT = [
    str(VENV / "python"),
    "-c",
    "import sys, django\n"
    "from django.conf import settings\n"
    "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
    "django.setup()\n"
    "from django.core.management import call_command\n"
    "call_command('collectstatic', '--noinput', '-v0', *sys.argv[1:])\n",
]


class SetupFailed(Exception):
    pass


def say(text: str) -> None:
    print(f"[load] {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the processes this run starts, stopped in reverse order whatever happens ----------------------------------


class Services:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pg_dir: Path | None = None
        self.pg_bin: Path | None = None
        self.as_pg: list[str] = []
        self.children: list[subprocess.Popen] = []  # each in a process group of its own
        self.stopped = False

    # PostgreSQL, as scripts/test.sh starts it
    def start_postgres(self) -> str:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
        if not bins:
            raise SetupFailed("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
        self.pg_bin = bins[-1].parent
        tmp_root = tempfile.gettempdir()
        if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root: run them as postgres, in a folder it owns
            if subprocess.run(["getent", "passwd", "postgres"], capture_output=True).returncode != 0:
                raise SetupFailed("running as root and there is no 'postgres' user to run the server as")
            self.as_pg, tmp_root = ["runuser", "-u", "postgres", "--"], "/tmp"
        self.pg_dir = Path(tempfile.mkdtemp(prefix="thidua-load-pg-", dir=tmp_root))
        if self.as_pg:
            shutil.chown(self.pg_dir, "postgres", "postgres")
        self.pg_dir.chmod(0o700)
        port = free_port()
        data = self.pg_dir / "data"
        self._pg(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"])
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self.pg_dir} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )
        self._pg(
            [
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(self.pg_dir / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )
        self._pg(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "thidua"])
        version = subprocess.run([str(self.pg_bin / "postgres"), "--version"], capture_output=True, text=True)
        number = re.search(r"\d+(\.\d+)+", version.stdout)
        say(f"PostgreSQL {number.group(0) if number else '?'} on 127.0.0.1:{port} ({self.pg_dir})")
        return f"postgres://postgres@127.0.0.1:{port}/thidua"

    def _pg(self, args: list[str]) -> None:
        result = subprocess.run(
            [*self.as_pg, str(self.pg_bin / args[0]), *args[1:]], cwd="/", capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.pg_dir / "server.log"
            detail = (result.stdout + result.stderr)[-2000:] + (log.read_text()[-2000:] if log.exists() else "")
            raise SetupFailed(f"{args[0]} failed:\n{detail}")

    def start_redis(self) -> str:
        server = shutil.which("redis-server")
        if server is None:
            say("no redis-server: django-q2 uses its ORM broker (the database)")
            return ""
        port = free_port()
        log = open(self.workdir / "redis.log", "w")  # noqa: SIM115 (closed with the process)
        self.spawn(
            [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=log,
        )
        for _ in range(50):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        say(f"redis-server on 127.0.0.1:{port}")
                        return f"redis://127.0.0.1:{port}/0"
            except OSError:
                pass
            time.sleep(0.1)
        raise SetupFailed("redis-server did not answer")

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.pg_dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError, TypeError):
            return None

    def spawn(self, args, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(args, start_new_session=True, **kwargs)
        self.children.append(process)
        return process

    def stop_child(self, process: subprocess.Popen, grace: float = 10) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=grace)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        else:  # the leader is gone; anything left in its group goes too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        for process in reversed(self.children):
            try:
                self.stop_child(process)
            except Exception as exc:  # keep stopping the rest
                print(f"[load] could not stop process {process.pid}: {exc}", file=sys.stderr)
        if self.pg_dir is not None:
            data = self.pg_dir / "data"
            if (data / "postmaster.pid").exists():
                subprocess.run(
                    [*self.as_pg, str(self.pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    cwd="/",
                    capture_output=True,
                    timeout=60,
                )
            shutil.rmtree(self.pg_dir, ignore_errors=True)


# --- a tiny browser for the warm-up (urllib, cookies by hand: the production cookies are Secure) ---------------


class Browser:
    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = f"https://{urllib.parse.urlsplit(self.base).netloc}{path}"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)

    def login(self, username: str, password: str) -> None:
        status, page, _headers = self.request("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SetupFailed(f"warm-up: the login form answered {status}")
        status, _page, headers = self.request(
            "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        if status != 302 or headers.get("Location", "").startswith("/login"):
            raise SetupFailed(f"warm-up: {username} could not sign in (HTTP {status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- what the machine did: gunicorn's memory, everybody's CPU ---------------------------------------------------

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, int]]:
    """pid → (parent pid, CPU ticks used, resident KB) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            resident = int((entry / "statm").read_text().split()[1]) * PAGE_KB
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), resident)
    return found


def _machine() -> tuple[int, int]:
    """(busy, total) CPU ticks of the machine since boot, all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already in user
    return total - idle, total


class Monitor(threading.Thread):
    """Every ``interval`` s: the resident memory of gunicorn's master and workers (sum; the peak is kept), and the
    CPU time used so far by gunicorn, PostgreSQL (the postmaster and its backends) and locust, and by the whole
    machine, as a series, so that the measured window can be cut out of it afterwards."""

    def __init__(self, roots: dict[str, int], interval: float = 0.2):
        super().__init__(daemon=True)
        self.roots, self.interval = roots, interval
        self.peak_kb = 0
        self.gunicorn_processes = 0
        self.ticks: dict[tuple[str, int], int] = {}  # the last CPU ticks seen of each process of each group
        self.series: list[tuple[float, dict[str, int], int, int]] = []
        self.halt = threading.Event()

    def sample(self) -> int:
        processes = _processes()
        rss = 0
        for group, root in self.roots.items():
            if root is None:
                continue
            pids = [root, *(pid for pid, (parent, _t, _r) in processes.items() if parent == root)]
            for pid in pids:
                if pid in processes:
                    self.ticks[(group, pid)] = processes[pid][1]
                    if group == "gunicorn":
                        rss += processes[pid][2]
            if group == "gunicorn":
                self.gunicorn_processes = sum(pid in processes for pid in pids)
        self.peak_kb = max(self.peak_kb, rss)
        totals = {group: sum(t for (g, _p), t in self.ticks.items() if g == group) for group in self.roots}
        self.series.append((time.time(), totals, *_machine()))
        return rss

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            self.sample()

    def cpu_between(self, start: float, end: float) -> tuple[float, dict[str, float], float]:
        """(seconds, CPU seconds used per group, CPU seconds used by the whole machine) between two moments."""
        inside = [row for row in self.series if start <= row[0] <= end] or self.series[-1:]
        first, last = inside[0], inside[-1]
        groups = {g: (last[1][g] - first[1].get(g, 0)) / TICK for g in last[1]}
        return last[0] - first[0], groups, (last[2] - first[2]) / TICK


# --- the figures ------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def read_samples(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [
            {
                "start": float(r["start"]),
                "name": r["name"],
                "kind": r["kind"],
                "ms": float(r["ms"]),
                "ok": r["ok"] == "1",
                "status": int(r["status"]),
            }
            for r in csv.DictReader(f)
        ]


PAGE_PATHS = [
    ("inbox", re.compile(r"^/$")),
    ("dashboard", re.compile(r"^/campaigns/\d+/dashboard/$")),
    ("dossier", re.compile(r"^/dossiers/\d+/$")),
    ("health", re.compile(r"^/healthz/$")),
]


def read_request_log(path: Path, time_zone: str) -> list[dict]:
    """The production profile's request log (one JSON line per request, from workflows.health.RequestLogMiddleware):
    how long each page took inside the worker, without the wait for a free worker. Its time stamps are the end of
    the request in the settings' TIME_ZONE."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    rows = []
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("{") or '"thidua.request"' not in line:
            continue
        try:
            entry = json.loads(line)
            ended = datetime.strptime(entry["time"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=zone).timestamp()
        except (ValueError, KeyError):
            continue
        page = next((name for name, pattern in PAGE_PATHS if pattern.match(entry.get("path", ""))), None)
        if page and entry.get("method") == "GET":
            rows.append(
                {
                    "page": page,
                    "start": ended - entry["ms"] / 1000,
                    "ms": float(entry["ms"]),
                    "user": entry.get("user_id"),
                }
            )
    return rows


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}"


def _ratio(p95: float, baseline: float) -> str:
    return "-" if math.isnan(p95) or math.isnan(baseline) or baseline <= 0 else f"{p95 / baseline:.1f}x"


def report(
    samples: list[dict], server: list[dict], *, kinds: dict, timeouts: int, monitor: Monitor, changes=None
) -> bool:
    """Print the table; returns whether failures stay within MAX_FAILED_SHARE. ``changes``: when changes.py ran,
    the times of its changes."""
    logins = [s for s in samples if s["name"] == "login"]
    first = min(s["start"] for s in samples)
    # The window: from the moment the last person finished signing in (everybody is browsing) to the end.
    window_start = max((s["start"] + s["ms"] / 1000 for s in logins), default=first)
    pages = [s for s in samples if s["name"] in PAGES]
    window = [s for s in pages if s["start"] >= window_start]
    before = [s for s in pages if s["start"] < window_start]
    last = max(s["start"] + s["ms"] / 1000 for s in samples)
    span = max(last - window_start, 1e-9)

    def figures(rows):
        ms = [r["ms"] for r in rows]
        return len(rows), sum(not r["ok"] for r in rows), percentile(ms, 50), percentile(ms, 95)

    stats = {page: figures([s for s in window if s["name"] == page]) for page in PAGES}
    health_p95 = stats["health"][3]
    print()
    print(
        f"Measured window: from t = {window_start - first:.1f} s (the last of {len(logins)} sign-ins done) to "
        f"t = {last - first:.1f} s: {len(window)} requests, {len(window) / span:.1f} requests/s"
    )
    # Inside the worker (the request log): the requests that started in the window.
    server = [r for r in server if window_start <= r["start"] <= last]
    inside = {page: [r["ms"] for r in server if r["page"] == page] for page in PAGES}
    if changes is not None:
        made = sum(window_start <= t <= last for t in changes)
        print(
            f"changes in the window: {made} (a unit clerk adds or removes a person on a draft, one every "
            f"{span / max(made, 1):.1f} s; a record edit: every dossier page is computed afresh at its next look, "
            "the inboxes, dashboards and menus stay kept)"
        )
    header = f"{'page':<10} {'requests':>8} {'failures':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95/health':>11}"
    print(f"{header}  p95 < {TARGET_MS} ms   in the worker: p50, p95 ms")
    for page in PAGES:
        n, failed, p50, p95 = stats[page]
        ratio = _ratio(p95, health_p95) if page != "health" else "baseline"
        verdict = "-" if math.isnan(p95) else "ok" if p95 < TARGET_MS else "OVER"
        worker = f"{_ms(percentile(inside[page], 50)):>8} {_ms(percentile(inside[page], 95)):>8}"
        print(f"{page:<10} {n:>8} {failed:>8} {_ms(p50):>8} {_ms(p95):>8} {ratio:>11}  {verdict:<13}{worker}")
    print("by kind of user, p50 / p95 ms (in the worker):")
    for kind, label in (("board", "board officers"), ("unit", "unit clerks and heads")):
        parts = []
        for page in PAGES:
            rows = [s for s in window if s["name"] == page and s["kind"] == kind]
            if rows:
                _n, _f, p50, p95 = figures(rows)
                ms = [r["ms"] for r in server if r["page"] == page and kinds.get(r["user"]) == kind]
                parts.append(f"{page} {_ms(p50)} / {_ms(p95)} ({_ms(percentile(ms, 50))} / {_ms(percentile(ms, 95))})")
        people = sum(1 for s in logins if s["kind"] == kind)
        print(f"  {label} ({people}): " + ", ".join(parts))
    login_ms = [s["ms"] for s in logins]
    print(
        f"before the window: {len(logins)} sign-ins ({sum(not s['ok'] for s in logins)} failed) p50 "
        f"{_ms(percentile(login_ms, 50))} ms, p95 {_ms(percentile(login_ms, 95))} ms; meanwhile {len(before)} page "
        f"requests, p95 {_ms(percentile([s['ms'] for s in before], 95))} ms"
    )
    everything = len(samples)
    failed = [s for s in samples if not s["ok"]]
    share = len(failed) / everything if everything else 1.0
    print(
        f"failed requests over the whole run (sign-ins included): {len(failed)} of {everything} ({share:.2%}; "
        f"limit {MAX_FAILED_SHARE:.0%})"
    )
    for s in failed[:5]:
        print(f"  {s['name']} ({s['kind']}): HTTP {s['status']} after {s['ms']:.0f} ms")
    if timeouts:
        print(
            f"gunicorn killed {timeouts} workers that ran past its 30 s timeout (WORKER TIMEOUT): their requests "
            "answered 500 and are missing from the request log"
        )
    seconds, used, machine = monitor.cpu_between(window_start, last)
    cpus = os.cpu_count() or 1
    ours = sum(used.values())
    print(
        f"CPU in the window ({seconds:.0f} s x {cpus} CPUs = {seconds * cpus:.0f} CPU-s): gunicorn "
        f"{used['gunicorn']:.0f}, PostgreSQL {used['postgres']:.0f}, locust {used['locust']:.0f}, other processes "
        f"{max(machine - ours, 0):.0f}, idle {max(seconds * cpus - machine, 0):.0f}; load average "
        f"{Path('/proc/loadavg').read_text().split()[0]} at the end"
    )
    peak = monitor.peak_kb / 1024
    print(
        f"gunicorn peak RSS (master + {monitor.gunicorn_processes - 1} workers, sum of their resident memory): "
        f"{peak:.0f} MB (cap {RSS_CAP_MB} MB): {'ok' if peak < RSS_CAP_MB else 'OVER'}"
    )
    return share <= MAX_FAILED_SHARE


# --- the run ----------------------------------------------------------------------------------------------------


def django_env(workdir: Path, database_url: str, redis_url: str, *, data_cache: bool = True) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "THIDUA_", "Q_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_PROFILE="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DATABASE_URL=database_url,
        THIDUA_LOGIN_THROTTLE="false",
        THIDUA_DATA_CACHE="true" if data_cache else "false",
        THIDUA_VAR_DIR=str(workdir / "var"),
        THIDUA_STATIC_ROOT=str(workdir / "static"),
        THIDUA_MEDIA_ROOT=str(workdir / "media"),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def wait_healthy(base: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(base + "/healthz/", headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupFailed(f"gunicorn exited with {process.returncode} (see gunicorn.log)")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SetupFailed("gunicorn did not answer /healthz/ with 200")


def warm_up(base: str, plan: dict, workers: int) -> None:
    """Every worker imports the views and compiles the templates on its first requests: do that before measuring
    (a production server is warm), and check that signing in and every page work."""
    for kind in ("board", "unit"):
        account = next(a for a in plan["accounts"] if a["kind"] == kind and a["dossiers"])
        browser = Browser(base)
        browser.login(account["username"], account["password"])
        paths = ["/", f"/campaigns/{plan['campaign']}/dashboard/", f"/dossiers/{account['dossiers'][0]}/", "/healthz/"]
        for round_ in range(workers):
            for path in paths[1:] if kind == "board" and round_ else paths:  # the board's inbox is long: once
                status, _page, headers = browser.request(path)
                if status != 200:
                    raise SetupFailed(f"warm-up: {account['username']} GET {path} answered {status} {headers}")


def run(args, services: Services, workdir: Path) -> int:
    started = time.monotonic()
    database_url = services.start_postgres()
    redis_url = services.start_redis()
    env = django_env(workdir, database_url, redis_url, data_cache=not args.no_data_cache)
    python = str(VENV / "python")

    t0 = time.monotonic()
    result = subprocess.run(COLLECT, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 and "node_modules" in result.stderr:
        # django-viewflow ships a stray copy of roboto-fontface (static/viewflow/fonts/roboto/node_modules/...) whose
        # CSS names font files that are not there: the manifest storage's post-processing refuses it. No page uses
        # anything under node_modules; leave those folders out, as a deployment must until the project does.
        missing = re.search(r"The file '([^']+)' could not be found", result.stderr)
        say("WARNING: collectstatic fails in the production profile: a CSS file of django-viewflow names")
        say(f"         {missing.group(1) if missing else 'a file'}, which is not there;")
        say("         retrying with --ignore node_modules (bench/load/README.md, findings)")
        result = subprocess.run(
            [*COLLECT, "--ignore", "node_modules"], cwd=ROOT, env=env, capture_output=True, text=True
        )
    if result.returncode != 0:
        raise SetupFailed(f"collectstatic failed:\n{result.stderr[-3000:]}")
    say(f"collectstatic: {time.monotonic() - t0:.1f} s")

    plan_path = workdir / "plan.json"
    t0 = time.monotonic()
    seed = services.spawn(
        [
            python,
            str(HERE / "seed.py"),
            f"--dossiers={args.dossiers}",
            f"--templates={args.templates}",
            f"--plan={plan_path}",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        code = seed.wait(timeout=args.setup_timeout)
    except subprocess.TimeoutExpired:
        raise SetupFailed(f"seeding took more than {args.setup_timeout} s") from None
    if code != 0:
        raise SetupFailed(f"seeding failed (exit {code})")
    seeding = time.monotonic() - t0
    plan = json.loads(plan_path.read_text())

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    gunicorn = services.spawn(
        [str(VENV / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_healthy(base, gunicorn)
    t0 = time.monotonic()
    warm_up(base, plan, args.workers)
    monitor = Monitor({"gunicorn": gunicorn.pid, "postgres": services.postmaster_pid(), "locust": None})
    say(
        f"gunicorn: {args.workers} sync workers on {base}, data cache {'off' if args.no_data_cache else 'on'}, "
        f"warmed up in {time.monotonic() - t0:.1f} s, "
        f"RSS {monitor.sample() / 1024:.0f} MB"
    )

    if args.hold:
        # No load: leave everything up for a person to look into (profile a page, run EXPLAIN), then stop.
        (workdir / "env.json").write_text(json.dumps({**env, "THIDUA_LOAD_BASE": base}, indent=1))
        say(f"holding for {args.hold} s: {base}, the environment in {workdir / 'env.json'}, the plan in {plan_path}")
        time.sleep(args.hold)
        return 0

    samples_path, csv_prefix = workdir / "samples.csv", workdir / "load"
    locust_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "THIDUA_"))}
    locust_env.update(
        THIDUA_LOAD_PLAN=str(plan_path),
        THIDUA_LOAD_SAMPLES=str(samples_path),
        THIDUA_LOAD_SECONDS=str(args.seconds),
        THIDUA_LOAD_USERS=str(args.users),
        PYTHONUNBUFFERED="1",
    )
    say(
        f"locust: {args.users} people (one in ten a board officer, the others unit clerks and heads), "
        f"{SPAWN_RATE} a second, {args.seconds} s, 1 to 3 s between requests"
    )
    locust_log = open(workdir / "locust.log", "w")  # noqa: SIM115 (closed with the process)
    locust = services.spawn(
        [
            str(VENV / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(SPAWN_RATE),
            "-t",
            f"{args.seconds + SIGN_IN_ALLOWANCE}s",
            "--host",
            base,
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
        ],
        cwd=ROOT,
        env=locust_env,
        stdout=locust_log,
        stderr=subprocess.STDOUT,
    )
    monitor.roots["locust"] = locust.pid
    monitor.start()
    changes_log, changer = workdir / "changes.log", None
    if args.changes_per_minute > 0:
        changer = services.spawn(
            [python, str(HERE / "changes.py"), f"--every={60 / args.changes_per_minute}", f"--log={changes_log}"],
            cwd=ROOT,
            env=env,
        )
    try:
        locust.wait(timeout=args.seconds + SIGN_IN_ALLOWANCE + 60)
    except subprocess.TimeoutExpired:
        raise SetupFailed("locust did not stop in time") from None
    monitor.halt.set()
    monitor.join()
    changes = None
    if changer is not None:
        changer.terminate()
        if changer.wait(timeout=30) not in (0, -signal.SIGTERM):
            raise SetupFailed(f"changes.py failed (exit {changer.returncode})")
        changes = [float(line.split()[0]) for line in changes_log.read_text().splitlines() if line.strip()]
    if not samples_path.exists():
        raise SetupFailed(f"locust wrote no samples (exit {locust.returncode}); see locust.log")
    samples = read_samples(samples_path)
    if not samples:
        raise SetupFailed("locust made no request")
    cpus = os.cpu_count()
    print()
    print(
        f"Load test: {args.users} people for {args.seconds} s against gunicorn ({args.workers} sync workers, "
        f"production profile) with PostgreSQL and {'Redis' if redis_url else 'the ORM broker'} on 127.0.0.1, "
        f"{cpus} CPUs shared with locust, the database and anything else running; {args.dossiers} dossiers "
        f"seeded in {seeding:.0f} s."
    )
    server = read_request_log(workdir / "gunicorn.log", plan.get("time_zone", "UTC"))
    timeouts = (workdir / "gunicorn.log").read_text(errors="replace").count("WORKER TIMEOUT")
    kinds = {a.get("id"): a["kind"] for a in plan["accounts"]}
    within = report(samples, server, kinds=kinds, timeouts=timeouts, monitor=monitor, changes=changes)
    say(f"whole run: {time.monotonic() - started:.0f} s")
    if args.keep:
        keep = Path(args.keep)
        keep.mkdir(parents=True, exist_ok=True)
        for name in ("samples.csv", "load_stats.csv", "load_failures.csv", "locust.log", "gunicorn.log", "plan.json"):
            if (workdir / name).exists():
                shutil.copy2(workdir / name, keep / name)
        say(f"kept the samples, locust's CSV and the logs in {keep}")
    if not within:
        say("FAILED: more than 1 % of the requests failed")
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="people signed in at once (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--dossiers", type=int, default=10_000, help="dossiers in the campaign (default 10000)")
    parser.add_argument(
        "--templates", type=int, default=70, help="about how many dossiers to make through the services (default 70)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="gunicorn workers (default CPUs + 1: the machine also runs PostgreSQL, Redis and locust)",
    )
    parser.add_argument("--setup-timeout", type=int, default=900, help="seconds allowed for seeding (default 900)")
    parser.add_argument(
        "--no-data-cache",
        action="store_true",
        help="turn the data cache off (THIDUA_DATA_CACHE=false): every page computed on every request",
    )
    parser.add_argument(
        "--changes-per-minute",
        type=float,
        default=0,
        metavar="N",
        help="unit clerks also change drafts through the services, N times a minute in all (changes.py; default 0)",
    )
    parser.add_argument("--keep", metavar="DIR", help="copy the samples, locust's CSV and the logs there")
    parser.add_argument(
        "--hold",
        type=int,
        default=0,
        metavar="SECONDS",
        help="no load: keep the seeded servers up that long for a look (the environment in env.json), then stop",
    )
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="thidua-load-"))
    services = Services(workdir)

    def cleanup() -> None:
        services.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda s, _f: sys.exit(128 + s))
    try:
        return run(args, services, workdir)
    except SetupFailed as exc:
        print(f"[load] SET-UP FAILED: {exc}", file=sys.stderr)
        for name in ("gunicorn.log", "locust.log"):
            path = workdir / name
            if path.exists() and path.stat().st_size:
                print(f"--- last lines of {name} ---\n{path.read_text()[-3000:]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("[load] interrupted", file=sys.stderr)
        return 130
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
