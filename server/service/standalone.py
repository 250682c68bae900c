"""Standalone execution: jobs run in this process on a bounded pool, no Redis needed.

At most ``MAX_CONCURRENT_JOBS`` renders run at once (each is itself three threads, see
engine.pipeline); up to ``MAX_QUEUED_JOBS`` more wait in order, beyond that ``submit`` raises
:class:`QueueFullError` (the API answers 503). Cancelling a job stops its render at the next
frame (the token is shared with the pipeline) or drops it from the waiting line.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from engine.cancel import CancelToken
from server.service.render_job import ServiceContext, run_whole_job

log = logging.getLogger("ecg_render.standalone")


class QueueFullError(Exception):
    """More jobs are waiting than MAX_QUEUED_JOBS allows."""


class StandaloneExecutor:
    """The JobQueue of standalone mode."""

    mode = "standalone"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx
        self.max_workers = ctx.settings.max_concurrent_jobs
        self.max_queued = ctx.settings.max_queued_jobs
        self._pool = ThreadPoolExecutor(self.max_workers, thread_name_prefix="ecg-render")
        self._lock = threading.Lock()
        self._tokens: dict[str, CancelToken] = {}
        self._running: set[str] = set()
        self._finished = 0
        self._failed = 0

    def submit(self, job_id: str) -> None:
        with self._lock:
            if len(self._tokens) - len(self._running) >= self.max_queued:
                raise QueueFullError(f"{self.max_queued} jobs are already waiting")
            token = CancelToken()
            self._tokens[job_id] = token
        future = self._pool.submit(self._run, job_id, token)
        future.add_done_callback(lambda f: self._done(job_id, f))

    def _run(self, job_id: str, token: CancelToken) -> None:
        with self._lock:
            self._running.add(job_id)
        run_whole_job(self.ctx, job_id, token)

    def _done(self, job_id: str, future: Future[None]) -> None:
        record = self.ctx.store.get(job_id)
        with self._lock:
            self._tokens.pop(job_id, None)
            self._running.discard(job_id)
            failed = future.exception() is not None or (
                record is not None and record.status.value == "failed"
            )
            if failed:
                self._failed += 1
            else:
                self._finished += 1
        if future.exception() is not None:
            log.error("job %s crashed", job_id, exc_info=future.exception())

    def cancel(self, job_id: str) -> None:
        with self._lock:
            token = self._tokens.get(job_id)
        if token is not None:
            token.cancel("cancelled on request")

    def depth(self) -> int:
        with self._lock:
            return len(self._tokens) - len(self._running)

    def counts(self) -> dict[str, Any]:
        with self._lock:
            return {
                "queued": len(self._tokens) - len(self._running),
                "started": len(self._running),
                "finished": self._finished,
                "failed": self._failed,
            }

    def workers(self) -> list[dict[str, Any]]:
        with self._lock:
            busy = len(self._running)
        return [
            {"name": f"in-process-{i}", "state": "busy" if i < busy else "idle"}
            for i in range(self.max_workers)
        ]

    def capabilities(self) -> dict[str, Any]:
        from server.service.render_job import probe_capabilities

        return probe_capabilities()  # jobs run in this process: its own answer is the truth

    def shutdown(self) -> None:
        """Cancel everything and wait for the running renders to stop."""
        with self._lock:
            tokens = list(self._tokens.values())
        for token in tokens:
            token.cancel("service shutting down")
        self._pool.shutdown(wait=True, cancel_futures=True)
