"""Composite stage: blend a premultiplied RGBA overlay into YUV 4:2:0 planes, in place.

The maths, per pixel, with premultiplied overlay colour ``(R', G', B') = a * (R, G, B)`` in
0..255 levels and ``a`` in 0..1::

    Y_out = Y_src * (1 - a)  + (a * Y_off + M_y . (R', G', B'))
    U_out = U_src * (1 - a~) + (a~ * 128  + M_u . mean2x2(R', G', B'))     (same for V)

``M`` is the RGB -> YUV matrix of the source (BT.601 / BT.709 / BT.2020, limited or full
range), so the result equals converting the frame to RGB, blending there and converting back
(the conversion is affine, hence commutes with the blend); ``a~`` is alpha averaged over each
2x2 block, which with premultiplied colour is the exact downsample. Only the overlay's bbox,
widened to even coordinates, is touched.

Array code is written against an array module ``xp`` (numpy or CuPy). Frame planes are host
numpy views; with CuPy only the bbox region travels to the device and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from engine.overlay_types import Overlay

# Luma weights (Kr, Kb) per matrix; Kg = 1 - Kr - Kb.
_KR_KB = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722), "bt2020": (0.2627, 0.0593)}


@dataclass(frozen=True, slots=True)
class YuvMatrix:
    """RGB (0..255 levels) -> YUV (8-bit levels): ``yuv = coeffs @ rgb + offsets``."""

    coeffs: np.ndarray  # (3, 3) float64, rows Y, U, V
    offsets: np.ndarray  # (3,) float64


def yuv_matrix(matrix: str, full_range: bool) -> YuvMatrix:
    """The RGB->YUV transform for ``matrix`` ("bt601", "bt709", "bt2020") and range."""
    kr, kb = _KR_KB[matrix]
    kg = 1.0 - kr - kb
    luma = np.array([kr, kg, kb])
    cb = (np.array([0.0, 0.0, 1.0]) - luma) / (2 * (1 - kb))
    cr = (np.array([1.0, 0.0, 0.0]) - luma) / (2 * (1 - kr))
    if full_range:
        scale_y, scale_c, off_y = 1.0, 1.0, 0.0
    else:  # studio swing: Y 16..235, C 16..240
        scale_y, scale_c, off_y = 219 / 255, 224 / 255, 16.0
    coeffs = np.stack([luma * scale_y, cb * scale_c, cr * scale_c])
    return YuvMatrix(coeffs=coeffs, offsets=np.array([off_y, 128.0, 128.0]))


def chroma_aligned_bbox(
    bbox: tuple[int, int, int, int] | None, width: int, height: int
) -> tuple[int, int, int, int] | None:
    """``bbox`` (x0, y0, x1, y1, half-open) clipped to the frame and widened to even
    coordinates (odd frame edges excepted) so it covers whole 2x2 chroma blocks; None if empty."""
    if bbox is None:
        return None
    x0, y0, x1, y1 = bbox
    x0, y0 = max(0, x0) & ~1, max(0, y0) & ~1
    x1, y1 = min(width, x1 + (x1 & 1)), min(height, y1 + (y1 & 1))
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


@dataclass(slots=True)
class PreparedOverlay:
    """An overlay converted to the blend's terms, float32, on ``xp``'s device.

    ``*_keep`` = 1 - alpha, ``*_add`` = premultiplied YUV contribution plus 0.5 (so the final
    truncating cast rounds). Luma arrays cover ``bbox``; chroma arrays cover its 2x2 blocks.
    """

    version: int
    bbox: tuple[int, int, int, int]
    y_keep: Any
    y_add: Any
    c_keep: Any
    u_add: Any
    v_add: Any


def _mean_2x2(xp: ModuleType, a: Any) -> Any:
    """2x2 block means of (H, W, ...) ``a``; an odd last row/column averages over what exists."""
    h, w = a.shape[:2]
    if h % 2:
        a = xp.concatenate([a, a[-1:]], axis=0)
    if w % 2:
        a = xp.concatenate([a, a[:, -1:]], axis=1)
    return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) * 0.25


def prepare_overlay(
    xp: ModuleType, overlay: Overlay, bbox: tuple[int, int, int, int], matrix: YuvMatrix
) -> PreparedOverlay:
    """Convert ``overlay.rgba`` (premultiplied, uint8, host) inside even-aligned ``bbox``.

    Reads the overlay buffer only during the call (the producer owns it)."""
    x0, y0, x1, y1 = bbox
    region = xp.asarray(overlay.rgba[y0:y1, x0:x1]).astype(xp.float32)
    alpha = region[..., 3] * (1.0 / 255.0)
    rgb = region[..., :3]
    m = matrix.coeffs.astype(np.float32)
    off = matrix.offsets.astype(np.float32)

    def contribution(row: int, colour: Any, a: Any) -> Any:
        return (colour[..., 0] * m[row, 0] + colour[..., 1] * m[row, 1]
                + colour[..., 2] * m[row, 2] + a * off[row] + 0.5)  # fmt: skip

    c_rgba = _mean_2x2(xp, region)
    c_alpha = c_rgba[..., 3] * (1.0 / 255.0)
    return PreparedOverlay(
        version=overlay.version,
        bbox=bbox,
        y_keep=1.0 - alpha,
        y_add=contribution(0, rgb, alpha),
        c_keep=1.0 - c_alpha,
        u_add=contribution(1, c_rgba, c_alpha),
        v_add=contribution(2, c_rgba, c_alpha),
    )


def blend_plane(xp: ModuleType, plane: np.ndarray, keep: Any, add: Any) -> None:
    """``plane = clip(plane * keep + add)`` in place. ``plane`` is a host uint8 view of the
    region; ``keep``/``add`` are float32 arrays on ``xp`` of the same shape."""
    out = xp.asarray(plane).astype(xp.float32)
    out *= keep
    out += add
    xp.clip(out, 0.0, 255.0, out=out)
    result = out.astype(xp.uint8)
    plane[...] = result if xp is np else xp.asnumpy(result)


class Compositor:
    """Blends overlays into frames of one size and colour matrix.

    Keeps the last prepared overlay and reuses it while ``Overlay.version`` (and the bbox)
    stay the same, so static captions cost only the blend. Not thread-safe: one per stage.
    """

    def __init__(self, width: int, height: int, matrix: YuvMatrix, xp: ModuleType = np):
        self.width, self.height = width, height
        self.matrix = matrix
        self.xp = xp
        self._cached: PreparedOverlay | None = None
        self.prepared_count = 0  # how many conversions ran (tests check the cache)

    def prepare(self, overlay: Overlay) -> PreparedOverlay | None:
        """The converted overlay, or None when it has nothing to draw."""
        bbox = chroma_aligned_bbox(overlay.bbox, self.width, self.height)
        if bbox is None:
            return None
        cached = self._cached
        if cached is not None and cached.version == overlay.version and cached.bbox == bbox:
            return cached
        self._cached = prepare_overlay(self.xp, overlay, bbox, self.matrix)
        self.prepared_count += 1
        return self._cached

    def composite(
        self, planes: tuple[np.ndarray, np.ndarray, np.ndarray], overlay: Overlay
    ) -> bool:
        """Blend ``overlay`` into ``planes`` (Y, U, V uint8 host arrays of a yuv420p frame at
        this compositor's size, writable) in place. Returns False, touching nothing, when the
        overlay is empty."""
        prepared = self.prepare(overlay)
        if prepared is None:
            return False
        y, u, v = planes
        x0, y0, x1, y1 = prepared.bbox
        cx0, cy0, cx1, cy1 = x0 // 2, y0 // 2, (x1 + 1) // 2, (y1 + 1) // 2
        xp = self.xp
        blend_plane(xp, y[y0:y1, x0:x1], prepared.y_keep, prepared.y_add)
        blend_plane(xp, u[cy0:cy1, cx0:cx1], prepared.c_keep, prepared.u_add)
        blend_plane(xp, v[cy0:cy1, cx0:cx1], prepared.c_keep, prepared.v_add)
        return True


def array_module(name: str = "numpy") -> ModuleType:
    """``numpy``, or ``cupy`` imported lazily; "auto" picks CuPy when a device is usable."""
    if name == "numpy":
        return np
    try:
        import cupy  # type: ignore[import-not-found]

        cupy.cuda.runtime.getDeviceCount()
    except Exception:
        if name == "cupy":
            raise
        return np
    return cupy
