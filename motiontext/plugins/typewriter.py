"""typewriter@2.0.0 (dom): the text appears one UTF-16 code unit at a time, followed by a
blinking cursor (plugins spec 3.8).

Units: the typed prefix (inheriting the node's style) and, if ``showCursor``, the cursor
(``cursorChar``, #ffffff, font-weight normal), which always takes layout space. The node
therefore grows as it types. Character k appears at p = k·typingSpeed, so with the default
0.05 at most 20 code units ever appear (⚠ quirk, replicated when ``ctx.legacy_parity``).

The flash after each new character (a text-shadow tween to ``0 0 5px rgba(255,255,255,0.5)``
and back, restoring the string it found) runs on GSAP's wall clock, so it cannot be seeked
(spec 3.8, 2.12). The reference captures show its net effect, which we use as the
deterministic substitute when ``ctx.legacy_parity``: once two or more characters are typed
the text keeps the flash's target shadow for good (replacing the inherited outline; the
cursor keeps the outline), while a single character shows none. Plausibly the flashes
overlap, so each restores the glow the previous one left. Without legacy parity the flash is
omitted.
"""

from __future__ import annotations

import math
from typing import Any

from ..css import Shadow
from ..effects import Effects, Unit, UnitStyle
from ..jsmath import js_floor
from ._base import clamp, number
from ._split import utf16_prefix

PLACEHOLDER = "타이핑 효과 테스트"
CURSOR_COLOR = (1.0, 1.0, 1.0, 1.0)
FLASH_SHADOW = Shadow(0.0, 0.0, 5.0, (1.0, 1.0, 1.0, 0.5))


def _flag(params: dict[str, Any], key: str, default: bool) -> bool:
    """``params[key] ?? default``, then JavaScript truthiness."""
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return bool(value)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def typed_count(t: float, speed: float, length: int) -> int:
    """``clamp(floor(t / speed), 0, L)`` in IEEE doubles (0.3 / 0.05 = 5.999… → 5)."""
    if speed <= 0:
        return length if t > 0 else 0
    return int(clamp(js_floor(t / speed), 0, length))


def cursor_opacity(t: float, blink: bool) -> float:
    """One blink per window: on for t < 0.5, off until t = 1, on at t = 1."""
    if not blink:
        return 1.0
    return 1.0 if t < 0.5 or t >= 1 else 0.0


class Typewriter:
    name, version, kind = "typewriter", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text if ctx.text.strip() else PLACEHOLDER
        length = utf16_length(text)
        speed = number(params, "typingSpeed", 0.05)
        t = clamp(p * 1.0, 0.0, 1.0)  # the host's duration is always 1
        if not ctx.legacy_parity and length:
            speed = min(speed, 1.0 / length)  # type the whole text within the window
        typed = typed_count(t, speed, length)
        units = [Unit(utf16_prefix(text, typed))]
        if ctx.legacy_parity and typed >= 2:
            units[0].style.shadows = (FLASH_SHADOW,)
        if _flag(params, "showCursor", True):
            cursor = params.get("cursorChar")
            style = UnitStyle(
                color=CURSOR_COLOR,
                font_weight=400,
                opacity=cursor_opacity(t, _flag(params, "cursorBlink", True)),
            )
            units.append(Unit("|" if cursor is None else str(cursor), style))
        effects.units = units
        effects.group = None


PLUGIN = Typewriter()
