"""Text splitting as the GSAP plugins do it (plugins spec 2.9)."""

from __future__ import annotations


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
