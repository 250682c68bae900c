"""Suite-wide fixtures: the run's guards (timeouts, order, processes) and its one browser."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import pytest

from parity.reference_browser import ReferenceBrowser, reference_browser
from tests.requirements_check import require_chromium

pytest_plugins = ["tests.suite_guards", "pytester"]

_CLOSE_SECONDS = 30.0


class SessionBrowser:
    """The test run's Chromium: launched at the first browser test, shared by all of them
    (each opens its own context and page), closed when the session ends. A browser that was
    interrupted mid-call (a timeout) is killed, and the browser tests after it fail at once
    instead of each waiting out its own timeout."""

    def __init__(self, chromium_path: str) -> None:
        self.chromium_path = chromium_path
        self._stack = contextlib.ExitStack()
        self._browser: ReferenceBrowser | None = None
        self._broken: str | None = None

    def get(self) -> ReferenceBrowser:
        if self._broken:
            pytest.fail(f"{self._broken}; this browser test was not run")
        if self._browser is not None and self._browser.interrupted:
            self._broken = f"{self._browser} stopped answering in an earlier test and was killed"
            self._browser.kill()
            self.close()
            pytest.fail(f"{self._broken}; this browser test was not run")
        if self._browser is None:
            # Registered as this thread's browser: `ecg-render parity` run in-process reuses it.
            self._browser = self._stack.enter_context(reference_browser(self.chromium_path))
        return self._browser

    def close(self) -> None:
        """Close within _CLOSE_SECONDS; a browser that does not close by then is killed.
        (Playwright's sync objects belong to this thread: the close cannot move to another.)"""
        try:
            with _alarm(_CLOSE_SECONDS):
                self._stack.close()
        except TimeoutError:
            if self._browser is not None:
                self._browser.kill()
        self._browser = None


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def session_browser() -> Iterator[SessionBrowser]:
    browser = SessionBrowser(require_chromium())
    yield browser
    browser.close()
