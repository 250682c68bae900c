"""`ecg-render worker`: an rq worker for the render queue (rq mode).

    ecg-render worker [--burst] [--name NAME]

Settings (REDIS_URL, QUEUE_NAME, STORAGE...) come from the environment or `.env`; every
worker and the API must share them (and, with STORAGE=local, the STORAGE_DIR file system).

rq forks a work horse per job, and CUDA must never be initialised before a fork: this process
only imports the render code (no CUDA at import); the capability probe (does NVENC open, does
CuPy see a GPU) runs in a short-lived child process and its answer is published in Redis for
/health. Jobs whose work horse dies (out of memory, killed) are marked failed once rq has no
retry left; jobs whose worker died with them are found abandoned by another worker's
maintenance (every minute, once rq's 90 s heartbeat has lapsed) and retried or failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import uuid
from typing import Any

log = logging.getLogger("ecg_render.worker")
_MAINTENANCE_SECONDS = 60
_PROBE = "import json; from server.service.render_job import probe_capabilities as p; print(json.dumps(p()))"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run an rq worker for the render queue",
        description="Process render jobs from Redis (REDIS_URL, QUEUE_NAME) until stopped.",
    )
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--name", help="worker name (default: host-pid-random)")
    parser.add_argument(
        "--log-level", default="INFO", choices=("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
    )
    parser.set_defaults(run=run)


def probe_in_child(timeout_seconds: float = 120.0) -> dict[str, Any]:
    """probe_capabilities() in a throwaway interpreter, so CUDA never starts here."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        log.warning("capability probe failed: %s", exc)
        return {"encoders": {}, "nvenc": False, "cupy": False, "error": str(exc)}


def run(args: argparse.Namespace) -> int:
    import redis
    from rq import Queue, Worker

    # Loaded once here and inherited by every work horse (imports touch no CUDA).
    import engine.overlay  # noqa: F401
    import motiontext.parse  # noqa: F401
    import server.service.rq_tasks  # noqa: F401
    from server.service.rq_tasks import META_JOB_ID, capabilities_key
    from server.service.settings import get_settings
    from server.service.url_safety import ssl_context

    ssl_context()  # the CA bundle, loaded once for every work horse's input relay

    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    if settings.mode != "rq":
        settings = settings.model_copy(update={"mode": "rq"})
    connection = redis.Redis.from_url(settings.redis_url)
    name = args.name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    key = capabilities_key(settings)
    connection.hset(key, name, json.dumps(probe_in_child()))

    def horse_killed(job: Any, pid: int, status: int, rusage: Any) -> None:
        job_id = (job.meta or {}).get(META_JOB_ID)
        if not job_id:
            return
        # The horse's scratch folder (its partial output): nobody else will remove it.
        piece = {"single_job": "whole", "merge_job": "merge"}.get(job.func_name.rsplit(".")[-1])
        if piece is None and job.func_name.endswith("segment_job") and len(job.args) > 1:
            piece = f"seg{job.args[1]}"
        if piece is not None:
            shutil.rmtree(settings.scratch_dir / f"{job_id}.{piece}", ignore_errors=True)
        if not job.retries_left:
            from server.service.render_job import build_context

            ctx = build_context(settings)
            ctx.store.fail(
                job_id, "RENDER_FAILED", f"the render process died (wait status {status})"
            )

    queue = Queue(settings.queue_name, connection=connection)
    worker = Worker(
        [queue],
        connection=connection,
        name=name,
        work_horse_killed_handler=horse_killed,
        # rq's default is 10 minutes: jobs of a worker that died with its machine are found
        # abandoned (and retried or failed) within about this plus the 90 s heartbeat. An
        # idle worker blocks in the dequeue for worker_ttl - 15 s, so that bounds it too.
        maintenance_interval=_MAINTENANCE_SECONDS,
        worker_ttl=_MAINTENANCE_SECONDS + 15,
    )
    try:
        worker.work(burst=args.burst, logging_level=args.log_level)
    finally:
        connection.hdel(key, name)
    return 0
