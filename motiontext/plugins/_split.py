"""Text splitting as the GSAP plugins do it (plugins spec 2.9)."""

from __future__ import annotations

from typing import Any

from ..effects import Effects, Unit


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
