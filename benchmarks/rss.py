"""Run a command and measure it: wall time, peak RSS of its whole process tree, CPU time.

The tree (the process, its children, theirs...) is sampled with psutil every
``interval_seconds`` (its membership every ``_RELIST_EVERY`` samples); the peak is the
largest sum seen. RSS counts shared pages once per process, so a multi-process tree
(Chromium) is over-stated rather than under-stated; a spike shorter than the interval can be
missed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

MB = 1024 * 1024
_RELIST_EVERY = 5


@dataclass(frozen=True, slots=True)
class Measured:
    """What one command did: ``returncode``, its ``stdout`` text, ``wall_seconds`` from spawn
    to exit, ``peak_rss_bytes`` of its process tree, ``cpu_seconds`` (user + system) of the
    process and the descendants it waited for, ``samples`` taken."""

    returncode: int
    stdout: str
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    samples: int

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / MB


def tree_members(process: psutil.Process) -> list[psutil.Process]:
    """``process`` and all its descendants alive right now (empty once it exited)."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def tree_rss_bytes(members: list[psutil.Process]) -> int:
    """Sum of RSS over ``members`` (those that exited in the meantime count 0)."""
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # exited or not ours between listing and reading
            continue
    return total


def measure(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    stderr_path: Path | None = None,
    interval_seconds: float = 0.1,
    timeout_seconds: float | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``argv`` to completion while sampling its tree's RSS. stdout is captured (keep it
    small); stderr goes to ``stderr_path`` (or is discarded)."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stderr = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.monotonic()
        child = subprocess.Popen(
            list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, env=env or os.environ.copy()
        )
        process = psutil.Process(child.pid)
        peak = 0
        samples = 0
        done = threading.Event()

        def sample() -> None:
            # Listing the tree scans all of /proc: do it every few samples only, so that the
            # sampler itself stays a small load next to what it measures.
            nonlocal peak, samples
            members: list[psutil.Process] = []
            while not done.is_set():
                if samples % _RELIST_EVERY == 0:
                    members = tree_members(process)
                peak = max(peak, tree_rss_bytes(members))
                samples += 1
                done.wait(interval_seconds)

        sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
        sampler.start()
        try:
            stdout, _ = child.communicate(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            stdout, _ = child.communicate()
        wall = time.monotonic() - started
        done.set()
        sampler.join()
    finally:
        if stderr_path:
            stderr.close()  # type: ignore[union-attr]
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    return Measured(
        returncode=child.returncode,
        stdout=stdout.decode("utf-8", "replace"),
        wall_seconds=wall,
        peak_rss_bytes=peak,
        cpu_seconds=cpu,
        samples=samples,
    )
