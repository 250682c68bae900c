"""Live parity run: one scenario rendered by the original (``parity.reference_browser``) and by
this renderer (``engine.overlay``), frame by frame, scored with the project's one metric
(``parity.metric.compare``). Used by ``ecg-render parity`` and the live parity tests.

Both sides play the scenario sequentially from t = 0 at ``fps`` (frame n = n / fps), so
history-dependent state matches. Frames are straight-alpha RGBA uint8, streamed one at a time.

Plugins: the harness page registers none (their code is not in the repository), so a frame
where a plugin could have an effect cannot be compared. A frame is **skipped** when any node
mounted at t has a pluginChain entry naming an official plugin (or one this renderer has
registered) whose window has started (w0 <= t): that covers active windows, DOM plugins held
at p = 1 after their window, and channel values that persist until unmount. Names that
neither side knows have no effect on either side, so they do not cause a skip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from engine.host_page import HostPage
from engine.overlay import ScenarioOverlay, unpremultiply
from engine.overlay_types import Overlay
from motiontext.errors import ScenarioError
from motiontext.model import Scenario
from motiontext.plugin_host import PluginRegistry, plugin_window

from .metric import IOU_MIN, MAE_MAX, ParityScore, compare
from .reference_browser import ReferenceRenderer

# The official plugins of the production editor (the goldens' manifests list them).
OFFICIAL_PLUGINS = frozenset(
    {
        "bobY",
        "cwi-bouncing",
        "cwi-color",
        "cwi-loud",
        "cwi-whisper",
        "elastic",
        "fadein",
        "flames",
        "fliptype",
        "glitch",
        "glow",
        "magnetic",
        "pulse",
        "rotation",
        "scalepop",
        "slideup",
        "spin",
        "typewriter",
    }
)


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One frame of a parity run. ``score`` is None when the frame was skipped, and then
    ``skipped`` names the plugins that made it incomparable."""

    scenario: str
    frame_index: int
    t_seconds: float
    score: ParityScore | None
    skipped: tuple[str, ...] = ()
    reused: bool = False  # neither side changed since the previous compared frame

    @property
    def failed(self) -> bool:
        return self.score is not None and not self.score.passed

    @property
    def badness(self) -> float:
        """Distance to the bound as a ratio (> 1 fails): max((1 - IoU) / (1 - IOU_MIN),
        MAE / MAE_MAX). Only an ordering for reports, not a second metric."""
        if self.score is None:
            return -1.0
        return max((1.0 - self.score.iou) / (1.0 - IOU_MIN), self.score.mae / MAE_MAX)


# (result, reference frame, our frame); the frames are only valid during the call.
FrameCallback = Callable[[FrameResult, np.ndarray | None, np.ndarray | None], None]


def default_size(scenario: Scenario) -> tuple[int, int]:
    """1080x1920 for a 9:16 stage, else 1920x1080 (16:9 and ``auto``)."""
    return (1080, 1920) if scenario.aspect_ratio() < 1 else (1920, 1080)


def last_cue_end(scenario: Scenario) -> float:
    """The latest finite displayTime end of any node (nothing is visible after it); 0 when no
    node can ever be visible."""
    end = 0.0

    def visit(node) -> None:
        nonlocal end
        d0, d1 = node.display_time
        if math.isfinite(d0) and math.isfinite(d1):
            end = max(end, d1)
        for child in node.children:
            visit(child)

    for cue in scenario.cues:
        visit(cue.root)
    return end


def frame_indices(duration_seconds: float, fps: float, every: int) -> list[int]:
    """Frames 0, every, 2*every, ... with frame / fps <= duration."""
    if every < 1:
        raise ValueError(f"every must be >= 1, but is {every}")
    last = math.floor(duration_seconds * fps + 1e-6)
    return list(range(0, last + 1, every))


def plugins_in_effect(overlay: ScenarioOverlay, t_seconds: float) -> tuple[str, ...]:
    """Plugin names that may affect the frame at t (see the module docstring)."""
    registry: PluginRegistry = overlay.timeline.registry
    found: set[str] = set()
    for el in overlay.timeline.mounted.values():
        node = el.node
        if node is None:
            continue
        for spec in node.plugin_chain:
            name = spec.name if isinstance(spec.name, str) else ""
            if name.split("@", 1)[0] not in OFFICIAL_PLUGINS and registry.lookup(name) is None:
                continue
            try:
                w0, w1 = plugin_window(spec, node)
            except ScenarioError:
                continue  # a malformed baseTime: the original throws out of seek() too
            if math.isfinite(w0) and math.isfinite(w1) and w0 <= t_seconds + 1e-9:
                found.add(name)
    return tuple(sorted(found))


def _straight(overlay: Overlay) -> np.ndarray:
    """The overlay as straight RGBA (a new array); converts only inside its bbox (outside it
    every pixel is transparent, which unpremultiplies to 0)."""
    out = np.zeros_like(overlay.rgba)
    if overlay.bbox is not None:
        x0, y0, x1, y1 = overlay.bbox
        out[y0:y1, x0:x1] = unpremultiply(overlay.rgba[y0:y1, x0:x1])
    return out


def iter_ours(
    scenario: Scenario,
    frames: list[int],
    width: int,
    height: int,
    fps: float,
    page: HostPage | None = None,
) -> Iterator[tuple[int, np.ndarray, tuple[str, ...]]]:
    """This renderer, sequential playback: ``(frame_index, straight RGBA, plugins in
    effect)`` for each requested frame, in increasing order. An unchanged overlay yields the
    previous array object again (callers must not write into it)."""
    overlay = (page or HostPage()).overlay(scenario, width, height, fps)
    k = 0
    version = -1
    image = np.zeros((height, width, 4), dtype=np.uint8)
    for n in sorted(set(frames)):
        while k < n:
            overlay.timeline.tick(k / fps)
            k += 1
        current = overlay.overlay_at(n, n / fps)
        k = n + 1
        if current.version != version:
            version = current.version
            image = _straight(current)
        yield n, image, plugins_in_effect(overlay, n / fps)


def run_scenario(
    name: str,
    doc: dict,
    scenario: Scenario,
    reference: ReferenceRenderer,
    width: int,
    height: int,
    fps: float,
    frames: list[int],
    on_frame: FrameCallback | None = None,
    page: HostPage | None = None,
) -> list[FrameResult]:
    """Compare ``frames`` (indices at ``fps``) of one scenario; ``doc`` is the JSON document
    the original loads, ``scenario`` the same document parsed by ``motiontext.parse``.
    ``page`` (default: bare, no font folders) is imitated on both sides: the host style as
    page CSS in the harness and as inherited values here, and the same web font files.

    A frame where neither side changed since the previous compared frame (same reference DOM,
    same overlay) reuses that frame's score: the pixels are the same, so is the score."""
    frames = sorted(set(frames))
    times = [n / fps for n in frames]
    ours = iter_ours(scenario, frames, width, height, fps, page)
    theirs = reference.iter_render(doc, times, width, height, fps, reuse_unchanged=True, page=page)
    results = []
    previous: tuple[np.ndarray, np.ndarray, ParityScore] | None = None
    for (n, our_img, plugins), (_t, ref_img) in zip(ours, theirs, strict=True):
        t = n / fps
        if plugins:
            result = FrameResult(name, n, t, None, plugins)
            if on_frame:
                on_frame(result, None, None)
        else:
            if previous is not None and previous[0] is ref_img and previous[1] is our_img:
                result = FrameResult(name, n, t, previous[2], reused=True)
            else:
                result = FrameResult(name, n, t, compare(ref_img, our_img))
                previous = (ref_img, our_img, result.score)
            if on_frame:
                on_frame(result, ref_img, our_img)
        results.append(result)
    return results
