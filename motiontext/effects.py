"""What DOM plugins do to a node's effects root, as data (plugins spec 2.4, 2.9, 2.11).

A plugin never touches layout or pixels directly: each frame the host starts from the plain
text (``Effects()``), lets every initialised DOM plugin of the node edit an ``Effects`` in
chain order, and the layout/paint stages turn the result into boxes and draw items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .css import Rgba, Shadow


@dataclass(slots=True)
class UnitStyle:
    color: Rgba | None = None  # None: inherit the node's fill colour
    opacity: float = 1.0
    shadows: tuple[Shadow, ...] | None = None  # None: inherit; () removes every shadow
    filters: tuple[tuple[str, float], ...] = ()  # ("brightness"|"blur"|"saturate"|"contrast", v)
    blend: str = "normal"  # "normal" | "screen"
    font_weight: int | None = None


@dataclass(slots=True)
class UnitTransform:
    """A CSS transform about ``origin`` (fractions of the unit's box): translate(x, y) ·
    rotateZ · rotateY · rotateX · skewX · scale, then the container's perspective."""

    x: float = 0.0
    y: float = 0.0
    scale_x: float = 1.0
    scale_y: float = 1.0
    rotation: float = 0.0  # degrees, in the screen plane
    rotation_x: float = 0.0
    rotation_y: float = 0.0
    skew_x: float = 0.0
    origin: tuple[float, float] = (0.5, 0.5)
    perspective: float | None = None  # px; the projection centre is the units' container centre
    # GSAP (force3D "auto") writes translate3d() while one of its tweens is mid-way (eased ratio
    # neither 0 nor 1); that 3-D transform makes Chromium composite the element in its own layer.
    composited: bool = False

    @property
    def is_identity(self) -> bool:
        return (
            self.x == 0
            and self.y == 0
            and self.scale_x == 1
            and self.scale_y == 1
            and self.rotation == 0
            and self.rotation_x == 0
            and self.rotation_y == 0
            and self.skew_x == 0
        )


@dataclass(slots=True)
class Unit:
    """One span inside the effects root: an inline-block per character/word/layer."""

    text: str
    style: UnitStyle = field(default_factory=UnitStyle)
    transform: UnitTransform = field(default_factory=UnitTransform)
    absolute: bool = False  # at the container's origin, taking no space (glitch layers)
    line_break_before: bool = False  # starts a new block line (rotation's container)
    margin_em: float = 0.0  # horizontal margin on both sides (elastic)
    clip: bool = False  # overflow: hidden on the unit box (slideup)
    hidden: bool = False  # laid out but not painted


@dataclass(slots=True)
class Decoration:
    """Drawn behind the glyphs, over the effects root's box (glow gradient, flames)."""

    kind: str  # "glow" | "flames"
    opacity: float
    color: Rgba = (0.0, 0.0, 0.0, 0.0)
    frame_index: int = 0


@dataclass(slots=True)
class Effects:
    units: list[Unit] | None = None  # None: the original single text node
    group: UnitTransform | None = None  # transform of a span around all units (.cwi-word)
    group_color: Rgba | None = None  # colour of that span (inherited by units without one)
    root: UnitTransform | None = None  # transform of the effects root itself (bobY, pulse)
    wrapper_shadows: tuple[Shadow, ...] | None = None  # text-shadow set on the base wrapper
    decorations: list[Decoration] = field(default_factory=list)

    def split(self, pieces: list[str], **unit_kwargs) -> list[Unit]:
        """Replace the content by one unit per piece (U+0020 renders as U+00A0)."""
        self.units = [Unit(p.replace(" ", "\u00a0"), **unit_kwargs) for p in pieces]
        return self.units
