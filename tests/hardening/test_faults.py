"""Faults the service must survive: a worker killed with SIGKILL mid-render, Redis killed and
restarted (AOF, the shipped deploy/redis.conf), a callback endpoint down for a long time, a
full output disk. Real processes and file systems on this machine, loopback only."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import httpx
import pytest

from server.service.callbacks import RetryPolicy
from server.service.settings import Settings
from tests.hardening.conftest import (
    Workers,
    free_port,
    make_settings,
    render_body,
    rq_stack,
    running_app,
    standalone,
    wait_final,
    wait_until,
)
from tests.server.conftest import (
    CallbackReceiver,
    aof_redis,
    as_callback,
    video_facts,
    wait_callbacks,
)

KILL_OPTIONS = {"width": 1280, "height": 720}  # kill.mp4 upscaled: a few seconds of work
KILL_FRAMES = 120  # 4 s at 30 fps


class PublicWatch:
    """Lists the public folder every 20 ms for the whole test: only complete files may ever
    appear there (publishing is an atomic rename), so any other name is a partial output."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            with contextlib.suppress(OSError):
                self.seen.update(p.name for p in self.folder.iterdir())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _horses(workers: Workers) -> dict[int, int]:
    """worker pid -> its work horse's pid, for workers that are rendering now."""
    import psutil

    found = {}
    for process in workers.processes:
        with contextlib.suppress(psutil.Error):
            children = [
                child
                for child in psutil.Process(process.pid).children()
                if child.status() != psutil.STATUS_ZOMBIE  # a finished horse not yet reaped
            ]
            if children:
                found[process.pid] = children[0].pid
    return found


def _progress(http: httpx.Client, base: str, job_id: str) -> int:
    return int(http.get(f"{base}/api/render/{job_id}/status").json()["progress"])


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# -- kill -9 --


def test_worker_killed_with_its_render_is_retried_on_another_worker(
    tmp_path: Path,
    redis_url: str,
    http: httpx.Client,
    media_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    """SIGKILL to the rendering worker and its work horse (the machine is gone). Once rq's
    heartbeat has lapsed, a surviving worker's maintenance finds the job abandoned and
    requeues it; here that moment is brought forward by running the same registry cleanup
    with a clock 2 minutes ahead. The other worker renders it; the result is complete and
    the only file ever published."""
    from rq import Queue

    with rq_stack(tmp_path, redis_url, workers=2, job_retries=2) as stack:
        body = render_body(
            "kill-1",
            f"{media_server}/m/kill.mp4",
            options=KILL_OPTIONS,
            callback_url=callback_receiver.url,
        )
        with PublicWatch(stack.settings.public_dir) as watch:
            assert http.post(f"{stack.url}/render", json=body).status_code == 200
            wait_until(lambda: _progress(http, stack.url, "kill-1") >= 10, 60, what="progress")
            busy = _horses(stack.workers)
            assert len(busy) == 1, busy
            [(worker_pid, horse_pid)] = busy.items()
            _kill(worker_pid)  # first: a living worker would notice its horse die
            _kill(horse_pid)
            killed_at = time.monotonic()
            queue = Queue(stack.settings.queue_name, connection=stack.store.redis)
            assert queue.started_job_registry.count == 1  # abandoned, not yet noticed
            queue.started_job_registry.cleanup(time.time() + 120)  # what maintenance does
            final = wait_final(http, stack.url, "kill-1", timeout=90)
            recovered_seconds = time.monotonic() - killed_at
        assert final["status"] == "completed", (final, stack.workers.output())
        facts = video_facts(stack.settings.public_dir / "kill-1.mp4")
        survivor_log = "".join(
            log.read_text(errors="replace")
            for process, log in zip(stack.workers.processes, stack.workers.logs, strict=True)
            if process.pid != worker_pid
        )
        leftovers = list(stack.settings.scratch_dir.iterdir())
    assert (facts.width, facts.height) == (1280, 720)
    assert len(facts.frame_pts_seconds) == KILL_FRAMES and facts.audio_packets > 0
    assert final["file_size"] == (stack.settings.public_dir / "kill-1.mp4").stat().st_size
    assert watch.seen == {"kill-1.mp4"}  # nothing else was ever visible, no partial file
    assert "single_job('kill-1')" in survivor_log and "Job OK" in survivor_log
    assert leftovers == []  # the retry reused and removed the dead horse's scratch
    calls = wait_callbacks(callback_receiver, "kill-1")
    assert [c["status"] for c in calls].count("completed") == 1
    assert [c["progress"] for c in calls] == sorted(c["progress"] for c in calls)
    print(f"\nkill -9 worker+horse: completed {recovered_seconds:.1f} s after the kill")


def test_horse_killed_until_no_tries_are_left_fails_the_job(
    tmp_path: Path, redis_url: str, http: httpx.Client, media_server: str
) -> None:
    """JOB_RETRIES=1: the render process is killed, rq runs the job again, it is killed
    again: the job fails RENDER_FAILED, nothing is published, no scratch is left."""
    with rq_stack(tmp_path, redis_url, workers=2, job_retries=1) as stack:
        body = render_body("kill-2", f"{media_server}/m/kill.mp4", options=KILL_OPTIONS)
        with PublicWatch(stack.settings.public_dir) as watch:
            assert http.post(f"{stack.url}/render", json=body).status_code == 200
            wait_until(lambda: _progress(http, stack.url, "kill-2") >= 5, 60, what="progress")
            killed = []
            for attempt in range(2):

                def horse() -> int | None:
                    pids = [h for h in _horses(stack.workers).values() if h not in killed]
                    return pids[0] if pids else None

                pid = wait_until(horse, 60, 0.02, what=f"render process {attempt + 1}")
                time.sleep(0.5 if attempt else 0.0)  # the retry is rendering
                _kill(pid)
                killed.append(pid)
            final = wait_final(http, stack.url, "kill-2", timeout=60)
        time.sleep(0.5)
        leftovers = list(stack.settings.scratch_dir.iterdir())
    assert final["status"] == "failed", (final, stack.workers.output())
    assert final["error_code"] == "RENDER_FAILED" and "died" in final["error_message"]
    assert watch.seen == set()
    assert leftovers == []


# -- Redis restart --


def test_redis_killed_and_restarted_keeps_queued_and_finished_jobs(
    tmp_path: Path, http: httpx.Client, media_server: str
) -> None:
    """With the shipped config: a finished, a cancelled and two queued jobs; SIGKILL to Redis,
    restart on the same port: every record is as it was, the queued rq jobs are still
    queued, the API answers again without a restart, and a worker then renders them."""
    import redis
    from rq import Queue

    from server.service.redis_store import RedisJobStore

    data = tmp_path / "redis-data"
    data.mkdir()
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    api_port = free_port()
    settings = make_settings(
        tmp_path,
        mode="rq",
        redis_url=url,
        segment_seconds=0,
        public_base_url=f"http://127.0.0.1:{api_port}",
        allow_private_urls=True,
    )
    ids = ["aof-done", "aof-cancelled", "aof-queued-1", "aof-queued-2"]
    with aof_redis(data, port) as first, running_app(settings, api_port) as api:
        with Workers(settings, 1, tmp_path):
            body = render_body("aof-done", f"{media_server}/m/tiny.mp4")
            assert http.post(f"{api.url}/render", json=body).status_code == 200
            assert wait_final(http, api.url, "aof-done")["status"] == "completed"
        for job_id in ids[1:]:
            body = render_body(job_id, f"{media_server}/m/tiny.mp4")
            assert http.post(f"{api.url}/render", json=body).status_code == 200
        assert http.post(f"{api.url}/api/render/aof-cancelled/cancel").status_code == 200
        before = {i: http.get(f"{api.url}/api/render/{i}/status").json() for i in ids}
        connection = redis.Redis.from_url(url)
        store = RedisJobStore(connection, settings.redis_prefix)
        requests_before = {i: store.get(i).request for i in ids}  # type: ignore[union-attr]
        queued_before = Queue(settings.queue_name, connection=connection).job_ids
        assert len(queued_before) == 2
        first.kill()  # SIGKILL: no shutdown save, only the AOF
        first.wait(10)
        with aof_redis(data, port):
            after = {i: http.get(f"{api.url}/api/render/{i}/status").json() for i in ids}
            requests_after = {i: store.get(i).request for i in ids}  # type: ignore[union-attr]
            queued_after = Queue(settings.queue_name, connection=connection).job_ids
            with Workers(settings, 1, tmp_path):
                finals = {i: wait_final(http, api.url, i) for i in ids[2:]}
            public = sorted(p.name for p in settings.public_dir.iterdir())
        connection.close()
    assert after == before
    assert requests_after == requests_before
    assert queued_after == queued_before
    assert before["aof-done"]["status"] == "completed" and before["aof-done"]["download_url"]
    assert before["aof-cancelled"]["status"] == "cancelled"
    assert all(finals[i]["status"] == "completed" for i in ids[2:]), finals
    assert public == ["aof-done.mp4", "aof-queued-1.mp4", "aof-queued-2.mp4"]
    assert any((data / "appendonlydir").glob("*.aof"))


# -- callbacks --


def test_callback_endpoint_down_is_retried_with_backoff_and_the_render_goes_on(
    tmp_path: Path, http: httpx.Client, media_server: str
) -> None:
    """The callback endpoint refuses connections, then answers 503, then recovers (time
    scaled down: waits capped at 1 s instead of 60 s). The render finishes during the
    outage; afterwards every snapshot arrives, in order, the final one last."""
    port = free_port()
    attempts: list[float] = []
    received: list[dict[str, Any]] = []
    recover_at = [float("inf")]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            attempts.append(time.monotonic())
            ok = time.monotonic() >= recover_at[0]
            if ok:
                received.append(payload)
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    overrides = {
        "allow_private_urls": True,
        "callback_max_tries": 20,
        "callback_backoff_seconds": 0.1,
        "callback_backoff_max_seconds": 1.0,
    }
    with standalone(tmp_path, **overrides) as (server, _):
        body = render_body(
            "cb-down", f"{media_server}/m/tiny.mp4", callback_url=f"http://127.0.0.1:{port}/cb"
        )
        started = time.monotonic()
        assert http.post(f"{server.url}/render", json=body).status_code == 200
        final = wait_final(http, server.url, "cb-down")
        rendered = time.monotonic() - started
        assert final["status"] == "completed"
        time.sleep(max(0.0, 0.5 - rendered))  # connections refused for 0.5 s at least
        receiver = ThreadingHTTPServer(("127.0.0.1", port), Handler)  # up, but failing
        receiver.daemon_threads = True
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        try:
            up_at = time.monotonic()
            recover_at[0] = up_at + 1.5  # then 503 for 1.5 s
            wait_until(
                lambda: received and received[-1]["status"] == "completed", 20, what="callbacks"
            )
        finally:
            receiver.shutdown()
            receiver.server_close()
    assert received[-1] == as_callback(final)
    statuses = [c["status"] for c in received]
    assert statuses[0] == "processing" and statuses.count("completed") == 1
    assert [c["progress"] for c in received] == sorted(c["progress"] for c in received)
    assert len(received) >= 10  # start, the 10 % steps, the end: nothing was dropped
    failing = [t for t in attempts if t < recover_at[0]]
    assert 1 <= len(failing) <= 15  # retried, not hammered (waits up to 1 s)
    print(
        f"\ncallback outage {time.monotonic() - started:.1f} s: render done after "
        f"{rendered:.1f} s, {len(failing)} tries answered 503, {len(received)} delivered"
    )


def test_default_callback_policy_outlasts_minutes_of_downtime() -> None:
    """With the shipped defaults a status callback keeps being retried for minutes: the
    retry window (sum of the jittered waits) over 10^4 simulated endpoints."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    policy = RetryPolicy(
        settings.callback_max_tries,
        settings.callback_timeout_seconds,
        settings.callback_backoff_seconds,
        settings.callback_backoff_max_seconds,
    )
    rng = random.Random(9)
    windows = sorted(sum(policy.delays(rng)) for _ in range(10_000))
    p01, median = windows[100], windows[5000]
    print(f"\ndefault callback retry window: 1st percentile {p01:.0f} s, median {median:.0f} s")
    assert p01 > 180 and median > 300  # 99 %: tries spread over more than 3 minutes
    assert windows[-1] < 20 * 60


# -- disk full --


@contextlib.contextmanager
def small_filesystem(folder: Path, size_kb: int) -> Iterator[bool]:
    """A ``size_kb`` tmpfs mounted at ``folder``; yields False when mounting is not permitted
    (not root, or no CAP_SYS_ADMIN in a container)."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    options = f"size={size_kb}k,mode=0755"
    mounted = (
        mount is not None
        and os.geteuid() == 0
        and subprocess.run(
            [mount, "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def _enospc_on_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fallback for a full scratch disk: every frame write fails as FFmpeg's would."""
    from engine import encode

    def write_frame(self: Any, frame: Any) -> None:
        with encode.translate_encode_errors(f"encoding with {self.codec}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(encode.VideoWriter, "write_frame", write_frame)


def _enospc_on_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fallback for a full public disk: the rename crosses file systems and the copy fails
    half way, as a real copy onto a full disk would."""
    from server.service import storage

    real_replace = os.replace

    real_copy = shutil.copyfile

    def replace(source: Any, destination: Any) -> None:
        # (os is one module for everyone: only the publishing move is changed)
        if Path(destination).parent.name == "public" and not str(source).endswith(".partial"):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_replace(source, destination)

    def copyfile(source: Any, destination: Any) -> Any:
        if not str(destination).endswith(".partial"):
            return real_copy(source, destination)
        Path(destination).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage.os, "replace", replace)
    monkeypatch.setattr(storage.shutil, "copyfile", copyfile)


@pytest.mark.parametrize("method", ["tmpfs", "injected"])
@pytest.mark.parametrize("full", ["scratch", "public"])
def test_full_output_disk_fails_the_job_and_leaves_no_files(
    tmp_path: Path,
    http: httpx.Client,
    media_server: str,
    monkeypatch: pytest.MonkeyPatch,
    full: str,
    method: str,
) -> None:
    """The render scratch or the public folder is full: the encoder (or the publishing copy)
    hits ENOSPC, the job fails STORAGE_FAILED saying so, and no temporary or partial file is
    left on either. "tmpfs": a real 64 kB file system (needs root); "injected": ENOSPC raised
    at the same boundary, for machines where mounting is not permitted."""
    mount_point = tmp_path / f"small-{full}"
    with small_filesystem(mount_point, 64 if method == "tmpfs" else 0) as mounted:
        if method == "tmpfs" and not mounted:
            pytest.skip("mounting a tmpfs is not permitted here (the injected variant runs)")
        if method == "injected":
            (_enospc_on_write if full == "scratch" else _enospc_on_publish)(monkeypatch)
        if full == "scratch":
            overrides: dict[str, Any] = {"work_dir": mount_point}
        else:
            overrides = {"storage_dir": mount_point, "work_dir": tmp_path / "work"}
        with standalone(tmp_path, allow_private_urls=True, min_free_disk_mb=1, **overrides) as (
            server,
            settings,
        ):
            body = render_body(f"full-{full}", f"{media_server}/m/short.mp4")
            assert http.post(f"{server.url}/render", json=body).status_code == 200
            final = wait_final(http, server.url, f"full-{full}")
            scratch = sorted(p.name for p in settings.scratch_dir.iterdir())
            public = sorted(p.name for p in settings.public_dir.iterdir())
            health = http.get(f"{server.url}/health").json()
    print(f"\ndisk full ({full}, {method}): {final['error_code']}: {final['error_message']}")
    assert final["status"] == "failed", final
    assert final["error_code"] == "STORAGE_FAILED"
    assert "No space left on device" in final["error_message"]
    assert str(tmp_path) not in final["error_message"]  # no server paths in messages
    assert scratch == [] and public == []
    if full == "scratch" and method == "tmpfs":
        assert health["status"] == "degraded" and "free on disk" in " ".join(health["problems"])
