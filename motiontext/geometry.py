"""3x3 matrices (row-major, acting on column vectors) for CSS 2-D and projected 3-D transforms."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Matrix:
    m: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)

    def __matmul__(self, other: "Matrix") -> "Matrix":
        a, b = self.m, other.m
        return Matrix(tuple(
            sum(a[r * 3 + k] * b[k * 3 + c] for k in range(3)) for r in range(3) for c in range(3)
        ))

    def apply(self, x: float, y: float) -> tuple[float, float]:
        m = self.m
        w = m[6] * x + m[7] * y + m[8]
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)

    @property
    def is_identity(self) -> bool:
        return self.m == IDENTITY.m


IDENTITY = Matrix()


def translate(tx: float, ty: float) -> Matrix:
    return Matrix((1.0, 0.0, tx, 0.0, 1.0, ty, 0.0, 0.0, 1.0))


def scale(sx: float, sy: float) -> Matrix:
    return Matrix((sx, 0.0, 0.0, 0.0, sy, 0.0, 0.0, 0.0, 1.0))


def rotate(deg: float) -> Matrix:
    r = math.radians(deg)
    c, s = math.cos(r), math.sin(r)
    return Matrix((c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0))


def skew(x_deg: float, y_deg: float) -> Matrix:
    return Matrix((1.0, math.tan(math.radians(x_deg)), 0.0,
                   math.tan(math.radians(y_deg)), 1.0, 0.0, 0.0, 0.0, 1.0))


def about(origin_x: float, origin_y: float, m: Matrix) -> Matrix:
    """CSS transform-origin: translate(o) · m · translate(-o)."""
    return translate(origin_x, origin_y) @ m @ translate(-origin_x, -origin_y)
