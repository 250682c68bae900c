"""Layout boxes: one per outer element plus one per base wrapper, with computed style and,
after layout, their geometry."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..dom import Element
from ..effects import Unit
from ..geometry import IDENTITY, Matrix
from .style import Computed
from .text import Line

WRAPPER_STYLE = {"position": "relative", "display": "inline-block"}


@dataclass(slots=True)
class UnitBox:
    """A DOM plugin's span laid out inside the wrapper (coordinates local to the wrapper)."""

    unit: Unit
    x: float
    top: float
    w: float
    h: float
    baseline: float  # from the unit box top


@dataclass(eq=False)
class Box:
    el: Element
    cs: Computed
    is_wrapper: bool = False
    children: list[Box] = field(default_factory=list)  # outer: [wrapper, *child outers]
    parent: Box | None = None
    # geometry (border box), x/y relative to the parent box's border-box origin for in-flow
    # boxes, to the containing block's border-box origin for absolutely positioned ones
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    pad: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    lines: list[Line] = field(default_factory=list)  # wrapper of a text node
    unit_boxes: list[UnitBox] = field(default_factory=list)  # wrapper whose text was split
    line_x: list[float] = field(default_factory=list)
    line_top: list[float] = field(default_factory=list)
    baseline: float | None = None  # last line baseline from the border-box top
    matrix: Matrix = IDENTITY  # local border-box coords -> stage px
    # Blink's paint offset: where the border-box origin lies in its transform space, whose
    # origin is on whole pixels. Blink pixel-snaps backgrounds and borders there:
    # x0 = round(sx), x1 = round(sx + w) (local x = that - sx), likewise for y.
    space_offset: tuple[float, float] = (0.0, 0.0)
    # The nearest enclosing transform space (the box's own included) whose transform is not a
    # pure translation, local coords -> stage px (IDENTITY: the stage). A composited layer
    # inside is rasterized in its pixel grid; translations below it stay in the content.
    raster_space: Matrix = IDENTITY
    cb: Box | None = None  # containing block for absolutely positioned boxes

    @property
    def border(self) -> tuple[float, float, float, float]:
        return self.cs.border_width

    @property
    def is_abs(self) -> bool:
        return self.cs.position == "absolute" and not self.is_wrapper

    @property
    def kind(self) -> str:
        return "wrapper" if self.is_wrapper else self.el.kind

    @property
    def frame_lr(self) -> float:
        return self.pad[1] + self.pad[3] + self.border[1] + self.border[3]

    @property
    def frame_tb(self) -> float:
        return self.pad[0] + self.pad[2] + self.border[0] + self.border[2]

    @property
    def content_w(self) -> float:
        return max(0.0, self.w - self.frame_lr)

    @property
    def content_h(self) -> float:
        return max(0.0, self.h - self.frame_tb)

    @property
    def client_size(self) -> tuple[float, float]:
        """clientWidth/clientHeight: padding box (no border), integer as the DOM reports."""
        return (
            round(self.w - self.border[1] - self.border[3]),
            round(self.h - self.border[0] - self.border[2]),
        )

    @property
    def content_origin(self) -> tuple[float, float]:
        return (self.border[3] + self.pad[3], self.border[0] + self.pad[0])
