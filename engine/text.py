"""Text shaping and drawing with Skia's paragraph module (HarfBuzz), implementing the
``motiontext.layout.text.TextShaper`` protocol with Blink's metric rounding."""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import skia
from skia import textlayout as tl

from motiontext.display_list import FontSpec

from .fonts import FontBook, ResolvedFont
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
    m = skia.Font(face.typeface, size_px).getMetrics()
    asc_f, desc_f = -m.fAscent, m.fDescent
    # Blink borrows a pixel from the ascent for the descent only with subpixel positioning,
    # which headless Chromium on Linux does not use (measured against the goldens).
    ascent, descent = math.floor(asc_f + 0.5), math.floor(desc_f + 0.5)
    return ascent, descent, math.floor(m.fLeading + 0.5)


class SkiaShaper:
    def __init__(self, fonts: FontBook) -> None:
        self.fonts = fonts
        self._lock = threading.Lock()
        self._unicode = skia.Unicode()

    def runs(self, text: str, font: FontSpec) -> list[tuple[str, list[ResolvedFont]]]:
        """Script runs of ``text`` with their face lists, as the instances drawn at ``font``'s
        size and weight: shaping, measuring and drawing all use these."""
        return [
            (
                run,
                self.fonts.instances(
                    self.fonts.chain(font.families, font.weight, run, script),
                    font.size_px,
                    font.weight,
                ),
            )
            for run, script in script_runs(without_lone_surrogates(text))
        ]

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

    def paragraph(self, text: str, font: FontSpec, paint: skia.Paint | None = None) -> tl.Paragraph:
        """One shaped line; each script run carries its own face list (Blink's fallback)."""
        runs = self.runs(text, font)
        pstyle = tl.ParagraphStyle()
        pstyle.setTextStyle(self._style(runs[0][1] if runs else [], font, paint))
        with self._lock:
            builder = tl.ParagraphBuilder(pstyle, self.fonts.collection, self._unicode)
            for run, faces in runs:
                builder.pushStyle(self._style(faces, font, paint))
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
