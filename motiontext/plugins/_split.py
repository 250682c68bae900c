"""Text splitting as the GSAP plugins do it (plugins spec 2.9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..effects import Effects, Unit
from ..emoji import clusters, is_emoji_cluster
from ._gsap import unrendered


def utf16_width(ch: str) -> int:
    """UTF-16 code units of one code point."""
    return 2 if ord(ch) > 0xFFFF else 1


def _whole(cluster: str) -> bool:
    return is_emoji_cluster(cluster) or any(ord(ch) > 0xFFFF for ch in cluster)


def _split_keeping_emoji(text: str, width: Callable[[str], int]) -> list[str]:
    out: list[str] = []
    for cluster in clusters(text):
        if _whole(cluster):
            out.append(cluster)
            out.extend([""] * (sum(width(ch) for ch in cluster) - 1))
        else:
            out.extend(cluster)
    return out


def utf16_units(text: str) -> list[str]:
    """One piece per UTF-16 code unit, as the plugins split (spec 2.9), except that an emoji
    cluster (flag, ZWJ, keycap or skin-tone sequence, presentation selector) or an astral
    character stays whole in the piece of its first code unit, the pieces of its other code
    units left empty. The original breaks them into halves drawn as U+FFFD; the empty pieces
    keep every other character's index (its stagger timing) as in the original."""
    return _split_keeping_emoji(text, utf16_width)


def code_points(text: str) -> list[str]:
    """One piece per code point (the cwi plugins' split), emoji clusters kept whole as in
    :func:`utf16_units`."""
    return _split_keeping_emoji(text, lambda ch: 1)


def utf16_prefix(text: str, k: int) -> str:
    """The first k UTF-16 code units; a cluster kept whole by :func:`utf16_units` appears
    only once all its code units are in (never half an emoji or a broken sequence)."""
    out: list[str] = []
    used = 0
    for cluster in clusters(text):
        pieces = [cluster] if _whole(cluster) else list(cluster)
        for piece in pieces:
            used += sum(utf16_width(ch) for ch in piece)
            if used > k:
                return "".join(out)
            out.append(piece)
    return "".join(out)


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
