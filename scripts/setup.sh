#!/usr/bin/env bash
# Prepare a Debian 12 machine for ECG Render: system packages, .venv, the reference harness's
# npm packages and the demo clip. Idempotent: a second run changes nothing and takes ~1 s.
#
#   scripts/setup.sh [--runtime] [--system-only] [--list-packages]
#
# Default (development, CI): the Debian packages of deploy/apt-runtime.txt and deploy/apt-dev.txt,
# the package installed editable with its test extras, the npm harness and the demo clip.
# --runtime: only what rendering and serving need, as the container image installs it
#   (Dockerfile): deploy/apt-runtime.txt, and the package installed (not editable, no test
#   extras) into $VENV. No Chromium, npm harness or demo clip.
# --system-only: stop after the Debian packages.  --list-packages: print them and stop.
#
# Env: PYTHON (default python3, must be >= 3.11); VENV (default .venv, relative to the repository
# root); EXTRAS (--runtime: optional extras of pyproject.toml, e.g. gpu for CuPy on CUDA 12).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-}
HARNESS=tests/parity/harness

mode=dev system_only=0 list_only=0
for arg in "$@"; do
  case $arg in
    --runtime) mode=runtime ;;
    --system-only) system_only=1 ;;
    --list-packages) list_only=1 ;;
    *) printf 'usage: %s [--runtime] [--system-only] [--list-packages]\n' "$0" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1
  fi
}

# --- system packages --------------------------------------------------------------------
# The lists live in deploy/ so that the Dockerfile installs exactly what this installs.
package_list() { sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$@"; }
mapfile -t apt_wanted < <(package_list deploy/apt-runtime.txt)
if [ "$mode" = dev ]; then
  mapfile -t -O "${#apt_wanted[@]}" apt_wanted < <(package_list deploy/apt-dev.txt)
fi
if [ "$list_only" = 1 ]; then printf '%s\n' "${apt_wanted[@]}"; exit 0; fi
apt_missing=()
for pkg in "${apt_wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
    || apt_missing+=("$pkg")
done
# Judge Node by its commands: a NodeSource nodejs ships npm itself and conflicts with
# Debian's npm package.
if [ "$mode" = dev ]; then
  command -v node >/dev/null || apt_missing+=(nodejs)
  command -v npm >/dev/null || apt_missing+=(npm)
fi
[ "$system_only" = 1 ] || command -v "$PYTHON" >/dev/null || apt_missing+=(python3 python3-venv)

if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi

[ "$system_only" = 0 ] || exit 0

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { log "$PYTHON is older than 3.11"; exit 1; }

# --- Python environment -----------------------------------------------------------------
if ! "$VENV/bin/python" -c '' 2>/dev/null; then
  log "creating $VENV with $PYTHON"
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    # Debian's python3 cannot create a venv without python3-venv (it lacks ensurepip).
    rm -rf "$VENV"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
if [ "$mode" = runtime ]; then
  # Not editable: the installed package does not depend on this checkout (the image copies
  # only $VENV), so it is reinstalled on every run.
  spec=.${EXTRAS:+[$EXTRAS]}
  log "pip install '$spec' into $VENV"
  rm -f "$VENV/.ecg-setup-stamp"  # a development install here is gone
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "$spec"
  log "runtime ready in $VENV"
  exit 0
fi
# Reinstall only when the dependency list changed since the last successful install.
stamp=$VENV/.ecg-setup-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "pip install -e '.[test]'"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e '.[test]'
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

# --- web fonts the parity tests use (Fontsource, from the npm registry) ---------------------
# Regular faces of a Korean and a Latin display family, and the Korean family's variable
# package (@fontsource-variable: "Noto Sans KR Variable", wght 100-900), with their OFL licences.
.venv/bin/ecg-render fonts install --if-missing --font-dir .cache/fonts "Noto Sans KR" Lobster \
  "Noto Sans KR Variable" \
  || log "web fonts not installed (npm registry unreachable?): their parity tests skip, or fail under CI=true"

# --- demo clip --------------------------------------------------------------------------
# engine.demo_assets is expected to be cheap when its clip already exists.
if [ -f engine/demo_assets.py ] || [ -f engine/demo_assets/__init__.py ]; then
  "$VENV/bin/python" -m engine.demo_assets
fi

log "ready in $ROOT"
