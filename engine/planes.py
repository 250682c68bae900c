"""Numpy views of an av.VideoFrame's planes (no copy)."""

from __future__ import annotations

import av
import numpy as np


def plane_arrays(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Writable numpy views (no copy) of a yuv420p frame's Y, U and V planes.

    The views alias the frame's buffers: call ``frame.make_writable()`` first when the frame
    came from a decoder, and do not keep the views past the frame's lifetime.
    """
    views = []
    for plane in frame.planes:
        buf = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        views.append(buf[:, : plane.width])
    return views[0], views[1], views[2]
