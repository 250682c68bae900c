"""Guards that keep a test run finite and clean (a pytest plugin, loaded by tests/conftest.py).

- **Timeouts.** Every test (setup, call and teardown) has one: the ``timeout`` ini value
  (pytest-timeout's setting and ``@pytest.mark.timeout(N)`` marker), or ``SLOW_TIMEOUT_SECONDS``
  for tests marked ``slow`` without their own marker. The timer is our own SIGALRM so that a
  test stopped inside a browser call says which browser hung and in which call
  (``parity.reference_browser.calls_in_progress``), instead of waiting forever.
- **Order.** Tests marked ``browser`` run after all others, so a browser problem cannot hide
  the results of the rest.
- **Scheduling.** A test that leaves this process real-time (SCHED_FIFO/RR: libsvtav1 run as
  root does that to the thread that opens it) fails, and the policy is put back: everything
  the run starts later would inherit it, and real-time Chromium threads stuck in the kernel
  starve the machine.
- **Processes.** When the session ends, every process the run started that is still alive
  (Chromium, redis-server, uvicorn, rq workers, ...: any descendant of this pytest process)
  is terminated by its process id and waited for, and the run fails naming them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import psutil
import pytest

from parity.reference_browser import calls_in_progress

SLOW_TIMEOUT_SECONDS = 900.0
_STOP_GRACE_SECONDS = 5.0


def _timeout_seconds(item: pytest.Item, configured: float | None) -> float | None:
    if item.get_closest_marker("timeout") is None and item.get_closest_marker("slow"):
        return max(configured or 0.0, SLOW_TIMEOUT_SECONDS)
    return configured


def timeout_message(seconds: float) -> str:
    """What a test that ran out of time fails with: the browser calls in progress, if any."""
    calls = calls_in_progress()
    if calls:
        return f"test exceeded its {seconds:g} s timeout in a browser call: " + "; ".join(calls)
    return f"test exceeded its {seconds:g} s timeout"


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings) -> bool | None:
    seconds = _timeout_seconds(item, settings.timeout)
    if not seconds or threading.current_thread() is not threading.main_thread():
        return None  # pytest-timeout's own thread method applies

    def on_alarm(signum: int, frame: object) -> None:
        __tracebackhide__ = True
        pytest.fail(timeout_message(seconds), pytrace=True)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    item.cancel_timeout = cancel  # read by pytest-timeout's cancel hook
    return True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def stays_time_shared() -> Iterator[None]:
    yield
    policy = os.sched_getscheduler(0)
    if policy != os.SCHED_OTHER:
        priority = os.sched_getparam(0).sched_priority
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        pytest.fail(
            f"the test left this process real-time (policy {policy}, priority {priority}); "
            "put back to SCHED_OTHER: processes started later would inherit it",
            pytrace=False,
        )


def stop_processes(processes: list[psutil.Process]) -> list[str]:
    """Terminate, wait, then kill what is left; returns a description of each process."""
    described = []
    for process in processes:
        try:
            described.append(f"{process.pid} {' '.join(process.cmdline()[:3])}")
            process.terminate()
        except psutil.Error:
            continue
    _gone, alive = psutil.wait_procs(processes, timeout=_STOP_GRACE_SECONDS)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(alive, timeout=_STOP_GRACE_SECONDS)
    return described


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_suite() -> Iterator[None]:
    """Set up first, torn down last: after every other fixture has stopped what it started."""
    yield
    leftovers = psutil.Process().children(recursive=True)
    if leftovers:
        names = stop_processes(leftovers)
        pytest.fail("processes left running by the tests, now stopped: " + "; ".join(names))
