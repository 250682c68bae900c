"""Animated image assets that plugins draw behind the text (``ImagePaint``).

The only one is flames@2.0.0's ``flame`` (plugins spec 4.8). The original plugin shows
``flame.gif``: 480 x 272, 104 frames of 100 ms, a wall of fire with a transparent colour. That
GIF is not part of this project (its licence is unknown and the plugin's files must not enter
the repo), so this module draws an equivalent animation procedurally instead: a glowing bed of
embers under three layers of flame tongues (dark red at the back, orange, yellow-white cores in
front), each tongue a Bezier teardrop filled with a vertical gradient that fades out at its
tip. Every tongue's height, width and sway are sums of sines with a whole number of periods
per 104 frames, so the animation loops seamlessly, and every random choice comes from a fixed
seed, so each frame is identical in every run and process. Frames are rendered once, in straight
sRGB over transparency, and cached as ``skia.Image``.

Consequence for parity: wherever the original's GIF is visible our pixels differ from the
goldens (the reference frames list those as exceptions); the opacity, placement and object-fit
geometry are the original's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

import skia

FLAME_W, FLAME_H = 480, 272  # frame size of the original flame.gif
FLAME_FRAMES = 104  # 100 ms each: a 10.4 s loop
_SEED = 20_240_601


@dataclass(frozen=True, slots=True)
class _Tongue:
    x: float  # base centre, px
    width: float
    height: float  # mean height above the bottom edge, px
    waves: tuple[tuple[int, float, float], ...]  # (periods per loop, amplitude, phase)
    sway: tuple[int, float, float]


@dataclass(frozen=True, slots=True)
class _Layer:
    colors: tuple[int, ...]  # ARGB from base to tip
    stops: tuple[float, ...]
    tongues: tuple[_Tongue, ...]


def _layer(
    rng: random.Random,
    count: int,
    height: tuple[float, float],
    width: tuple[float, float],
    colors: tuple[int, ...],
    stops: tuple[float, ...],
) -> _Layer:
    tongues = []
    for i in range(count):
        x = (i + rng.uniform(0.1, 0.9)) * (FLAME_W + 80) / count - 40
        waves = tuple(
            (rng.randint(4, 15), rng.uniform(0.06, 0.16), rng.uniform(0, 2 * math.pi))
            for _ in range(2)
        )
        sway = (rng.randint(3, 10), rng.uniform(5, 14), rng.uniform(0, 2 * math.pi))
        tongues.append(_Tongue(x, rng.uniform(*width), rng.uniform(*height), waves, sway))
    return _Layer(colors, stops, tuple(tongues))


@lru_cache(maxsize=1)
def _flame_layers() -> tuple[_Layer, ...]:
    rng = random.Random(_SEED)
    return (
        _layer(
            rng, 12, (235, 290), (80, 120), (0xFFC8320A, 0xF0D2460A, 0x00A01E00), (0.0, 0.65, 1.0)
        ),
        _layer(
            rng, 15, (190, 250), (55, 90), (0xFFFFAA28, 0xF0FF7814, 0x00D23C05), (0.0, 0.6, 1.0)
        ),
        _layer(
            rng,
            17,
            (120, 200),
            (35, 60),
            (0xFFFFFADC, 0xFFFFDC5A, 0xC8FFA01E, 0x00FF7814),
            (0.0, 0.35, 0.7, 1.0),
        ),
    )


def _tongue_path(t: _Tongue, phase: float) -> tuple[skia.Path, float]:
    grow = 1 + sum(a * math.sin(k * phase + ph) for k, a, ph in t.waves)
    k, a, ph = t.sway
    sway = a * math.sin(k * phase + ph)
    h = t.height * grow
    w = t.width * (1 + 0.5 * (grow - 1))
    base, tip_x, tip_y = FLAME_H + 4, t.x + sway, FLAME_H - h
    path = skia.Path()
    path.moveTo(t.x - w / 2, base)
    path.cubicTo(t.x - w / 2, base - 0.45 * h, tip_x - 0.18 * w, tip_y + 0.35 * h, tip_x, tip_y)
    path.cubicTo(
        tip_x + 0.18 * w, tip_y + 0.35 * h, t.x + w / 2, base - 0.45 * h, t.x + w / 2, base
    )
    path.close()
    return path, tip_y


def _render_flame(frame_index: int) -> skia.Image:
    surface = skia.Surface(FLAME_W, FLAME_H)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorTRANSPARENT)
    phase = 2 * math.pi * frame_index / FLAME_FRAMES
    bed = skia.GradientShader.MakeLinear(
        [skia.Point(0, FLAME_H * 0.3), skia.Point(0, FLAME_H)],
        [0x00D2500F, 0xB4D2500F, 0xFFFFB432],
        [0.0, 0.4, 1.0],
    )
    canvas.drawRect(skia.Rect.MakeWH(FLAME_W, FLAME_H), skia.Paint(Shader=bed))
    for layer in _flame_layers():
        for tongue in layer.tongues:
            path, tip_y = _tongue_path(tongue, phase)
            shader = skia.GradientShader.MakeLinear(
                [skia.Point(0, FLAME_H), skia.Point(0, tip_y)],
                list(layer.colors),
                list(layer.stops),
            )
            canvas.drawPath(path, skia.Paint(Shader=shader, AntiAlias=True))
    return surface.makeImageSnapshot()


_cached_flame = lru_cache(maxsize=FLAME_FRAMES)(_render_flame)


def flame_frame(frame_index: int) -> skia.Image:
    """Frame ``frame_index`` (mod 104) of the flame loop, 480 x 272, premultiplied; each is
    rendered once per process."""
    return _cached_flame(frame_index % FLAME_FRAMES)


_ASSETS = {"flame": (flame_frame, FLAME_W, FLAME_H)}


def draw_asset_frame(
    canvas: skia.Canvas,
    name: str,
    frame_index: int,
    rect: tuple[float, float, float, float],
    opacity: float,
) -> None:
    """Draw frame ``frame_index`` of asset ``name`` with ``object-fit: cover`` into ``rect``
    (x, y, w, h in the canvas's current coordinates): scaled by max(w/W, h/H), centred and
    cropped to the rect, at ``opacity``. Unknown names and empty rects draw nothing."""
    asset = _ASSETS.get(name)
    x, y, w, h = rect
    if asset is None or w <= 0 or h <= 0 or opacity <= 0:
        return
    frame, fw, fh = asset
    scale = max(w / fw, h / fh)
    dw, dh = fw * scale, fh * scale
    dst = skia.Rect.MakeXYWH(x + (w - dw) / 2, y + (h - dh) / 2, dw, dh)
    canvas.save()
    canvas.clipRect(skia.Rect.MakeXYWH(x, y, w, h), doAntiAlias=True)
    canvas.drawImageRect(
        frame(frame_index),
        dst,
        skia.SamplingOptions(skia.FilterMode.kLinear),
        skia.Paint(Alphaf=min(1.0, opacity), AntiAlias=True),
    )
    canvas.restore()
