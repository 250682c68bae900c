#!/usr/bin/env bash
# Prepare a Debian 12 machine for ECG Render: system packages, .venv, the reference harness's
# npm packages and the demo clip. Idempotent: a second run changes nothing and takes ~1 s.
#
# Env: PYTHON (default python3, must be >= 3.11).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
HARNESS=tests/parity/harness

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1
  fi
}

# --- system packages --------------------------------------------------------------------
# ffmpeg is deliberately absent: the PyAV wheels bundle their own FFmpeg.
apt_wanted=(make fontconfig fonts-liberation fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji chromium redis-server)
apt_missing=()
for pkg in "${apt_wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
    || apt_missing+=("$pkg")
done
# Judge Node by its commands: a NodeSource nodejs ships npm itself and conflicts with
# Debian's npm package.
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
command -v "$PYTHON" >/dev/null || apt_missing+=(python3 python3-venv)

if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { log "$PYTHON is older than 3.11"; exit 1; }

# --- Python environment -----------------------------------------------------------------
if ! .venv/bin/python -c '' 2>/dev/null; then
  log "creating .venv with $PYTHON"
  rm -rf .venv
  if ! "$PYTHON" -m venv .venv; then
    # Debian's python3 cannot create a venv without python3-venv (it lacks ensurepip).
    rm -rf .venv
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends python3-venv
    "$PYTHON" -m venv .venv
  fi
fi
# Reinstall only when the dependency list changed since the last successful install.
stamp=.venv/.ecg-setup-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "pip install -e '.[test]'"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
# Playwright drives Debian's /usr/bin/chromium: never run `playwright install` here.

# --- reference harness (npm, pinned by the committed package-lock.json) ------------------
npm_stamp=$HARNESS/node_modules/.ecg-setup-stamp
if [ ! -f "$npm_stamp" ] || [ "$HARNESS/package-lock.json" -nt "$npm_stamp" ]; then
  log "npm ci in $HARNESS"
  (cd "$HARNESS" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$npm_stamp"
fi

# --- demo clip --------------------------------------------------------------------------
# engine.demo_assets is expected to be cheap when its clip already exists.
if [ -f engine/demo_assets.py ] || [ -f engine/demo_assets/__init__.py ]; then
  .venv/bin/python -m engine.demo_assets
fi

log "ready in $ROOT"
