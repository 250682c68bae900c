#!/usr/bin/env bash
# Pack what a lent GPU machine lacks into .gpukit/ (git-ignored), for benchmarks/gpu_check.sh.
#
#   bash benchmarks/gpu_kit.sh          # here, with network for pip
#   then on the device, carrying .gpukit:  bash benchmarks/gpu_check.sh
#
# The lent H100/H200 image has Python 3.12 with numpy and CuPy but no PyAV or skia-python, no
# network, and maybe no GL/X11 libraries or fonts (skia-python links libEGL/libGL). This
# fetches cp312 wheels, copies those libraries and the Latin fonts from this Debian machine,
# and stays under the device tool's 64 MiB transfer limit (the 19 MB CJK font does not fit,
# so Korean glyphs fall back to whatever the device has: the GPU-vs-CPU checks compare two
# renders on that same machine, so they are unaffected).
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=.gpukit
PYAV=$(.venv/bin/python -c 'import av; print(av.__version__)')
SKIA=$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("skia-python"))')
rm -rf "$KIT" && mkdir -p "$KIT/wheels" "$KIT/lib" "$KIT/fonts"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d "$KIT/wheels" "av==$PYAV" "skia-python==$SKIA"
for lib in libEGL.so.1 libGL.so.1 libGLX.so.0 libGLdispatch.so.0 libX11.so.6 libxcb.so.1 \
  libXau.so.6 libXdmcp.so.6 libbsd.so.0 libmd.so.0 libexpat.so.1; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$KIT/lib/"
done
for font in liberation/LiberationSans-Regular.ttf liberation/LiberationSans-Bold.ttf \
  liberation/LiberationSerif-Regular.ttf liberation/LiberationSerif-Bold.ttf \
  dejavu/DejaVuSans.ttf dejavu/DejaVuSansMono.ttf; do
  cp "/usr/share/fonts/truetype/$font" "$KIT/fonts/"
done
grep -qx '/.gpukit/' .git/info/exclude 2>/dev/null || echo '/.gpukit/' >> .git/info/exclude
du -sh "$KIT"
