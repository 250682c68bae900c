"""What the video pipeline receives from the caption renderer, one per output frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class Overlay:
    """One frame's caption overlay.

    ``rgba`` is (H, W, 4) uint8, **premultiplied** RGBA at the output frame size. The producer
    owns the buffer: it stays valid only until the next ``overlay_at`` call, so consumers copy
    what they keep. ``bbox`` is (x0, y0, x1, y1), half-open, covering every non-transparent
    pixel, or None when the overlay is empty. ``version`` changes whenever the pixels change,
    so a consumer may reuse work done for an equal version.
    """

    rgba: np.ndarray
    bbox: tuple[int, int, int, int] | None
    version: int


class OverlaySource(Protocol):
    """Produces overlays in playback order (frame_index 0, 1, 2, ...): state such as plugin
    persistence depends on history, so callers must not skip backwards."""

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay: ...
