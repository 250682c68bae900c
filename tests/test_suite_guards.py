"""The suite's own guards (tests/suite_guards.py), each checked on a small inner pytest run in a
subprocess: a hung browser call is cut off by the timeout with the browser's name, browser
tests run last, and a process a test leaves behind is stopped and fails the run."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from tests.suite_guards import SLOW_TIMEOUT_SECONDS, _timeout_seconds

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    return pytester


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "tests.suite_guards", "-p", "no:cacheprovider", *args, timeout=120
    )


def test_a_hung_browser_call_is_cut_off_naming_the_browser(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_hang="""
        import threading
        from parity.reference_browser import ReferenceBrowser

        def test_browser_never_answers():
            double = ReferenceBrowser("/usr/bin/chromium")  # never started: a double
            double.pid = 4242
            with double.call("page.evaluate('seekMany')"):
                threading.Event().wait()  # a browser that never answers
        """
    )
    started = time.monotonic()
    result = _run(inner, "-o", "timeout=2")
    result.assert_outcomes(failed=1)
    expected = (
        "*test exceeded its 2 s timeout in a browser call: "
        "Chromium pid 4242 (/usr/bin/chromium): page.evaluate('seekMany') (for 2.* s)*"
    )
    result.stdout.fnmatch_lines([expected])
    assert time.monotonic() - started < 60


def test_a_test_without_a_browser_times_out_too(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_sleep="import time\n\ndef test_sleeps():\n    time.sleep(600)\n")
    result = _run(inner, "-o", "timeout=1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*test exceeded its 1 s timeout"])


def test_browser_tests_run_last(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_order="""
        import pytest

        @pytest.mark.browser
        def test_live():
            pass

        def test_plain():
            pass
        """
    )
    result = _run(inner, "-v", "-o", "markers=browser: live")
    result.assert_outcomes(passed=2)
    lines = [line for line in result.outlines if "PASSED" in line]
    assert "test_plain" in lines[0] and "test_live" in lines[1]


def test_a_leftover_process_is_stopped_and_fails_the_run(
    inner: pytest.Pytester, tmp_path: Path
) -> None:
    pid_file = tmp_path / "leaked.pid"
    inner.makepyfile(
        test_leak=f"""
        import subprocess, sys
        from pathlib import Path

        def test_leaves_a_server_running():
            server = subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
            )
            Path({str(pid_file)!r}).write_text(str(server.pid))
        """
    )
    result = _run(inner)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*processes left running by the tests, now stopped: *"])
    pid = int(pid_file.read_text())
    assert not psutil.pid_exists(pid), f"the leaked process {pid} is still running"


def test_a_test_that_leaves_the_process_real_time_fails(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_rt="""
        import os

        def test_goes_real_time():
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))

        def test_after_it():
            assert os.sched_getscheduler(0) == os.SCHED_OTHER
        """
    )
    result = _run(inner)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*the test left this process real-time (policy 1, priority 1)*"])


def test_slow_tests_get_the_longer_timeout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marks="""
        import pytest

        @pytest.mark.slow
        def test_slow(): pass

        @pytest.mark.slow
        @pytest.mark.timeout(20)
        def test_slow_with_its_own(): pass

        def test_plain(): pass
        """
    )
    pytester.makeini("[pytest]\nmarkers =\n    slow: long\n")
    slow, own, plain = pytester.inline_genitems()[0]
    assert _timeout_seconds(slow, 300.0) == SLOW_TIMEOUT_SECONDS
    assert _timeout_seconds(own, 20.0) == 20.0
    assert _timeout_seconds(plain, 300.0) == 300.0
