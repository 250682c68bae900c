"""Cooperative cancellation for long renders.

A :class:`CancelToken` is created by whoever may want to stop a render (the service's job
runner, a CLI signal handler, a test) and passed into ``render_video``. Every stage checks it
once per frame; a cancelled render raises :class:`~motiontext.errors.CancelledError` and
publishes nothing. Tokens are thread-safe and one-way: once cancelled, always cancelled.
"""

from __future__ import annotations

import threading

from motiontext.errors import CancelledError


class CancelToken:
    """A thread-safe, one-shot cancel flag."""

    __slots__ = ("_event", "_reason")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._reason = "render cancelled"

    def cancel(self, reason: str = "render cancelled") -> None:
        """Ask every stage to stop at its next frame boundary. Safe from any thread."""
        if not self._event.is_set():
            self._reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    @property
    def reason(self) -> str:
        return self._reason

    def raise_if_cancelled(self) -> None:
        """Raise CancelledError when cancel() has been called; otherwise return at once."""
        if self._event.is_set():
            raise CancelledError(self._reason)
