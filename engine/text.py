"""Text shaping and drawing with Skia's paragraph module (HarfBuzz), implementing the
``motiontext.layout.text.TextShaper`` protocol with Blink's metric rounding."""

from __future__ import annotations

import math
import struct
import threading
from functools import lru_cache

import skia
from skia import textlayout as tl

from motiontext.display_list import FontSpec
from motiontext.emoji import Presentation, clusters
from motiontext.emoji import segments as emoji_segments

from .emoji_fallback import cluster_face
from .fonts import FontBook, ResolvedFont, covers, table_tags
from .scripts import script_runs, without_lone_surrogates

# SkParagraph fakes bold for a face when the style's weight is >= 600 and exceeds the face's
# weight by >= 200. Faces are instances whose weight is their used ``wght`` (or a static
# face's own), so a style weight of 799 fakes bold exactly for the faces lighter than 600,
# which is Blink's rule (engine.variations.synthesises_bold) for any weight >= 600.
_FAKE_BOLD_STYLE_WEIGHT = 799


def skia_style_weight(weight: int) -> int:
    """The TextStyle weight that makes SkParagraph synthesise bold where Blink does."""
    return _FAKE_BOLD_STYLE_WEIGHT if weight >= 600 else min(weight, 599)


def blink_metrics(face: ResolvedFont, size_px: float) -> tuple[int, int, int]:
    """(ascent, descent, line_gap) rounded the way Blink's SimpleFontData does on Linux."""
    hhea = _bitmap_font_hhea(face.typeface)
    if hhea is not None:
        # skia-python takes a bitmap-only font's metrics from its bitmap strike (Noto Color
        # Emoji: 101/109 and 27/109 em); Chromium's come from hhea (1900/2048, 500/2048),
        # measured at 20-100 px.
        asc_f, desc_f, gap_f = (v * size_px for v in hhea)
    else:
        m = skia.Font(face.typeface, size_px).getMetrics()
        asc_f, desc_f, gap_f = -m.fAscent, m.fDescent, m.fLeading
    # Blink borrows a pixel from the ascent for the descent only with subpixel positioning,
    # which headless Chromium on Linux does not use (measured against the goldens).
    ascent, descent = math.floor(asc_f + 0.5), math.floor(desc_f + 0.5)
    return ascent, descent, math.floor(gap_f + 0.5)


_OUTLINE_TABLES = frozenset({"glyf", "CFF ", "CFF2"})
_HHEA: dict[int, tuple[float, float, float] | None] = {}  # by typeface uniqueID


def _bitmap_font_hhea(typeface: skia.Typeface) -> tuple[float, float, float] | None:
    """(ascender, -descender, lineGap) of hhea in em for a font without outlines, else None."""
    key = typeface.uniqueID()
    if key not in _HHEA:
        tags = table_tags(typeface)
        found = None
        if not tags & _OUTLINE_TABLES and "hhea" in tags:
            data = bytes(typeface.getTableData(int.from_bytes(b"hhea", "big")))
            ascender, descender, gap = struct.unpack(">hhh", data[4:10])
            upem = typeface.getUnitsPerEm()
            found = (ascender / upem, -descender / upem, gap / upem)
        _HHEA[key] = found
    return _HHEA[key]


class SkiaShaper:
    def __init__(self, fonts: FontBook) -> None:
        self.fonts = fonts
        self._lock = threading.Lock()
        self._unicode = skia.Unicode()

    def runs(self, text: str, font: FontSpec) -> list[tuple[str, list[ResolvedFont]]]:
        """``text`` cut as Blink segments it before font fallback (script runs, cut again
        where the emoji presentation changes), each piece with its face list: the script
        run's chain for text, the one face Chromium picks for an emoji cluster
        (engine.emoji_fallback, or the first face, whose .notdef is drawn, when none has
        it). A piece drawn by a colour font holds that face alone, so the rasterizer can
        paint colour glyphs apart. Faces are the instances drawn at ``font``'s size and
        weight: shaping, measuring and drawing all use these."""
        families, weight = font.families, font.weight
        out: list[tuple[str, list[ResolvedFont]]] = []
        for run, script in script_runs(without_lone_surrogates(text)):
            pieces: list[tuple[str, list[ResolvedFont]]] = []
            for piece, kind in emoji_segments(run):
                if kind is Presentation.TEXT:
                    chain = self.fonts.chain(families, weight, piece, script)
                    found = _colour_apart(piece, chain)
                else:
                    face = cluster_face(self.fonts, families, weight, piece, script, kind)
                    found = [(piece, [face or self.fonts.primary(families, weight)])]
                for sub, faces in found:
                    faces = self.fonts.instances(faces, font.size_px, weight)
                    if pieces and pieces[-1][1] == faces:
                        pieces[-1] = (pieces[-1][0] + sub, faces)
                    else:
                        pieces.append((sub, faces))
            out.extend(pieces)
        return out

    @lru_cache(maxsize=16384)  # noqa: B019 (one shaper per process: the cache is its point)
    def has_colour_glyphs(self, text: str, font: FontSpec) -> bool:
        """Some piece of ``text`` is drawn by a colour font (emoji)."""
        return any(faces[0].colour for _, faces in self.runs(text, font))

    def primary(self, font: FontSpec) -> ResolvedFont:
        """The first available family's face at ``font``'s size and weight."""
        face = self.fonts.primary(font.families, font.weight)
        return self.fonts.instance(face, font.size_px, font.weight)

    def _style(
        self, faces: list[ResolvedFont], font: FontSpec, paint: skia.Paint | None
    ) -> tl.TextStyle:
        style = tl.TextStyle()
        style.setFontFamilies([f.alias for f in faces])
        style.setFontSize(font.size_px)
        style.setFontStyle(
            skia.FontStyle(skia_style_weight(font.weight), 5, skia.FontStyle.kUpright_Slant)
        )
        if paint is not None:
            style.setForegroundPaint(paint)
        return style

    def paragraph(
        self,
        text: str,
        font: FontSpec,
        paint: skia.Paint | None = None,
        colour_paint: skia.Paint | None = None,
    ) -> tl.Paragraph:
        """One shaped line; each piece of :meth:`runs` carries its own face list (Blink's
        fallback). ``colour_paint``, when given, paints the pieces drawn by a colour font
        (only its alpha matters to colour glyphs) and ``paint`` the others."""
        runs = self.runs(text, font)
        pstyle = tl.ParagraphStyle()
        pstyle.setTextStyle(self._style(runs[0][1] if runs else [], font, paint))
        with self._lock:
            builder = tl.ParagraphBuilder(pstyle, self.fonts.collection, self._unicode)
            for run, faces in runs:
                use = colour_paint if colour_paint is not None and faces[0].colour else paint
                builder.pushStyle(self._style(faces, font, use))
                builder.addText(run)
                builder.pop()
            para = builder.Build()
            para.layout(1e7)
        return para

    @lru_cache(maxsize=16384)  # noqa: B019 (one shaper per process: the cache is its point)
    def advance(self, text: str, font: FontSpec) -> float:
        if not text:
            return 0.0
        return float(self.paragraph(text, font).MaxIntrinsicWidth)

    def vertical_metrics(self, text: str, font: FontSpec):
        primary = self.primary(font)
        asc, desc, gap = blink_metrics(primary, font.size_px)
        above = below = 0.0
        for run, faces in self.runs(text, font):
            for face in self.fonts.faces_used(faces, run):
                if face.typeface.uniqueID() == primary.typeface.uniqueID():
                    continue
                a, d, g = blink_metrics(face, font.size_px)
                top = g // 2
                above, below = max(above, a + top), max(below, d + g - top)
        return asc, desc, gap, (above, below)


def _colour_apart(text: str, chain: list[ResolvedFont]) -> list[tuple[str, list[ResolvedFont]]]:
    """``text`` with ``chain``, except the clusters whose first covering face is a colour font
    (a text-default emoji only Noto Color Emoji has, such as 🅰), which get that face alone."""
    if not any(face.colour for face in chain):
        return [(text, chain)]
    out: list[tuple[str, list[ResolvedFont]]] = []
    for cluster in clusters(text):
        face = next((f for f in chain if covers(f, cluster)), None)
        faces = [face] if face is not None and face.colour else chain
        if out and out[-1][1] == faces:
            out[-1] = (out[-1][0] + cluster, faces)
        else:
            out.append((cluster, faces))
    return out
