"""rq mode: the job functions workers run, and the queue the API submits to.

One render becomes a small graph of rq jobs::

    plan ──> single                                  (short video, or no clean cut)
    plan ──> segment 0 .. segment N-1 ──> merge      (merge depends_on every segment)

``plan`` probes the source and picks keyframe cuts (server.service.segments); each ``segment`` job
renders its piece on whatever worker takes it and stores the result as a work file; ``merge``
joins the pieces by stream copy, muxes the source audio once and publishes. Timeouts scale
with the video's length (``JOB_TIMEOUT_BASE_SECONDS`` + ``JOB_TIMEOUT_PER_VIDEO_SECOND`` x
seconds). Transient failures are retried by rq (``JOB_RETRIES``); any final failure is
recorded in the job store and the render's other rq jobs are cancelled. A cancelled job stops
every running piece within ~0.2 s (server.service.render_job.CancelWatch) and publishes nothing.

Job functions run in rq's forked work horse, so CUDA (NVENC, CuPy) is first touched there,
never in the worker process that forks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from fractions import Fraction
from typing import Any

from engine.cancel import CancelToken
from server.service.jobs import JobStatus
from server.service.render_job import (
    CancelWatch,
    ServiceContext,
    build_context,
    output_name,
    publish_result,
    record_failure,
    render_piece,
    resolve_input,
    run_whole_job,
    video_options,
)
from server.service.segments import (
    OffsetOverlay,
    Segment,
    SegmentPlan,
    concat_segments,
    extract_segment,
    plan_segments,
)
from server.service.settings import Settings, get_settings

log = logging.getLogger("ecg_render.rq")
PLAN_TIMEOUT_SECONDS = 600
META_JOB_ID = "ecg_job_id"


def _context() -> ServiceContext:
    return build_context(get_settings())


def rq_job_failed(job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    """rq's failure callback of every render job. Errors raised by the job were recorded by
    _guard already; this covers the job whose worker died with it (killed, machine lost):
    rq finds it abandoned, retries it while tries are left, and after the last one the job
    must not stay "processing" forever."""
    job_id = (job.meta or {}).get(META_JOB_ID)
    if not job_id or (job.retries_left or 0) > 0:
        return
    ctx = _context()
    name = getattr(exc_type, "__name__", str(exc_type))
    if ctx.store.fail(job_id, "RENDER_FAILED", f"the render worker died ({name}); no tries left"):
        _abandon(ctx, job_id)


def _on_failure() -> Any:
    from rq import Callback

    return Callback(rq_job_failed)


def _can_retry() -> bool:
    from rq import get_current_job

    job = get_current_job()
    return bool(job is not None and job.retries_left)


@contextlib.contextmanager
def _guard(ctx: ServiceContext, job_id: str) -> Iterator[None]:
    """Apply the error policy of server.service.render_job; on a final failure, cancel the render's
    other rq jobs so nothing waits on a piece that will never come."""
    try:
        yield
    except Exception as exc:
        from rq.timeouts import JobTimeoutException

        if isinstance(exc, JobTimeoutException):
            ctx.store.fail(job_id, "RENDER_FAILED", f"render timed out: {exc}")
            _abandon(ctx, job_id)
            return
        if record_failure(ctx, job_id, exc, _can_retry()):
            raise  # rq tries this job again; the render's other jobs wait for it
        _abandon(ctx, job_id)


# -- job functions (run in a work horse) --


def plan_job(job_id: str) -> None:
    """Probe the source, then enqueue the single render or the segments and the merge."""
    ctx = _context()
    record = ctx.store.get(job_id)
    if record is None or not ctx.store.start(job_id):
        return
    with _guard(ctx, job_id):
        settings = ctx.settings
        input_url = resolve_input(settings, record.request["video_url"])
        options = video_options(settings, record.request)
        plan = plan_segments(
            input_url, options.fps, settings.segment_seconds, settings.input_open_timeout_seconds
        )
        ctx.store.set_frames_total(job_id, plan.frames_estimate)
        ctx.store.put_data(job_id, "plan", _plan_to_json(plan))
        if ctx.store.get(job_id).status is not JobStatus.PROCESSING:  # type: ignore[union-attr]
            return  # cancelled while probing
        _enqueue_graph(ctx, job_id, plan)


def single_job(job_id: str) -> None:
    ctx = _context()
    run_whole_job(ctx, job_id, CancelToken(), can_retry=_can_retry())
    record = ctx.store.get(job_id)
    if record is not None and record.status is JobStatus.FAILED:
        _abandon(ctx, job_id)


def segment_job(job_id: str, index: int) -> None:
    """Render piece ``index`` and store it as the work file ``seg-<index>.<ext>``."""
    ctx = _context()
    record = ctx.store.get(job_id)
    if record is None or record.status is not JobStatus.PROCESSING:
        return
    plan = _plan_from_json(record.data["plan"])
    segment = plan.segments[index]
    scratch = ctx.settings.scratch_dir / f"{job_id}.seg{index}"
    cancel = CancelToken()
    try:
        with _guard(ctx, job_id), CancelWatch(ctx.store, job_id, cancel):
            scratch.mkdir(parents=True, exist_ok=True)
            input_url = resolve_input(ctx.settings, record.request["video_url"])
            piece = extract_segment(input_url, segment, scratch / "input.mp4", cancel)
            name = _piece_name(index, record.request)
            output = scratch / name
            render_piece(
                ctx,
                job_id,
                record.request,
                str(piece),
                output,
                cancel,
                part=index,
                whole=False,
                wrap_overlay=lambda o: OffsetOverlay(o, segment),
            )
            cancel.raise_if_cancelled()
            ctx.storage.put_work(job_id, name, output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def merge_job(job_id: str) -> None:
    """Join the pieces, mux the source audio, publish."""
    ctx = _context()
    record = ctx.store.get(job_id)
    if record is None or record.status is not JobStatus.PROCESSING:
        ctx.storage.delete_work(job_id)
        return
    plan = _plan_from_json(record.data["plan"])
    scratch = ctx.settings.scratch_dir / f"{job_id}.merge"
    cancel = CancelToken()
    try:
        with _guard(ctx, job_id), CancelWatch(ctx.store, job_id, cancel):
            scratch.mkdir(parents=True, exist_ok=True)
            parts = [
                ctx.storage.get_work(job_id, _piece_name(s.index, record.request), scratch)
                for s in plan.segments
            ]
            input_url = resolve_input(ctx.settings, record.request["video_url"])
            name = output_name(job_id, record.request)
            output = scratch / name
            merged = concat_segments(parts, plan, input_url, output, cancel)
            publish_result(ctx, job_id, output, name, merged.duration_seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        record = ctx.store.get(job_id)
        if record is None or record.status is not JobStatus.PROCESSING:
            ctx.storage.delete_work(job_id)


# -- graph --


def _rq_id(prefix: str, job_id: str, step: str) -> str:
    """rq ids allow only [A-Za-z0-9_-] while job ids may hold dots: use a digest (of the
    prefix too, since rq's keys are shared by every service on the Redis)."""
    digest = hashlib.sha256(f"{prefix}:{job_id}".encode()).hexdigest()
    return f"ecg-{digest[:32]}-{step}"


def _enqueue_graph(ctx: ServiceContext, job_id: str, plan: SegmentPlan) -> None:
    from rq import Queue, Retry

    settings = ctx.settings
    queue = Queue(settings.queue_name, connection=_redis(ctx))
    retry = Retry(max=settings.job_retries) if settings.job_retries else None
    meta = {META_JOB_ID: job_id}
    common: dict[str, Any] = {
        "retry": retry,
        "on_failure": _on_failure(),
        "meta": meta,
        "result_ttl": 3600,
        "failure_ttl": 86400,
    }
    if len(plan.segments) == 1:
        timeout = settings.job_timeout_seconds(plan.duration_seconds)
        queue.enqueue(
            single_job,
            job_id,
            job_id=_rq_id(settings.redis_prefix, job_id, "single"),
            job_timeout=timeout,
            **common,
        )
        ctx.store.put_data(
            job_id, "rq_ids", json.dumps([_rq_id(settings.redis_prefix, job_id, "single")])
        )
        return
    ids = [_rq_id(settings.redis_prefix, job_id, f"seg{s.index}") for s in plan.segments]
    ctx.store.put_data(
        job_id, "rq_ids", json.dumps([*ids, _rq_id(settings.redis_prefix, job_id, "merge")])
    )
    seg_jobs = []
    for segment, rq_id in zip(plan.segments, ids):
        seconds = _segment_seconds(plan, segment)
        seg_jobs.append(
            queue.enqueue(
                segment_job,
                job_id,
                segment.index,
                job_id=rq_id,
                job_timeout=settings.job_timeout_seconds(seconds),
                **common,
            )
        )
    # Stream copy: the merge costs about a second per minute of video, not a render.
    merge_timeout = settings.job_timeout_base_seconds + int(plan.duration_seconds or 3600)
    queue.enqueue(
        merge_job,
        job_id,
        job_id=_rq_id(settings.redis_prefix, job_id, "merge"),
        depends_on=seg_jobs,
        job_timeout=merge_timeout,
        **common,
    )


def _segment_seconds(plan: SegmentPlan, segment: Segment) -> float | None:
    if segment.end_pts is None:
        if plan.duration_seconds is None:
            return None
        return max(0.0, plan.duration_seconds - segment.t_offset_seconds)
    return float((segment.end_pts - segment.start_pts) * plan.time_base)


def _abandon(ctx: ServiceContext, job_id: str) -> None:
    """Cancel the render's rq jobs that have not started (best effort)."""
    record = ctx.store.get(job_id)
    if record is None or "rq_ids" not in record.data:
        return
    cancel_rq_jobs(_redis(ctx), json.loads(record.data["rq_ids"]))


def cancel_rq_jobs(connection: Any, rq_ids: list[str]) -> None:
    from rq.job import Job

    for rq_id in rq_ids:
        with contextlib.suppress(Exception):  # gone, finished or already running: fine
            job = Job.fetch(rq_id, connection=connection)
            if job.get_status() in ("queued", "deferred", "scheduled"):
                job.cancel()


def _redis(ctx: ServiceContext) -> Any:
    return ctx.store.redis  # type: ignore[attr-defined]


def _piece_name(index: int, request: dict[str, Any]) -> str:
    return f"seg-{index:05d}.{(request.get('options') or {}).get('format', 'mp4')}"


def _plan_to_json(plan: SegmentPlan) -> str:
    return json.dumps(
        {
            "segments": [asdict(s) for s in plan.segments],
            "time_base": str(plan.time_base),
            "duration_seconds": plan.duration_seconds,
            "frames_estimate": plan.frames_estimate,
            "rate": str(plan.rate),
        }
    )


def _plan_from_json(text: str) -> SegmentPlan:
    data = json.loads(text)
    return SegmentPlan(
        segments=tuple(Segment(**s) for s in data["segments"]),
        time_base=Fraction(data["time_base"]),
        duration_seconds=data["duration_seconds"],
        frames_estimate=data["frames_estimate"],
        rate=Fraction(data["rate"]),
    )


# -- the API side --


class RqJobQueue:
    """The JobQueue of rq mode: submits plan jobs, reads rq's registries and workers."""

    mode = "rq"

    def __init__(self, ctx: ServiceContext):
        from rq import Queue

        self.ctx = ctx
        self.connection = _redis(ctx)
        self.queue = Queue(ctx.settings.queue_name, connection=self.connection)

    def submit(self, job_id: str) -> None:
        self.queue.enqueue(
            plan_job,
            job_id,
            job_id=_rq_id(self.ctx.settings.redis_prefix, job_id, "plan"),
            job_timeout=PLAN_TIMEOUT_SECONDS,
            meta={META_JOB_ID: job_id},
            on_failure=_on_failure(),
            result_ttl=3600,
            failure_ttl=86400,
        )

    def cancel(self, job_id: str) -> None:
        record = self.ctx.store.get(job_id)
        ids = [_rq_id(self.ctx.settings.redis_prefix, job_id, "plan")]
        if record is not None and "rq_ids" in record.data:
            ids += json.loads(record.data["rq_ids"])
        cancel_rq_jobs(self.connection, ids)

    def depth(self) -> int:
        return int(self.queue.count)

    def counts(self) -> dict[str, Any]:
        return {
            "queued": self.queue.count,
            "started": self.queue.started_job_registry.count,
            "finished": self.queue.finished_job_registry.count,
            "failed": self.queue.failed_job_registry.count,
            "deferred": self.queue.deferred_job_registry.count,
        }

    def workers(self) -> list[dict[str, Any]]:
        from rq import Worker

        caps = worker_capabilities(self.connection, self.ctx.settings)
        return [
            {"name": w.name, "state": str(w.get_state()), "capabilities": caps.get(w.name)}
            for w in Worker.all(queue=self.queue)
        ]

    def capabilities(self) -> dict[str, Any]:
        """The union of what the live workers reported (see server.cli.worker)."""
        merged: dict[str, Any] = {"encoders": {}, "nvenc": False, "cupy": False}
        for worker in self.workers():
            caps = worker.get("capabilities") or {}
            for name, ok in (caps.get("encoders") or {}).items():
                merged["encoders"][name] = merged["encoders"].get(name, False) or ok
            merged["nvenc"] = merged["nvenc"] or bool(caps.get("nvenc"))
            merged["cupy"] = merged["cupy"] or bool(caps.get("cupy"))
        return merged

    def shutdown(self) -> None:
        pass


def capabilities_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}:worker-capabilities"


def worker_capabilities(connection: Any, settings: Settings) -> dict[str, Any]:
    raw = connection.hgetall(capabilities_key(settings))
    return {k.decode(): json.loads(v) for k, v in raw.items()}
