"""Colour emoji (issue 20): Chromium's face choice per cluster (engine.emoji_fallback), its line
metrics for Noto Color Emoji, and how colour glyphs are painted (no text gamma, faded by the
text colour's alpha, shadows as silhouettes). Reference numbers are Chromium 156's, measured
with the live harness (span widths and heights); the live tests re-check them as pixels."""

from __future__ import annotations

import numpy as np
import pytest

from engine.fonts import covers
from engine.overlay import shared_shaper
from engine.rasterize import Rasterizer
from engine.text import blink_metrics
from motiontext.css import Shadow
from motiontext.display_list import DisplayList, FontSpec, TextLine, TextPaint
from motiontext.geometry import Matrix
from tests.requirements_check import require_fonts

ARIAL = ("Arial", "sans-serif")
EDITOR = ("Roboto Flex", "system-ui", "-apple-system", "sans-serif")


@pytest.fixture(autouse=True)
def _fonts() -> None:
    require_fonts()  # Noto Color Emoji included


def _families(text: str, families: tuple[str, ...], weight: int = 400) -> list[tuple]:
    """(piece, family of the first face that has it, else of the first face: .notdef)."""
    runs = shared_shaper().runs(text, FontSpec(families, 32, weight))
    return [
        (piece, next((f for f in faces if covers(f, piece)), faces[0]).typeface.getFamilyName())
        for piece, faces in runs
    ]


@pytest.mark.parametrize(
    ("text", "families", "family"),
    [
        ("😂", ARIAL, "Noto Color Emoji"),  # emoji presentation: the emoji font
        ("😂", EDITOR, "DejaVu Sans"),  # ... unless a listed face has it (system-ui)
        ("😂", ("DejaVu Sans",), "DejaVu Sans"),
        ("😂\ufe0f", ("DejaVu Sans",), "Noto Color Emoji"),  # U+FE0F: colour faces only
        ("❤\ufe0f", EDITOR, "Noto Color Emoji"),
        ("❤", ARIAL, "DejaVu Sans"),  # text by default: ordinary fallback
        ("❤\ufe0e", ("Noto Color Emoji", "DejaVu Sans"), "DejaVu Sans"),  # U+FE0E: monochrome
        ("⌚\ufe0e", ARIAL, "Noto Color Emoji"),  # ... unless only a colour face has it
        ("👨\u200d👩\u200d👧", EDITOR, "Noto Color Emoji"),
        ("🇰🇷", ("DejaVu Sans",), "Noto Color Emoji"),
        ("1\ufe0f\u20e3", ("DejaVu Sans",), "Noto Color Emoji"),
        ("1\u20e3", ARIAL, "Liberation Sans"),  # no U+FE0F: text, drawn with a .notdef
        ("\U0001fae9", ("Roboto Flex",), "Roboto Flex"),  # nothing has it: the first face
    ],
)
def test_face_per_cluster_as_chromium_picks_it(
    text: str, families: tuple[str, ...], family: str
) -> None:
    assert _families(text, families) == [(text, family)]


def test_mixed_caption_segments_at_emoji() -> None:
    assert _families("좋아요👍 ㅋㅋ😂🔥", ARIAL) == [
        ("좋아요", "Noto Sans CJK KR"),
        ("👍", "Noto Color Emoji"),
        (" ㅋㅋ", "Noto Sans CJK KR"),
        ("😂🔥", "Noto Color Emoji"),
    ]


# Chromium 156, one span at 32 px (getBoundingClientRect width).
@pytest.mark.parametrize(
    ("text", "families", "width"),
    [
        ("1\u20e3", ("Liberation Sans",), 29.484),
        ("1\u20e3", ("DejaVu Sans",), 39.562),
        ("☺\ufe0e", ("DejaVu Sans",), 33.359),
        ("a\ufe0f", ("DejaVu Sans",), 19.609),
        ("😂", ("DejaVu Sans",), 37.391),
        ("\U0001fae9", ("Liberation Sans",), 11.688),
        ("❤\ufe0f", ("DejaVu Sans",), 39.938),
        ("👍🏽x", ("DejaVu Sans",), 58.875),
    ],
)
def test_widths_match_chromium(text: str, families: tuple[str, ...], width: float) -> None:
    assert shared_shaper().advance(text, FontSpec(families, 32, 400)) == pytest.approx(
        width, abs=0.05
    )


def test_emoji_line_metrics_come_from_hhea() -> None:
    """Chromium's span heights with Noto Color Emoji first: 57 at 48 px, 90 at 76 px, 117
    at 100 px (the bitmap strike's metrics would give 56, 89 and 118)."""
    emoji = shared_shaper().primary(FontSpec(("Noto Color Emoji",), 48, 400))
    for size_px, height in [(48, 57), (76, 90), (100, 117), (64, 75)]:
        ascent, descent, gap = blink_metrics(emoji, size_px)
        assert (ascent + descent + gap) == height


def _draw(text: str, fill, shadows=()) -> np.ndarray:
    item = TextPaint(
        Matrix(),
        FontSpec(ARIAL, 48, 400),
        (TextLine(10, 60, text, 0.0),),
        fill,
        0.0,
        None,
        tuple(shadows),
    )
    return Rasterizer(200, 100, shared_shaper()).draw(DisplayList(200, 100, [item])).copy()


def test_colour_glyphs_skip_the_text_gamma_and_follow_the_text_alpha() -> None:
    opaque = _draw("😂", (1.0, 1.0, 1.0, 1.0))
    half = _draw("😂", (1.0, 1.0, 1.0, 0.5))
    red = _draw("😂", (1.0, 0.0, 0.0, 1.0))
    # Chromium: 2064.3 alpha-units at 48 px; the colour is the glyph's own, not the text's
    assert opaque[..., 3].sum() / 255 == pytest.approx(2064.3, abs=1.0)
    assert np.array_equal(opaque, red)
    assert half[..., 3].sum() / 255 == pytest.approx(1035.8, rel=0.01)


def test_shadow_of_a_colour_glyph_is_its_silhouette() -> None:
    shadow = Shadow(40.0, 0.0, 0.0, (0.0, 0.0, 1.0, 1.0))
    pixels = _draw("😂", (1.0, 1.0, 1.0, 1.0), [shadow])
    right = pixels[:, 75:110]  # the shadow only: 40 px to the right of a 60 px glyph
    covered = right[..., 3] == 255
    assert covered.sum() > 200
    assert (right[covered][:, :3] == (0, 0, 255)).all()


def test_active_splitting_plugin_draws_whole_colour_emoji() -> None:
    """scalepop mid-window: every unit is its own TextPaint; the flag and the family stay
    one unit each and come out in colour (structure; the live half is test_live_emoji)."""
    from engine.overlay import ScenarioOverlay
    from motiontext.parse import load_scenario

    text = {
        "id": "t",
        "eType": "text",
        "text": "좋아요🇰🇷👨‍👩‍👧",
        "style": {"fontFamily": "Arial", "fontSize": "64px", "color": "#fff"},
        "layout": {"anchor": "tl", "position": {"x": 0.1, "y": 0.1}},
        "pluginChain": [{"name": "scalepop", "baseTime": [0.0, 1.0]}],
    }
    root = {"id": "g", "eType": "group", "children": [text], "displayTime": [0.0, 2.0]}
    doc = {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "free", "type": "free", "layer": 1}],
        "cues": [{"id": "c", "track": "free", "root": root}],
    }
    overlay = ScenarioOverlay(load_scenario(doc), 640, 360)
    for k in range(16):  # sequential playback up to t = 0.5 s
        overlay.timeline.tick(k / 30)
    dl = overlay.timeline.frame(0.5)
    texts = [line.text for item in dl.items if isinstance(item, TextPaint) for line in item.lines]
    assert "🇰🇷" in texts and "👨\u200d👩\u200d👧" in texts
    assert not any("\ufffd" in t for t in texts)
    rgba = overlay.overlay_at(15, 0.5).rgba
    opaque = rgba[rgba[..., 3] == 255][:, :3].astype(int)
    saturated = (opaque.max(axis=1) - opaque.min(axis=1)) > 100
    assert saturated.sum() > 500  # the flag's red and blue, the family's skin tones
