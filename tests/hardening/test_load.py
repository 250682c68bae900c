"""Load: 50 renders posted at the same moment to the rq-mode API on loopback (two worker
processes, production URL policy through the relay). All are accepted, all complete, none is
lost or rendered twice; status calls made meanwhile are timed (p50/p99).

The bigger run, with figures written to a JSON file, is ``python -m benchmarks.load``.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import httpx

from tests.hardening.conftest import production_like, render_body, rq_stack, wait_all_final

JOBS = 50
TINY_FRAMES = 15  # tiny.mp4: 0.5 s at 30 fps


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def submit_all(base: str, bodies: list[dict[str, Any]]) -> list[tuple[int, float, Any]]:
    """POST every body at once (one thread each, released together): status, seconds, json."""
    barrier = threading.Barrier(len(bodies))
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    with httpx.Client(timeout=60, limits=limits) as client:

        def post(body: dict[str, Any]) -> tuple[int, float, Any]:
            barrier.wait()
            started = time.perf_counter()
            response = client.post(f"{base}/render", json=body)
            return response.status_code, time.perf_counter() - started, response.json()

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(post, bodies))


class StatusPollers:
    """``threads`` clients asking random jobs' status in a loop; latencies in seconds."""

    def __init__(self, base: str, job_ids: list[str], threads: int = 4):
        self.base, self.job_ids = base, job_ids
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        rng = random.Random()
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                job_id = rng.choice(self.job_ids)
                started = time.perf_counter()
                response = client.get(f"{self.base}/api/render/{job_id}/status")
                self.latencies.append(time.perf_counter() - started)
                self.errors += response.status_code != 200
                self._stop.wait(0.01)

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def test_fifty_concurrent_renders_all_complete_exactly_once(
    tmp_path: Path, redis_url: str, media_server: str, http: httpx.Client
) -> None:
    from rq import Queue

    with rq_stack(tmp_path, redis_url, workers=2, **production_like()) as stack:
        ids = [f"load-{i:02d}" for i in range(JOBS)]
        bodies = [render_body(job_id, f"{media_server}/m/tiny.mp4") for job_id in ids]
        started = time.monotonic()
        answers = submit_all(stack.url, bodies)
        with StatusPollers(stack.url, ids) as pollers:  # while the renders run
            finals = wait_all_final(http, stack.url, ids, timeout=300)
        elapsed = time.monotonic() - started
        stats = stack.store.stats()
        queue = Queue(stack.settings.queue_name, connection=stack.store.redis)
        rq_finished = queue.finished_job_registry.count
        rq_failed = queue.failed_job_registry.count
        published = sorted(p.name for p in stack.settings.public_dir.iterdir())
        worker_log = "".join(log.read_text(errors="replace") for log in stack.workers.logs)

    assert [status for status, _, _ in answers] == [200] * JOBS
    assert all(body["status"] == "queued" for _, _, body in answers)
    assert {job_id: f["status"] for job_id, f in finals.items()} == dict.fromkeys(ids, "completed")
    assert published == [f"{job_id}.mp4" for job_id in ids]
    # Exactly once: one start and one completion per job, every frame encoded once, two rq
    # jobs per render (plan + single) finished and none failed or repeated.
    assert stats.jobs_by_status.get("processing") == JOBS
    assert stats.jobs_by_status.get("completed") == JOBS
    assert stats.frames_rendered == JOBS * TINY_FRAMES
    assert rq_finished == 2 * JOBS and rq_failed == 0
    assert worker_log.count("Job OK") == 2 * JOBS
    assert pollers.errors == 0 and len(pollers.latencies) > 100

    post_seconds = [seconds for _, seconds, _ in answers]
    figures = {
        "jobs": JOBS,
        "workers": 2,
        "all_completed_seconds": round(elapsed, 1),
        "post_p50_ms": round(percentile(post_seconds, 0.50) * 1000, 1),
        "post_max_ms": round(max(post_seconds) * 1000, 1),
        "status_calls": len(pollers.latencies),
        "status_p50_ms": round(percentile(pollers.latencies, 0.50) * 1000, 1),
        "status_p99_ms": round(percentile(pollers.latencies, 0.99) * 1000, 1),
    }
    print("\nload:", json.dumps(figures))
    if os.environ.get("ECG_HARDENING_FIGURES"):
        Path(os.environ["ECG_HARDENING_FIGURES"]).write_text(json.dumps(figures, indent=1))
    assert figures["status_p50_ms"] < 500 and figures["status_p99_ms"] < 3000
