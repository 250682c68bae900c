"""Web font folders (engine/font_store.py) and their hook in FontBook: registration by family
name ahead of system fonts, CSS weight matching with Blink's synthetic bold, weight ranges of
variable faces drawn at their instances (engine.variations), unicode-range segments, emoji
fallback past a web family, and what a render reports as missing (engine/host_page.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.font_store import (
    MANIFEST_NAME,
    FontStore,
    WebFace,
    WebFamily,
    parse_unicode_range,
    sfnt_bytes,
)
from engine.fonts import FontBook
from engine.host_page import HostPage
from engine.text import SkiaShaper
from motiontext.display_list import FontSpec
from motiontext.parse import load_scenario
from tests.engine.font_files import families_scenario, font_bytes, write_font


def test_parse_unicode_range() -> None:
    assert parse_unicode_range("") == ()
    assert parse_unicode_range("U+0-7F, U+AC00-D7A3,U+20AC") == (
        (0, 0x7F),
        (0xAC00, 0xD7A3),
        (0x20AC, 0x20AC),
    )
    assert parse_unicode_range("u+4??") == ((0x400, 0x4FF),)
    for bad in ("0-7F", "U+7F-0", "U+110000", "U+4??-500", "U+G"):
        with pytest.raises(ValueError):
            parse_unicode_range(bad)


def _family(*weights: int, italic: tuple[int, ...] = ()) -> WebFamily:
    faces = [
        WebFace("F", Path(f"{w}.ttf"), Path(f"{w}.ttf"), w, False, "", i)
        for i, w in enumerate(weights)
    ]
    faces += [
        WebFace("F", Path(f"i{w}.ttf"), Path(f"i{w}.ttf"), w, True, "", 10 + i)
        for i, w in enumerate(italic)
    ]
    return WebFamily("F", tuple(faces), Path("."))


@pytest.mark.parametrize(
    ("weights", "asked", "chosen", "synthetic"),
    [
        ((400,), 700, 400, True),  # one regular FontFace: bold is synthesised (Blink)
        ((400,), 300, 400, False),
        ((400,), 600, 400, True),
        ((400, 700), 700, 700, False),
        ((300, 500), 400, 500, False),  # 400: up to 500 first (CSS Fonts 4, 5.2)
        ((300, 600), 400, 300, False),  # ... then below
        ((300, 600), 450, 300, False),
        ((100, 900), 300, 100, False),  # below 400: lighter first
        ((500, 900), 600, 900, False),  # above 500: heavier first
        ((500,), 700, 500, True),
    ],
)
def test_weight_matching(weights, asked: int, chosen: int, synthetic: bool) -> None:
    match = _family(*weights).match(asked)
    assert {f.weight for f in match.faces} == {chosen}
    assert match.synthetic_bold is synthetic


@pytest.mark.parametrize(
    ("ranges", "asked", "chosen", "synthetic"),
    [
        (((100, 900),), 950, (100, 900), False),  # a variable face: wght clamps, never faked
        (((100, 500),), 700, (100, 500), True),  # the range ends below 600: bold is faked
        (((100, 300), (600, 900)), 450, (100, 300), False),  # 400-500: nothing up to 500
        (((100, 300), (600, 900)), 550, (600, 900), False),  # above 500: heavier first
        (((300, 500), (700, 700)), 420, (300, 500), False),  # a range holding it wins
    ],
)
def test_weight_ranges_match_by_their_nearest_end(
    ranges, asked: int, chosen: tuple[int, int], synthetic: bool
) -> None:
    faces = tuple(
        WebFace("F", Path(f"{i}.ttf"), Path(f"{i}.ttf"), lo, order=i, weight_max=hi)
        for i, (lo, hi) in enumerate(ranges)
    )
    match = WebFamily("F", faces, Path(".")).match(asked)
    assert {f.weights for f in match.faces} == {chosen}
    assert match.synthetic_bold is synthetic


def test_upright_faces_win_over_italic_ones() -> None:
    match = _family(400, italic=(700,)).match(700)
    assert [f.italic for f in match.faces] == [False] and match.synthetic_bold
    assert _family(italic=(400,)).match(400).faces[0].italic  # only italic: CSS takes it


def _installed(folder: Path, family: str, faces: list[tuple[str, str]]) -> Path:
    """A family as `fonts install` lays it out: web files, range-cut sfnt files, manifest."""
    folder.mkdir(parents=True)
    entries = []
    for name, text in faces:
        web = font_bytes(family, flavor="woff2")
        (folder / f"{name}.woff2").write_bytes(web)
        (folder / f"{name}.ttf").write_bytes(sfnt_bytes(web, text)[0])
        entries.append({"web": f"{name}.woff2", "sfnt": f"{name}.ttf", "unicode_range": text})
    manifest = {"family": family, "source": "npm:@fontsource/x@1.0.0", "faces": entries}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_store_reads_manifests_and_loose_files(tmp_path: Path) -> None:
    _installed(tmp_path / "a" / "seg", "Segmented Sans", [("x", "U+0-40"), ("y", "U+41-FF")])
    write_font(tmp_path / "a" / "loose" / "Display.woff2", "Loose Display", flavor="woff2")
    write_font(tmp_path / "a" / "loose" / "Display-Bold.ttf", "Loose Display", weight=700)
    write_font(tmp_path / "a" / ".staging" / "Hidden.ttf", "Hidden Face")  # install in progress
    write_font(tmp_path / "b" / "Other.ttf", "Segmented Sans")  # shadowed by the first folder
    (tmp_path / "a" / "broken.ttf").write_bytes(b"not a font")

    store = FontStore([tmp_path / "a", tmp_path / "b", tmp_path / "absent"])

    assert sorted(f.name for f in store.families.values()) == ["Loose Display", "Segmented Sans"]
    segmented = store.family("segmented sans")
    assert segmented is not None and segmented.source == "npm:@fontsource/x@1.0.0"
    assert [f.ranges for f in segmented.faces] == [((0, 0x40),), ((0x41, 0xFF),)]
    loose = store.family("Loose Display")
    assert loose is not None and sorted(f.weight for f in loose.faces) == [400, 700]
    assert all(store.typeface(f) is not None for f in loose.faces)  # woff2 read via fontTools
    assert len(store.problems) == 1 and "broken.ttf" in store.problems[0]


def test_cut_sfnt_maps_only_its_range() -> None:
    import skia

    data, kind = sfnt_bytes(font_bytes("Cut", flavor="woff2"), "U+41-5A")
    typeface = skia.Typeface.MakeFromData(skia.Data.MakeWithCopy(data))
    assert kind == "ttf"
    assert typeface.unicharToGlyph(ord("A")) and typeface.unicharToGlyph(ord("Z"))
    assert not typeface.unicharToGlyph(ord("a")) and not typeface.unicharToGlyph(ord(" "))


def test_fontbook_uses_segments_like_blink(tmp_path: Path) -> None:
    """Later-declared faces win where ranges overlap; the primary font is the one that holds
    the space; a character no range holds falls back past the family."""
    _installed(
        tmp_path / "seg",
        "Segmented Sans",
        [("upper", "U+41-5A,U+20"), ("lower", "U+61-7A"), ("late", "U+5A,U+61")],
    )
    store = FontStore([tmp_path])
    book = FontBook(store=store)
    family = store.family("Segmented Sans")
    assert family is not None
    upper, lower, late = (book._web_font(f, 400) for f in family.faces)

    assert book.resolve("Segmented Sans", 400) is upper  # holds U+0020
    assert book.list_faces(("Segmented Sans",), 400, "Za") == [late, upper, lower]
    chain = book.chain(("Segmented Sans", "DejaVu Sans"), 400, "Ab 1")
    assert chain[:2] == [upper, lower]  # "1" is in no range: DejaVu Sans draws it
    assert chain[2].typeface.getFamilyName() == "DejaVu Sans"
    bold = book.list_faces(("Segmented Sans",), 700, "A")
    assert [f.synthetic_bold for f in bold] == [True]
    assert book.has_family("segmented sans") and not book.has_family("Nowhere Sans")


def test_variable_store_faces_are_drawn_at_their_instances(tmp_path: Path) -> None:
    """A store face goes through the variable-font machinery as a declared face with its
    @font-face weight range: a loose variable file (``auto``: its wght axis) and an installed
    face declaring ``100 900`` get wght = the weight (clamped), never synthetic bold; a lone
    regular static face is emboldened from 600 up, as Chromium does for it."""
    write_font(tmp_path / "loose" / "Var.ttf", "Loose Var", wght_axis=(100, 900))
    installed = tmp_path / "installed"
    installed.mkdir()
    (installed / "v.ttf").write_bytes(font_bytes("Range Var", wght_axis=(1, 1000)))
    manifest = {"family": "Range Var", "faces": [{"sfnt": "v.ttf", "weight": [100, 900]}]}
    (installed / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    write_font(tmp_path / "static" / "Static.ttf", "Static Web")
    store = FontStore([tmp_path])
    assert [f.weight_descriptor for f in store.family("Loose Var").faces] == ["100 900"]
    assert [f.weights for f in store.family("Range Var").faces] == [(100, 900)]

    book = FontBook(store=store)
    for family in ("Loose Var", "Range Var"):
        for weight, used in ((300, 300), (700, 700), (1000, 900)):
            face = book.resolve(family, weight)
            assert face is not None and face.axes and face.weights == (100.0, 900.0)
            assert not face.synthetic_bold, (family, weight)
            drawn = book.instance(face, 40, weight)
            assert drawn.typeface.fontStyle().weight() == used, (family, weight)
            assert book.instance(face, 40, weight) is drawn  # cached by face and position
    static = book.resolve("Static Web", 600)
    assert static is not None and static.synthetic_bold and not static.axes
    assert book.instance(static, 40, 600) is static


def test_emoji_fall_back_past_a_web_family(tmp_path: Path) -> None:
    """The store's chain still hands emoji clusters to Chromium's emoji order: a web family
    without the emoji, then Noto Color Emoji (colour, drawn apart)."""
    write_font(tmp_path / "web.ttf", "Web Caption")
    shaper = SkiaShaper(FontBook(store=FontStore([tmp_path])))
    runs = shaper.runs("Hi 😂 there", FontSpec(("Web Caption", "sans-serif"), 40.0, 400))
    names = [(text, faces[0].typeface.getFamilyName(), faces[0].colour) for text, faces in runs]
    assert names == [
        ("Hi ", "Web Caption", False),
        ("😂", "Noto Color Emoji", True),
        (" there", "Web Caption", False),
    ]


def test_store_family_comes_before_the_system_one(tmp_path: Path) -> None:
    """A web font named like an installed system family is the one used (@font-face wins)."""
    write_font(tmp_path / "dejavu.ttf", "DejaVu Sans")
    web = FontBook(store=FontStore([tmp_path])).resolve("DejaVu Sans", 400)
    system = FontBook().resolve("DejaVu Sans", 400)
    assert web is not None and system is not None
    # The file is Liberation Sans renamed: its advance widths tell the two apart.
    assert web.typeface.getBounds() != system.typeface.getBounds()


def test_host_page_reports_missing_families(tmp_path: Path) -> None:
    write_font(tmp_path / "display.ttf", "Picked Display")
    doc = families_scenario(
        "맑은 고딕, 돋움, Arial, Helvetica, Georgia",
        [{"fontFamily": "'Picked Display', serif"}, {"fontFamily": "Noto Sans KR"}],
    )
    scenario = load_scenario(doc)
    page = HostPage("ecg-editor", (tmp_path,))
    assert page.missing_families(scenario) == ("맑은 고딕", "돋움", "Georgia", "Noto Sans KR")
    assert HostPage().missing_families(scenario)[-1] == "Noto Sans KR"
    assert "Picked Display" in HostPage().missing_families(scenario)
    [first, *_] = page.warnings(scenario)
    assert first.startswith('font family "맑은 고딕" is not installed')
