"""The batch's progress on stderr: overall (finished, running, waiting, ETA) and per job
(percent, frames, fps, ETA).

On a terminal a block at the bottom is redrawn in place (at most 10 times a second) and
finished jobs and notes scroll above it. Otherwise (logs, CI) every event is one line: a job's
start, its 25 % steps, its end with the overall count and ETA.

The overall ETA is elapsed time x remaining work / work done, where a running job counts by
the fraction of its frames done: it needs no frame counts of jobs that have not started.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from typing import TextIO

from server.batch.job import JobProgress
from server.batch.report import LineResult, LineStatus
from server.console import format_seconds

_REDRAW_SECONDS = 0.1
_BAR_WIDTH = 20
_MAX_JOB_ROWS = 8  # a terminal block lists this many running jobs, then "... and N more"


@dataclass(slots=True)
class _Running:
    line: int
    started: float
    progress: JobProgress | None = None
    logged_step: int = 0


class BatchProgress:
    """Receives the runner's events; ``to_run`` is the number of jobs this run executes."""

    def __init__(self, stream: TextIO, to_run: int, *, quiet: bool = False):
        self.stream = stream
        self.to_run = to_run
        self.quiet = quiet
        self.interactive = stream.isatty() and not quiet
        self.started_at = time.monotonic()
        self.finished = 0
        self.failed = 0
        self.running: dict[str, _Running] = {}
        self._drawn_rows = 0
        self._last_draw = 0.0

    # -- events --

    def note(self, text: str) -> None:
        """A message that stays (bad lines, warnings); printed even when quiet."""
        self._print(text, always=True)

    def job_started(self, job_id: str, line: int) -> None:
        self.running[job_id] = _Running(line, time.monotonic())
        if not self.interactive:
            self._print(f"[start] {job_id} (line {line})")
        self._redraw(force=True)

    def job_progress(self, job_id: str, progress: JobProgress) -> None:
        running = self.running.get(job_id)
        if running is None:
            return  # a late report of a job that has finished
        running.progress = progress
        if self.interactive:
            self._redraw()
            return
        step = int(4 * (progress.fraction or 0.0))
        if 0 < step < 4 and step > running.logged_step:
            running.logged_step = step
            self._print(f"        {job_id}  {self._job_status(progress)}")

    def job_finished(self, result: LineResult) -> None:
        if result.job_id is not None:
            self.running.pop(result.job_id, None)
        self.finished += 1
        if result.status is not LineStatus.SUCCEEDED:
            self.failed += 1
        prefix = f"[{self.finished}/{self.to_run}]"
        if result.status is LineStatus.SUCCEEDED:
            speed = f", {result.fps:.1f} fps" if result.fps else ""
            seconds = f" in {result.seconds:.1f} s" if result.seconds is not None else ""
            text = f"{prefix} {result.job_id} succeeded{seconds}{speed} -> {result.output}"
        else:
            code = f" [{result.error_code}]" if result.error_code else ""
            text = f"{prefix} {result.job_id} {result.status}{code}: {result.error}"
        if not self.interactive:
            text += (
                f"  (elapsed {format_seconds(self.elapsed())}, ETA {format_seconds(self.eta())})"
            )
        self._print(text)

    def close(self) -> None:
        self._clear()

    # -- numbers --

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def eta(self) -> float | None:
        done = self.finished + sum(
            r.progress.fraction or 0.0 for r in self.running.values() if r.progress
        )
        if done <= 0:
            return None
        return self.elapsed() * max(0.0, self.to_run - done) / done

    # -- drawing --

    def _header(self) -> str:
        failed = f" ({self.failed} failed)" if self.failed else ""
        waiting = self.to_run - self.finished - len(self.running)
        return (
            f"batch: {self.finished}/{self.to_run} finished{failed}, {len(self.running)} "
            f"running, {max(0, waiting)} waiting  elapsed {format_seconds(self.elapsed())}  "
            f"ETA {format_seconds(self.eta())}"
        )

    @staticmethod
    def _job_status(p: JobProgress | None) -> str:
        if p is None or p.fraction is None:
            return (p.phase if p else None) or "starting"
        filled = int(min(1.0, p.fraction) * _BAR_WIDTH)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        frames = ""
        if p.frames_done is not None:
            frames = f" {p.frames_done}/{p.frames_total or '?'} frames"
        fps = f"  {p.fps:5.1f} fps" if p.fps is not None else ""
        return f"{p.fraction * 100:5.1f}% [{bar}]{frames}{fps}  ETA {format_seconds(p.eta_seconds)}"

    def _rows(self) -> list[str]:
        rows = [self._header()]
        width = max((len(job_id) for job_id in self.running), default=0)
        for job_id, running in list(self.running.items())[:_MAX_JOB_ROWS]:
            rows.append(f"  {job_id.ljust(width)}  {self._job_status(running.progress)}")
        if len(self.running) > _MAX_JOB_ROWS:
            rows.append(f"  ... and {len(self.running) - _MAX_JOB_ROWS} more")
        return rows

    def _clear(self) -> None:
        if self._drawn_rows:
            self.stream.write(f"\x1b[{self._drawn_rows}F\x1b[J")
            self._drawn_rows = 0
            self.stream.flush()

    def _redraw(self, force: bool = False) -> None:
        if not self.interactive:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_draw = now
        self._clear()
        columns = shutil.get_terminal_size().columns - 1  # wrapped rows would break the redraw
        rows = [row[:columns] for row in self._rows()]
        self.stream.write("".join(row + "\n" for row in rows))
        self.stream.flush()
        self._drawn_rows = len(rows)

    def _print(self, text: str, always: bool = False) -> None:
        if self.quiet and not always:
            return
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()
        self._redraw(force=True)
