"""CSS transform lists and the wrapper's channel transform as matrices."""

from __future__ import annotations

import math
import re
from typing import Any

from ..css import clamp_css_length, parse_number, saturate_layout
from ..geometry import IDENTITY, Matrix, rotate, scale, skew, translate

_FUNC = re.compile(r"([a-zA-Z]+)\(([^)]*)\)")


def _number(token: str) -> float:
    """A CSS <number>; ValueError (the declaration is invalid) for anything else, ``Infinity``
    and ``NaN`` included, which is what 1.5.0 writes for non-finite values."""
    value = parse_number(token)
    if value is None:
        raise ValueError(f"not a CSS number: {token!r}")
    return value


def _len(token: str, basis: float) -> float:
    token = token.strip()
    if token.endswith("%"):
        return saturate_layout(_number(token[:-1]) * basis / 100)
    if token.endswith("px"):
        return clamp_css_length(_number(token[:-2]))
    return clamp_css_length(_number(token))


def _angle(token: str) -> float:
    token = token.strip()
    if token.endswith("deg"):
        return _number(token[:-3])
    if token.endswith("rad"):
        return math.degrees(_number(token[:-3]))
    if token.endswith("turn"):
        return _number(token[:-4]) * 360
    return _number(token)


def css_transform(text: str, w: float, h: float) -> Matrix:
    """A CSS transform list; percentages refer to the element's border box (w x h)."""
    m = IDENTITY
    try:
        for name, args in _FUNC.findall(text):
            a = [x for x in re.split(r"[,\s]+", args.strip()) if x]
            name = name.lower()
            if name == "translate":
                m = m @ translate(_len(a[0], w), _len(a[1], h) if len(a) > 1 else 0.0)
            elif name == "translatex":
                m = m @ translate(_len(a[0], w), 0.0)
            elif name == "translatey":
                m = m @ translate(0.0, _len(a[0], h))
            elif name == "scale":
                sx = _number(a[0])
                m = m @ scale(sx, _number(a[1]) if len(a) > 1 else sx)
            elif name == "scalex":
                m = m @ scale(_number(a[0]), 1.0)
            elif name == "scaley":
                m = m @ scale(1.0, _number(a[0]))
            elif name == "rotate":
                m = m @ rotate(_angle(a[0]))
            elif name == "skew":
                m = m @ skew(_angle(a[0]), _angle(a[1]) if len(a) > 1 else 0.0)
    except (ValueError, IndexError):
        return IDENTITY  # an invalid list makes the whole declaration invalid
    return m


def transform_origin(text: str, w: float, h: float) -> tuple[float, float]:
    if not text:
        return (w / 2, h / 2)
    words = {"left": "0%", "center": "50%", "right": "100%", "top": "0%", "bottom": "100%"}
    parts = [words.get(p, p) for p in text.split()]
    try:
        ox = _len(parts[0], w) if parts else w / 2
        oy = _len(parts[1], h) if len(parts) > 1 else h / 2
    except ValueError:
        return (w / 2, h / 2)
    if text.split()[0] in ("top", "bottom"):
        ox, oy = oy if len(parts) > 1 else w / 2, _len(parts[0], h)
    return (ox, oy)


def _num(v: Any, default: float) -> float | None:
    if v is None:
        return default
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        # Infinity and NaN print as "Infinitypx"/"NaNpx" in 1.5.0's CSS: not a number either
        try:
            number = float(v)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    return parse_number(str(v))


def channel_matrix(channels: dict[str, Any]) -> Matrix:
    """translateX(tx) translateY(ty) scaleX(sx) scaleY(sy) rotate(rot) (spec 13.6). A
    non-numeric (or non-finite) channel makes the whole transform invalid, so it becomes
    none. Translations are px lengths, clamped to the CSS length range."""
    tx, ty = _num(channels.get("tx"), 0.0), _num(channels.get("ty"), 0.0)
    sx, sy = _num(channels.get("sx"), 1.0), _num(channels.get("sy"), 1.0)
    rot = _num(channels.get("rot"), 0.0)
    if None in (tx, ty, sx, sy, rot):
        return IDENTITY
    m = IDENTITY
    if tx or ty:
        m = m @ translate(clamp_css_length(tx), clamp_css_length(ty))  # type: ignore[arg-type]
    if sx != 1 or sy != 1:
        m = m @ scale(sx, sy)  # type: ignore[arg-type]
    if rot:
        m = m @ rotate(rot)  # type: ignore[arg-type]
    return m
