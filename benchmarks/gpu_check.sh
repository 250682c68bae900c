#!/usr/bin/env bash
# GPU checks on a lent NVIDIA machine (H100/H200: NVDEC yes, NVENC no). Installs nothing and
# needs no network; finishes in well under 5 minutes (about 1 on an H100 with a warm disk).
#
#   bash benchmarks/gpu_check.sh [extra args for python -m benchmarks.gpu_check]
#
# On a bare lent machine, first pack the missing wheels, libraries and fonts here with
# `bash benchmarks/gpu_kit.sh` and carry `.gpukit`; this script installs them into /tmp.
#
# Env: PYTHON (default .venv/bin/python, else python3); OUT (folder for gpu_check.json,
# default /tmp/ecg-gpu-check; the device runner sets OUT). Prints which Python modules
# import and nvidia-smi, then runs the sections of benchmarks/gpu_check.py: doctor, CuPy vs
# numpy composite at 1080p with timings, DLPack NV12 import, NVDEC vs CPU decode, and a
# cupy-vs-numpy render encoded with libx264.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
OUT_DIR=${OUT:-/tmp/ecg-gpu-check}
mkdir -p "$OUT_DIR"

if [ -d .gpukit ]; then  # packed by benchmarks/gpu_kit.sh for a bare lent machine
  echo "== installing .gpukit =="
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/ecg-site .gpukit/wheels/*.whl || exit 1
  export PYTHONPATH="/tmp/ecg-site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
  export LD_LIBRARY_PATH="$PWD/.gpukit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  cat > /tmp/ecg-fonts.conf <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>$PWD/.gpukit/fonts</dir>
  <dir>/usr/share/fonts</dir>
  <cachedir>/tmp/ecg-fontcache</cachedir>
</fontconfig>
CONF
  export FONTCONFIG_FILE=/tmp/ecg-fonts.conf
fi

echo "== environment =="
echo "python: $PY ($("$PY" --version 2>&1))"
"$PY" - <<'PYEOF'
import importlib
for name in ("numpy", "av", "skia", "cupy", "psutil", "pydantic", "redis"):
    try:
        module = importlib.import_module(name)
        print(f"  {name:9s} {getattr(module, '__version__', 'ok')}")
    except Exception as exc:  # noqa: BLE001
        print(f"  {name:9s} MISSING ({type(exc).__name__}: {exc})")
PYEOF
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,utilization.gpu --format=csv
else
  echo "nvidia-smi: not found"
fi

echo
timeout 280 "$PY" -m benchmarks.gpu_check --json "$OUT_DIR/gpu_check.json" "$@"
status=$?
[ $status -eq 124 ] && echo "gpu_check: timed out after 280 s"
echo "gpu_check exit status: $status (JSON: $OUT_DIR/gpu_check.json)"
exit $status
