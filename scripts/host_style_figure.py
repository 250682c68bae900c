"""Draw README's host style picture: the same two captions on the bare page (left) and on the
ECG editor's page (right), over mid-grey. Needs Noto Sans KR in the font folder.

    .venv/bin/python scripts/host_style_figure.py [--font-dir .cache/fonts] [-o docs/host_styles.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from engine.host_page import HostPage
from engine.overlay import render_frames
from motiontext.parse import load_scenario

WIDTH, HEIGHT = 960, 540
CROP = (150, 170, 810, 540)  # left, top, right, bottom: both captions on both pages

SCENARIO = {
    "version": "2.0",
    "timebase": {"unit": "seconds", "fps": 30},
    "stage": {"baseAspect": "16:9"},
    "tracks": [
        {
            "id": "caption",
            "type": "subtitle",
            "layer": 1,
            "defaultStyle": {
                "fontFamily": "Noto Sans KR",
                "fontSizeRel": 0.06,
                "color": "#ffffff",
                "align": "center",
            },
            "defaultBoxStyle": {"backgroundColor": "rgba(0,0,0,0.6)", "padding": "4px 8px"},
        },
        {"id": "note", "type": "free", "layer": 2},
    ],
    "cues": [
        {
            "id": "cue-1",
            "track": "caption",
            "root": {
                "id": "caption-1",
                "eType": "group",
                "displayTime": [0, 2],
                "layout": {"anchor": "bc", "position": {"x": 0.5, "y": 0.96}},
                "children": [
                    {"id": "w1", "eType": "text", "text": "안녕하세요, 편집기에서 본 그대로"},
                    {
                        "id": "w2",
                        "eType": "text",
                        "text": "Same caption, editor look",
                        "style": {"fontWeight": "bold", "color": "#FFD400"},
                    },
                ],
            },
        },
        {
            "id": "cue-2",
            "track": "note",
            "root": {
                "id": "note-1",
                "eType": "text",
                "displayTime": [0, 2],
                "text": "Text with no font or colour of its own",
                "style": {"fontSize": "26px", "textShadow": "none"},
                "layout": {"anchor": "tc", "position": {"x": 0.5, "y": 0.34}},
            },
        },
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--font-dir", type=Path, default=Path(".cache/fonts"))
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/host_styles.png"))
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    panels = []
    for style in ("bare", "ecg-editor"):
        page = HostPage(style, (args.font_dir,))
        assert not page.missing_families(scenario), "install Noto Sans KR first"
        [rgba] = render_frames(scenario, [1.0], WIDTH, HEIGHT, 30, True, page.style, page.shaper())
        alpha = rgba[..., 3:4] / 255.0
        panel = rgba[..., :3] * alpha + 128.0 * (1 - alpha)
        left, top, right, bottom = CROP
        panels.append(panel[top:bottom, left:right])
    gap = np.full((CROP[3] - CROP[1], 8, 3), 255.0)
    image = np.concatenate([panels[0], gap, panels[1]], axis=1).round().astype(np.uint8)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image, "RGB").save(args.output, optimize=True)
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
