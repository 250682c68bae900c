"""Font resolution the way Chromium on Debian does it: CSS family lists resolved through
fontconfig with Chromium's metric-compatible aliases (Arial -> Liberation Sans), generic
families (sans-serif -> DejaVu Sans), fonts declared by the page (Roboto Flex, define
assets), and per-character system fallback (Korean -> Noto Sans CJK). Variable faces are
drawn at the instance Chromium picks for the used size and weight (``engine.variations``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import skia

from motiontext.emoji import clusters

from .font_store import FontStore, WebFace
from .scripts import script_of, without_lone_surrogates
from .variations import (
    Axis,
    WeightRange,
    axes_of,
    axis_values,
    capability_range,
    make_instance,
    synthesises_bold,
)

# Chromium accepts a fontconfig substitute only when it is metric-compatible.
METRIC_ALIASES = {
    "arial": "Liberation Sans",
    "helvetica": "Liberation Sans",
    "times new roman": "Liberation Serif",
    "times": "Liberation Serif",
    "courier new": "Liberation Mono",
    "courier": "Liberation Mono",
}
# Chromium's generic-family preferences on Linux (standard "Times New Roman", sans-serif
# "Arial", fixed "Monospace"), then fontconfig; measured against Chromium 156 here.
GENERIC = {
    "sans-serif": "Liberation Sans",
    "serif": "Liberation Serif",
    "monospace": "DejaVu Sans Mono",
    "system-ui": "DejaVu Sans",
    "cursive": "DejaVu Sans",
    "fantasy": "DejaVu Sans",
}
DEFAULT_FAMILY = "Liberation Serif"  # Chromium's standard font, "Times New Roman"
# BCP 47 tags Chromium's system fallback asks fontconfig with; "emoji" is the colour emoji
# font it asks for emoji presentation (engine.emoji_fallback).
SCRIPT_LANGS = {
    "hangul": ["ko"],
    "han": ["zh", "ja", "ko"],
    "kana": ["ja"],
    "emoji": ["und-Zsye"],
}
_COLOUR_TABLES = frozenset({"CBDT", "COLR", "sbix", "SVG "})


@contextlib.contextmanager
def _quiet_stderr():
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _ignorable(ch: str) -> bool:
    """Default-ignorable code points (ZWJ, variation selectors, tags...): a face that lacks
    them draws nothing for them, not a .notdef."""
    o = ord(ch)
    return (
        o in (0x00AD, 0x034F, 0x200B, 0x200C, 0x200D)
        or 0xFE00 <= o <= 0xFE0F
        or 0xE0000 <= o <= 0xE0FFF
        or 0x2060 <= o <= 0x206F
    )


@dataclass(frozen=True, slots=True)
class ResolvedFont:
    typeface: skia.Typeface
    alias: str  # the name registered in the shared TypefaceFontProvider
    synthetic_bold: bool  # Blink fakes bold for the weight this face was resolved for
    weights: WeightRange = (400.0, 400.0)  # the weights it answers to (engine.variations)
    axes: tuple[Axis, ...] = ()  # variation axes; empty for a static face
    colour: bool = False  # has colour glyphs (CBDT/COLR/sbix/SVG: Noto Color Emoji)


class FontBook:
    """Resolves families and owns one TypefaceFontProvider holding every face in use, so
    that paragraphs see exactly the faces Chromium would pick, in Chromium's order."""

    def __init__(
        self, declared: dict[str, Path] | None = None, store: FontStore | None = None
    ) -> None:
        with _quiet_stderr():  # skia's bundled fontconfig warns about Debian's reset-dirs
            self.system = skia.FontMgr()
        self.provider = skia.textlayout.TypefaceFontProvider()
        self.collection = skia.textlayout.FontCollection()
        self.collection.setDefaultFontManager(self.provider)
        self._declared: dict[str, skia.Typeface] = {}
        self._declared_weights: dict[str, WeightRange | None] = {}
        self._cache: dict[tuple, ResolvedFont | None] = {}
        self._instances: dict[tuple, ResolvedFont] = {}
        self._aliases: dict[int, str] = {}
        # reentrant: a web face is resolved (and registered) inside resolve()'s hold
        self._lock = threading.RLock()
        self.store = store  # web fonts from font folders: see the hook at the end
        self._web: dict[tuple, ResolvedFont | None] = {}
        for family, path in (declared or {}).items():
            self.declare(family, path)

    def declare(self, family: str, path: Path | str, weights: WeightRange | None = None) -> bool:
        """Register a web font under ``family``. ``weights``: its ``font-weight`` descriptor
        range; None for a CSS ``@font-face`` without one (``auto``: the face's own range, as
        the page declares Roboto Flex); a JS ``FontFace`` without one, as 1.5.0 loads define
        font assets, is ``normal``: pass (400, 400)."""
        tf = skia.Typeface.MakeFromFile(str(path))
        if tf is None:
            return False
        self._declared[family.lower()] = tf
        self._declared_weights[family.lower()] = weights
        self._cache.clear()
        return True

    def _alias_for(self, tf: skia.Typeface) -> str:
        key = tf.uniqueID()
        name = self._aliases.get(key)
        if name is None:
            name = f"ecg-face-{len(self._aliases)}"
            self.provider.registerTypeface(tf, name)
            self._aliases[key] = name
        return name

    def _system_face(self, family: str, weight: int) -> skia.Typeface | None:
        tf = self.system.matchFamilyStyle(
            family, skia.FontStyle(weight, 5, skia.FontStyle.kUpright_Slant)
        )
        if tf is None or tf.getFamilyName().lower() != family.lower():
            return None
        return tf

    def resolve(self, family: str, weight: int) -> ResolvedFont | None:
        key = (family.lower(), weight)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._resolve(family, weight)
            return self._cache[key]

    def _resolve(self, family: str, weight: int) -> ResolvedFont | None:
        name = family.lower()
        tf = self._declared.get(name)
        web = self._web_faces(family, weight, " ") if tf is None else None
        if web is not None:
            return web[0] if web else None  # the face that holds the space is the primary
        if tf is None:
            target = GENERIC.get(name) or METRIC_ALIASES.get(name) or family
            tf = self._system_face(without_lone_surrogates(target), weight)
        if tf is None:
            return None
        return self._face(tf, weight, self._declared_weights.get(name))

    def _face(
        self, tf: skia.Typeface, weight: int, declared: WeightRange | None = None
    ) -> ResolvedFont:
        axes = axes_of(tf)
        weights = capability_range(tf, axes, declared)
        colour = bool(table_tags(tf) & _COLOUR_TABLES)
        return ResolvedFont(
            tf, self._alias_for(tf), synthesises_bold(weight, weights), weights, axes, colour
        )

    def instance(self, face: ResolvedFont, size_px: float, weight: int) -> ResolvedFont:
        """``face`` as Chromium draws it at ``size_px`` and ``weight``: a variable face at the
        design position of its ``opsz``/``wght``/``wdth`` axes (cached by face and position,
        so per-frame size or weight changes reuse instances), a static face unchanged."""
        if not face.axes:
            return face
        values = axis_values(face.axes, size_px, weight, face.weights)
        synthetic = synthesises_bold(weight, face.weights)
        key = (face.typeface.uniqueID(), values, synthetic)
        with self._lock:
            found = self._instances.get(key)
            if found is None:
                tf = make_instance(face.typeface, values)
                found = ResolvedFont(
                    tf, self._alias_for(tf), synthetic, face.weights, face.axes, face.colour
                )
                self._instances[key] = found
        return found

    def instances(
        self, faces: list[ResolvedFont], size_px: float, weight: int
    ) -> list[ResolvedFont]:
        """:meth:`instance` of each face, in order."""
        return [self.instance(face, size_px, weight) for face in faces]

    def primary(self, families: tuple[str, ...], weight: int) -> ResolvedFont:
        """The first family that resolves (Chromium's primary font; its .notdef is drawn
        for what no face has)."""
        for fam in families:
            found = self.resolve(fam, weight)
            if found is not None:
                return found
        found = self.resolve(DEFAULT_FAMILY, weight)
        assert found is not None, "Liberation Serif is not installed (fonts-liberation)"
        return found

    def list_faces(
        self, families: tuple[str, ...], weight: int, text: str = ""
    ) -> list[ResolvedFont]:
        """The CSS list's faces; a web family gives its unicode-range segments that hold
        some character of ``text`` (without ``text``, its primary face)."""
        faces: list[ResolvedFont] = []
        for fam in families:
            web = self._web_faces(fam, weight, text) if text else None
            for found in web if web is not None else [self.resolve(fam, weight)]:
                if found is not None and found not in faces:
                    faces.append(found)
        if not faces:
            faces.append(self.primary(families, weight))
        return faces

    def chain(
        self, families: tuple[str, ...], weight: int, text: str, script: str = ""
    ) -> list[ResolvedFont]:
        """Faces for one script run, in Chromium's order: the CSS list (a web family's
        unicode-range segments that hold some of ``text``), then system fallbacks until every
        grapheme cluster is covered, each asked for one hint character with its script's
        language. Like Blink's ChooseHintIndex, the hint is the first still-uncovered cluster
        after the first that has a definite script, else the first: so "✓" before or after
        uncovered Hangul comes from Noto Sans CJK, but alone (or next to Hangul a web font
        draws) from DejaVu Sans. A cluster no face has whole (1 + U+20E3 in Liberation Sans)
        keeps the first face and its .notdef, as in Chromium. ``script`` (the run's) is not
        needed for that."""
        faces = self.list_faces(families, weight, text)

        def uncovered(pieces: list[str]) -> list[str]:
            return [c for c in pieces if not c.isspace() and not any(covers(f, c) for f in faces)]

        pending = uncovered(clusters(text))
        while pending:
            hint = next((c for c in pending[1:] if script_of(c[0])), pending[0])
            fb = self.fallback_for(
                hint[0], self.fallback_family(families), weight, script_of(hint[0])
            )
            if fb is not None and fb not in faces:
                faces.append(fb)
            pending = [c for c in uncovered(pending) if c != hint]
        return faces

    def fallback_family(self, families: tuple[str, ...]) -> str:
        """The family Chromium's character fallback effectively asks fontconfig with.
        Measured: Hangul after a serif face (Liberation Serif, the default) still comes
        from Noto Sans CJK, while monospace lists get the monospace CJK face."""
        first = families[0] if families else DEFAULT_FAMILY
        resolved = self.resolve(first, 400)
        if (
            resolved is not None
            and "serif" in resolved.typeface.getFamilyName().lower()
            and "sans" not in resolved.typeface.getFamilyName().lower()
        ):
            return "sans-serif"
        return first

    def fallback_for(
        self, ch: str, family: str, weight: int, script: str = ""
    ) -> ResolvedFont | None:
        """System fallback as Chromium asks fontconfig: with the first CSS family as
        written (an unknown one lands on fontconfig's default, sans-serif)."""
        key = ("\0fallback", family, ch, weight, script)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        # Chromium's character fallback asks fontconfig for a regular face and fakes the
        # weight (measured: a bold "✓" next to Hangul has Noto Sans CJK Regular's advance).
        style = skia.FontStyle(400, 5, skia.FontStyle.kUpright_Slant)
        tf = self.system.matchFamilyStyleCharacter(
            without_lone_surrogates(family), style, SCRIPT_LANGS.get(script, []), ord(ch)
        )
        found = None if tf is None else self._face(tf, weight)
        with self._lock:
            self._cache[key] = found
        return found

    def faces_used(self, faces: list[ResolvedFont], text: str) -> list[ResolvedFont]:
        """The faces that actually draw some character of ``text`` (first match wins)."""
        used = []
        for ch in text:
            if ch.isspace():
                continue
            for f in faces:
                if f.typeface.unicharToGlyph(ord(ch)):
                    if f not in used:
                        used.append(f)
                    break
        return used

    # -- web fonts from font folders (engine/font_store.py) ---------------------------------

    def has_family(self, family: str) -> bool:
        """Whether ``family`` resolves to anything but fallback: declared, in a font folder,
        or a system family (aliases and generic families included)."""
        name = family.lower()
        if name in self._declared or (self.store is not None and self.store.family(family)):
            return True
        return self.resolve(family, 400) is not None

    def _web_faces(self, family: str, weight: int, text: str) -> list[ResolvedFont] | None:
        """None when no font folder holds ``family``; else its faces that draw some
        character of ``text``, in the order Blink tries them (unicode-range segments)."""
        web = self.store.family(family) if self.store is not None else None
        if web is None:
            return None
        match = web.match(weight)
        faces: list[ResolvedFont] = []
        for ch in dict.fromkeys(text):
            for face in match.covering(ord(ch)):
                found = self._web_font(face, weight)
                if found is not None and found not in faces:
                    faces.append(found)
        return faces

    def _web_font(self, face: WebFace, weight: int) -> ResolvedFont | None:
        """``face`` resolved for ``weight`` as a declared face with its ``@font-face``
        weight range (so a variable face gets its instances, and bold is synthesised by
        Blink's rule for that range)."""
        declared = (float(face.weights[0]), float(face.weights[1]))
        key = (face, synthesises_bold(weight, declared))
        with self._lock:
            if key not in self._web:
                tf = self.store.typeface(face) if self.store is not None else None
                self._web[key] = None if tf is None else self._face(tf, weight, declared)
            return self._web[key]


def table_tags(typeface: skia.Typeface) -> set[str]:
    """The sfnt table tags of ``typeface`` ("glyf", "CBDT", "hhea"...)."""
    return {tag.to_bytes(4, "big").decode("latin-1") for tag in typeface.getTableTags()}


def covers(face: ResolvedFont, cluster: str) -> bool:
    """``face`` draws ``cluster`` without a .notdef (Blink moves a cluster with one to the
    next face whole)."""
    return all(face.typeface.unicharToGlyph(ord(ch)) for ch in cluster if not _ignorable(ch))
