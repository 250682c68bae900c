"""Inline text: the shaper protocol (implemented with Skia in ``engine``), whitespace
collapsing, break opportunities and greedy line breaking as Chromium does for `white-space`
normal/nowrap."""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from ..css import saturate_layout
from ..display_list import FontSpec


class TextShaper(Protocol):
    """Font services the layout needs; answers are in CSS px and must be deterministic."""

    def advance(self, text: str, font: FontSpec) -> float:
        """Advance width of ``text`` shaped as one line (HarfBuzz, with font fallback)."""

    def vertical_metrics(self, text: str, font: FontSpec) -> tuple[float, float, float, float]:
        """Line-height-normal metrics as Blink rounds them: (ascent, descent, line_gap) of the
        primary font, plus ``extra``: how far fallback fonts used by ``text`` push the line box
        (returned as the 4th value: total above-baseline extent incl. half-leading, see
        ``line_extent``). Use ``line_extent`` instead of calling this directly."""


@dataclass(frozen=True, slots=True)
class LineExtent:
    above: float  # from line top to baseline
    below: float  # from baseline to line bottom

    @property
    def height(self) -> float:
        return self.above + self.below


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    width: float
    extent: LineExtent


_SPACES = re.compile(r"[ \t\n\r\f]+")


def collapse_spaces(text: str, white_space: str) -> str:
    if white_space in ("pre", "pre-wrap", "break-spaces"):
        return text
    if white_space == "pre-line":
        return "\n".join(_SPACES.sub(" ", part).strip(" ") for part in text.split("\n"))
    return _SPACES.sub(" ", text).strip(" ")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x1100 <= o <= 0x11FF
        or 0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x3130 <= o <= 0x318F
    )


_NO_BREAK_BEFORE = set(".,!?:;)]}%'\"’”、。，．！？")


@lru_cache(maxsize=4096)
def segments(text: str) -> tuple[str, ...]:
    """Split collapsed text into unbreakable pieces; a piece keeps its trailing space."""
    out: list[str] = []
    cur = ""
    for i, ch in enumerate(text):
        cur += ch
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if not nxt:
            break
        if ch == " " and nxt != " ":
            out.append(cur)
            cur = ""
        elif ch == "-" and nxt.isalpha() and i > 0 and text[i - 1].isalnum():
            out.append(cur)  # UAX #14: a break opportunity after a hyphen inside a word
            cur = ""
        elif (
            ch != " "
            and nxt != " "
            and (_is_cjk(ch) or _is_cjk(nxt))
            and nxt not in _NO_BREAK_BEFORE
        ):
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return tuple(out)


def used_line_height(line_height: tuple[str, float], font_px: float) -> float:
    """A non-normal line height as Blink uses it: a LayoutUnit (1/64 px, saturating), floored
    from the float product for a unitless number and rounded for a length (measured in
    Chromium 156: 1.6 x 54 px -> 86.390625, 86.4px and 160% -> 86.40625)."""
    if line_height[0] == "number":
        product = _f32(_f32(line_height[1]) * _f32(font_px))  # Blink multiplies floats
        return saturate_layout(math.floor(product * 64) / 64 if math.isfinite(product) else product)
    value = line_height[1]
    return saturate_layout(math.floor(value * 64 + 0.5) / 64 if math.isfinite(value) else value)


def _f32(value: float) -> float:
    """``value`` rounded to a float32, as Blink holds it (beyond its range: infinity)."""
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


class TextLayout:
    """Caches shaping answers; the same word is measured once per font."""

    def __init__(self, shaper: TextShaper) -> None:
        self.shaper = shaper
        self._adv: dict[tuple[str, FontSpec], float] = {}

    def advance(self, text: str, font: FontSpec) -> float:
        key = (text, font)
        v = self._adv.get(key)
        if v is None:
            v = self._adv[key] = self.shaper.advance(text, font)
        return v

    def line_extent(self, text: str, font: FontSpec, line_height: tuple[str, float]) -> LineExtent:
        asc, desc, gap, fallback_above_below = self._metrics(text, font)
        if line_height[0] == "normal":
            lead = gap
            top = math.floor(lead / 2)
            above, below = asc + top, desc + (lead - top)
            fb_above, fb_below = fallback_above_below
            return LineExtent(max(above, fb_above), max(below, fb_below))
        lh = used_line_height(line_height, font.size_px)
        lead = lh - (asc + desc)
        top = math.floor(lead / 2)
        return LineExtent(asc + top, desc + (lead - top))

    @lru_cache(maxsize=8192)  # noqa: B019 (shared, long-lived TextLayout: caching is the point)
    def _metrics(self, text: str, font: FontSpec):
        return self.shaper.vertical_metrics(text, font)

    def min_content(self, text: str, font: FontSpec) -> float:
        return max((self.advance(s.rstrip(" "), font) for s in segments(text)), default=0.0)

    def max_content(self, text: str, font: FontSpec, white_space: str) -> float:
        if white_space in ("pre", "pre-line", "pre-wrap"):
            return max((self.advance(p, font) for p in text.split("\n")), default=0.0)
        return self.advance(text, font)

    def break_lines(
        self,
        text: str,
        font: FontSpec,
        max_width: float,
        white_space: str,
        line_height: tuple[str, float],
    ) -> list[Line]:
        paragraphs = text.split("\n") if white_space in ("pre", "pre-line", "pre-wrap") else [text]
        lines: list[Line] = []
        for para in paragraphs:
            if white_space in ("nowrap", "pre"):
                pieces = [para]
            else:
                pieces = self._greedy(para, font, max_width)
            for piece in pieces:
                lines.append(
                    Line(
                        piece, self.advance(piece, font), self.line_extent(piece, font, line_height)
                    )
                )
        return lines

    def _greedy(self, text: str, font: FontSpec, max_width: float) -> list[str]:
        segs = segments(text)
        if not segs:
            return [""]
        out: list[str] = []
        cur = ""
        for seg in segs:
            candidate = cur + seg
            # trailing spaces hang past the edge and never force a break
            if cur and self.advance(candidate.rstrip(" "), font) > max_width + 1e-6:
                out.append(cur.rstrip(" "))
                cur = seg
            else:
                cur = candidate
        out.append(cur.rstrip(" "))
        return out
