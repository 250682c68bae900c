"""The project's one parity metric (used by every parity test, the CLI and benchmarks).

Both frames are straight-alpha RGBA uint8. Each is composited over mid-gray (128,128,128);
coverage = alpha > 0.05. IoU of the coverages (1.0 when both are empty). Blurred MAE = mean
absolute difference (0-255) of the two gray composites after a Gaussian blur (sigma 1 px),
over the union bounding box of both coverages grown by 4 px. A frame passes with
IoU >= 0.95 and blurred MAE <= 4.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IOU_MIN = 0.95
MAE_MAX = 4.0
_GRAY = 128.0


@dataclass(frozen=True, slots=True)
class ParityScore:
    iou: float
    mae: float

    @property
    def passed(self) -> bool:
        return self.iou >= IOU_MIN and self.mae <= MAE_MAX


def _over_gray(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    return rgba[..., :3].astype(np.float32) * a + _GRAY * (1.0 - a)


def _gaussian_kernel(sigma: float = 1.0) -> np.ndarray:
    radius = int(np.ceil(4 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    return k / k.sum()


def _blur(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    r = len(kernel) // 2
    padded = np.pad(img, ((r, r), (0, 0), (0, 0)), mode="edge")
    out = sum(kernel[i] * padded[i : i + img.shape[0]] for i in range(len(kernel)))
    padded = np.pad(out, ((0, 0), (r, r), (0, 0)), mode="edge")
    return sum(kernel[i] * padded[:, i : i + img.shape[1]] for i in range(len(kernel)))


def compare(reference: np.ndarray, candidate: np.ndarray) -> ParityScore:
    if reference.shape != candidate.shape:
        raise ValueError(f"frame sizes differ: {reference.shape} vs {candidate.shape}")
    ref_cov = reference[..., 3] > 0.05 * 255
    cand_cov = candidate[..., 3] > 0.05 * 255
    union = ref_cov | cand_cov
    if not union.any():
        return ParityScore(1.0, 0.0)
    iou = float((ref_cov & cand_cov).sum() / union.sum())
    rows = np.flatnonzero(union.any(axis=1))
    cols = np.flatnonzero(union.any(axis=0))
    h, w = union.shape
    y0, y1 = max(0, rows[0] - 4), min(h, rows[-1] + 5)
    x0, x1 = max(0, cols[0] - 4), min(w, cols[-1] + 5)
    # blur a margin around the box so the edge padding does not bias the mean
    m = 8
    by0, by1, bx0, bx1 = max(0, y0 - m), min(h, y1 + m), max(0, x0 - m), min(w, x1 + m)
    kernel = _gaussian_kernel(1.0)
    a = _blur(_over_gray(reference[by0:by1, bx0:bx1]), kernel)
    b = _blur(_over_gray(candidate[by0:by1, bx0:bx1]), kernel)
    sl = (slice(y0 - by0, y1 - by0), slice(x0 - bx0, x1 - bx0))
    mae = float(np.abs(a[sl] - b[sl]).mean())
    return ParityScore(iou, mae)
