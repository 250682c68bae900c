"""Variable-font instances as Chromium 156 draws them, and Blink's synthetic-bold rule.

Measured against the live harness (Roboto Flex declared by the page, widths exact to 0.02 px
at 8-160 px and weights 1-1000):

* ``opsz`` = the used font size in CSS px, clamped to the axis (``font-optical-sizing: auto``;
  a CSS transform does not change it, since the font size does not change);
* ``wght`` = the used font weight clamped to the face's weight range, then to the axis;
* ``wdth`` = the font-stretch percentage (always ``normal``, 100 %: no MotionText style can
  set font-stretch), clamped to the axis;
* other axes keep their defaults.

The weight range is the ``@font-face`` one: a CSS ``@font-face`` without a ``font-weight``
descriptor (the page's Roboto Flex) is ``auto`` (the ``wght`` axis range, or a static face's
own weight), while a JS ``FontFace`` without one (1.5.0's define font assets) is ``normal``,
(400, 400). Chromium then synthesises bold exactly when the weight is >= 600 and the range
ends below 600 (measured: range 400 at weight 600 is emboldened, 599 is not; range 100-550
at 600 is ``wght`` 550 emboldened; the auto range at 700 is ``wght`` 700 with no emboldening).
"""

from __future__ import annotations

from dataclasses import dataclass

import skia

BOLD_THRESHOLD = 600  # Blink's BoldThreshold(): synthetic bold from this weight up
NORMAL_STRETCH_PERCENT = 100.0


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


OPSZ, WGHT, WDTH = _tag("opsz"), _tag("wght"), _tag("wdth")
WeightRange = tuple[float, float]
AxisValues = tuple[tuple[int, float], ...]  # (axis tag, design value), in the face's axis order


@dataclass(frozen=True, slots=True)
class Axis:
    tag: int
    minimum: float
    default: float
    maximum: float

    def clamp(self, value: float) -> float:
        return min(max(value, self.minimum), self.maximum)


def axes_of(typeface: skia.Typeface) -> tuple[Axis, ...]:
    """The face's variation axes (empty for a static face)."""
    params = typeface.getVariationDesignParameters() or []
    # the binding names the default "def", a Python keyword
    return tuple(Axis(a.tag, a.min, getattr(a, "def"), a.max) for a in params)


def capability_range(
    typeface: skia.Typeface, axes: tuple[Axis, ...], declared: WeightRange | None
) -> WeightRange:
    """The weights the face answers to: the declared ``@font-face`` range, or (``auto``) its
    ``wght`` axis range, or a static face's own weight."""
    if declared is not None:
        return declared
    for axis in axes:
        if axis.tag == WGHT:
            return (axis.minimum, axis.maximum)
    weight = float(typeface.fontStyle().weight())
    return (weight, weight)


def synthesises_bold(weight: float, weights: WeightRange) -> bool:
    """Blink fakes bold when a bold weight is asked of a face whose range stays below it."""
    return weight >= BOLD_THRESHOLD and weights[1] < BOLD_THRESHOLD


def axis_values(
    axes: tuple[Axis, ...], size_px: float, weight: float, weights: WeightRange
) -> AxisValues:
    """The positions Chromium sets on the axes it drives (``opsz``, ``wght``, ``wdth``)."""
    values = []
    for axis in axes:
        if axis.tag == OPSZ:
            values.append((axis.tag, axis.clamp(size_px)))
        elif axis.tag == WGHT:
            values.append((axis.tag, axis.clamp(min(max(weight, weights[0]), weights[1]))))
        elif axis.tag == WDTH:
            values.append((axis.tag, axis.clamp(NORMAL_STRETCH_PERCENT)))
    return tuple(values)


def make_instance(typeface: skia.Typeface, values: AxisValues) -> skia.Typeface:
    """``typeface`` at the design position ``values`` (unlisted axes at their defaults)."""
    position = skia.FontArguments.VariationPosition
    # FontArguments keeps pointers into these objects: they must outlive makeClone.
    coordinates = position.Coordinates([position.Coordinate(tag, v) for tag, v in values])
    design = position(coordinates)
    arguments = skia.FontArguments()
    arguments.setVariationDesignPosition(design)
    clone = typeface.makeClone(arguments)
    return clone if clone is not None else typeface
