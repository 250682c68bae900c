"""parity.one_cpu on ordinary processes: a whole tree, threads included, moves to one CPU."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from parity.one_cpu import children_on_one_cpu, chosen_cpu, pin_process_tree

# A parent with a second thread and a child that starts a grandchild: the shape of Chromium's
# tree (browser process, its threads, renderers).
_TREE = """
import subprocess, sys, threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
child = subprocess.Popen([sys.executable, "-c",
    "import subprocess, sys, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"])
print("ready", flush=True)
time.sleep(60)
"""


def _all_threads(root: psutil.Process) -> list[int]:
    return [t.id for p in (root, *root.children(recursive=True)) for t in p.threads()]


def test_a_running_tree_moves_to_one_cpu_threads_and_grandchildren_included() -> None:
    proc = subprocess.Popen([sys.executable, "-c", _TREE], stdout=subprocess.PIPE, text=True)
    # (On a one-CPU machine there is nothing to move; the test then only checks the count.)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        root = psutil.Process(proc.pid)
        deadline = time.monotonic() + 10
        while len(root.children(recursive=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        threads = _all_threads(root)
        assert len(threads) >= 4  # parent's two threads, child, grandchild
        assert all(os.sched_getaffinity(t) == os.sched_getaffinity(0) for t in threads)

        assert pin_process_tree(proc.pid, chosen_cpu()) == len(threads)

        assert {frozenset(os.sched_getaffinity(t)) for t in threads} == {frozenset({chosen_cpu()})}
    finally:
        for p in psutil.Process(proc.pid).children(recursive=True):
            p.kill()
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_a_tree_that_exits_meanwhile_is_skipped() -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert pin_process_tree(proc.pid, chosen_cpu()) == 0


def test_children_started_inside_inherit_one_cpu_and_the_caller_gets_its_cpus_back() -> None:
    before = os.sched_getaffinity(0)
    with children_on_one_cpu():
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
            capture_output=True,
            text=True,
            check=True,
        )
    assert child.stdout.strip() == str([chosen_cpu()])
    assert os.sched_getaffinity(0) == before
