"""Render jobs: states, records, and the two stores (in memory for standalone, Redis for rq).

State machine (anything else is refused, so a late progress report or a second worker can
never move a finished job)::

    queued ──start──> processing ──claim_publish──> (publishing) ──complete──> completed
       │                  │  └──────────────fail─────────────────> failed
       └──────cancel──────┴──cancel (refused once publishing)────> cancelled
    queued ──fail──> failed

Callback events: every accepted transition and every progress report that crosses a new
10 % step appends the job's snapshot to the job's event list (only for jobs with a
callback_url), atomically with the change itself. Events are therefore in the order the
changes happened, whichever process made them; the callback dispatcher drains them in order.

Progress: renders report frames done per part (one part for a single render, one per
segment); progress = 95 % x frames done / frames total (the last 5 % are the merge and the
upload) and only ever increases; 100 on completion.
"""

from __future__ import annotations

import enum
import json
import math
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

PROGRESS_BEFORE_PUBLISH = 95  # percent reached when every frame is encoded
ADMISSION_GRACE_SECONDS = 60.0  # an admitted job id counts this long before its job exists


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})
TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """What the status endpoint and the callbacks report. ``progress`` 0..100,
    ``estimated_time_remaining`` whole seconds, ``file_size`` bytes, ``duration`` seconds.
    (The callbacks' body is built from it by server.service.callback_model.)"""

    job_id: str
    status: JobStatus
    progress: int = 0
    estimated_time_remaining: int | None = None
    download_url: str | None = None
    file_size: int | None = None
    duration: float | None = None
    error_message: str | None = None
    error_code: str | None = None

    def payload(self) -> dict[str, Any]:
        """Every field, ``None`` included (the status endpoint's body)."""
        data = asdict(self)
        data["status"] = str(self.status)
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> JobSnapshot:
        fields = {name: data.get(name) for name in cls.__dataclass_fields__}
        fields["status"] = JobStatus(fields["status"])
        fields["progress"] = int(fields["progress"] or 0)
        fields["estimated_time_remaining"] = whole_seconds(fields["estimated_time_remaining"])
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A job as stored: its snapshot plus what the workers need. ``request`` is the
    normalised render request (video_url, scenario, options)."""

    snapshot: JobSnapshot
    request: dict[str, Any]
    callback_url: str | None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    frames_total: int | None = None
    publishing: bool = False
    data: dict[str, str] = field(default_factory=dict)  # free-form (rq plan, rq job ids)

    @property
    def status(self) -> JobStatus:
        return self.snapshot.status


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts of jobs that reached each status, frames encoded, the latest speed (fps)."""

    jobs_by_status: dict[str, int]
    frames_rendered: int
    render_fps: float


class JobStore(Protocol):
    """Shared by the API and the renders. Methods returning bool tell whether the change was
    accepted by the state machine above."""

    def create(self, job_id: str, request: dict[str, Any], callback_url: str | None) -> bool:
        """False (and nothing changes) when ``job_id`` exists already."""

    def get(self, job_id: str) -> JobRecord | None: ...

    def admit(self, client: str, job_id: str, limit: int) -> bool:
        """Count ``job_id`` among ``client``'s active jobs unless the client has ``limit``
        queued or processing jobs already (False then). Jobs stop counting once finished;
        an admitted id whose job was never created stops counting after a minute."""

    def start(self, job_id: str) -> bool:
        """queued -> processing; True also when already processing (a retried job)."""

    def set_frames_total(self, job_id: str, frames: int | None) -> None: ...

    def report_frames(
        self, job_id: str, part: int, frames_done: int, frames_delta: int, fps: float
    ) -> int | None:
        """Record ``frames_done`` for ``part``; returns the job's progress, None if refused."""

    def claim_publish(self, job_id: str) -> bool:
        """Enter publishing (cancel is refused from now on); False if not processing."""

    def release_publish(self, job_id: str) -> None:
        """Leave publishing after a failed upload, so that a retry can claim it again."""

    def complete(self, job_id: str, download_url: str, file_size: int, duration: float) -> bool: ...

    def fail(self, job_id: str, error_code: str, error_message: str) -> bool: ...

    def cancel(self, job_id: str) -> JobStatus | None:
        """Cancel if still possible; returns the status after the attempt (None: unknown)."""

    def put_data(self, job_id: str, name: str, value: str) -> None: ...

    def hold_callbacks(self, job_id: str, seconds: float) -> None:
        """Keep the job out of :meth:`pending_callback_jobs` (its events still queue up)
        until :meth:`release_callbacks`, or for ``seconds`` at most: the API holds a new
        job's callbacks until its answer to the submit has been sent."""

    def release_callbacks(self, job_id: str) -> None: ...

    def pending_callback_jobs(self) -> list[str]:
        """Jobs with undelivered events whose callbacks are not held."""

    def pop_events(self, job_id: str) -> list[JobSnapshot]:
        """Remove and return the job's undelivered callback snapshots, oldest first."""

    def acquire_callback_lease(self, job_id: str, owner: str, seconds: float) -> bool:
        """Make ``owner`` the only sender of the job's callbacks for ``seconds`` (several API
        processes may share one store); False when another owner holds it."""

    def release_callback_lease(self, job_id: str, owner: str) -> None: ...

    def stats(self) -> StoreStats: ...


def progress_percent(frames_done: int, frames_total: int | None) -> int:
    if not frames_total or frames_total <= 0:
        return 0
    return min(PROGRESS_BEFORE_PUBLISH, PROGRESS_BEFORE_PUBLISH * frames_done // frames_total)


def eta_seconds(started_at: float | None, frames_done: int, frames_total: int | None) -> int | None:
    """Remaining whole seconds (rounded up) at the average speed so far (None before the
    first frames)."""
    if started_at is None or not frames_total or frames_done <= 0:
        return None
    elapsed = max(0.0, time.time() - started_at)
    remaining = max(0, frames_total - frames_done)
    return whole_seconds(elapsed * remaining / frames_done)


def whole_seconds(seconds: float | None) -> int | None:
    """``seconds`` rounded up to a whole second, as the backend's int field wants it ("1 s
    left" rather than "0 s" while work remains); None (and NaN) stay None."""
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0, math.ceil(seconds))


class MemoryJobStore:
    """The JobStore of standalone mode: a dict and a lock, gone with the process."""

    def __init__(self, ttl_seconds: float = 7 * 24 * 3600) -> None:
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._jobs: dict[str, JobRecord] = {}
        self._parts: dict[str, dict[int, int]] = {}
        self._events: dict[str, deque[JobSnapshot]] = {}
        self._holds: dict[str, float] = {}  # job id -> monotonic time the hold ends
        self._counts: dict[str, int] = {}
        self._clients: dict[str, dict[str, float]] = {}  # client -> job id -> admitted at
        self._frames = 0
        self._fps = 0.0

    def create(self, job_id: str, request: dict[str, Any], callback_url: str | None) -> bool:
        with self._lock:
            if job_id in self._jobs:
                return False
            self._prune()
            snapshot = JobSnapshot(job_id, JobStatus.QUEUED)
            self._jobs[job_id] = JobRecord(snapshot, request, callback_url or None, time.time())
            self._count(JobStatus.QUEUED)
            return True

    def get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            return self._jobs.get(job_id)

    def admit(self, client: str, job_id: str, limit: int) -> bool:
        with self._lock:
            now = time.time()
            jobs = self._clients.setdefault(client, {})
            for known, admitted_at in list(jobs.items()):
                record = self._jobs.get(known)
                if (record is None and now - admitted_at > ADMISSION_GRACE_SECONDS) or (
                    record is not None and record.status in TERMINAL
                ):
                    del jobs[known]
            if job_id not in jobs and len(jobs) >= limit:
                return False
            jobs.setdefault(job_id, now)
            return True

    def start(self, job_id: str) -> bool:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None or record.status not in ACTIVE:
                return False
            if record.status is JobStatus.PROCESSING:
                return True
            self._transition(record, JobStatus.PROCESSING, {}, started_at=time.time())
            return True

    def set_frames_total(self, job_id: str, frames: int | None) -> None:
        with self._lock:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], frames_total=frames)

    def report_frames(
        self, job_id: str, part: int, frames_done: int, frames_delta: int, fps: float
    ) -> int | None:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None or record.status is not JobStatus.PROCESSING:
                return None
            self._frames += max(0, frames_delta)
            self._fps = fps
            parts = self._parts.setdefault(job_id, {})
            parts[part] = max(parts.get(part, 0), frames_done)
            done = sum(parts.values())
            old = record.snapshot.progress
            progress = max(old, progress_percent(done, record.frames_total))
            eta = eta_seconds(record.started_at, done, record.frames_total)
            snapshot = replace(record.snapshot, progress=progress, estimated_time_remaining=eta)
            self._jobs[job_id] = record = replace(record, snapshot=snapshot)
            if progress // 10 > old // 10:
                self._emit(record)
            return progress

    def claim_publish(self, job_id: str) -> bool:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None or record.status is not JobStatus.PROCESSING or record.publishing:
                return False
            self._jobs[job_id] = replace(record, publishing=True)
            return True

    def release_publish(self, job_id: str) -> None:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is not None:
                self._jobs[job_id] = replace(record, publishing=False)

    def complete(self, job_id: str, download_url: str, file_size: int, duration: float) -> bool:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None or record.status is not JobStatus.PROCESSING:
                return False
            changes = {
                "progress": 100,
                "estimated_time_remaining": 0,
                "download_url": download_url,
                "file_size": file_size,
                "duration": duration,
            }
            self._transition(record, JobStatus.COMPLETED, changes)
            return True

    def fail(self, job_id: str, error_code: str, error_message: str) -> bool:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None or record.status not in ACTIVE:
                return False
            changes = {
                "error_code": error_code,
                "error_message": error_message,
                "estimated_time_remaining": None,
            }
            self._transition(record, JobStatus.FAILED, changes)
            return True

    def cancel(self, job_id: str) -> JobStatus | None:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None:
                return None
            if record.status in ACTIVE and not record.publishing:
                changes = {
                    "error_code": "CANCELLED",
                    "error_message": "cancelled on request",
                    "estimated_time_remaining": None,
                }
                self._transition(record, JobStatus.CANCELLED, changes)
                return JobStatus.CANCELLED
            return record.status

    def put_data(self, job_id: str, name: str, value: str) -> None:
        with self._lock:
            record = self._jobs.get(job_id)
            if record is not None:
                self._jobs[job_id] = replace(record, data={**record.data, name: value})

    def hold_callbacks(self, job_id: str, seconds: float) -> None:
        with self._lock:
            self._holds[job_id] = time.monotonic() + seconds

    def release_callbacks(self, job_id: str) -> None:
        with self._lock:
            self._holds.pop(job_id, None)

    def pending_callback_jobs(self) -> list[str]:
        with self._lock:
            now = time.monotonic()
            for job_id in [j for j, until in self._holds.items() if until <= now]:
                del self._holds[job_id]
            return [j for j, events in self._events.items() if events and j not in self._holds]

    def pop_events(self, job_id: str) -> list[JobSnapshot]:
        with self._lock:
            events = self._events.pop(job_id, deque())
            return list(events)

    def acquire_callback_lease(self, job_id: str, owner: str, seconds: float) -> bool:
        return True  # one process: the dispatcher's own bookkeeping suffices

    def release_callback_lease(self, job_id: str, owner: str) -> None:
        pass

    def stats(self) -> StoreStats:
        with self._lock:
            return StoreStats(dict(self._counts), self._frames, self._fps)

    # -- internals (lock held) --

    def _transition(
        self, record: JobRecord, status: JobStatus, changes: dict[str, Any], **record_changes: Any
    ) -> None:
        snapshot = replace(record.snapshot, status=status, **changes)
        if status in TERMINAL:
            record_changes["finished_at"] = time.time()
        record = replace(record, snapshot=snapshot, **record_changes)
        self._jobs[snapshot.job_id] = record
        self._count(status)
        self._emit(record)

    def _prune(self) -> None:
        """Forget finished jobs older than the TTL (what Redis expiry does in rq mode)."""
        horizon = time.time() - self.ttl_seconds
        for job_id in [
            j
            for j, r in self._jobs.items()
            if r.status in TERMINAL and (r.finished_at or r.created_at) < horizon
        ]:
            del self._jobs[job_id]
            self._parts.pop(job_id, None)

    def _count(self, status: JobStatus) -> None:
        self._counts[str(status)] = self._counts.get(str(status), 0) + 1

    def _emit(self, record: JobRecord) -> None:
        if record.callback_url:
            self._events.setdefault(record.snapshot.job_id, deque()).append(record.snapshot)


def encode_request(request: dict[str, Any]) -> str:
    return json.dumps(request, ensure_ascii=False, separators=(",", ":"))
