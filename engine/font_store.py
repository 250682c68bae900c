"""Web fonts from font folders (the ``FONT_DIRS`` setting), registered the way a page's
``@font-face`` rules (or ``new FontFace(...)``) register them: by family name, ahead of the
system fonts, with CSS font matching and ``unicode-range`` segments.

What a folder may hold:

* ``<family folder>/fontface.json`` (:data:`MANIFEST_NAME`): a family installed by
  ``ecg-render fonts install`` (``server/fontsource.py``). Each face names the file a page
  loads (``web``, as published, e.g. woff2), the sfnt file Skia reads (``sfnt``: converted
  from woff2 with its cmap cut to the face's range), its ``weight`` (a number, or a
  ``[low, high]`` range for a variable face, as a Fontsource variable package declares
  ``font-weight: 100 900``) and ``style`` descriptors and its ``unicode_range`` (CSS text;
  empty = every code point).
* any other ``.ttf``, ``.otf``, ``.woff`` or ``.woff2`` file: one face of the family its
  name table gives (typographic family, else family), with its OS/2 weight (a variable
  face: its ``wght`` axis range, as ``font-weight: auto``) and italic bit as descriptors and
  no range. Skia cannot read woff2: such a file is decompressed in memory with fontTools
  when first used.

The first folder that holds a family provides all of it; later folders' faces of that family
are ignored. Matching follows CSS Fonts 4 section 5.2 (style, then weight) and Blink's
synthesis: a bold request (>= 600) of faces whose weight descriptor ends below 600 is
synthesised, as Chromium does for a lone regular ``FontFace`` (``engine.fonts`` applies the
same rule per face through ``engine.variations``, and draws a variable face at the ``wght``
the request gives within its range). Among the faces of the matched
descriptors, a character is drawn by the last declared face whose range holds it (Blink's
``CSSSegmentedFontFace`` order), and the family's primary font is the one that holds the
space (Blink's ``FontFallbackList``). Italic is never asked for: 1.5.0 ignores ``fontStyle``
(spec 10.4), so only bold is ever synthesised here.

Nothing here downloads anything; files are opened lazily, at most once per process.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import skia

log = logging.getLogger("ecg_render.fonts")

MANIFEST_NAME = "fontface.json"
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
BOLD_THRESHOLD = 600  # Blink's kBoldThreshold
_RANGE_ITEM = re.compile(r"^U\+([0-9A-F?]{1,6})(?:-([0-9A-F]{1,6}))?$", re.IGNORECASE)
_MAX_CODE_POINT = 0x10FFFF


def parse_unicode_range(text: str) -> tuple[tuple[int, int], ...]:
    """CSS ``unicode-range`` text -> inclusive (first, last) code point pairs; "" -> () (every
    code point). Wildcards (``U+4??``) are accepted. Raises ValueError for anything else."""
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        match = _RANGE_ITEM.match(item)
        if match is None:
            raise ValueError(f"not a unicode-range item: {item!r}")
        first, last = match.groups()
        if "?" in first:
            if last is not None:
                raise ValueError(f"a wildcard range has no end: {item!r}")
            lo, hi = int(first.replace("?", "0"), 16), int(first.replace("?", "F"), 16)
        else:
            lo = int(first, 16)
            hi = int(last, 16) if last is not None else lo
        if lo > hi or hi > _MAX_CODE_POINT:
            raise ValueError(f"not a valid unicode-range item: {item!r}")
        pairs.append((lo, hi))
    return tuple(pairs)


@dataclass(frozen=True, slots=True)
class WebFace:
    """One ``@font-face``: ``sfnt`` is what Skia loads, ``web`` what a page loads (the same
    file unless converted); ``order`` its declaration order within the family. ``weight``
    is its ``font-weight`` descriptor, or the low end of it when ``weight_max`` is set (a
    variable face declared with a range such as ``100 900``)."""

    family: str
    sfnt: Path
    web: Path
    weight: int = 400
    italic: bool = False
    unicode_range: str = ""
    order: int = 0
    ranges: tuple[tuple[int, int], ...] = ()
    weight_max: int | None = None

    def covers(self, code_point: int) -> bool:
        return not self.ranges or any(lo <= code_point <= hi for lo, hi in self.ranges)

    @property
    def weights(self) -> tuple[int, int]:
        """The declared weight range (low, high); a single weight is (w, w)."""
        return (self.weight, self.weight if self.weight_max is None else self.weight_max)

    @property
    def weight_descriptor(self) -> str:
        """The ``font-weight`` descriptor as CSS (and a page's ``FontFace``) writes it."""
        low, high = self.weights
        return str(low) if low == high else f"{low} {high}"


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """The faces CSS matching chose for one request, in Blink's precedence order (last
    declared first), and whether bold is synthesised on them."""

    faces: tuple[WebFace, ...]
    synthetic_bold: bool

    def covering(self, code_point: int) -> tuple[WebFace, ...]:
        return tuple(f for f in self.faces if f.covers(code_point))

    @property
    def primary(self) -> WebFace | None:
        """The face that draws the space: Blink's primary font of a segmented family (its
        metrics set the line box); None when no face holds U+0020."""
        return next((f for f in self.faces if f.covers(0x20)), None)


@dataclass(frozen=True, slots=True)
class WebFamily:
    """A family as the page would register it. ``source`` says where it came from (an npm
    package for installed families, "files" for loose files); ``folder`` is where it lives."""

    name: str
    faces: tuple[WebFace, ...]
    folder: Path
    source: str = "files"
    license: str | None = None
    _matches: dict = field(default_factory=dict, compare=False, repr=False)

    def match(self, weight: int) -> FaceMatch:
        """The faces for ``weight`` (upright style), per CSS Fonts 4 section 5.2."""
        found = self._matches.get(weight)
        if found is None:
            upright = [f for f in self.faces if not f.italic]
            pool = upright or list(self.faces)  # only italic faces: CSS falls back to them
            chosen = _closest_weights(weight, sorted({f.weights for f in pool}))
            faces = sorted((f for f in pool if f.weights == chosen), key=lambda f: -f.order)
            synthetic = weight >= BOLD_THRESHOLD and chosen[1] < BOLD_THRESHOLD
            found = self._matches[weight] = FaceMatch(tuple(faces), synthetic)
        return found


def _closest_weights(desired: int, available: list[tuple[int, int]]) -> tuple[int, int]:
    """CSS Fonts 4 section 5.2 step 4, font-weight: the chosen weight range among
    ``available`` (a range holding ``desired`` wins; else each range is as near as its
    nearest end)."""
    inside = [r for r in available if r[0] <= desired <= r[1]]
    if inside:
        return inside[0]
    below = sorted((r for r in available if r[1] < desired), key=lambda r: -r[1])
    above = sorted((r for r in available if r[0] > desired), key=lambda r: r[0])
    if 400 <= desired <= 500:
        up_to_500 = [r for r in above if r[0] <= 500]
        order = up_to_500 + below + [r for r in above if r[0] > 500]
    elif desired < 400:
        order = below + above
    else:
        order = above + below
    return order[0]


class FontStore:
    """The families in ``dirs`` (scanned once, at construction) and their typefaces (opened
    on first use). Thread-safe."""

    def __init__(self, dirs: Sequence[Path | str]) -> None:
        self.dirs = tuple(Path(d) for d in dirs)
        self.families: dict[str, WebFamily] = {}
        self.problems: list[str] = []  # files or manifests that could not be read
        self._typefaces: dict[Path, skia.Typeface | None] = {}
        self._lock = threading.Lock()
        for folder in self.dirs:
            found: dict[str, WebFamily] = {}
            for family in _scan(folder, self.problems):
                key = family.name.lower()
                if key in found:  # several loose files of one family in this folder
                    family = _merged(found[key], family)
                found[key] = family
            for key, family in found.items():
                self.families.setdefault(key, family)

    def family(self, name: str) -> WebFamily | None:
        return self.families.get(name.lower())

    def typeface(self, face: WebFace) -> skia.Typeface | None:
        """``face``'s typeface, opened once; None (logged once) when the file is unreadable."""
        with self._lock:
            if face.sfnt not in self._typefaces:
                self._typefaces[face.sfnt] = _open_typeface(face.sfnt)
            return self._typefaces[face.sfnt]

    def faces_for(self, families: Iterable[str]) -> list[WebFace]:
        """Every face of the named families that this store holds, in declaration order per
        family: what a page would register for them."""
        out: list[WebFace] = []
        for name in families:
            family = self.family(name)
            if family is not None:
                out.extend(sorted(family.faces, key=lambda f: f.order))
        return out


def _scan(folder: Path, problems: list[str]) -> list[WebFamily]:
    if not folder.is_dir():
        return []
    families: list[WebFamily] = []
    manifests = sorted(m for m in folder.rglob(MANIFEST_NAME) if not _hidden(m, folder))
    described = {m.parent for m in manifests}
    for manifest in manifests:
        try:
            families.append(read_manifest(manifest))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{manifest}: {exc}")
    loose = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in FONT_SUFFIXES
        and p.is_file()
        and not _hidden(p, folder)
        and not any(parent in described for parent in p.parents)
    )
    for order, path in enumerate(loose):
        try:
            families.append(_loose_family(path, folder, order))
        except Exception as exc:  # noqa: BLE001 (fontTools raises many kinds for bad files)
            problems.append(f"{path}: not a readable font ({type(exc).__name__}: {exc})")
    return families


def _hidden(path: Path, folder: Path) -> bool:
    """Dot folders hold installs in progress and replaced ones (server/fontsource.py)."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def read_manifest(path: Path) -> WebFamily:
    """The family a ``fontface.json`` describes (paths in it are relative to its folder)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    folder = path.parent
    name = str(data["family"])
    faces = []
    for order, entry in enumerate(data["faces"]):
        text = str(entry.get("unicode_range") or "")
        low, high = _weight_descriptor(entry.get("weight", 400))
        faces.append(
            WebFace(
                family=name,
                sfnt=folder / entry["sfnt"],
                web=folder / entry.get("web", entry["sfnt"]),
                weight=low,
                italic=entry.get("style", "normal") != "normal",
                unicode_range=text,
                order=order,
                ranges=parse_unicode_range(text),
                weight_max=None if high == low else high,
            )
        )
    if not faces:
        raise ValueError("lists no faces")
    return WebFamily(
        name, tuple(faces), folder, str(data.get("source", "files")), data.get("license")
    )


def _weight_descriptor(value: object) -> tuple[int, int]:
    """A manifest ``weight``: a number, or a ``[low, high]`` range."""
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError(f"a weight range has two ends, not {value!r}")
        low, high = int(value[0]), int(value[1])
    else:
        low = high = int(value)  # type: ignore[call-overload]
    if not 1 <= low <= high <= 1000:
        raise ValueError(f"not a font-weight range: {value!r}")
    return low, high


def _loose_family(path: Path, folder: Path, order: int) -> WebFamily:
    from fontTools.ttLib import TTFont

    with path.open("rb") as handle, TTFont(handle, lazy=True, fontNumber=0) as font:
        names = font["name"]
        family = names.getBestFamilyName() or names.getDebugName(16) or names.getDebugName(1)
        if not family:
            raise ValueError("its name table names no family")
        weight, italic = 400, False
        if "OS/2" in font:
            os2 = font["OS/2"]
            weight = int(os2.usWeightClass) or 400
            italic = bool(os2.fsSelection & 1)
        weight_max = None
        axes = font["fvar"].axes if "fvar" in font else []
        for axis in axes:  # a variable face: font-weight auto is its wght axis range
            if axis.axisTag == "wght":
                weight, weight_max = round(axis.minValue), round(axis.maxValue)
    face = WebFace(family, path, path, weight, italic, "", order, weight_max=weight_max)
    return WebFamily(family, (face,), folder, "files")


def _merged(first: WebFamily, second: WebFamily) -> WebFamily:
    return WebFamily(
        first.name, first.faces + second.faces, first.folder, first.source, first.license
    )


def _open_typeface(path: Path) -> skia.Typeface | None:
    try:
        if path.suffix.lower() == ".woff2":
            data = skia.Data.MakeWithCopy(sfnt_bytes(path.read_bytes())[0])
            typeface = skia.Typeface.MakeFromData(data)
        else:
            typeface = skia.Typeface.MakeFromFile(str(path))
    except Exception as exc:  # noqa: BLE001 (a bad file must not fail a render)
        log.warning("font %s cannot be read: %s", path, exc)
        return None
    if typeface is None:
        log.warning("font %s cannot be read by Skia", path)
    return typeface


def sfnt_bytes(data: bytes, unicode_range: str = "") -> tuple[bytes, str]:
    """``data`` (ttf/otf/woff/woff2) as plain sfnt bytes whose cmap maps only code points in
    ``unicode_range`` (all when empty); glyphs, metrics and layout tables are kept as they
    are. Returns the bytes and their file extension ("ttf" or "otf")."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    ranges = parse_unicode_range(unicode_range)
    if ranges:
        for table in font["cmap"].tables:
            if table.format == 14:
                continue  # variation sequences only refine code points kept elsewhere
            table.cmap = {
                cp: glyph
                for cp, glyph in table.cmap.items()
                if any(lo <= cp <= hi for lo, hi in ranges)
            }
    font.flavor = None
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue(), "otf" if "CFF " in font else "ttf"
