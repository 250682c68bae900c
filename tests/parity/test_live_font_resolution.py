"""Which fonts draw which text, asked of Chromium (CDP CSS.getPlatformFontsForNode in the
harness frame) and of ECG Render's font book, on both host pages: the editor's Tailwind
stack (ui-sans-serif is not a family on Linux, system-ui is DejaVu Sans, Hangul falls back to
Noto Sans CJK), the bare page's serif default, and web fonts from the font folder."""

from __future__ import annotations

import re

import pytest

from engine.host_page import HostPage
from motiontext.css import parse_font_families
from motiontext.display_list import FontSpec
from motiontext.host_styles import HOST_STYLES
from tests.parity.reference import ReferenceRenderer
from tests.requirements_check import require_web_fonts

pytestmark = pytest.mark.browser

TEXTS = ["Hello world", "안녕하세요", "✓", "Hello 안녕 ✓", "ÀÉÎõü …—", "Wij 2024!"]
FAMILIES = [None, "Noto Sans KR", "Lobster", "Noto Sans KR, Arial", "Arial, sans-serif"]


def _family(name: str) -> str:
    # One Noto Sans CJK collection serves every region; Chromium names the face it opened.
    return re.sub(r"^Noto Sans CJK \w+$", "Noto Sans CJK", name)


def _ours(page: HostPage, family: str | None, text: str) -> set[str]:
    families = parse_font_families(family) if family else None
    spec = FontSpec(families or parse_font_families(page.style.font_family), 32.0, 400)
    shaper = page.shaper()
    used = set()
    for run, faces in shaper.runs(text, spec):
        for face in shaper.fonts.faces_used(faces, run):
            used.add(_family(face.typeface.getFamilyName()))
    return used


@pytest.mark.parametrize("host_style", list(HOST_STYLES))
def test_fonts_resolve_as_in_chromium(reference: ReferenceRenderer, host_style: str) -> None:
    page = HostPage(host_style, (require_web_fonts(),))
    mismatches = []
    for family in FAMILIES:
        css = {"font-size": "32px", **({"font-family": family} if family else {})}
        for text in TEXTS:
            theirs = {_family(name) for name, _ in reference.platform_fonts(text, css, page)}
            ours = _ours(page, family, text)
            if theirs != ours:
                mismatches.append(f"{family or '(inherited)'} / {text!r}: {theirs} vs ours {ours}")
    assert not mismatches, "\n".join(mismatches)
