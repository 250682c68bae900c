"""Variable-font instances (engine.variations, FontBook.instance) and Blink's synthetic-bold
rule, with Roboto Flex and the system fonts. Reference widths are Chromium 156's, measured
with the live harness (getBoundingClientRect of one span); the live tests re-check them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skia

from engine.fonts import FontBook
from engine.overlay import default_declared_fonts
from engine.text import SkiaShaper
from engine.variations import OPSZ, WDTH, WGHT, axis_values, synthesises_bold
from motiontext.display_list import FontSpec
from tests.requirements_check import missing, require_fonts

TEXT = "And you know which one"


@pytest.fixture(scope="module")
def roboto_flex() -> Path:
    path = default_declared_fonts().get("Roboto Flex")
    if path is None:
        missing("RobotoFlex.ttf (shared/reference/fonts) not found")
    return path


@pytest.fixture
def book(roboto_flex: Path) -> FontBook:
    require_fonts()
    return FontBook({"Roboto Flex": roboto_flex})


def _position(face) -> dict[int, float]:
    return {c.axis: c.value for c in face.typeface.getVariationDesignPosition()}


@pytest.mark.parametrize(
    ("size_px", "weight", "opsz", "wght"),
    [(75, 400, 75, 400), (6, 1, 8, 100), (160, 1000, 144, 1000), (75.5, 350, 75.5, 350)],
)
def test_instance_sets_opsz_to_size_and_wght_to_weight(
    book: FontBook, size_px: float, weight: int, opsz: float, wght: float
) -> None:
    base = book.resolve("Roboto Flex", weight)
    assert base is not None and not base.synthetic_bold
    face = book.instance(base, size_px, weight)
    position = _position(face)
    assert position[OPSZ] == pytest.approx(opsz)
    assert position[WGHT] == pytest.approx(wght)
    assert position[WDTH] == pytest.approx(100)
    assert face.typeface.fontStyle().weight() == round(wght)
    assert not face.synthetic_bold


def test_instances_are_cached_by_face_and_position(book: FontBook) -> None:
    base = book.resolve("Roboto Flex", 700)
    assert base is not None
    first = book.instance(base, 48, 700)
    assert book.instance(base, 48, 700) is first
    assert book.instance(base, 49, 700).typeface is not first.typeface
    # weights 1 and 100 clamp to the same wght: one instance
    light = book.resolve("Roboto Flex", 1)
    assert light is not None
    assert book.instance(light, 48, 1) is book.instance(base, 48, 100)


def test_static_faces_are_their_own_instance(book: FontBook) -> None:
    face = book.resolve("Arial", 700)
    assert face is not None and face.axes == ()
    assert book.instance(face, 33, 700) is face
    # Liberation Sans Bold is bold enough for 900: Blink does not fake bold on it
    assert not book.resolve("Arial", 900).synthetic_bold
    # fallback faces are asked regular and faked bold (measured, README)
    hangul = book.fallback_for("가", "Arial", 700, "hangul")
    assert hangul is not None and hangul.synthetic_bold


def test_declared_weight_range_clamps_wght_and_synthesises_bold(roboto_flex: Path) -> None:
    """A FontFace whose range is 'normal' (1.5.0's define assets) stays at wght 400 and is
    emboldened from 600 on; range 100-550 gives wght 550, emboldened at 600 (Chromium)."""
    require_fonts()
    book = FontBook()
    assert book.declare("Asset", roboto_flex, (400, 400))
    assert book.declare("Narrow", roboto_flex, (100, 550))
    for family, weight, wght, synthetic in [
        ("Asset", 599, 400, False),
        ("Asset", 600, 400, True),
        ("Asset", 300, 400, False),
        ("Narrow", 500, 500, False),
        ("Narrow", 600, 550, True),
    ]:
        base = book.resolve(family, weight)
        assert base is not None
        face = book.instance(base, 48, weight)
        assert _position(face)[WGHT] == pytest.approx(wght), (family, weight)
        assert face.synthetic_bold is synthetic, (family, weight)


def test_axis_values_and_bold_rule_without_a_font() -> None:
    from engine.variations import Axis

    axes = (Axis(OPSZ, 8, 14, 144), Axis(WGHT, 100, 400, 1000), Axis(WDTH, 25, 100, 151))
    assert axis_values(axes, 200, 50, (100, 1000)) == ((OPSZ, 144), (WGHT, 100), (WDTH, 100))
    assert axis_values(axes, 12.5, 700, (400, 400)) == ((OPSZ, 12.5), (WGHT, 400), (WDTH, 100))
    assert synthesises_bold(600, (400, 400)) and not synthesises_bold(599, (400, 400))
    assert not synthesises_bold(900, (700, 700)) and not synthesises_bold(600, (100, 1000))


# Chromium 156, the harness page's Roboto Flex, one span of TEXT (CSS px).
CHROMIUM_WIDTHS = {
    (8, 100): 92.078125,
    (10, 1000): 127.40625,
    (20, 400): 213.328125,
    (48, 700): 538.953125,
    (75, 400): 675.765625,
    (75, 900): 934.828125,
    (144, 100): 1222.53125,
    (160, 1000): 2128.359375,
}


@pytest.mark.parametrize(("size_px", "weight"), CHROMIUM_WIDTHS)
def test_advance_matches_chromium(book: FontBook, size_px: float, weight: int) -> None:
    advance = SkiaShaper(book).advance(TEXT, FontSpec(("Roboto Flex",), size_px, weight))
    assert advance == pytest.approx(CHROMIUM_WIDTHS[size_px, weight], abs=0.05)


def _ink(shaper: SkiaShaper, family: str, weight: int) -> float:
    pixels = np.zeros((90, 600, 4), np.uint8)
    surface = skia.Surface(pixels)
    paint = skia.Paint(AntiAlias=True, Color=skia.ColorWHITE)
    shaper.paragraph("Hamburgefonstiv", FontSpec((family,), 48, weight), paint).paint(
        surface.getCanvas(), 5, 5
    )
    return float(pixels[..., 3].sum())


def test_skia_fakes_bold_exactly_where_blink_does(book: FontBook, roboto_flex: Path) -> None:
    assert book.declare("Asset", roboto_flex, (400, 400))
    shaper = SkiaShaper(book)
    # range 400: the same outline at 400 and 599, emboldened at 600
    assert _ink(shaper, "Asset", 599) == _ink(shaper, "Asset", 400)
    assert _ink(shaper, "Asset", 600) > 1.3 * _ink(shaper, "Asset", 599)
    # a real bold face is never emboldened again (SkParagraph alone would at 900)
    assert _ink(shaper, "Arial", 900) == _ink(shaper, "Arial", 700)
    # the wght instance carries the weight: the same ink at 700 as a 700 instance
    assert _ink(shaper, "Roboto Flex", 700) < 1.3 * _ink(shaper, "Roboto Flex", 600)
