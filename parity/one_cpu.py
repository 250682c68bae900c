"""Keeping Chromium's process tree on one CPU, where its exiting children are reaped.

Why: Chromium's threads that reap its exiting renderers and helpers, running in parallel on two
CPUs, livelocked this kind of machine's kernel (wait4 -> release_task ->
proc_invalidate_siblings_dcache -> shrink_dcache_parent, spinning and unkillable, with and
without the zygote that first showed it). On one CPU they cannot spin in parallel: pinning the
stuck pair to one CPU by hand released it at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def chosen_cpu() -> int:
    """The CPU a browser tree is pinned to: the highest this process may use."""
    return max(os.sched_getaffinity(0))


@contextlib.contextmanager
def children_on_one_cpu() -> Iterator[None]:
    """Processes started inside (and all they start, which inherit the mask) run on
    :func:`chosen_cpu`; the calling thread gets its CPUs back after."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {chosen_cpu()})
    try:
        yield
    finally:
        os.sched_setaffinity(0, saved)


def pin_process_tree(pid: int, cpu: int) -> int:
    """Moves every thread of ``pid`` and of all its descendants to ``cpu``; returns how many
    threads were moved. Threads and children created afterwards inherit the mask. Processes
    that exit meanwhile are skipped."""
    moved = 0
    pending = [pid]
    while pending:
        process = pending.pop()
        tasks = Path(f"/proc/{process}/task")
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in tasks.iterdir():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    os.sched_setaffinity(int(task.name), {cpu})
                    moved += 1
                    pending += [int(c) for c in (task / "children").read_text().split()]
    return moved
