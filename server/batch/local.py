"""Local execution: a pool of spawned render processes (``--jobs N``).

Each worker process imports the render stack once and renders one job at a time into the
batch's work folder (the pipeline writes a temporary file and renames it when complete); the
runner then moves the file onto the job's output. Processes, not threads: every render keeps
its own interpreter busy (overlay rasterising is Python). ``spawn``, not ``fork``: the
runner has threads, and CUDA (NVENC, CuPy) must never be initialised before a fork.

Workers

* ignore SIGINT: Ctrl-C reaches the terminal's whole process group, and the runner decides
  (it sets the shared stop event; each worker then cancels its render, which removes its
  temporary file);
* exit at once when the runner process disappears (``kill -9``, out of memory): nobody would
  collect their result, and a rerun must not find them still writing into the folder;
* send progress on a queue, at most four messages a second per job.

Options are the service's (:func:`server.service.render_job.video_options` of the line's request and
the environment's settings: ENCODER, PRESET, ARRAY_BACKEND, input timeouts), so a local batch
renders exactly what the service would.
"""

from __future__ import annotations

import collections
import importlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.cancel import CancelToken
from engine.video_options import VideoOptions
from motiontext.errors import CancelledError, RenderError
from server.batch.job import JobEvents, JobOutcome, JobProgress, PlannedJob
from server.batch.report import LineStatus
from server.service.settings import Settings

_POLL_SECONDS = 0.2  # the runner's loop, and each worker's watch over its parent and stop
_PROGRESS_SECONDS = 0.25
_EXIT_ORPHANED = 70
_RENDER_STACK = ("engine.host_page", "engine.pipeline", "motiontext.parse")


@dataclass(frozen=True, slots=True)
class LocalTask:
    """What a worker process needs for one render (pickled to it)."""

    job_id: str
    input_url: str
    scenario: dict[str, Any]
    options: VideoOptions
    output_path: str
    host_style: str = "bare"
    font_dirs: tuple[str, ...] = ()


# -- in the worker processes --

_events: Any = None  # multiprocessing queue of (job_id, frames_done, frames_total, fps, eta)
_stop: Any = None  # multiprocessing event: the batch is being interrupted
_current: CancelToken | None = None


def _init_worker(events: Any, stop: Any, parent_pid: int) -> None:
    global _events, _stop
    _events, _stop = events, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent_pid,), name="ecg-batch-watch", daemon=True).start()
    for module in _RENDER_STACK:  # loaded once per process, before the first job
        importlib.import_module(module)


def _watch(parent_pid: int) -> None:
    while True:
        time.sleep(_POLL_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(_EXIT_ORPHANED)
        token = _current
        if token is not None and _stop.is_set():
            token.cancel("the batch was interrupted")


def render_task(task: LocalTask) -> JobOutcome:
    """Render one job in this worker process; never raises for a render's own errors."""
    global _current
    from engine.host_page import HostPage
    from engine.pipeline import Progress, render_video
    from motiontext.parse import load_scenario

    token = CancelToken()
    _current = token
    if _stop is not None and _stop.is_set():
        token.cancel("the batch was interrupted")
    started = time.monotonic()
    last_sent = -_PROGRESS_SECONDS

    def on_progress(progress: Progress) -> None:
        nonlocal last_sent
        final = bool(progress.frames_total) and progress.frames_done >= progress.frames_total
        if progress.elapsed_seconds - last_sent >= _PROGRESS_SECONDS or final:
            last_sent = progress.elapsed_seconds
            _events.put(
                (
                    task.job_id,
                    progress.frames_done,
                    progress.frames_total,
                    progress.fps,
                    progress.eta_seconds,
                )
            )

    warnings: tuple[str, ...] = ()
    try:
        scenario = load_scenario(task.scenario)
        page = HostPage.from_options(task.host_style, task.font_dirs)
        warnings = tuple(page.warnings(scenario))
        result = render_video(
            task.input_url,
            task.output_path,
            page.video_overlay(scenario, task.options.fps),
            task.options,
            on_progress if _events is not None else None,
            token,
        )
    except CancelledError as exc:
        return JobOutcome(task.job_id, LineStatus.INTERRUPTED, error=str(exc), error_code=exc.code)
    except RenderError as exc:
        return _failed(task.job_id, exc, time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 (reported as the line's failure, batch goes on)
        return _failed(task.job_id, exc, time.monotonic() - started)
    finally:
        _current = None
    return JobOutcome(
        task.job_id,
        LineStatus.SUCCEEDED,
        seconds=result.elapsed_seconds,
        fps=result.frames / result.elapsed_seconds if result.elapsed_seconds > 0 else None,
        frames=result.frames,
        artifact=Path(task.output_path),
        warnings=warnings,
    )


def _failed(job_id: str, exc: BaseException, seconds: float | None = None) -> JobOutcome:
    if isinstance(exc, RenderError):
        return JobOutcome(
            job_id, LineStatus.FAILED, seconds=seconds, error=str(exc), error_code=exc.code
        )
    message = f"internal error: {type(exc).__name__}: {exc}"
    return JobOutcome(
        job_id, LineStatus.FAILED, seconds=seconds, error=message, error_code="RENDER_FAILED"
    )


# -- in the runner --


class LocalExecutor:
    """Runs planned jobs ``workers`` at a time in spawned processes."""

    mode = "local"

    def __init__(self, settings: Settings, workers: int, work_dir: Path):
        self.settings = settings
        self.workers = max(1, workers)
        self.work_dir = work_dir

    def task(self, job: PlannedJob) -> LocalTask:
        """The worker's instructions; raises RenderError for options or inputs that cannot
        work (reported as the job's failure)."""
        from server.service.render_job import host_page, video_options
        from server.service.storage import presign_s3_url

        item = job.item
        input_url = item.video
        if input_url.lower().startswith("s3://"):
            input_url = presign_s3_url(self.settings, input_url)
        return LocalTask(
            job_id=item.job_id,
            input_url=input_url,
            scenario=item.scenario,
            options=video_options(self.settings, item.request),
            output_path=str(self.work_dir / item.output_name),
            host_style=host_page(self.settings, item.options).style_name,
            font_dirs=tuple(str(d) for d in self.settings.font_dir_paths),
        )

    def run(self, jobs: list[PlannedJob], events: JobEvents, stop: threading.Event) -> None:
        """Run every job (or mark it interrupted once ``stop`` is set); returns when each
        has had its ``events.finished``."""
        if not jobs:
            return
        context = multiprocessing.get_context("spawn")
        progress_queue = context.Queue()
        stop_workers = context.Event()
        pending = collections.deque(jobs)
        running: dict[Future[JobOutcome], PlannedJob] = {}
        size = min(self.workers, len(jobs))

        def new_pool() -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=size,
                mp_context=context,
                initializer=_init_worker,
                initargs=(progress_queue, stop_workers, os.getpid()),
            )

        pool = new_pool()
        try:
            while pending or running:
                if stop.is_set():
                    stop_workers.set()
                    while pending:
                        job = pending.popleft()
                        message = "the batch was interrupted before this job started"
                        events.finished(
                            job, JobOutcome(job.job_id, LineStatus.INTERRUPTED, error=message)
                        )
                while pending and len(running) < size and not stop.is_set():
                    job = pending.popleft()
                    try:
                        task = self.task(job)
                    except RenderError as exc:
                        events.finished(job, _failed(job.job_id, exc))
                        continue
                    running[pool.submit(render_task, task)] = job
                    events.started(job)
                if not running:
                    continue
                done, _ = wait(running, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                _drain(progress_queue, events)
                broken = False
                for future in done:
                    job = running.pop(future)
                    outcome, died = _outcome(job, future)
                    broken = broken or died
                    events.finished(job, outcome)
                if broken:
                    # Every job of a broken pool fails; the rest of the batch gets a new pool.
                    for future, job in list(running.items()):
                        del running[future]
                        events.finished(job, _outcome(job, future, wait_seconds=30)[0])
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_pool()
        finally:
            stop_workers.set()
            pool.shutdown(wait=True, cancel_futures=True)
            _drain(progress_queue, None)
            progress_queue.close()
            progress_queue.join_thread()


def _outcome(
    job: PlannedJob, future: Future[JobOutcome], wait_seconds: float | None = None
) -> tuple[JobOutcome, bool]:
    """The future's outcome, and whether its process died (the pool is broken then)."""
    try:
        return future.result(timeout=wait_seconds), False
    except BrokenProcessPool:
        message = "a render process died (killed, or out of memory), and its pool with it"
        return JobOutcome(
            job.job_id, LineStatus.FAILED, error=message, error_code="RENDER_FAILED"
        ), True
    except Exception as exc:  # noqa: BLE001 (pickling or pool errors: this job's failure)
        return _failed(job.job_id, exc), False


def _drain(progress_queue: Any, events: JobEvents | None) -> None:
    while True:
        try:
            job_id, frames_done, frames_total, fps, eta = progress_queue.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        if events is not None:
            fraction = frames_done / frames_total if frames_total else None
            events.progress(job_id, JobProgress(fraction, frames_done, frames_total, fps, eta))
