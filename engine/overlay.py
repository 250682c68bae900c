"""Scenario -> per-frame overlays: the motiontext timeline evaluated in playback order and
rasterized with Skia, reusing the previous pixels when the display list did not change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from motiontext.display_list import BoxPaint, GlowPaint, ImagePaint, TextPaint
from motiontext.layout.style import HostDefaults
from motiontext.model import Scenario
from motiontext.plugin_host import PluginRegistry
from motiontext.timeline import Timeline

from .drawn_bounds import DrawnBounds, Region, alpha_bbox
from .font_store import FontStore
from .fonts import FontBook
from .overlay_types import Overlay
from .rasterize import Rasterizer
from .text import SkiaShaper

REPO_ROOT = Path(__file__).resolve().parents[1]
DRAWING_ITEMS = (BoxPaint, TextPaint, GlowPaint, ImagePaint)  # layers alone draw nothing
# Fonts the ECG page declares with @font-face (the goldens' host page declared Roboto Flex).
DECLARED_FONT_DIRS = [REPO_ROOT / "fonts", REPO_ROOT.parent / "shared" / "reference" / "fonts"]
DECLARED_FONTS = {"Roboto Flex": "RobotoFlex.ttf"}


def default_declared_fonts() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for family, filename in DECLARED_FONTS.items():
        for folder in DECLARED_FONT_DIRS:
            if (folder / filename).is_file():
                found[family] = folder / filename
                break
    return found


_SHAPERS: dict[tuple[Path, ...], SkiaShaper] = {}
_SHAPERS_LOCK = threading.Lock()


def shared_shaper(font_dirs: Sequence[Path | str] = ()) -> SkiaShaper:
    """One font book per process and set of font folders (web fonts, engine/font_store.py):
    font loading and shaping caches are expensive."""
    key = tuple(Path(d) for d in font_dirs)
    with _SHAPERS_LOCK:
        shaper = _SHAPERS.get(key)
        if shaper is None:
            store = FontStore(key) if key else None
            shaper = _SHAPERS[key] = SkiaShaper(FontBook(default_declared_fonts(), store))
        return shaper


def default_registry() -> PluginRegistry:
    try:
        from motiontext.plugins import official_registry
    except ImportError:
        return PluginRegistry()
    return official_registry()


class ScenarioOverlay:
    """OverlaySource for a scenario at a given output size (the stage is the whole frame)."""

    def __init__(
        self,
        scenario: Scenario,
        width: int,
        height: int,
        fps: float = 30.0,
        host: HostDefaults | None = None,
        shaper: SkiaShaper | None = None,
        registry: PluginRegistry | None = None,
    ) -> None:
        self.shaper = shaper or shared_shaper()
        self.timeline = Timeline(
            scenario, width, height, self.shaper, host, registry or default_registry(), fps
        )
        self.raster = Rasterizer(width, height, self.shaper)
        self.bounds = DrawnBounds(self.shaper, width, height)
        self._signature: int | None = None
        self._items: list | None = None  # the items behind _signature
        self._drawn: Region = (0, 0, width, height)  # the buffer is zero outside this
        self._current = Overlay(self.raster.pixels, None, 0)

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        dl = self.timeline.frame(t_seconds)
        if self._items is not None and _same_objects(dl.items, self._items):
            return self._current  # the timeline hands out an unchanged list's items again
        signature = dl.signature()
        self._items = dl.items
        if signature == self._signature:
            return self._current
        self._signature = signature
        x0, y0, x1, y1 = self._drawn
        self.raster.pixels[y0:y1, x0:x1] = 0
        if not any(isinstance(item, DRAWING_ITEMS) for item in dl.items):
            self._drawn = (0, 0, 0, 0)
            bbox = None
        else:
            self._drawn = self.bounds.region(dl.items)
            pixels = self.raster.draw(dl, clear=False)
            bbox = alpha_bbox(pixels, self._drawn)
        self._current = Overlay(self.raster.pixels, bbox, self._current.version + 1)
        return self._current

    def straight_rgba(self) -> np.ndarray:
        """The current overlay as straight-alpha RGBA (a new array), the goldens' format."""
        return unpremultiply(self.raster.pixels)


def video_overlay(
    scenario: Scenario,
    output_fps: Fraction | None,
    host: HostDefaults | None = None,
    shaper: SkiaShaper | None = None,
) -> Callable[[int, int], ScenarioOverlay]:
    """``render_video``'s ``make_overlay_source`` for ``scenario``, the same for the CLI, the
    service and the batch. The pipeline evaluates the overlay at each output frame's own time,
    in playback order, so with the source's timing kept (``output_fps`` None, VFR too) the
    captions follow every frame's real timestamp. The rate given to the timeline is only what
    the plugins' context reports as ``renderer.fps`` (the original's renderer option, 30
    unless set; no plugin's output depends on it): the output rate when one is asked for.
    ``host`` and ``shaper``: the page imitated (``engine.host_page.HostPage.video_overlay``)."""
    fps = float(output_fps) if output_fps else 30.0
    return lambda width, height: ScenarioOverlay(scenario, width, height, fps, host, shaper)


def _same_objects(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def unpremultiply(pixels: np.ndarray) -> np.ndarray:
    alpha = pixels[..., 3:4].astype(np.float32)
    rgb = pixels[..., :3].astype(np.float32)
    safe = np.where(alpha > 0, alpha, 1.0)
    out = np.empty_like(pixels)
    out[..., :3] = np.clip(np.rint(rgb * 255.0 / safe), 0, 255).astype(np.uint8)
    out[..., 3] = pixels[..., 3]
    out[..., :3][pixels[..., 3] == 0] = 0
    return out


def render_frames(
    scenario: Scenario,
    times: list[float],
    width: int,
    height: int,
    fps: float = 30.0,
    sequential: bool = True,
    host: HostDefaults | None = None,
    shaper: SkiaShaper | None = None,
) -> list[np.ndarray]:
    """Straight-alpha RGBA frames at ``times``. Sequential: every frame k/fps from 0 up to
    each requested time is ticked, as the editor's playback does."""
    overlay = ScenarioOverlay(scenario, width, height, fps, host, shaper)
    out = []
    frame_index = 0
    for t in sorted(times):
        if sequential:
            while frame_index / fps < t - 1e-9:
                overlay.timeline.tick(frame_index / fps)
                frame_index += 1
        else:
            overlay.timeline.reset()
        overlay.overlay_at(frame_index, t)
        out.append(overlay.straight_rgba())
    return out
