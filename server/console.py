"""Terminal progress output shared by the command line and the batch runner: durations as
h:mm:ss and the render progress bar (redrawn in place on a terminal, one line per step in logs)."""

from __future__ import annotations

import time
from typing import TextIO

from engine.pipeline import Progress


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """Draws Progress on ``stream``: redrawn in place (at most 10 times a second) on a
    terminal, one line per 10 % step otherwise (logs stay readable)."""

    WIDTH = 30

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.interactive = stream.isatty()
        self._last_draw = 0.0
        self._last_step = -1
        self._last: Progress | None = None

    def line(self, p: Progress) -> str:
        total = max(p.frames_total or 0, p.frames_done)
        fraction = p.frames_done / total if total else 0.0
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        count = f"{p.frames_done}/{total}" if total else f"{p.frames_done}"
        return (
            f"{fraction * 100:5.1f}% [{bar}] {count} frames  {p.fps:5.1f} fps  "
            f"ETA {format_seconds(p.eta_seconds)}"
        )

    def update(self, p: Progress) -> None:
        self._last = p
        if self.interactive:
            now = time.monotonic()
            if now - self._last_draw >= 0.1:
                self._last_draw = now
                self.stream.write("\r" + self.line(p))
                self.stream.flush()
            return
        step = int(10 * p.frames_done / p.frames_total) if p.frames_total else 0
        if step > self._last_step:
            self._last_step = step
            self.stream.write(self.line(p) + "\n")

    def finish(self) -> None:
        if self._last is not None and self.interactive:
            self.stream.write("\r" + self.line(self._last) + "\n")
            self.stream.flush()
