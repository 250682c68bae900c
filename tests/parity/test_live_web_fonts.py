"""Live parity of web fonts (engine/font_store.py) on both host pages: the harness loads each
installed Fontsource file with FontFace (regular only, with its unicode-range), as the ECG
editor loads the family a user picked, and ECG Render reads the same files from the font
folder. Covered: Noto Sans KR (Hangul and Latin across its subsets) and Lobster (a Latin
display family; Hangul next to it falls back to the system CJK face), each in regular and in
bold (synthesised by both from the one regular face), alone and first in a fallback list the
editor writes."""

from __future__ import annotations

import pytest

from engine.host_page import HostPage
from motiontext.host_styles import HOST_STYLES
from motiontext.parse import load_scenario
from parity.run import run_scenario
from tests.parity.reference import ReferenceRenderer
from tests.requirements_check import require_web_fonts

pytestmark = pytest.mark.browser

FPS = 30
FRAMES = [15, 45]
FAMILIES = {
    "Noto Sans KR": "안녕하세요 Hello 자막 World 2024!",
    "Lobster": "Hello World fjord 안녕 Wij",
}


def web_font_scenario(family: str, text: str) -> dict:
    """Three captions: regular, bold, and the family first in an editor-style fallback list."""
    looks = [
        {"fontFamily": family, "fontSizeRel": 0.06, "color": "#ffffff"},
        {"fontFamily": family, "fontSizeRel": 0.05, "fontWeight": "bold", "color": "#FFD400"},
        {"fontFamily": f"{family}, 맑은 고딕, 돋움, Arial, Helvetica", "fontSize": "40px"},
    ]
    cues = []
    for i, style in enumerate(looks):
        words = [
            {"id": f"c{i}-w{k}", "eType": "text", "text": word, "style": style}
            for k, word in enumerate(text.split())
        ]
        cues.append(
            {
                "id": f"cue-{i}",
                "track": "caption",
                "root": {
                    "id": f"g{i}",
                    "eType": "group",
                    "displayTime": [0.2, 2.0],
                    "layout": {
                        "anchor": "bc",
                        "position": {"x": 0.5, "y": 0.3 + 0.3 * i},
                        "childrenLayout": {"mode": "flow", "direction": "horizontal", "gap": 0.01},
                    },
                    "children": words,
                },
            }
        )
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds", "fps": FPS},
        "stage": {"baseAspect": "16:9"},
        "tracks": [
            {
                "id": "caption",
                "type": "subtitle",
                "layer": 1,
                "defaultStyle": {"align": "center"},
                "defaultBoxStyle": {"backgroundColor": "rgba(0,0,0,0.6)", "padding": "4px 8px"},
            }
        ],
        "cues": cues,
    }


@pytest.mark.parametrize("host_style", list(HOST_STYLES))
@pytest.mark.parametrize("family", list(FAMILIES))
def test_web_font_parity(reference: ReferenceRenderer, family: str, host_style: str) -> None:
    page = HostPage(host_style, (require_web_fonts(),))
    doc = web_font_scenario(family, FAMILIES[family])
    scenario = load_scenario(doc)
    assert family not in page.missing_families(scenario)

    results = run_scenario(family, doc, scenario, reference, 1920, 1080, FPS, FRAMES, page=page)

    scores = [r.score for r in results if r.score is not None]
    assert len(scores) == len(FRAMES)
    print(
        f"{family} [{host_style}]: min IoU {min(s.iou for s in scores):.3f}, "
        f"max MAE {max(s.mae for s in scores):.2f}"
    )
    failures = [
        f"frame {r.frame_index}: IoU {r.score.iou:.3f}, MAE {r.score.mae:.2f}"
        for r in results
        if r.score is not None and not r.score.passed
    ]
    assert not failures, "\n".join(failures)
