"""Emoji sequences as Chromium segments text (UTS #51, through the emoji scanner behind Blink's
``SymbolsIterator``): grapheme clusters, each with the presentation that decides which fonts
may draw it. Measured against Chromium 156 with Noto Color Emoji installed:

* ``EMOJI``: characters with emoji presentation by default (😂, ⌚, 🏿), flags and lone regional
  indicators, skin-tone modifier, ZWJ and tag sequences. The CSS font list is tried first (a
  monochrome face that has the character draws it: 😂 from DejaVu Sans), then the colour emoji
  font, then system fallback.
* ``EMOJI_VS16``: an emoji asked for with U+FE0F (❤️, ©️, 😂️, keycaps 1️⃣): only a colour font
  may draw it (DejaVu Sans's ❤ is skipped for ❤️); if none can, the selector is ignored.
* ``TEXT_VS15``: an emoji asked for as text with U+FE0E (❤︎, ⌚︎): a colour font draws it only
  when no other font has the character.
* ``TEXT``: everything else, including emoji characters whose default is text (❤ ✔ © ♥),
  digits before U+20E3 without U+FE0F, and U+FE0F after a non-emoji ("a️" is "a").
"""

from __future__ import annotations

from enum import StrEnum

import regex

ZWJ = "\u200d"
VS15, VS16 = "\ufe0e", "\ufe0f"
TAG_BASE = "\U0001f3f4"

_CLUSTER = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Emoji}")
_EMOJI_PRESENTATION = regex.compile(r"\p{Emoji_Presentation}")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
_MODIFIER_BASE = regex.compile(r"\p{Emoji_Modifier_Base}")
_MODIFIER = regex.compile(r"\p{Emoji_Modifier}")
_REGIONAL_INDICATOR = regex.compile(r"\p{Regional_Indicator}")
_TAG = regex.compile(r"[\U000e0020-\U000e007f]")
_KEYCAP_BASES = frozenset("0123456789#*")


class Presentation(StrEnum):
    TEXT = "text"
    EMOJI = "emoji"
    EMOJI_VS16 = "emoji-vs16"
    TEXT_VS15 = "text-vs15"


def clusters(text: str) -> list[str]:
    """Extended grapheme clusters (UAX #29), in order."""
    return _CLUSTER.findall(text)


def presentation(cluster: str) -> Presentation:
    """How Chromium presents one grapheme cluster (see the module docstring)."""
    if not cluster:
        return Presentation.TEXT
    base, rest = cluster[0], cluster[1:]
    if base in _KEYCAP_BASES:  # 1️⃣ and 1️ are emoji; 1⃣ is text (measured)
        return Presentation.EMOJI_VS16 if rest.startswith(VS16) else Presentation.TEXT
    if _REGIONAL_INDICATOR.match(base):
        return Presentation.EMOJI
    if not _EMOJI.match(base):
        return Presentation.TEXT
    sequence = (
        (ZWJ in rest and _PICTOGRAPHIC.search(rest.split(ZWJ, 1)[1]) is not None)
        or (base == TAG_BASE and _TAG.search(rest) is not None)
        or (_MODIFIER_BASE.match(base) is not None and _MODIFIER.search(rest) is not None)
    )
    if sequence:
        return Presentation.EMOJI_VS16 if VS16 in rest else Presentation.EMOJI
    if rest.startswith(VS16):
        return Presentation.EMOJI_VS16
    if rest.startswith(VS15):
        return Presentation.TEXT_VS15
    return Presentation.EMOJI if _EMOJI_PRESENTATION.match(base) else Presentation.TEXT


def segments(text: str) -> list[tuple[str, Presentation]]:
    """``text`` as (piece, presentation): runs of TEXT clusters merged, every other cluster
    on its own (each may need a different font)."""
    out: list[tuple[str, Presentation]] = []
    for cluster in clusters(text):
        kind = presentation(cluster)
        if kind is Presentation.TEXT and out and out[-1][1] is Presentation.TEXT:
            out[-1] = (out[-1][0] + cluster, kind)
        else:
            out.append((cluster, kind))
    return out


def is_emoji_cluster(cluster: str) -> bool:
    """True for a cluster Chromium draws as one emoji (or one emoji-capable character with a
    presentation selector): a split must keep it in one piece."""
    return presentation(cluster) is not Presentation.TEXT
