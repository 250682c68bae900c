"""Font resolution the way Chromium on Debian does it: CSS family lists resolved through
fontconfig with Chromium's metric-compatible aliases (Arial -> Liberation Sans), generic
families (sans-serif -> DejaVu Sans), fonts declared by the page (Roboto Flex, define
assets), and per-character system fallback (Korean -> Noto Sans CJK).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import skia

from .font_store import FontStore, WebFace
from .scripts import script_of, without_lone_surrogates

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
SCRIPT_LANGS = {"hangul": ["ko"], "han": ["zh", "ja", "ko"], "kana": ["ja"]}


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


@dataclass(frozen=True, slots=True)
class ResolvedFont:
    typeface: skia.Typeface
    alias: str  # the name registered in the shared TypefaceFontProvider
    synthetic_bold: bool


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
        self._cache: dict[tuple, ResolvedFont | None] = {}
        self._aliases: dict[int, str] = {}
        self._lock = threading.Lock()
        self.store = store  # web fonts from font folders: see the hook at the end
        self._web: dict[tuple, ResolvedFont | None] = {}
        self._web_lock = threading.Lock()
        for family, path in (declared or {}).items():
            self.declare(family, path)

    def declare(self, family: str, path: Path | str) -> bool:
        """Register a web font (``@font-face`` / define asset) under ``family``."""
        tf = skia.Typeface.MakeFromFile(str(path))
        if tf is None:
            return False
        self._declared[family.lower()] = tf
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
        # Chromium fakes bold when a heavy weight is asked of a face that has none
        synthetic = weight >= 600 and tf.fontStyle().weight() < 600
        return ResolvedFont(tf, self._alias_for(tf), synthetic)

    def primary(self, families: tuple[str, ...], weight: int) -> ResolvedFont:
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
        """Faces for one script run, in Chromium's order: the CSS list, then system fallbacks
        until every character is covered, each asked for one hint character with its
        script's language. Like Blink's ChooseHintIndex, the hint is the first still-uncovered
        character after the first that has a definite script, else the first: so "✓" before
        or after uncovered Hangul comes from Noto Sans CJK, but alone (or next to Hangul a
        web font draws) from DejaVu Sans. ``script`` (the run's) is not needed for that."""
        faces = self.list_faces(families, weight, text)

        def uncovered(chars: list[str]) -> list[str]:
            return [
                ch
                for ch in chars
                if not ch.isspace() and not any(f.typeface.unicharToGlyph(ord(ch)) for f in faces)
            ]

        pending = uncovered(list(text))
        while pending:
            hint = next((ch for ch in pending[1:] if script_of(ch)), pending[0])
            fb = self.fallback_for(hint, self._fallback_family(families), weight, script_of(hint))
            if fb is not None and fb not in faces:
                faces.append(fb)
            pending = [ch for ch in uncovered(pending) if ch != hint]
        return faces

    def _fallback_family(self, families: tuple[str, ...]) -> str:
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
        found = None
        if tf is not None:
            found = ResolvedFont(
                tf, self._alias_for(tf), weight >= 600 and tf.fontStyle().weight() < 600
            )
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
                found = self._web_font(face, match.synthetic_bold)
                if found is not None and found not in faces:
                    faces.append(found)
        return faces

    def _web_font(self, face: WebFace, synthetic_bold: bool) -> ResolvedFont | None:
        key = (face, synthetic_bold)
        with self._web_lock:
            if key not in self._web:
                tf = self.store.typeface(face) if self.store is not None else None
                self._web[key] = (
                    None if tf is None else ResolvedFont(tf, self._alias_for(tf), synthetic_bold)
                )
            return self._web[key]
