"""Which face draws an emoji cluster, in Chromium 156's order (Blink's FontFallbackIterator with
the fallback priority of ``motiontext.emoji``), measured with Noto Color Emoji installed.

A face can draw a cluster when it maps every code point that is not default-ignorable
(``engine.fonts.covers``). The candidates are the CSS list's faces, the colour emoji font
(fontconfig asked for ``und-Zsye``) and the system fallback for the character (U+FE0E tries
that one before the emoji font); a presentation selector restricts them to colour (U+FE0F) or
monochrome (U+FE0E) faces, and is ignored when no such face has the cluster. When nothing has
it, Blink draws the first face's .notdef (``None`` here).
"""

from __future__ import annotations

from motiontext.emoji import Presentation

from .fonts import FontBook, ResolvedFont, covers

EMOJI_SCRIPT = "emoji"  # FontBook.fallback_for asks fontconfig for und-Zsye with it


def cluster_face(
    book: FontBook,
    families: tuple[str, ...],
    weight: int,
    cluster: str,
    script: str,
    kind: Presentation,
) -> ResolvedFont | None:
    """The face Chromium draws ``cluster`` with (an emoji-capable cluster, ``kind`` not TEXT);
    None when no face has it (the first face's .notdef is drawn)."""
    group = book.list_faces(families, weight, cluster)  # a web family: the segments for it
    base = cluster[0]
    family = book.fallback_family(families)
    emoji = book.fallback_for(base, family, weight, EMOJI_SCRIPT)
    system = book.fallback_for(base, family, weight, script)
    if kind is Presentation.TEXT_VS15:
        ordered = [*group, system, emoji]
    else:
        ordered = [*group, emoji, system]
    candidates = [face for face in ordered if face is not None and covers(face, cluster)]
    if kind is Presentation.EMOJI_VS16:
        wanted = [face for face in candidates if face.colour]
    elif kind is Presentation.TEXT_VS15:
        wanted = [face for face in candidates if not face.colour]
    else:
        wanted = candidates
    return (wanted or candidates or [None])[0]
