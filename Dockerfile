# ECG Render as a container image: `ecg-render` (serve, worker, render, doctor...) on Debian 12.
#
#   docker build -t ecg-render .                              # CPU
#   docker build --build-arg EXTRAS=gpu -t ecg-render:gpu .   # + CuPy for CUDA 12
#   docker run --init -p 8090:8090 -v renders:/data ecg-render            # standalone service
#   docker run --init --gpus all -p 8090:8090 -v renders:/data ecg-render:gpu
#
# Runtime only: the package and its wheels (PyAV with its own FFmpeg, skia-python), fontconfig
# and the fonts the renderer resolves. No Chromium, npm harness or test extras. Each stage
# installs through `scripts/setup.sh --runtime`, so the image's Debian packages are exactly
# deploy/apt-runtime.txt. NVENC, NVDEC and CUDA come from the host's driver through the NVIDIA
# container runtime; without a GPU the same image encodes with libx264. tests/deploy checks
# this file (README.md, "Deploy", says what was and was not exercised).

ARG BASE=debian:12-slim

# The runtime's Debian packages (deploy/apt-runtime.txt), shared by both stages below.
FROM ${BASE} AS base
COPY scripts/setup.sh /opt/ecg-setup/scripts/setup.sh
COPY deploy/apt-runtime.txt /opt/ecg-setup/deploy/apt-runtime.txt
RUN bash /opt/ecg-setup/scripts/setup.sh --runtime --system-only \
 && rm -rf /var/lib/apt/lists/* /opt/ecg-setup

# The package and its wheels in a virtual environment. pip and python3-venv stay here.
FROM base AS build
ARG EXTRAS=""
WORKDIR /src
COPY scripts/setup.sh scripts/
COPY deploy/apt-runtime.txt deploy/
COPY pyproject.toml ./
COPY motiontext motiontext/
COPY engine engine/
COPY parity parity/
COPY server server/
RUN VENV=/opt/ecg-render EXTRAS="${EXTRAS}" PIP_NO_CACHE_DIR=1 bash scripts/setup.sh --runtime

FROM base
ARG APP_UID=10001
COPY --from=build /opt/ecg-render /opt/ecg-render
# /data: STORAGE_DIR, owned by the service user so that a fresh named volume is too.
RUN groupadd --gid "${APP_UID}" ecg \
 && useradd --uid "${APP_UID}" --gid ecg --create-home --home-dir /home/ecg \
      --shell /usr/sbin/nologin ecg \
 && mkdir -p /data \
 && chown ecg:ecg /data
ENV PATH=/opt/ecg-render/bin:${PATH} \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    STORAGE_DIR=/data \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,video,utility
USER ecg
WORKDIR /home/ecg
EXPOSE 8090
# Liveness of `serve` on its default port (/health answers 200, "ok" or "degraded", without
# the API key). Workers have no HTTP port: run them with --no-healthcheck (compose.yaml does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8090/health', timeout=4)"]
ENTRYPOINT ["ecg-render"]
CMD ["serve"]
