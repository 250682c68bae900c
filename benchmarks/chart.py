"""A PNG bar chart of a benchmark run, drawn with Pillow (matplotlib is not a dependency).

Three panels of horizontal bars, one bar per (variant, workload): end-to-end frames/s,
overlay-only frames/s (log scale: the two differ by orders of magnitude) and peak RSS.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from benchmarks.report import TARGET_LABELS, VARIANT_LABELS

_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
_COLOURS = ((52, 101, 164), (245, 121, 0), (78, 154, 6), (117, 80, 123))
_WIDTH = 1400
_LABEL_W = 330
_BAR_H = 22
_GAP = 6


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in _FONT_PATHS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _panel_rows(results: dict, keys: tuple[str, ...], field: str) -> list[tuple[str, list]]:
    rows = []
    for key in keys:
        values = []
        for w in results["workloads"]:
            v = w["variants"].get(key)
            values.append(v.get(field) if v and v.get("ok") else None)
        if any(x is not None for x in values):
            rows.append((VARIANT_LABELS[key], values))
    return rows


def draw_chart(results: dict, path: Path) -> None:
    """Write the chart of ``results`` (the dict of results.json) to ``path``."""
    names = [w["name"] for w in results["workloads"]]
    panels = [
        (
            "End to end, frames per second (higher is better)",
            False,
            "fps",
            _panel_rows(results, ("transcode", "pipeline_empty", "render", "browser"), "fps"),
        ),
        (
            "Overlay only, frames per second (log scale)",
            True,
            "fps",
            _panel_rows(results, ("overlay", "overlay_chromium"), "fps"),
        ),
        (
            "Peak RSS of the process tree, MB (lower is better)",
            False,
            "MB",
            _panel_rows(results, tuple(VARIANT_LABELS), "peak_rss_mb"),
        ),
    ]
    title_font, font, small = _font(22), _font(15), _font(13)
    group_h = len(names) * (_BAR_H + 2) + _GAP
    targets = results.get("targets", {})
    height = 90 + sum(30 + len(rows) * group_h + 20 for *_, rows in panels) + 40
    height += 30 + 22 * len(targets)
    image = Image.new("RGB", (_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    m = results["machine"]
    draw.text((20, 15), "ECG Render benchmark", fill="black", font=title_font)
    subtitle = (
        f"{results['settings']['encoder']} {results['settings']['preset']}, "
        f"{results['settings']['size']} @ {results['settings']['fps']} fps; "
        f"{m['cpu_model']}, {m['cpu_count']} cores; {results['started_at']}"
    )
    draw.text((20, 48), subtitle, fill=(80, 80, 80), font=small)
    for i, name in enumerate(names):  # legend
        x = _WIDTH - 160 * (len(names) - i)
        draw.rectangle((x, 18, x + 16, 34), fill=_COLOURS[i % len(_COLOURS)])
        draw.text((x + 22, 17), name, fill="black", font=font)
    y = 90
    plot_w = _WIDTH - _LABEL_W - 140
    for title, log, unit, rows in panels:
        draw.text((20, y), title, fill="black", font=font)
        y += 30
        values = [v for _, vs in rows for v in vs if v is not None]
        top = max(values, default=1.0)

        def scale(value: float, log: bool = log, top: float = top) -> float:
            if log:
                return math.log10(max(value, 1.0)) / math.log10(max(top, 10.0))
            return value / top if top > 0 else 0.0

        for label, vs in rows:
            draw.text((20, y + 2), label, fill="black", font=font)
            for i, value in enumerate(vs):
                bar_y = y + i * (_BAR_H + 2)
                if value is None:
                    draw.text((_LABEL_W, bar_y + 3), "n/a", fill="gray", font=small)
                    continue
                bar_w = max(2, int(plot_w * scale(value)))
                colour = _COLOURS[i % len(_COLOURS)]
                draw.rectangle((_LABEL_W, bar_y, _LABEL_W + bar_w, bar_y + _BAR_H), fill=colour)
                text = f"{value:,.1f} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
                draw.text((_LABEL_W + bar_w + 6, bar_y + 3), text, fill="black", font=small)
            y += group_h
        y += 20
    if targets:
        draw.text((20, y), "Targets (longest workload)", fill="black", font=font)
        y += 28
        for key, verdict in targets.items():
            value = verdict["value"]
            shown = "n/a" if value is None else f"{value:,.2f}"
            met = {True: "met", False: "MISSED", None: "not measured"}[verdict["met"]]
            colour = {True: (78, 154, 6), False: (204, 0, 0), None: "gray"}[verdict["met"]]
            text = f"{TARGET_LABELS[key]}: {shown} (goal {verdict['target']}) - {met}"
            draw.text((20, y), text, fill=colour, font=small)
            y += 22
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
