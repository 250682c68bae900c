"""Real parts for the service tests: redis-server, uvicorn, rq workers, moto's S3, a callback
receiver and a static file server, all on 127.0.0.1 ports chosen at run time.

Redis: ``REDIS_URL`` when set (``make test`` exports a throwaway one), else a redis-server
started here. Every test that uses Redis gets its own key prefix and queue name, so tests never
see each other's jobs. Processes started here are stopped at teardown, whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import httpx
import pytest

from server.service.settings import Settings
from tests.caption_scenario import caption_scenario
from tests.engine.clips import RATE_CLIPS, ClipSpec, make_clip
from tests.requirements_check import require_redis_server

REPO_ROOT = Path(__file__).resolve().parents[2]
# 2 s, 640x360, 30 fps, AAC; a keyframe every 0.5 s so segmented renders have cuts.
SHORT_CLIP = ClipSpec(width=640, height=360, seconds=2.0, options={"preset": "veryfast", "g": "15"})
# One keyframe only: nothing to cut, rq mode renders it as one job.
ONE_GOP_CLIP = ClipSpec(
    width=640, height=360, seconds=1.0, options={"preset": "ultrafast", "g": "300"}
)
# Long enough to cancel mid-render when upscaled to 1080p (several seconds of work).
LONG_CLIP = ClipSpec(width=640, height=360, seconds=8.0, options={"preset": "ultrafast", "g": "30"})

# A caption scenario in the production shape (editor output): Latin and Korean words.
SCENARIO: dict[str, Any] = caption_scenario(
    cues=[
        {
            "id": "cue-1",
            "track": "caption",
            "domLifetime": [0.1, 7.9],
            "root": {
                "id": "group-1",
                "eType": "group",
                "displayTime": [0.1, 7.9],
                "layout": {"anchor": "bc", "position": "define.caption.position"},
                "style": "define.caption.boxStyle",
                "children": [
                    {"id": "w-0", "eType": "text", "text": "Hello", "baseTime": [0.1, 0.9]},
                    {"id": "w-1", "eType": "text", "text": "world,", "baseTime": [0.9, 1.4]},
                    {"id": "w-2", "eType": "text", "text": "안녕하세요", "baseTime": [1.4, 7.9]},
                ],
            },
        }
    ],
    caption_define={
        "position": {"x": 0.5, "y": 0.9},
        "boxStyle": {"backgroundColor": "rgba(0, 0, 0, 0.8)", "padding": "8px 16px"},
    },
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Any, timeout: float, interval: float = 0.05, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


# -- Redis --


@contextlib.contextmanager
def redis_process(
    binary: str,
    port: int,
    folder: Path,
    *options: str,
    config: Path | None = None,
    quiet: bool = True,
) -> Iterator[subprocess.Popen[bytes]]:
    """redis-server ``binary`` on 127.0.0.1:``port``, data in ``folder``, reading ``config``
    (when given) and then ``options``; yielded once it answers PING, terminated at exit unless
    it has exited already. ``quiet``: its output to /dev/null."""
    command = [binary, *([str(config)] if config else []), "--port", str(port)]
    command += ["--bind", "127.0.0.1", "--dir", str(folder), *options]
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(command, stdout=output, stderr=output)
    try:
        import redis

        client = redis.Redis(port=port)
        wait_until(lambda: _pings(client), 10, what="redis-server")
        client.close()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


@contextlib.contextmanager
def aof_redis(
    folder: Path, port: int, binary: str | None = None, quiet: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    """redis-server with deploy/redis.conf (AOF on), on loopback ``port``, data and log in
    ``folder``. ``binary`` None: the installed one, else the test is skipped (failed under CI)."""
    log = str(folder / "redis.log")
    with redis_process(
        binary or require_redis_server(),
        port,
        folder,
        *("--supervised", "no", "--logfile", log),
        config=REPO_ROOT / "deploy" / "redis.conf",
        quiet=quiet,
    ) as process:
        yield process


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = require_redis_server()
    folder = Path(tempfile.mkdtemp(prefix="ecg-test-redis-"))
    port = free_port()
    try:
        with redis_process(binary, port, folder, "--save", "", "--appendonly", "no"):
            yield f"redis://127.0.0.1:{port}/0"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- HTTP servers in threads --


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1:``port`` in a thread (lifespan included)."""

    def __init__(self, app: Any, port: int | None = None):
        import uvicorn

        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 30, what="uvicorn")
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="session")
def clips() -> dict[str, Path]:
    return {
        "short.mp4": make_clip(SHORT_CLIP),
        "long.mp4": make_clip(LONG_CLIP),
        "one-gop.mp4": make_clip(ONE_GOP_CLIP),
        **{name: make_clip(spec) for name, spec in RATE_CLIPS.items()},
    }


@pytest.fixture(scope="session")
def clip_server(clips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Range-capable static server (Starlette) holding the test clips."""
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    folder = tmp_path_factory.mktemp("clips")
    for name, path in clips.items():
        shutil.copyfile(path, folder / name)
    app = Starlette()
    app.mount("/", StaticFiles(directory=folder))
    with ServerThread(app) as server:
        yield server.url


@dataclass
class CallbackReceiver:
    """Collects callback POSTs per job; ``fail_first[job_id] = n`` answers
    ``fail_status.get(job_id, 503)`` n times."""

    url: str
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)
    fail_status: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def for_job(self, job_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.calls.get(job_id, []))


@pytest.fixture(scope="session")
def callback_receiver() -> Iterator[CallbackReceiver]:
    port = free_port()
    receiver = CallbackReceiver(f"http://127.0.0.1:{port}/callback")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            job_id = body.get("job_id", "")
            with receiver.lock:
                receiver.attempts[job_id] = receiver.attempts.get(job_id, 0) + 1
                failing = receiver.fail_first.get(job_id, 0) > 0
                if failing:
                    receiver.fail_first[job_id] -= 1
                else:
                    receiver.calls.setdefault(job_id, []).append(body)
            self.send_response(receiver.fail_status.get(job_id, 503) if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# -- S3 (moto over HTTP) --


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def make_bucket(endpoint: str, name: str) -> Any:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return client


# -- settings, apps, workers --


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Test settings: loopback URLs allowed, software encoder, no .env read."""
    values: dict[str, Any] = {
        "storage_dir": tmp_path / "storage",
        "allow_private_urls": True,
        "encoder": "libx264",
        "array_backend": "numpy",
        "callback_backoff_seconds": 0.05,
        "callback_backoff_max_seconds": 0.2,
        "callback_timeout_seconds": 2.0,
        "min_free_disk_mb": 0,
        "redis_prefix": f"ecgtest-{uuid.uuid4().hex[:8]}",
        "queue_name": f"ecgtest-{uuid.uuid4().hex[:8]}",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a worker process read the same settings."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        key = "RENDER_MODE" if name == "mode" else name.upper()
        env[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


class Workers:
    """``count`` real `ecg-render worker` processes for ``settings``; logs in ``log_dir``."""

    def __init__(self, settings: Settings, count: int, log_dir: Path):
        self.settings, self.count, self.log_dir = settings, count, log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def __enter__(self) -> Self:
        env = {**os.environ, **settings_env(self.settings)}
        for index in range(self.count):
            log = self.log_dir / f"worker-{index}.log"
            self.logs.append(log)
            handle = log.open("wb")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "server.cli",
                        "worker",
                        "--name",
                        f"{self.settings.queue_name}-w{index}",
                    ],
                    env=env,
                    cwd=self.log_dir,  # no developer .env is read
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                )
            )
            handle.close()
        import redis
        from rq import Worker

        connection = redis.Redis.from_url(self.settings.redis_url)
        try:
            wait_until(
                lambda: (
                    len(
                        [
                            w
                            for w in Worker.all(connection=connection)
                            if w.name.startswith(self.settings.queue_name)
                        ]
                    )
                    >= self.count
                    or any(p.poll() is not None for p in self.processes)
                ),
                60,
                what="rq workers",
            )
        finally:
            connection.close()
        if any(p.poll() is not None for p in self.processes):
            self.__exit__()
            raise RuntimeError("a worker exited at start:\n" + self.output())
        return self

    def output(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
            for log in self.logs
            if log.exists()
        )

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # rq: warm shutdown
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def post_render(client: httpx.Client, base: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{base}/render", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def wait_final(client: httpx.Client, base: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        status = client.get(f"{base}/api/render/{job_id}/status").json()
        return status if status["status"] in ("completed", "failed", "cancelled") else None

    return wait_until(final, timeout, 0.1, what=f"job {job_id} to finish")


def as_callback(status: dict[str, Any]) -> dict[str, Any]:
    """The status endpoint's body as a callback carries it: fields without a value are left
    out (server.service.callback_model)."""
    return {name: value for name, value in status.items() if value is not None}


def wait_callbacks(receiver: CallbackReceiver, job_id: str, timeout: float = 15) -> list[Any]:
    """The job's callbacks once the final one has arrived."""

    def done() -> list[Any] | None:
        calls = receiver.for_job(job_id)
        if calls and calls[-1]["status"] in ("completed", "failed", "cancelled"):
            return calls
        return None

    return wait_until(done, timeout, what=f"final callback of {job_id}")


@contextlib.contextmanager
def running_app(settings: Settings, port: int | None = None) -> Iterator[ServerThread]:
    from server.service.api import create_app

    with ServerThread(create_app(settings), port) as server:
        yield server


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    frame_pts_seconds: list[Any]  # exact Fractions, in presentation order
    audio_packets: int


def video_facts(source: str | Path) -> VideoFacts:
    """What a rendered file holds: size, every frame's time, number of audio packets."""
    from fractions import Fraction

    import av

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        tb = Fraction(stream.time_base)
        times = sorted(frame.pts * tb for frame in container.decode(stream))
        width, height = stream.codec_context.width, stream.codec_context.height
    with av.open(str(source)) as container:
        audio = 0
        if container.streams.audio:
            audio = sum(1 for p in container.demux(container.streams.audio[0]) if p.size)
    return VideoFacts(width, height, times, audio)


def free_port_base(port: int) -> str:
    return f"http://127.0.0.1:{port}"
