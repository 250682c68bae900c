"""Text splitting as the GSAP plugins do it (plugins spec 2.9)."""

from __future__ import annotations

from typing import Any

from ..effects import Effects, Unit
from ._gsap import unrendered


def utf16_units(text: str) -> list[str]:
    """One piece per UTF-16 code unit. An astral character becomes two broken halves, drawn
    as U+FFFD each (a lone surrogate cannot be shaped; the browser shows a replacement box)."""
    out: list[str] = []
    for ch in text:
        out.extend(["\ufffd", "\ufffd"] if ord(ch) > 0xFFFF else [ch])
    return out


def words(text: str) -> list[str]:
    """Words on single U+0020 (consecutive spaces give empty words)."""
    return text.split(" ")


def split_words(effects: Effects, text: str, **unit_kwargs: Any) -> list[Unit]:
    """Replace the content by one span per word with a plain space between them (spec 2.9);
    returns the word spans."""
    units: list[Unit] = []
    boxes: list[Unit] = []
    for i, word in enumerate(words(text)):
        if i:
            units.append(Unit("\u00a0"))  # the plain text space between word boxes
        box = Unit(word, **unit_kwargs)
        units.append(box)
        boxes.append(box)
    effects.units = units
    return boxes


def split_code_units(effects: Effects, progress: float, ctx) -> list[Unit] | None:
    """The start of a per-code-unit timeline plugin: blank text clears the content; otherwise
    the content becomes one unit per UTF-16 code unit (``Effects.split``). Returns those units
    for the timeline to animate, or None when it has nothing to do: blank text, or a first-ever
    frame at p = 0 that shows the split alone (``unrendered``, spec 2.6 item 2)."""
    if not ctx.text.strip():
        effects.units = []
        return None
    units = effects.split(utf16_units(ctx.text))
    if unrendered(progress, ctx):
        return None
    return units
