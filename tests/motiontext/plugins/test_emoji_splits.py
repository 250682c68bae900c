"""Splitting plugins never break an emoji (issue 20): a flag, a ZWJ, keycap or skin-tone
sequence, or any astral character stays whole in the unit of its first code unit (code point
for cwi-*), the units of its other code units left empty, so every other character keeps the
index, hence the stagger timing, it has in the original. The live reference cannot run the
plugins (their code is not in the harness): this is the structural half of the check; the
inactive half is tests/parity/test_live_emoji.py."""

from __future__ import annotations

import pytest

from motiontext.emoji import clusters, is_emoji_cluster
from motiontext.plugins import (
    cwi_bouncing,
    cwi_color,
    fadein,
    fliptype,
    magnetic,
    rotation,
    scalepop,
    typewriter,
)
from motiontext.plugins._split import code_points, utf16_prefix, utf16_units

from .gsap_ctx import run

TEXT = "좋아요👍 🇰🇷 👨‍👩‍👧 1️⃣ 👍🏽ok❤️𠀀!"
EMOJI = ["👍", "🇰🇷", "👨‍👩‍👧", "1️⃣", "👍🏽", "❤️", "𠀀"]


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_utf16_units_keep_emoji_whole_and_every_index() -> None:
    units = utf16_units(TEXT)
    assert len(units) == _utf16_len(TEXT)
    assert "".join(units) == TEXT
    assert all(e in units for e in EMOJI)
    assert "\ufffd" not in "".join(units)
    # "!" keeps the index of its UTF-16 code unit, as in the original's split
    assert units.index("!") == _utf16_len(TEXT[: TEXT.index("!")])
    assert units[:4] == ["좋", "아", "요", "👍"] and units[4] == ""


def test_code_points_keep_emoji_whole_and_every_index() -> None:
    units = code_points(TEXT)
    assert len(units) == len(TEXT)
    assert "".join(units) == TEXT
    assert all(e in units for e in EMOJI)
    assert units.index("!") == TEXT.index("!")


def test_plain_text_splits_as_the_original() -> None:
    assert utf16_units("Hé llo") == list("Hé llo")
    assert code_points("e\u0301") == ["e", "\u0301"]  # combining marks still split (spec 2.9)


def test_typewriter_prefix_never_cuts_an_emoji() -> None:
    spans = []
    at = 0
    for cluster in clusters(TEXT):
        if is_emoji_cluster(cluster) or any(ord(c) > 0xFFFF for c in cluster):
            spans.append((at, at + len(cluster)))
        at += len(cluster)
    lengths = []
    for k in range(_utf16_len(TEXT) + 1):
        prefix = utf16_prefix(TEXT, k)
        assert TEXT.startswith(prefix) and _utf16_len(prefix) <= k
        assert not any(a < len(prefix) < b for a, b in spans), (k, prefix)
        lengths.append(len(prefix))
    assert lengths == sorted(lengths) and utf16_prefix(TEXT, 10**6) == TEXT


@pytest.mark.parametrize(
    "plugin",
    [
        fadein.PLUGIN,
        scalepop.PLUGIN,
        magnetic.PLUGIN,
        rotation.PLUGIN,
        fliptype.PLUGIN,
        cwi_color.PLUGIN,
        cwi_bouncing.PLUGIN,
    ],
    ids=lambda p: p.name,
)
def test_active_splitting_plugins_keep_emoji_whole(plugin) -> None:
    units = run(plugin, TEXT, 0.6).units
    texts = [u.text for u in units]
    assert all(e in texts for e in EMOJI), texts
    assert not any("\ufffd" in t for t in texts)
    for text in texts:
        for cluster in clusters(text):
            if is_emoji_cluster(cluster):
                assert cluster in EMOJI


def test_active_typewriter_shows_whole_emoji_only() -> None:
    for p in (0.1, 0.15, 0.3, 0.5, 1.0):
        typed = run(typewriter.PLUGIN, TEXT, p, {"typingSpeed": 0.01}).units[0].text
        assert TEXT.startswith(typed)
        assert all(c in EMOJI or not is_emoji_cluster(c) for c in clusters(typed))
    assert run(typewriter.PLUGIN, TEXT, 1.0, {"typingSpeed": 0.01}).units[0].text == TEXT
