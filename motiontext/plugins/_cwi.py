"""The Caption-With-Intention family shares one `.cwi-word` span split into `.cwi-letter`
spans per Unicode code point (plugins spec 3.4-3.7)."""

from __future__ import annotations

from ..effects import Effects, Unit, UnitTransform
from ._split import code_points

WHITE_90 = (1.0, 1.0, 1.0, 0.9)


def ensure_letters(effects: Effects, text: str) -> list[Unit]:
    """Reuse the letters another cwi plugin made, else split the text into them."""
    if effects.units is None:
        letters = code_points(text) or ["\u00a0"]
        effects.split(letters)
        effects.group = UnitTransform()
        effects.group_color = WHITE_90
        for unit in effects.units or []:
            unit.style.color = WHITE_90
    if effects.group is None:
        effects.group = UnitTransform()
    return effects.units or []


def envelope(q: float) -> float:
    """cwi-loud/whisper: 12 % rise, hold, 12 % fall."""
    from ..easing import ease_in_cubic, ease_out_cubic

    if q < 0.12:
        return ease_out_cubic(q / 0.12)
    if q > 0.88:
        return 1 - ease_in_cubic((q - 0.88) / 0.12)
    return 1.0
