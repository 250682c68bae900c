"""Runs a batch: lock the folder, read the manifest, skip what is done, execute the rest,
publish each output and record it, write the report.

Per manifest line, the outcome (:class:`~server.batch.report.LineStatus`):

* a bad line is ``invalid`` (reported with its line number, nothing runs);
* a job whose state entry says ``succeeded`` with the same input hash, and whose output file
  exists, is ``skipped``: its file is not touched;
* a job that failed with the same inputs stays ``failed`` (the earlier error is reported)
  unless ``retry_failed``;
* everything else runs, locally or on the rq cluster, and ends ``succeeded``, ``failed`` or
  ``interrupted``.

After each finished job the output is renamed into place (it was completed in the work
folder) and the state file is rewritten, in that order: a batch killed at any moment leaves
complete outputs only, and at worst renders one job again.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from motiontext.errors import InputError, StorageError
from server.batch.job import JobEvents, JobOutcome, JobProgress, PlannedJob
from server.batch.manifest import BatchItem, Manifest, read_manifest
from server.batch.progress import BatchProgress
from server.batch.report import LineResult, LineStatus, write_report
from server.batch.state import (
    WORK_NAME,
    BatchState,
    FolderLock,
    StateEntry,
    input_hash,
    renderer_version,
)
from server.service.settings import Settings

EXIT_OK, EXIT_NOT_ALL_OK, EXIT_INTERRUPTED = 0, 1, 130


def default_local_jobs() -> int:
    """Half the CPUs, 1 to 8: one render already keeps several threads busy (decode,
    composite, the encoder's own)."""
    return max(1, min(8, (os.cpu_count() or 2) // 2))


@dataclass(frozen=True, slots=True)
class BatchConfig:
    """``jobs``: local processes (None = :func:`default_local_jobs`), or in rq mode the most
    cluster jobs in flight at once (None = all). ``use_rq`` submits to ``settings.redis_url``."""

    manifest: Path
    out_dir: Path
    settings: Settings
    jobs: int | None = None
    use_rq: bool = False
    retry_failed: bool = False
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class BatchSummary:
    results: list[LineResult]
    report_path: Path
    interrupted: bool

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if all(r.ok for r in self.results) else EXIT_NOT_ALL_OK


class Executor(Protocol):
    mode: str

    def run(self, jobs: list[PlannedJob], events: JobEvents, stop: threading.Event) -> None: ...


def run_batch(
    config: BatchConfig, stream: TextIO, stop: threading.Event | None = None
) -> BatchSummary:
    """Run the batch ``config`` describes, progress on ``stream``; ``stop`` (set by a signal
    handler) interrupts it cleanly. Raises InputError or StorageError for problems of the
    whole batch (unreadable manifest or state, folder locked or not writable)."""
    stop = stop or threading.Event()
    started_at = time.time()
    # before anything is written
    manifest = read_manifest(config.manifest, accept_v13=config.settings.accept_v13)
    out_dir = config.out_dir.absolute()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create the output folder {str(out_dir)!r}: {exc.strerror}"
        raise InputError(message) from None
    with FolderLock(out_dir):
        work_dir = out_dir / WORK_NAME
        # Whatever is here was left by a killed batch: partial renders, downloads, temp files.
        shutil.rmtree(work_dir, ignore_errors=True)
        try:
            work_dir.mkdir()
        except OSError as exc:
            raise StorageError(f"cannot write into {str(out_dir)!r}: {exc.strerror}") from exc
        try:
            return _run_locked(config, manifest, out_dir, work_dir, stream, stop, started_at)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)


def _run_locked(
    config: BatchConfig,
    manifest: Manifest,
    out_dir: Path,
    work_dir: Path,
    stream: TextIO,
    stop: threading.Event,
    started_at: float,
) -> BatchSummary:
    state = BatchState.load(out_dir)
    renderer = renderer_version()
    display = BatchProgress(stream, 0, quiet=config.quiet)
    results: dict[int, LineResult] = {}
    for bad in manifest.bad_lines:
        results[bad.line] = LineResult(
            bad.line, bad.job_id, LineStatus.INVALID, error=bad.message, error_code=bad.code
        )
        display.note(f"line {bad.line}: {bad.message} (skipped)")
    planned: list[PlannedJob] = []
    for item in manifest.items:
        if item.migrated_from:
            count = len(item.migration_warnings)
            display.note(
                f"line {item.line}: v{item.migrated_from} scenario migrated to v2.0"
                + (f" ({count} warnings in report.json)" if count else "")
            )
        decision = plan_item(item, state, out_dir, config.retry_failed, renderer)
        if isinstance(decision, PlannedJob):
            planned.append(decision)
        else:
            results[item.line] = decision
    earlier = [r for r in results.values() if r.earlier_run]
    if earlier:
        failed = sum(1 for r in earlier if r.status is LineStatus.FAILED)
        display.note(
            f"{len(earlier) - failed} job(s) done and {failed} failed in an earlier run: not "
            "run again" + (" (--retry-failed runs the failures)" if failed else "")
        )
    display.to_run = len(planned)
    executor = _executor(config, work_dir)
    recorder = _Recorder(state, display, results)
    try:
        executor.run(planned, recorder, stop)
    finally:
        for job in planned:  # only when the executor stopped early on an error of its own
            if job.item.line not in results:
                results[job.item.line] = LineResult(
                    job.item.line,
                    job.job_id,
                    LineStatus.INTERRUPTED,
                    error="the batch stopped before this job finished",
                    **job.item.migration,
                )
        display.close()
        ordered = [results[line] for line in sorted(results)]
        report_path = write_report(
            out_dir,
            ordered,
            manifest=config.manifest.absolute(),
            mode=executor.mode,
            renderer=renderer,
            started_at=started_at,
        )
    return BatchSummary(ordered, report_path, stop.is_set())


def plan_item(
    item: BatchItem,
    state: BatchState,
    out_dir: Path,
    retry_failed: bool,
    renderer: str | None = None,
) -> PlannedJob | LineResult:
    """What to do with a good line: a job to run, or the result of an earlier run."""
    digest = input_hash(item, renderer)
    output = out_dir / item.output_name
    entry = state.get(item.job_id)
    same = entry is not None and entry.input_hash == digest
    if entry is None or not same:
        return PlannedJob(item, digest, output)
    if entry.status == "succeeded" and output.is_file():
        return LineResult(
            item.line,
            item.job_id,
            LineStatus.SKIPPED,
            output=str(output),
            earlier_run=True,
            **entry.figures(),
            **item.migration,
        )
    if entry.status == "failed":
        if not retry_failed:
            return LineResult(
                item.line,
                item.job_id,
                LineStatus.FAILED,
                seconds=entry.seconds,
                error=f"{entry.error} (--retry-failed runs it again)",
                error_code=entry.error_code,
                earlier_run=True,
                **item.migration,
            )
        return PlannedJob(item, digest, output, entry.attempt + 1)
    return PlannedJob(item, digest, output, entry.attempt)


def _executor(config: BatchConfig, work_dir: Path) -> Executor:
    if config.use_rq:
        from server.batch.remote import RqExecutor

        return RqExecutor(
            config.settings,
            work_dir,
            max_in_flight=config.jobs,
            retry_failed=config.retry_failed,
        )
    from server.batch.local import LocalExecutor

    return LocalExecutor(config.settings, config.jobs or default_local_jobs(), work_dir)


class _Recorder:
    """The executors' JobEvents: publishes outputs, writes the state, feeds the display."""

    def __init__(self, state: BatchState, display: BatchProgress, results: dict[int, LineResult]):
        self.state = state
        self.display = display
        self.results = results
        self.remote: dict[str, tuple[str, int]] = {}  # job id -> (cluster job id, attempt)

    def started(self, job: PlannedJob) -> None:
        self.display.job_started(job.job_id, job.item.line)

    def progress(self, job_id: str, progress: JobProgress) -> None:
        self.display.job_progress(job_id, progress)

    def submitted(self, job: PlannedJob, remote_id: str, attempt: int) -> None:
        self.remote[job.job_id] = (remote_id, attempt)
        entry = StateEntry(job.input_hash, "submitted", remote_id=remote_id, attempt=attempt)
        self.state.record(job.job_id, entry, write=False)

    def checkpoint(self) -> None:
        self._write()

    def finished(self, job: PlannedJob, outcome: JobOutcome) -> None:
        status = outcome.status
        error, error_code = outcome.error, outcome.error_code
        if status is LineStatus.SUCCEEDED:
            try:
                assert outcome.artifact is not None
                os.replace(outcome.artifact, job.output)
            except OSError as exc:
                status = LineStatus.FAILED
                error = f"cannot move the output to {str(job.output)!r}: {exc.strerror}"
                error_code = StorageError.code
        figures = {**outcome.figures(), "error": error, "error_code": error_code}
        remote_id, attempt = self.remote.get(job.job_id, (None, job.attempt))
        if status in (LineStatus.SUCCEEDED, LineStatus.FAILED):
            entry = StateEntry(
                input_hash=job.input_hash,
                status=str(status),
                output=job.output.name if status is LineStatus.SUCCEEDED else None,
                remote_id=remote_id,
                attempt=attempt,
                **figures,
            )
            self._record(job.job_id, entry)
        result = LineResult(
            job.item.line,
            job.job_id,
            status,
            output=str(job.output) if status is LineStatus.SUCCEEDED else None,
            **figures,
            **job.item.migration,
        )
        self.results[job.item.line] = result
        self.display.job_finished(result)

    def _record(self, job_id: str, entry: StateEntry) -> None:
        self.state.record(job_id, entry, write=False)
        self._write()

    def _write(self) -> None:
        try:
            self.state.write()
        except StorageError as exc:
            # The renders stand; only a rerun would not know about them.
            self.display.note(f"warning: {exc}")
