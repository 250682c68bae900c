"""One batch job as the executors see it: what to run, how it goes, how it ended.

The runner hands :class:`PlannedJob` s to an executor (local process pool or rq cluster); the
executor reports through :class:`JobEvents` and ends every job it started with exactly one
``finished`` call. On success the outcome's ``artifact`` is a complete file inside the batch's
work folder that the runner renames onto the job's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from server.batch.figures import RunFigures
from server.batch.manifest import BatchItem
from server.batch.report import LineStatus


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """``item`` to render into ``output``; ``attempt`` numbers its cluster submissions."""

    item: BatchItem
    input_hash: str
    output: Path
    attempt: int = 1

    @property
    def job_id(self) -> str:
        return self.item.job_id


@dataclass(frozen=True, slots=True)
class JobProgress:
    """``fraction`` 0..1 of the job done (None: not started or unknown yet), ``fps``
    processing speed in frames per second, ``eta_seconds`` the time left at that speed."""

    fraction: float | None
    frames_done: int | None = None
    frames_total: int | None = None
    fps: float | None = None
    eta_seconds: float | None = None
    phase: str | None = None  # shown while fraction is None: "queued", "starting"


@dataclass(frozen=True, slots=True)
class JobOutcome(RunFigures):
    """``status`` is SUCCEEDED, FAILED or INTERRUPTED; ``seconds`` wall time of the render,
    ``fps`` frames per second rendered, ``artifact`` the finished file (success only)."""

    job_id: str
    status: LineStatus
    artifact: Path | None = None


class JobEvents(Protocol):
    def started(self, job: PlannedJob) -> None: ...

    def progress(self, job_id: str, progress: JobProgress) -> None: ...

    def finished(self, job: PlannedJob, outcome: JobOutcome) -> None: ...

    def submitted(self, job: PlannedJob, remote_id: str, attempt: int) -> None:
        """rq mode: ``job`` now runs as the cluster job ``remote_id``, its ``attempt``-th
        submission (recorded, so that a rerun follows it instead of submitting again;
        written to the state file at the next ``checkpoint``)."""

    def checkpoint(self) -> None:
        """Write what ``submitted`` recorded (once per burst of submissions, not per job:
        the state file is rewritten whole)."""
