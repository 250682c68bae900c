"""Script runs as Blink segments text before font fallback: characters of the Common script
(spaces, punctuation, symbols, digits) join the run before them, or the one after them at the
start of the text. A grapheme cluster is never cut: it takes its base character's script
(combining marks, keycaps and emoji sequences stay with their base)."""

from __future__ import annotations

import unicodedata

from motiontext.emoji import clusters


def script_of(ch: str) -> str:
    o = ord(ch)
    if 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F or 0xAC00 <= o <= 0xD7AF:
        return "hangul"
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF:
        return "kana"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "han"
    cat = unicodedata.category(ch)
    if cat[0] in "LM" and cat != "Lm":
        if 0x0370 <= o <= 0x03FF:
            return "greek"
        if 0x0400 <= o <= 0x04FF:
            return "cyrillic"
        return "latin" if o < 0x0250 or 0x1E00 <= o <= 0x1EFF else f"other{o >> 7}"
    return ""  # Common / Inherited


def script_runs(text: str) -> list[tuple[str, str]]:
    """[(run text, script)] covering ``text`` in order."""
    runs: list[list[str]] = []  # [script, text]
    for ch in clusters(text):
        sc = script_of(ch[0])
        if not runs:
            runs.append([sc, ch])
        elif sc == "" or sc == runs[-1][0]:
            runs[-1][1] += ch
        elif runs[-1][0] == "":
            runs[-1] = [sc, runs[-1][1] + ch]  # leading commons join the first real script
        else:
            runs.append([sc, ch])
    return [(t, sc) for sc, t in runs]


def without_lone_surrogates(text: str) -> str:
    """``text`` with unpaired surrogates (valid in JSON and JS strings) as U+FFFD, which is
    what Blink draws for them; Skia refuses strings that hold them."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
