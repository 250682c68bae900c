"""3x3 matrices (row-major, acting on column vectors) for CSS 2-D and projected 3-D transforms."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Matrix:
    m: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)

    def __matmul__(self, other: Matrix) -> Matrix:
        a, b = self.m, other.m
        return Matrix(
            tuple(
                sum(a[r * 3 + k] * b[k * 3 + c] for k in range(3))
                for r in range(3)
                for c in range(3)
            )
        )

    def apply(self, x: float, y: float) -> tuple[float, float]:
        m = self.m
        w = m[6] * x + m[7] * y + m[8]
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)

    @property
    def is_identity(self) -> bool:
        return self.m == IDENTITY.m

    def inverse(self) -> Matrix:
        """The inverse (adjugate over determinant); raises ZeroDivisionError if singular."""
        a, b, c, d, e, f, g, h, i = self.m
        co = (
            e * i - f * h,
            c * h - b * i,
            b * f - c * e,
            f * g - d * i,
            a * i - c * g,
            c * d - a * f,
            d * h - e * g,
            b * g - a * h,
            a * e - b * d,
        )
        det = a * co[0] + b * co[3] + c * co[6]
        return Matrix(tuple(v / det for v in co))


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
    return Matrix(
        (
            1.0,
            math.tan(math.radians(x_deg)),
            0.0,
            math.tan(math.radians(y_deg)),
            1.0,
            0.0,
            0.0,
            0.0,
            1.0,
        )
    )


def about(origin_x: float, origin_y: float, m: Matrix) -> Matrix:
    """CSS transform-origin: translate(o) · m · translate(-o)."""
    return translate(origin_x, origin_y) @ m @ translate(-origin_x, -origin_y)


def _mat4_mul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    return [[sum(a[r][k] * b[k][c] for k in range(4)) for c in range(4)] for r in range(4)]


def _t4(x: float, y: float) -> list[list[float]]:
    return [[1, 0, 0, x], [0, 1, 0, y], [0, 0, 1, 0], [0, 0, 0, 1]]


def css3d(
    x: float,
    y: float,
    rot_z: float,
    rot_y: float,
    rot_x: float,
    skew_x_deg: float,
    sx: float,
    sy: float,
    origin: tuple[float, float],
    perspective: float | None = None,
    perspective_origin: tuple[float, float] = (0.0, 0.0),
) -> Matrix:
    """translate(x,y) rotateZ rotateY rotateX skewX scale about ``origin``, then an optional
    CSS perspective about ``perspective_origin``; reduced to a 3x3 homography for the z=0
    plane the glyphs live in."""
    cz, sz = math.cos(math.radians(rot_z)), math.sin(math.radians(rot_z))
    cy, sy_ = math.cos(math.radians(rot_y)), math.sin(math.radians(rot_y))
    cx, sx_ = math.cos(math.radians(rot_x)), math.sin(math.radians(rot_x))
    rz = [[cz, -sz, 0, 0], [sz, cz, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    ry = [[cy, 0, sy_, 0], [0, 1, 0, 0], [-sy_, 0, cy, 0], [0, 0, 0, 1]]
    rx = [[1, 0, 0, 0], [0, cx, -sx_, 0], [0, sx_, cx, 0], [0, 0, 0, 1]]
    sk = [[1, math.tan(math.radians(skew_x_deg)), 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    sc = [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    m = _t4(origin[0] + x, origin[1] + y)
    for part in (rz, ry, rx, sk, sc, _t4(-origin[0], -origin[1])):
        m = _mat4_mul(m, part)
    if perspective:
        px, py = perspective_origin
        persp = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, -1 / perspective, 1]]
        m = _mat4_mul(_mat4_mul(_mat4_mul(_t4(px, py), persp), _t4(-px, -py)), m)
    return Matrix((m[0][0], m[0][1], m[0][3], m[1][0], m[1][1], m[1][3], m[3][0], m[3][1], m[3][3]))
