"""Self-contained HTML report of a parity run (``ecg-render parity --report out.html``).

One file, no external references: images are embedded as base64 PNG. At the top a summary
(verdict, the metric's bound, frames compared/skipped/failed per scenario); below, one card per
frame, worst first: reference | ours | diff heatmap, with IoU and blurred MAE. Only the worst
``max_frames`` distinct frames keep images (a frame whose score was reused from an identical
earlier frame, or where both frames are empty, adds nothing); every failing frame is still
listed in the table.

Panels are cropped to the union of both frames' non-transparent pixels (plus a margin; tiny
crops are zoomed by whole pixels) and composited over mid-gray, as the metric sees them. The heatmap shows |reference - ours| of
those composites, mean over RGB, x4, on a black-red-yellow-white ramp: a picture of where the
frames differ, not a second metric.
"""

from __future__ import annotations

import base64
import heapq
import html
import io
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

from .metric import IOU_MIN, MAE_MAX
from .run import FrameResult

_HEAD = (
    "<!doctype html><html><head><meta charset='utf-8'>"
    "<title>ECG Render parity report</title><style>"
    "body{font:14px/1.4 sans-serif;margin:24px;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}"
    ".PASS{color:#080}.FAIL{color:#c00}.card{margin:18px 0;padding:8px;"
    "border:1px solid #ddd}.card.bad{border-color:#c00}.row{display:flex;gap:8px;"
    "align-items:flex-start}.row figure{margin:0}.row img{max-width:100%;"
    "image-rendering:pixelated;border:1px solid #999}figcaption{font-size:12px}"
    "</style></head><body>"
)
PANEL_MAX_WIDTH = 560
PANEL_MIN_WIDTH = 160
CROP_MARGIN_PX = 16
_GRAY = 128.0


@dataclass(slots=True)
class ScenarioSummary:
    name: str
    width: int
    height: int
    fps: float
    results: list[FrameResult] = field(default_factory=list)
    error: str | None = None

    @property
    def compared(self) -> list[FrameResult]:
        return [r for r in self.results if r.score is not None]

    @property
    def failed(self) -> list[FrameResult]:
        return [r for r in self.results if r.failed]

    @property
    def skipped(self) -> list[FrameResult]:
        return [r for r in self.results if r.score is None]


@dataclass(order=True)
class _Card:
    badness: float
    order: int
    result: FrameResult = field(compare=False)
    panels: tuple[str, str, str] = field(compare=False)
    crop: tuple[int, int, int, int] = field(compare=False)


def _over_gray(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    return rgba[..., :3].astype(np.float32) * a + _GRAY * (1.0 - a)


def _crop_box(ref: np.ndarray, ours: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around every visible pixel of either frame, or the whole frame."""
    h, w = ref.shape[:2]
    covered = (ref[..., 3] > 0) | (ours[..., 3] > 0)
    if not covered.any():
        return 0, 0, w, h
    rows = np.flatnonzero(covered.any(axis=1))
    cols = np.flatnonzero(covered.any(axis=0))
    m = CROP_MARGIN_PX
    return (
        max(0, int(cols[0]) - m),
        max(0, int(rows[0]) - m),
        min(w, int(cols[-1]) + 1 + m),
        min(h, int(rows[-1]) + 1 + m),
    )


def _heat(diff: np.ndarray) -> np.ndarray:
    """0..255 float -> RGB on a black-red-yellow-white ramp."""
    v = np.clip(diff * 4.0, 0, 255) / 255.0
    rgb = np.stack(
        [np.clip(v * 3, 0, 1), np.clip(v * 3 - 1, 0, 1), np.clip(v * 3 - 2, 0, 1)], axis=-1
    )
    return (rgb * 255).astype(np.uint8)


def _png_b64(rgb: np.ndarray) -> str:
    img = Image.fromarray(rgb)
    if img.width < PANEL_MIN_WIDTH:  # tiny crops: whole-pixel zoom, so pixels stay visible
        factor = -(-PANEL_MIN_WIDTH // img.width)
        img = img.resize((img.width * factor, img.height * factor), Image.Resampling.NEAREST)
    elif img.width > PANEL_MAX_WIDTH:
        img = img.resize(
            (PANEL_MAX_WIDTH, max(1, round(img.height * PANEL_MAX_WIDTH / img.width))),
            Image.Resampling.LANCZOS,
        )
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_panels(
    ref: np.ndarray, ours: np.ndarray
) -> tuple[tuple[str, str, str], tuple[int, int, int, int]]:
    """Base64 PNGs (reference, ours, heatmap) of the cropped frames, and the crop box."""
    x0, y0, x1, y1 = _crop_box(ref, ours)
    a = _over_gray(ref[y0:y1, x0:x1])
    b = _over_gray(ours[y0:y1, x0:x1])
    heat = _heat(np.abs(a - b).mean(axis=-1))
    panels = (
        _png_b64(np.rint(a).astype(np.uint8)),
        _png_b64(np.rint(b).astype(np.uint8)),
        _png_b64(heat),
    )
    return panels, (x0, y0, x1, y1)


class ParityReport:
    """Collects a parity run; :meth:`on_frame` is a ``parity_run.FrameCallback``."""

    def __init__(self, max_frames: int = 60) -> None:
        self.max_frames = max_frames
        self.scenarios: list[ScenarioSummary] = []
        self._cards: list[_Card] = []  # min-heap on badness: the best card is evicted first
        self._counter = itertools.count()

    def start_scenario(self, name: str, width: int, height: int, fps: float) -> ScenarioSummary:
        summary = ScenarioSummary(name, width, height, fps)
        self.scenarios.append(summary)
        return summary

    def on_frame(
        self, result: FrameResult, ref: np.ndarray | None, ours: np.ndarray | None
    ) -> None:
        if result.score is None or result.reused or ref is None or ours is None:
            return
        if self.max_frames <= 0 or not (ref[..., 3].any() or ours[..., 3].any()):
            return  # nothing to show when both frames are empty
        key = (result.badness, -next(self._counter))
        if len(self._cards) >= self.max_frames and key <= (
            self._cards[0].badness,
            self._cards[0].order,
        ):
            return
        panels, crop = render_panels(ref, ours)
        card = _Card(key[0], key[1], result, panels, crop)
        if len(self._cards) >= self.max_frames:
            heapq.heapreplace(self._cards, card)
        else:
            heapq.heappush(self._cards, card)

    # -- output ----------------------------------------------------------------------------

    @property
    def passed(self) -> bool:
        return all(not s.failed and s.error is None for s in self.scenarios)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def to_html(self) -> str:
        e = html.escape
        total = sum(len(s.results) for s in self.scenarios)
        compared = sum(len(s.compared) for s in self.scenarios)
        skipped = sum(len(s.skipped) for s in self.scenarios)
        failed = sum(len(s.failed) for s in self.scenarios)
        errors = sum(1 for s in self.scenarios if s.error)
        verdict = "PASS" if self.passed else "FAIL"
        summary = (
            f"<p>{len(self.scenarios)} scenarios, {total} frames: {compared} compared, "
            f"{skipped} skipped (plugins in effect), <b>{failed} failed</b>"
            + (f", <b>{errors} scenario errors</b>" if errors else "")
            + ".</p>"
        )
        generated = e(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
        out = [
            _HEAD,
            f"<h1>Parity report: <span class='{verdict}'>{verdict}</span></h1>",
            (
                f"<p>Generated {generated}. Reference: npm motiontext-renderer 1.5.0 in Chromium; "
                f"ours: ECG Render. Metric (parity/metric.py): a frame passes with IoU &ge; "
                f"{IOU_MIN} and blurred MAE &le; {MAE_MAX}.</p>"
            ),
            summary,
            (
                "<table><tr><th>scenario</th><th>size</th><th>frames</th><th>compared</th>"
                "<th>skipped</th><th>failed</th><th>min IoU</th><th>max MAE</th></tr>"
            ),
        ]
        for s in self.scenarios:
            comp = s.compared
            min_iou = f"{min(r.score.iou for r in comp):.4f}" if comp else "-"
            max_mae = f"{max(r.score.mae for r in comp):.2f}" if comp else "-"
            cls = "FAIL" if s.failed or s.error else "PASS"
            out.append(
                f"<tr><td class='{cls}'>{e(s.name)}</td><td>{s.width}x{s.height}</td>"
                f"<td>{len(s.results)}</td><td>{len(comp)}</td><td>{len(s.skipped)}</td>"
                f"<td>{len(s.failed)}</td><td>{min_iou}</td><td>{max_mae}</td></tr>"
            )
            if s.error:
                out.append(f"<tr><td colspan='8' class='FAIL'>error: {e(s.error)}</td></tr>")
        out.append("</table>")

        failing = sorted((r for s in self.scenarios for r in s.failed), key=lambda r: -r.badness)
        if failing:
            out.append(
                "<h2>Failing frames</h2><table><tr><th>scenario</th><th>frame</th>"
                "<th>t (s)</th><th>IoU</th><th>MAE</th></tr>"
            )
            for r in failing:
                assert r.score is not None
                out.append(
                    f"<tr><td>{e(r.scenario)}</td><td>{r.frame_index}</td>"
                    f"<td>{r.t_seconds:.3f}</td><td>{r.score.iou:.4f}</td>"
                    f"<td>{r.score.mae:.2f}</td></tr>"
                )
            out.append("</table>")

        cards = sorted(self._cards, reverse=True)
        out.append(f"<h2>Frames, worst first ({len(cards)} distinct frames with images)</h2>")
        for card in cards:
            r = card.result
            assert r.score is not None
            x0, y0, x1, y1 = card.crop
            bad = " bad" if r.failed else ""
            status = "FAIL" if r.failed else "PASS"
            out.append(
                f"<div class='card{bad}'><b>{e(r.scenario)}</b> frame {r.frame_index} "
                f"(t = {r.t_seconds:.3f} s): IoU {r.score.iou:.4f}, MAE {r.score.mae:.2f} "
                f"<span class='{status}'>{status}</span>"
                f" <small>crop x {x0}..{x1}, y {y0}..{y1}</small><div class='row'>"
            )
            for label, data in zip(("reference", "ours", "diff x4"), card.panels):
                out.append(
                    f"<figure><img alt='{label}' src='data:image/png;base64,{data}'>"
                    f"<figcaption>{label}</figcaption></figure>"
                )
            out.append("</div></div>")
        out.append("</body></html>")
        return "\n".join(out)
