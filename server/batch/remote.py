"""rq mode (``--redis URL``): submit to the render cluster, follow it, collect the files.

Jobs enter the cluster exactly as ``POST /render`` puts them there: a record in the service's
job store (:class:`server.service.redis_store.RedisJobStore`) and a plan job on its queue
(:meth:`server.service.rq_tasks.RqJobQueue.submit`); the workers cannot tell a batch job from an API
job. The batch reads the same settings as the workers (REDIS_PREFIX, QUEUE_NAME, STORAGE,
STORAGE_DIR, S3_*; ``--redis`` overrides REDIS_URL). Local video paths are sent as absolute
paths: the workers need ALLOW_LOCAL_INPUTS and the same file system.

Cluster job ids are ``<job_id>.<first 12 hex of the input hash>`` (``.<n>`` appended for the
n-th submission after failures), so the same inputs always map to the same cluster job: a
rerun of an interrupted batch follows the jobs that are still running, or collects those that
finished, instead of rendering them again.

Finished files are copied from the shared ``STORAGE_DIR/public`` when it is visible here,
otherwise downloaded from the job's ``download_url`` (``/files/...`` of the API, or a
presigned S3 URL). Interrupting the batch leaves its cluster jobs running.
"""

from __future__ import annotations

import collections
import shutil
import threading
import time
import urllib.parse
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

from motiontext.errors import InputError, RenderError, StorageError
from server.batch.job import JobEvents, JobOutcome, JobProgress, PlannedJob
from server.batch.report import LineStatus
from server.service.jobs import PROGRESS_BEFORE_PUBLISH, JobRecord, JobStatus
from server.service.settings import Settings

_POLL_SECONDS = 0.3
_REDIS_PATIENCE_SECONDS = 30.0  # Redis may be away this long before the batch gives up
_DOWNLOAD_THREADS = 4
_SUBMIT_BURST = 100  # the state file is written after this many submissions (and at the end)
_DOWNLOAD_TIMEOUT_SECONDS = 60.0
_MAX_ID = 128  # server.service.schemas.JOB_ID_PATTERN


def remote_job_id(job_id: str, input_hash: str, attempt: int = 1) -> str:
    """The cluster job id of ``job_id``'s ``attempt``-th submission with these inputs."""
    suffix = f".{input_hash[:12]}" + (f".{attempt}" if attempt > 1 else "")
    return job_id[: _MAX_ID - len(suffix)] + suffix


@dataclass(slots=True)
class _Active:
    job: PlannedJob
    remote_id: str


class RqExecutor:
    """Submits planned jobs to the rq cluster (at most ``max_in_flight`` at once, None = all)
    and reports them as the cluster progresses."""

    mode = "rq"

    def __init__(
        self,
        settings: Settings,
        work_dir: Path,
        *,
        max_in_flight: int | None = None,
        retry_failed: bool = False,
    ):
        self.settings = settings
        self.work_dir = work_dir
        self.max_in_flight = max_in_flight
        self.retry_failed = retry_failed

    def run(self, jobs: list[PlannedJob], events: JobEvents, stop: threading.Event) -> None:
        from server.service.render_job import build_context
        from server.service.rq_tasks import RqJobQueue

        if not jobs:
            return
        ctx = build_context(self.settings)
        self._store: Any = ctx.store
        try:
            self._store.redis.ping()
        except redis.RedisError as exc:
            where = _without_password(self.settings.redis_url)
            raise InputError(f"cannot reach Redis at {where}: {exc}") from None
        self._queue = RqJobQueue(ctx)
        pending = collections.deque(jobs)
        active: dict[str, _Active] = {}
        downloads: dict[Future[None], tuple[_Active, JobRecord, float | None]] = {}
        unreachable_since: float | None = None
        reason = "the batch was interrupted"
        with ThreadPoolExecutor(_DOWNLOAD_THREADS, thread_name_prefix="ecg-batch-fetch") as fetch:
            while pending or active or downloads:
                if stop.is_set():
                    break
                try:
                    submitted = 0
                    while pending and (
                        self.max_in_flight is None
                        or len(active) + len(downloads) < self.max_in_flight
                    ):
                        job = pending[0]
                        remote_id, attempt = self._submit(job)
                        pending.popleft()
                        active[remote_id] = _Active(job, remote_id)
                        events.submitted(job, remote_id, attempt)
                        events.started(job)
                        submitted += 1
                        if submitted % _SUBMIT_BURST == 0:
                            events.checkpoint()
                    if submitted:
                        events.checkpoint()
                    for entry in list(active.values()):
                        record = self._store.get(entry.remote_id)
                        if self._follow(entry, record, events):
                            continue
                        del active[entry.remote_id]
                        if record is not None and record.status is JobStatus.COMPLETED:
                            seconds = _seconds_since(record.started_at)
                            future = fetch.submit(self._fetch, entry, record)
                            downloads[future] = (entry, record, seconds)
                    unreachable_since = None
                except redis.RedisError as exc:
                    now = time.monotonic()
                    unreachable_since = unreachable_since or now
                    if now - unreachable_since > _REDIS_PATIENCE_SECONDS:
                        where = _without_password(self.settings.redis_url)
                        reason = f"lost Redis at {where}: {exc}"
                        break
                for future in [f for f in downloads if f.done()]:
                    entry, record, seconds = downloads.pop(future)
                    events.finished(entry.job, self._collected(entry, record, seconds, future))
                stop.wait(_POLL_SECONDS)
            for future, (entry, record, seconds) in list(downloads.items()):
                events.finished(entry.job, self._collected(entry, record, seconds, future))
        for entry in active.values():
            message = f"{reason}; the cluster job {entry.remote_id} goes on, rerun to collect it"
            events.finished(
                entry.job, JobOutcome(entry.job.job_id, LineStatus.INTERRUPTED, error=message)
            )
        for job in pending:
            message = f"{reason} before this job was submitted"
            events.finished(job, JobOutcome(job.job_id, LineStatus.INTERRUPTED, error=message))

    # -- steps --

    def _request(self, job: PlannedJob) -> dict:
        """The line's request, its host style made explicit: a line that names none gets
        this batch's (``--host-style``, HOST_STYLE), not the workers' default."""
        request = job.item.request
        options = request["options"]
        if options.get("host_style"):
            return request
        return {**request, "options": {**options, "host_style": self.settings.host_style}}

    def _submit(self, job: PlannedJob) -> tuple[str, int]:
        """Create and queue the cluster job, or find the one these inputs already have."""
        from rq.job import Job

        from server.service.rq_tasks import _rq_id

        attempt = job.attempt
        while True:
            remote_id = remote_job_id(job.job_id, job.input_hash, attempt)
            if self._store.create(remote_id, self._request(job), None):
                self._queue.submit(remote_id)
                return remote_id, attempt
            record = self._store.get(remote_id)
            if record is None:
                continue  # expired between the two calls: create it again
            if record.status in (JobStatus.FAILED, JobStatus.CANCELLED) and self.retry_failed:
                attempt += 1
                continue
            plan_id = _rq_id(self.settings.redis_prefix, remote_id, "plan")
            if record.status is JobStatus.QUEUED and not Job.exists(plan_id, self._store.redis):
                self._queue.submit(remote_id)  # an earlier batch died between the two steps
            return remote_id, attempt

    def _follow(self, entry: _Active, record: JobRecord | None, events: JobEvents) -> bool:
        """Report the job's progress; False once it left the cluster's active states (the
        caller collects a completed job, failures are reported here)."""
        job = entry.job
        if record is None:
            message = f"the cluster job {entry.remote_id} is gone (expired, or Redis was flushed)"
            events.finished(
                job,
                JobOutcome(
                    job.job_id, LineStatus.FAILED, error=message, error_code="RENDER_FAILED"
                ),
            )
            return False
        snapshot = record.snapshot
        if record.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            outcome = JobOutcome(
                job.job_id,
                LineStatus.FAILED,
                seconds=_seconds_since(record.started_at),
                error=snapshot.error_message
                or f"the cluster job {entry.remote_id} {record.status}",
                error_code=snapshot.error_code or "RENDER_FAILED",
            )
            events.finished(job, outcome)
            return False
        if record.status is JobStatus.COMPLETED:
            return False
        if record.status is JobStatus.QUEUED:
            events.progress(job.job_id, JobProgress(None, phase="queued in the cluster"))
            return True
        total = record.frames_total
        done = None
        fps = None
        if total:
            done = round(
                total * min(snapshot.progress, PROGRESS_BEFORE_PUBLISH) / PROGRESS_BEFORE_PUBLISH
            )
            elapsed = _seconds_since(record.started_at)
            fps = done / elapsed if elapsed else None
        progress = JobProgress(
            snapshot.progress / 100, done, total, fps, snapshot.estimated_time_remaining
        )
        events.progress(job.job_id, progress)
        return True

    def _fetch(self, entry: _Active, record: JobRecord) -> None:
        """Copy or download the published file into the work folder (runs in a thread)."""
        from server.service.render_job import output_name

        name = output_name(entry.remote_id, record.request)
        destination = self.work_dir / entry.job.item.output_name
        temporary = destination.with_name(f".{destination.name}.download")
        shared = self.settings.public_dir / name
        try:
            if self.settings.storage == "local" and shared.is_file():
                shutil.copyfile(shared, temporary)
            else:
                url = record.snapshot.download_url
                if not url:
                    raise StorageError(f"the cluster job {entry.remote_id} has no download_url")
                with (
                    httpx.stream(
                        "GET", url, timeout=_DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True
                    ) as response,
                    open(temporary, "wb") as handle,
                ):
                    response.raise_for_status()
                    handle.writelines(response.iter_bytes(1 << 20))
            size = temporary.stat().st_size
            expected = record.snapshot.file_size
            if expected is not None and size != expected:
                raise StorageError(
                    f"{name}: expected {expected} bytes from the cluster, but got {size}"
                )
            temporary.replace(destination)
        except (OSError, httpx.HTTPError) as exc:
            temporary.unlink(missing_ok=True)
            raise StorageError(f"collecting {name} failed: {exc}") from exc
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def _collected(
        self, entry: _Active, record: JobRecord, seconds: float | None, future: Future[None]
    ) -> JobOutcome:
        """The outcome of a completed cluster job once its file was collected (or not);
        ``seconds`` from the worker's start to the completion this batch saw."""
        job = entry.job
        try:
            future.result()
        except RenderError as exc:
            return JobOutcome(
                job.job_id, LineStatus.FAILED, seconds=seconds, error=str(exc), error_code=exc.code
            )
        except Exception as exc:  # noqa: BLE001 (this line's failure; the batch goes on)
            message = f"collecting the output failed: {type(exc).__name__}: {exc}"
            return JobOutcome(
                job.job_id,
                LineStatus.FAILED,
                seconds=seconds,
                error=message,
                error_code="STORAGE_FAILED",
            )
        from server.service.render_job import job_warnings

        frames = record.frames_total
        return JobOutcome(
            job.job_id,
            LineStatus.SUCCEEDED,
            seconds=seconds,
            fps=frames / seconds if frames and seconds else None,
            frames=frames,
            artifact=self.work_dir / job.item.output_name,
            warnings=tuple(job_warnings(record)),
        )


def _seconds_since(started_at: float | None) -> float | None:
    """Wall seconds since a worker's ``started_at`` (the cluster's clock, time.time())."""
    if started_at is None:
        return None
    return max(0.0, time.time() - started_at)


def _without_password(url: str) -> str:
    """``url`` fit for messages: a password in it is replaced by ***."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urllib.parse.urlunsplit(parts._replace(netloc=user + netloc))
