"""What one render of a batch line measured, or why it failed: the fields that the job's
outcome (executors), its entry in the state file and its line in ``report.json`` share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFigures:
    """``seconds`` of wall time, ``fps`` frames rendered per second, ``frames`` written;
    ``error`` a readable message and ``error_code`` the error tree's machine code;
    ``warnings`` what the render could not do as asked (font families not installed)."""

    seconds: float | None = None
    fps: float | None = None
    frames: int | None = None
    error: str | None = None
    error_code: str | None = None
    warnings: tuple[str, ...] = ()

    def figures(self) -> dict[str, Any]:
        """These fields as keyword arguments for another record of the same run."""
        return {
            "seconds": self.seconds,
            "fps": self.fps,
            "frames": self.frames,
            "error": self.error,
            "error_code": self.error_code,
            "warnings": tuple(self.warnings),
        }
