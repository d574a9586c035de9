#!/usr/bin/env bash
# Install everything and run the whole test suite (README command 2).
#
#   bash scripts/test.sh            # everything: the SQLite run, then the PostgreSQL + Redis smoke run
#   bash scripts/test.sh sqlite     # only the SQLite run (includes the browser tests) and the guides' build
#   bash scripts/test.sh postgres   # only the PostgreSQL smoke run
#
# 1. SQLite run: `pytest -m "not postgres"` on the embedded default (SQLite, django-q2 ORM broker). It includes
#    the browser tests (tests/e2e, Debian's Chromium driven by Playwright).
# 2. PostgreSQL run: this script starts a throwaway PostgreSQL server (initdb + pg_ctl as the `postgres` user,
#    since both refuse to run as root) on a free port of 127.0.0.1 in a temporary folder, and a throwaway
#    redis-server beside it, then runs `pytest -m postgres` with DATABASE_URL and REDIS_URL pointing at them.
#    A separate pytest session is needed because pytest-django sets up the test database once, at session
#    start, from the settings (which read DATABASE_URL). Set THIDUA_TEST_POSTGRES_URL=postgres://… to use a
#    server of your own instead (its user must be allowed to create databases).
#
# 3. The guides: `pytest -m guide` builds docs/ with MkDocs, strictly, with the screenshots the browser tests of
#    part 1 just took (scripts/docs.py): a missing screenshot, link or anchor fails it.
#
# A part whose service cannot be had (no PostgreSQL binaries, not root …) is skipped with a message on a laptop
# and FAILS when CI=true. pytest's exit code 5 (no test collected) counts as a failure. Artifacts (JUnit XML,
# server logs, browser screenshots) go to test-artifacts/. The last line is the summary.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PART="${1:-all}"
case "$PART" in
    all | sqlite | postgres) ;;
    *) echo "usage: bash scripts/test.sh [all|sqlite|postgres]" >&2; exit 2 ;;
esac

IN_CI=0
[ "${CI:-}" = "true" ] && IN_CI=1
ARTIFACTS="$ROOT/test-artifacts"
STARTED=$(date +%s)

say() { printf '\n[test.sh] %s\n' "$*"; }

if ! bash scripts/bootstrap.sh --dev; then
    echo "[test.sh] bootstrap failed" >&2
    mkdir -p "$ARTIFACTS" && echo "test.sh: 0 passed, 1 failed" >"$ARTIFACTS/summary.txt"
    echo "test.sh: 0 passed, 1 failed"
    exit 1
fi
PY="$ROOT/.venv/bin/python"
# Tests choose their databases and broker themselves: the SQLite run uses the embedded default whatever the
# caller's environment says, the PostgreSQL run gets its URLs below.
unset DATABASE_URL REDIS_URL DJANGO_PROFILE
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/junit-*.xml "$ARTIFACTS/summary.txt"

# --- helpers ----------------------------------------------------------------------------------------------
failures=()   # names of the parts that failed
skipped=()    # names of the parts that were skipped (never in CI)

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# run_pytest NAME TIMEOUT_SECONDS PYTEST_ARGS...
run_pytest() {
    local name="$1" limit="$2"
    shift 2
    local started rc
    started=$(date +%s)
    say "pytest ($name): $*"
    timeout --kill-after=30 "$limit" "$PY" -m pytest --junitxml="$ARTIFACTS/junit-$name.xml" "$@"
    rc=$?
    case "$rc" in
        0) say "$name: passed in $(($(date +%s) - started)) s" ;;
        5) say "$name: FAILED: pytest collected no test (exit 5)"; failures+=("$name (no tests)") ;;
        124 | 137) say "$name: FAILED: timed out after $limit s"; failures+=("$name (timeout)") ;;
        *) say "$name: FAILED (pytest exit $rc) after $(($(date +%s) - started)) s"; failures+=("$name") ;;
    esac
}

unavailable() {  # a part cannot run: skip on a laptop, fail in CI
    local name="$1" reason="$2"
    if [ "$IN_CI" = 1 ]; then
        say "$name: FAILED: CI=true but $reason"
        failures+=("$name (unavailable)")
    else
        say "$name: SKIPPED: $reason (this would FAIL with CI=true)"
        skipped+=("$name")
    fi
}

# --- throwaway PostgreSQL and Redis -----------------------------------------------------------------------
PG_DIR=""
PG_BIN=""
AS_PG=()
REDIS_PID=""

cleanup() {
    if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
        (cd / && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1) || true
    fi
    if [ -n "$PG_DIR" ]; then
        cp "$PG_DIR/server.log" "$ARTIFACTS/postgresql.log" 2>/dev/null || true
        rm -rf "$PG_DIR"
    fi
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PG_URL=""
PG_PROBLEM=""
start_postgres() {
    if [ -n "${THIDUA_TEST_POSTGRES_URL:-}" ]; then
        PG_URL="$THIDUA_TEST_POSTGRES_URL"
        say "using the PostgreSQL server of THIDUA_TEST_POSTGRES_URL"
        return 0
    fi
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        PG_PROBLEM="PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        return 1
    fi
    local tmp_root="${TMPDIR:-/tmp}"
    if [ "$(id -u)" = 0 ]; then
        # initdb and pg_ctl refuse to run as root: run them as the postgres user, in a folder it owns.
        if ! getent passwd postgres >/dev/null; then
            PG_PROBLEM="running as root and there is no 'postgres' user to run the server as"
            return 1
        fi
        AS_PG=(runuser -u postgres --)
        tmp_root=/tmp  # a TMPDIR under /root would not be reachable by the postgres user
    fi
    PG_DIR="$(mktemp -d "$tmp_root/thidua-pg.XXXXXX")"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    chmod 700 "$PG_DIR"
    local port
    port="$(free_port)"
    if ! (cd / && "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
        --no-locale >"$PG_DIR/initdb.log" 2>&1); then
        cat "$PG_DIR/initdb.log" >&2
        PG_PROBLEM="initdb failed (log above)"
        return 1
    fi
    # Durability is not needed for a throwaway test server: fsync off makes it fast.
    if ! (cd / && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null); then
        cat "$PG_DIR/server.log" >&2
        PG_PROBLEM="pg_ctl start failed (log above)"
        return 1
    fi
    if ! (cd / && "${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres thidua); then
        PG_PROBLEM="createdb failed"
        return 1
    fi
    PG_URL="postgres://postgres@127.0.0.1:$port/thidua"
    say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') started as user postgres on 127.0.0.1:$port ($PG_DIR)"
}

REDIS_URL_TEST=""
start_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        return 1
    fi
    local port i
    port="$(free_port)"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
        --logfile "$ARTIFACTS/redis.log" &
    REDIS_PID=$!
    for i in $(seq 1 50); do
        if "$PY" -c "import redis, sys; sys.exit(0 if redis.Redis(port=$port).ping() else 1)" 2>/dev/null; then
            REDIS_URL_TEST="redis://127.0.0.1:$port/0"
            say "redis-server started on 127.0.0.1:$port"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# --- 1. the whole suite on SQLite -------------------------------------------------------------------------
if [ "$PART" = all ] || [ "$PART" = sqlite ]; then
    run_pytest sqlite 2700 -m "not postgres and not guide"
fi

# --- 2. the smoke suite on PostgreSQL (+ Redis) -----------------------------------------------------------
if [ "$PART" = all ] || [ "$PART" = postgres ]; then
    if start_postgres; then
        if ! start_redis; then
            # The smoke test of the Redis broker skips (laptop) or fails (CI) by itself without REDIS_URL.
            say "redis-server not available: the Redis broker smoke test will skip (fail when CI=true)"
        fi
        DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_URL_TEST" THIDUA_TEST_RUN=postgres \
            run_pytest postgres 1200 -m postgres
    else
        unavailable postgres "$PG_PROBLEM"
    fi
fi

# --- 3. the guides, built strictly with the screenshots the browser tests of part 1 took --------------------
if [ "$PART" = all ] || [ "$PART" = sqlite ]; then
    run_pytest guide 600 -m guide
fi

# --- summary ----------------------------------------------------------------------------------------------
counts="$("$PY" - "$ARTIFACTS" <<'EOF'
import glob
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sorted(glob.glob(f"{sys.argv[1]}/junit-*.xml")):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        failed += 1
        continue
    for suite in root.iter("testsuite"):
        tests, fail, err, skip = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += tests - fail - err - skip
        failed += fail + err
        skipped += skip
print(passed, failed, skipped)
EOF
)"
read -r n_passed n_failed n_skipped <<<"${counts:-0 0 0}"
elapsed=$(($(date +%s) - STARTED))

finish() {  # finish RC SUMMARY-LINE: the summary is also kept in test-artifacts/summary.txt for .ci/run
    echo "$2" >"$ARTIFACTS/summary.txt"
    echo "$2"
    exit "$1"
}

echo
if [ "${#skipped[@]}" -gt 0 ]; then
    echo "[test.sh] parts skipped: ${skipped[*]}"
fi
if [ "${#failures[@]}" -gt 0 ]; then
    echo "[test.sh] parts FAILED: ${failures[*]} (${elapsed} s)"
    # A part that failed without a failing test (no tests, timeout, no server) still counts as one failure.
    [ "$n_failed" -eq 0 ] && n_failed=${#failures[@]}
    finish 1 "test.sh: $n_passed passed, $n_failed failed, $n_skipped skipped"
fi
if [ "$n_passed" -eq 0 ]; then
    echo "[test.sh] no test passed (${elapsed} s)"
    finish 1 "test.sh: 0 passed, 1 failed, $n_skipped skipped"
fi
echo "[test.sh] all parts passed (${elapsed} s)"
finish 0 "test.sh: $n_passed passed, 0 failed, $n_skipped skipped"
