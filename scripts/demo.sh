#!/usr/bin/env bash
# Install everything and run the product with the demo campaign loaded (README command 1).
#
#   bash scripts/demo.sh                 # http://localhost:8000/login/
#   PORT=8080 bash scripts/demo.sh
#
# The embedded default: SQLite in var/thidua.sqlite3 and django-q2 with the ORM broker. Starts the background
# worker (manage.py qcluster) and the web app (manage.py runserver) and stops both on Ctrl-C. Running it again
# keeps the data (migrate and seed_demo only add what is missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-8000}"
say() { printf '[demo] %s\n' "$*"; }

bash scripts/bootstrap.sh
PY="$ROOT/.venv/bin/python"
export PYTHONUNBUFFERED=1

# runserver listens on every interface: accept this machine's names and addresses too, unless told otherwise.
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ]; then
    hosts="localhost,127.0.0.1,[::1]"
    if command -v hostname >/dev/null 2>&1; then
        name="$(hostname 2>/dev/null || true)"
        [ -n "$name" ] && hosts="$hosts,$name"
        for addr in $(hostname -I 2>/dev/null || true); do
            case "$addr" in *:*) hosts="$hosts,[$addr]" ;; *) hosts="$hosts,$addr" ;; esac
        done
    fi
    export DJANGO_ALLOWED_HOSTS="$hosts"
fi

# The demo sends hundreds of notifications by e-mail: keep them as files, not on this terminal.
export DJANGO_EMAIL_BACKEND="${DJANGO_EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
say "database: ${DATABASE_URL:-SQLite, ${THIDUA_VAR_DIR:-var}/thidua.sqlite3}"
say "e-mails: written as files under ${EMAIL_FILE_PATH:-${THIDUA_VAR_DIR:-var}/mail}/"
"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo
"$PY" manage.py collectstatic --noinput --verbosity 0
# The guides, served at /huong-dan/: with the screenshots of the last test run if there was one (scripts/test.sh),
# else with placeholders in their place. A failed build leaves the app running without them.
if "$PY" scripts/docs.py >/dev/null 2>"${THIDUA_VAR_DIR:-var}/guide-build.log"; then
    say "guides built: /huong-dan/"
else
    say "the guides could not be built (see ${THIDUA_VAR_DIR:-var}/guide-build.log); the app runs without them"
fi

QCLUSTER_PID=""
stop_worker() {
    if [ -n "$QCLUSTER_PID" ] && kill -0 "$QCLUSTER_PID" 2>/dev/null; then
        say "stopping the background worker (qcluster, pid $QCLUSTER_PID)"
        kill -TERM "$QCLUSTER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$QCLUSTER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$QCLUSTER_PID" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py qcluster &
QCLUSTER_PID=$!
say "background worker started (manage.py qcluster, pid $QCLUSTER_PID)"

cat <<EOF

============================================================================================
  Thi đua - Khen thưởng is starting.
  Open    http://localhost:$PORT/login/
  Sign in with one of the demo accounts listed above by seed_demo (see also README.md).
  Guides  http://localhost:$PORT/huong-dan/  (each page links to its section: "Hướng dẫn")
  Stop    Ctrl-C (stops the web app and the background worker)
============================================================================================

EOF

"$PY" manage.py runserver "0.0.0.0:$PORT"
