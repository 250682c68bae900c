"""The few CSS value grammars 1.5.0 passes through verbatim: colours, lengths, font sizes,
box shorthands, text-shadow lists and font-family lists.

Colours are straight-alpha RGBA tuples of floats in 0..1. Lengths are ``Length`` values;
percentages stay symbolic until a containing block is known.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass

from .validate import js_number, js_number_str

Rgba = tuple[float, float, float, float]

# Chromium's numeric limits, which make any number a scenario can hold renderable (Blink):
# a length is stored clamped to the CSS length range (ClampToCSSLengthRange: kMin/
# kMaxValueForCssLength = INT_MIN / 64 + 2, INT_MAX / 64 - 2), positions and sizes are
# LayoutUnits (int32 counting 1/64 px) that saturate, a percentage is held as a float, and the
# computed font size is capped at kMaximumAllowedFontSize. NaN, which saturating casts turn
# into 0, only arises from arithmetic on infinities.
CSS_LENGTH_MIN = float(-(2**31) // 64 + 2)  # -33554430
CSS_LENGTH_MAX = float((2**31 - 1) // 64 - 2)  # 33554429
LAYOUT_UNIT_MIN = -(2**31) / 64
LAYOUT_UNIT_MAX = (2**31 - 1) / 64
FLOAT_MAX = 3.4028234663852886e38
MAX_FONT_PX = 10000.0


def _clamp(value: float, lo: float, hi: float) -> float:
    return 0.0 if math.isnan(value) else min(max(value, lo), hi)


def clamp_css_length(px: float) -> float:
    """A px length as Chromium stores it (ClampToCSSLengthRange)."""
    return _clamp(px, CSS_LENGTH_MIN, CSS_LENGTH_MAX)


def saturate_layout(px: float) -> float:
    """A computed position or size as a LayoutUnit holds it (saturating, NaN -> 0)."""
    return _clamp(px, LAYOUT_UNIT_MIN, LAYOUT_UNIT_MAX)


NAMED_COLORS: dict[str, Rgba] = {
    "transparent": (0, 0, 0, 0),
    "black": (0, 0, 0, 1),
    "white": (1, 1, 1, 1),
    "red": (1, 0, 0, 1),
    "green": (0, 128 / 255, 0, 1),
    "lime": (0, 1, 0, 1),
    "blue": (0, 0, 1, 1),
    "yellow": (1, 1, 0, 1),
    "cyan": (0, 1, 1, 1),
    "aqua": (0, 1, 1, 1),
    "magenta": (1, 0, 1, 1),
    "fuchsia": (1, 0, 1, 1),
    "gray": (128 / 255,) * 3 + (1,),
    "grey": (128 / 255,) * 3 + (1,),
    "silver": (192 / 255,) * 3 + (1,),
    "orange": (1, 165 / 255, 0, 1),
    "purple": (128 / 255, 0, 128 / 255, 1),
    "pink": (1, 192 / 255, 203 / 255, 1),
    "gold": (1, 215 / 255, 0, 1),
    "navy": (0, 0, 128 / 255, 1),
    "maroon": (128 / 255, 0, 0, 1),
}


@dataclass(frozen=True, slots=True)
class Length:
    value: float
    unit: str  # "px" | "%" | "em" | "rem"

    def resolve(self, percent_basis: float | None, font_px: float = 16.0) -> float | None:
        """px value, or None for a percentage against an indefinite basis. Within Chromium's
        range: lengths clamped to the CSS length range, percentages saturated as LayoutUnits."""
        if self.unit == "px":
            return clamp_css_length(self.value)
        if self.unit == "%":
            if percent_basis is None:
                return None
            percent = _clamp(self.value, -FLOAT_MAX, FLOAT_MAX)
            return saturate_layout(percent * percent_basis / 100.0)
        if self.unit == "em":
            return clamp_css_length(self.value * font_px)
        return clamp_css_length(self.value * 16.0)  # rem: the root font size is 16 px


_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_LENGTH_RE = re.compile(rf"^({_NUM})(px|%|em|rem)?$", re.IGNORECASE)


def parse_length(text: object, allow_unitless_zero: bool = True) -> Length | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return Length(float(text), "px") if text == 0 and allow_unitless_zero else None
    if not isinstance(text, str):
        return None
    m = _LENGTH_RE.match(text.strip())
    if not m:
        return None
    value, unit = float(m.group(1)), (m.group(2) or "").lower()
    if not unit:
        return Length(value, "px") if value == 0 and allow_unitless_zero else None
    return Length(value, unit)


def parse_box_shorthand(text: object) -> tuple[Length, Length, Length, Length] | None:
    """`padding`/`margin` shorthand with 1-4 values -> (top, right, bottom, left)."""
    if not isinstance(text, str):
        return None
    parts = [parse_length(p) for p in text.split()]
    if not parts or len(parts) > 4 or any(p is None for p in parts):
        return None
    vals: list[Length] = parts  # type: ignore[assignment]
    if len(vals) == 1:
        vals = vals * 4
    elif len(vals) == 2:
        vals = [vals[0], vals[1], vals[0], vals[1]]
    elif len(vals) == 3:
        vals = [vals[0], vals[1], vals[2], vals[1]]
    return vals[0], vals[1], vals[2], vals[3]


def _channel(text: str) -> float:
    text = text.strip()
    if text.endswith("%"):
        return max(0.0, min(1.0, float(text[:-1]) / 100.0))
    return max(0.0, min(1.0, float(text) / 255.0))


def _alpha(text: str) -> float:
    text = text.strip()
    if text.endswith("%"):
        return max(0.0, min(1.0, float(text[:-1]) / 100.0))
    return max(0.0, min(1.0, float(text)))


def parse_color(text: object) -> Rgba | None:
    """A CSS colour -> straight RGBA floats, or None when Chromium would drop it."""
    if not isinstance(text, str):
        return None
    s = text.strip().lower()
    if s in NAMED_COLORS:
        return NAMED_COLORS[s]
    if s.startswith("#"):
        h = s[1:]
        if not re.fullmatch(r"[0-9a-f]+", h) or len(h) not in (3, 4, 6, 8):
            return None
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
        a = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return (r, g, b, a)
    m = re.fullmatch(r"rgba?\((.*)\)", s)
    if m:
        body = m.group(1).replace("/", " / ")
        parts = [p for p in re.split(r"[,\s]+", body) if p and p != "/"]
        try:
            if len(parts) == 3:
                return (_channel(parts[0]), _channel(parts[1]), _channel(parts[2]), 1.0)
            if len(parts) == 4:
                return (
                    _channel(parts[0]),
                    _channel(parts[1]),
                    _channel(parts[2]),
                    _alpha(parts[3]),
                )
        except ValueError:
            return None
    m = re.fullmatch(r"hsla?\((.*)\)", s)
    if m:
        parts = [p for p in re.split(r"[,\s/]+", m.group(1)) if p]
        try:
            h = float(parts[0].removesuffix("deg")) / 360.0 % 1.0
            sat, light = float(parts[1].rstrip("%")) / 100, float(parts[2].rstrip("%")) / 100
            a = _alpha(parts[3]) if len(parts) > 3 else 1.0
        except (ValueError, IndexError):
            return None
        import colorsys

        r, g, b = colorsys.hls_to_rgb(h, light, sat)
        return (r, g, b, a)
    return None


@dataclass(frozen=True, slots=True)
class Shadow:
    dx: float
    dy: float
    blur: float
    color: Rgba | None  # None: currentColor


def _split_top_level(text: str, sep: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def parse_text_shadow(text: object) -> tuple[Shadow, ...] | None:
    """`text-shadow` list; ``()`` for "none"; None when invalid (the declaration is dropped)."""
    if not isinstance(text, str):
        return None
    if text.strip().lower() == "none":
        return ()
    shadows = []
    for item in _split_top_level(text, ","):
        tokens = _split_top_level(item.strip(), " ")
        tokens = [t for t in tokens if t]
        lengths, color = [], None
        for tok in tokens:
            length = parse_length(tok)
            if length is not None and length.unit == "px":
                lengths.append(clamp_css_length(length.value))
            else:
                parsed = parse_color(tok)
                if parsed is None or color is not None:
                    return None
                color = parsed
        if len(lengths) not in (2, 3) or (len(lengths) == 3 and lengths[2] < 0):
            return None
        blur = lengths[2] if len(lengths) == 3 else 0.0
        shadows.append(Shadow(lengths[0], lengths[1], blur, color))
    return tuple(shadows)


def parse_font_families(text: object) -> tuple[str, ...] | None:
    if not isinstance(text, str) or not text.strip():
        return None
    fams = []
    for part in _split_top_level(text, ","):
        name = part.strip().strip("'\"").strip()
        if not name:
            return None
        fams.append(name)
    return tuple(fams)


def parse_font_weight(value: object, inherited: int) -> int | None:
    s = str(value).strip().lower()
    if s == "normal":
        return 400
    if s == "bold":
        return 700
    if s == "bolder":
        return 400 if inherited < 350 else (700 if inherited < 550 else 900)
    if s == "lighter":
        return 100 if inherited < 550 else (400 if inherited < 750 else 700)
    try:
        w = float(s)
    except ValueError:
        return None
    return int(w) if 1 <= w <= 1000 else None


def js_number_string(value: float) -> str:
    """``String(number)``, as 1.5.0 interpolates numbers into CSS text: ``Infinity`` and
    ``NaN`` included, which make the declaration invalid."""
    return js_number_str(js_number(value))


_NUMBER_RE = re.compile(rf"^{_NUM}$", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """A CSS <number> token (no ``inf``, ``nan`` or ``1_000`` as Python's float() reads them);
    an exponent beyond the double range reads as the largest double, as Chromium clamps it."""
    text = text.strip()
    if not _NUMBER_RE.match(text):
        return None
    return _clamp(float(text), -sys.float_info.max, sys.float_info.max)
