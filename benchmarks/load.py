"""The long load run: ``python -m benchmarks.load [--jobs 200] [--mode rq|standalone]
[--workers 2] [--kill-recovery] [--out PATH]``.

Everything on loopback, as in production otherwise: redis-server with deploy/redis.conf (AOF
on), the API on uvicorn, ``--workers`` real `ecg-render worker` processes (rq mode) or the
in-process pool (standalone), inputs read through the checked relay (production URL policy,
the loopback media server allowlisted). ``--jobs`` renders of a 0.5 s 320x240 clip are posted
at the same moment; meanwhile ``--pollers`` clients ask random jobs' status. Counted: accepted,
completed, failed, lost, rendered twice (frames encoded vs frames expected, rq jobs finished,
"Job OK" lines), POST and status latency percentiles, throughput.

``--kill-recovery`` (rq) then measures a real recovery, nothing fast-forwarded: a longer render
runs, its worker and work horse get SIGKILL, and the clock runs until the surviving worker's
own maintenance has found the job abandoned and rendered it (rq's 90 s heartbeat plus the
worker's 60 s maintenance interval: about 1.5-2.5 minutes).

Prints a JSON summary; ``--out`` writes it too. Exit status 1 when a job was lost, failed or
rendered twice.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """redis-server with deploy/redis.conf (AOF on), data and log in ``folder``; its URL."""
    from tests.server.conftest import aof_redis, free_port

    port = free_port()
    with aof_redis(folder, port, shutil.which("redis-server") or "redis-server", quiet=False):
        yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def media_server(folder: Path) -> Iterator[str]:
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    from tests.engine.clips import make_clip
    from tests.hardening.conftest import KILL_CLIP, TINY_CLIP
    from tests.server.conftest import ServerThread

    shutil.copyfile(make_clip(TINY_CLIP), folder / "tiny.mp4")
    shutil.copyfile(make_clip(KILL_CLIP), folder / "kill.mp4")
    app = Starlette()
    app.mount("/", StaticFiles(directory=folder))
    with ServerThread(app) as server:
        yield server.url


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": at(1.0)}


def run_load(args: argparse.Namespace, work: Path, media: str) -> dict[str, Any]:
    import httpx

    from tests.hardening.conftest import render_body, wait_all_final
    from tests.hardening.test_load import StatusPollers, submit_all
    from tests.server.conftest import Workers, free_port, make_settings, running_app

    port = free_port()
    values: dict[str, Any] = {
        "mode": args.mode,
        "segment_seconds": 0,
        "public_base_url": f"http://127.0.0.1:{port}",
        "allow_private_urls": False,
        "video_url_allowlist": "127.0.0.1",
        "max_queued_jobs": max(100, args.jobs),
        "max_active_jobs_per_client": max(100, args.jobs),
        "max_concurrent_jobs": args.workers,
        "callback_backoff_seconds": 0.5,
    }
    if args.mode == "rq":
        values["redis_url"] = args.redis_url
    settings = make_settings(work, **values)
    ids = [f"load-{i:04d}" for i in range(args.jobs)]
    bodies = [render_body(job_id, f"{media}/tiny.mp4") for job_id in ids]
    workers: Any = Workers(settings, args.workers, work) if args.mode == "rq" else None
    with contextlib.ExitStack() as stack:
        if workers is not None:
            stack.enter_context(workers)
        server = stack.enter_context(running_app(settings, port))
        started = time.monotonic()
        answers = submit_all(server.url, bodies)
        accepted = [
            job_id for job_id, (code, _, _) in zip(ids, answers, strict=True) if code == 200
        ]
        with (
            StatusPollers(server.url, accepted, args.pollers) as pollers,
            httpx.Client(timeout=60) as http,
        ):
            finals = wait_all_final(http, server.url, accepted, timeout=args.timeout)
        elapsed = time.monotonic() - started
        stats = server.server.config.app.state.ctx.store.stats()
        figures: dict[str, Any] = {}
        if workers is not None:
            from rq import Queue

            queue = Queue(
                settings.queue_name, connection=server.server.config.app.state.ctx.store.redis
            )
            figures["rq_jobs_finished"] = queue.finished_job_registry.count
            figures["rq_jobs_failed"] = queue.failed_job_registry.count
            figures["job_ok_lines"] = sum(
                log.read_text(errors="replace").count("Job OK") for log in workers.logs
            )
    published = {p.stem for p in settings.public_dir.iterdir()}
    completed = [i for i in accepted if finals[i]["status"] == "completed"]
    frames_expected = 15 * len(completed)
    rendered_twice = stats.frames_rendered - frames_expected
    if workers is not None:
        rendered_twice = max(rendered_twice, figures["job_ok_lines"] - 2 * len(accepted))
    return {
        "mode": args.mode,
        "workers": args.workers,
        "jobs_posted": args.jobs,
        "accepted": len(accepted),
        "completed": len(completed),
        "failed": sum(1 for i in accepted if finals[i]["status"] == "failed"),
        "lost": len(set(accepted) - set(finals)) + len(set(completed) - published),
        "frames_encoded": stats.frames_rendered,
        "frames_expected": frames_expected,
        "rendered_twice": max(0, rendered_twice),
        "seconds_to_all_completed": round(elapsed, 1),
        "jobs_per_minute": round(60 * len(completed) / elapsed, 1),
        "post_latency": percentiles([seconds for _, seconds, _ in answers]),
        "status_calls": len(pollers.latencies),
        "status_errors": pollers.errors,
        "status_latency": percentiles(pollers.latencies),
        **figures,
    }


def run_kill_recovery(args: argparse.Namespace, work: Path, media: str) -> dict[str, Any]:
    import httpx
    import psutil

    from tests.hardening.conftest import render_body
    from tests.server.conftest import (
        Workers,
        free_port,
        make_settings,
        running_app,
        video_facts,
        wait_final,
        wait_until,
    )

    port = free_port()
    settings = make_settings(
        work / "kill",
        mode="rq",
        redis_url=args.redis_url,
        segment_seconds=0,
        job_retries=2,
        public_base_url=f"http://127.0.0.1:{port}",
        allow_private_urls=False,
        video_url_allowlist="127.0.0.1",
    )
    (work / "kill").mkdir(exist_ok=True)
    with (
        Workers(settings, 2, work / "kill") as workers,
        running_app(settings, port) as server,
        httpx.Client(timeout=30) as http,
    ):
        body = render_body(
            "kill-recovery", f"{media}/kill.mp4", options={"width": 1280, "height": 720}
        )
        http.post(f"{server.url}/render", json=body).raise_for_status()
        status_url = f"{server.url}/api/render/kill-recovery/status"
        wait_until(lambda: http.get(status_url).json()["progress"] >= 10, 120, what="progress")
        busy = {}
        for process in workers.processes:
            children = psutil.Process(process.pid).children()
            if children:
                busy[process.pid] = children[0].pid
        [(worker_pid, horse_pid)] = busy.items()
        os.kill(worker_pid, signal.SIGKILL)  # first: it would notice its horse die
        os.kill(horse_pid, signal.SIGKILL)
        killed = time.monotonic()
        final = wait_final(http, server.url, "kill-recovery", timeout=600)
        recovered = time.monotonic() - killed
        facts = video_facts(settings.public_dir / "kill-recovery.mp4")
    return {
        "status": final["status"],
        "seconds_from_kill_to_completed": round(recovered, 1),
        "frames": len(facts.frame_pts_seconds),
        "frames_expected": 120,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--mode", choices=("rq", "standalone"), default="rq")
    parser.add_argument("--workers", type=int, default=2, help="rq workers or pool size")
    parser.add_argument("--pollers", type=int, default=4, help="status-polling clients")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for all to finish")
    parser.add_argument("--kill-recovery", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))

    summary: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="ecg-load-") as tmp:
        work = Path(tmp)
        (work / "media").mkdir()
        (work / "redis").mkdir()
        with media_server(work / "media") as media, contextlib.ExitStack() as stack:
            args.redis_url = None
            if args.mode == "rq" or args.kill_recovery:
                args.redis_url = stack.enter_context(redis_server(work / "redis"))
            summary["load"] = run_load(args, work, media)
            print(json.dumps(summary["load"]), flush=True)
            if args.kill_recovery:
                summary["kill_recovery"] = run_kill_recovery(args, work, media)
    summary["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    load = summary["load"]
    bad = load["lost"] or load["failed"] or load["rendered_twice"] or load["accepted"] < args.jobs
    if args.kill_recovery and summary["kill_recovery"]["status"] != "completed":
        bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
