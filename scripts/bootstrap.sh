#!/usr/bin/env bash
# Install everything the project needs on a fresh Debian machine, idempotently.
#
#   bash scripts/bootstrap.sh          # to run the product (scripts/demo.sh)
#   bash scripts/bootstrap.sh --dev    # to run the tests (scripts/test.sh): + PostgreSQL, Redis, Chromium,
#                                      #   and the Python dev group (pytest, playwright, ruff …)
#
# Steps: Debian packages that are missing (apt-get update first, non-interactive), uv (the pinned version, with
# pip, into a cache folder), `uv sync --frozen` into .venv, compiled translations. A second run does nothing
# that the first one did. Nothing is downloaded outside PyPI and Debian: no browser download, no Python download.
set -euo pipefail

UV_VERSION="0.13.9"  # the version that wrote uv.lock

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEV=0
for arg in "$@"; do
    case "$arg" in
        --dev) DEV=1 ;;
        *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
    esac
done

say() { printf '[bootstrap] %s\n' "$*"; }
warn() { printf '[bootstrap] WARNING: %s\n' "$*" >&2; }

# --- 1. Debian packages -----------------------------------------------------------------------------------
# gettext: compilemessages; fonts: Vietnamese glyphs and Times-compatible metrics for documents and screenshots;
# LibreOffice Writer (headless, no GUI): the PDF of decisions and other documents.
APT_PACKAGES=(gettext fonts-noto-core fonts-liberation libreoffice-writer-nogui)
if [ "$DEV" = 1 ]; then
    APT_PACKAGES+=(postgresql redis-server chromium poppler-utils)
fi
# Debian's own python3 may come without pip; uv is installed with it.
if ! python3 -m pip --version >/dev/null 2>&1; then
    APT_PACKAGES+=(python3-pip)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

apt_run() {
    # Wait for a dpkg/apt lock held by another apt-get (up to 10 minutes) instead of failing.
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get -q -y -o DPkg::Lock::Timeout=600 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=()
    can_apt=1
    if ! command -v apt-get >/dev/null 2>&1; then
        can_apt=0
        warn "apt-get not found (not Debian?): install these yourself: ${missing[*]}"
    elif [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
        else
            can_apt=0
            warn "not root (and no password-less sudo): cannot apt-get install ${missing[*]}."
            warn "Continuing without them; tests that need them skip (they FAIL when CI=true)."
        fi
    fi
    if [ "$can_apt" = 1 ]; then
        say "installing Debian packages: ${missing[*]}"
        log="$(mktemp)"
        ok=0
        for attempt in 1 2 3; do
            if apt_run update >"$log" 2>&1 && apt_run install --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
                ok=1
                break
            fi
            warn "apt-get failed (attempt $attempt/3); retrying in 10 s"
            sleep 10
        done
        if [ "$ok" != 1 ]; then
            tail -n 30 "$log" >&2
            rm -f "$log"
            echo "[bootstrap] ERROR: could not install ${missing[*]}" >&2
            exit 1
        fi
        rm -f "$log"
        # The postgresql package creates and starts a cluster of its own; the tests start their own throwaway
        # server, so the packaged one is left as Debian configured it.
    fi
fi

# --- 2. uv (pinned) ---------------------------------------------------------------------------------------
uv_ok() { [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1; "$1" --version 2>/dev/null | grep -Eq "^uv ${UV_VERSION//./\\.}( |\$)"; }

UV=""
if uv_ok uv; then
    UV="$(command -v uv)"
else
    TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/thidua-tools/uv-$UV_VERSION"
    if ! uv_ok "$TOOLS/bin/uv"; then
        say "installing uv $UV_VERSION with pip into $TOOLS"
        rm -rf "$TOOLS"
        mkdir -p "$(dirname "$TOOLS")"
        # --target keeps it out of the system Python (Debian marks that one externally managed).
        log="$(mktemp)"
        if ! python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            --root-user-action=ignore --target "$TOOLS" "uv==$UV_VERSION" >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            echo "[bootstrap] ERROR: could not install uv $UV_VERSION with pip" >&2
            exit 1
        fi
        rm -f "$log"
    fi
    UV="$TOOLS/bin/uv"
fi

# --- 3. Python packages -----------------------------------------------------------------------------------
export UV_PYTHON_DOWNLOADS=never  # use the machine's Python 3.11, never download one
sync_args=(sync --frozen --quiet)
if [ "$DEV" = 1 ]; then
    sync_args+=(--group dev)
else
    # The product alone; --inexact keeps the dev tools a developer may already have in .venv.
    sync_args+=(--no-dev --inexact)
fi
say "uv ${sync_args[*]}"
"$UV" "${sync_args[@]}"

# --- 4. Translations --------------------------------------------------------------------------------------
shopt -s nullglob
po_files=(locale/*/LC_MESSAGES/*.po)
shopt -u nullglob
if [ "${#po_files[@]}" -gt 0 ]; then
    if command -v msgfmt >/dev/null 2>&1; then
        # compilemessages skips catalogs whose .mo is up to date; never walk into .venv or var/.
        .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules \
            --verbosity 0
    else
        warn "msgfmt (Debian package gettext) is missing: translations not compiled."
    fi
fi

say "ready: $ROOT/.venv ($(.venv/bin/python --version 2>&1))"
