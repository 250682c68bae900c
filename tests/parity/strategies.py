"""Hypothesis strategies for MotionText v2.0 scenarios in the production feature space.

Two shapes, both plugin-free (the reference harness registers no plugins):

* **caption** (the ECG editor's shape, spec 12.1/18.1): a ``subtitle`` track with
  ``defaultStyle`` (fontSizeRel, family, colour, align), ``defaultBoxStyle`` (background,
  padding, radius, optional border, opacity) and ``defaultConstraints.safeArea``; one group
  per cue with an anchor, a position, optional safe-area clamp and a wrapping horizontal
  ``childrenLayout`` (maxWidth %, gap); 1-30 word text nodes with ``baseTime``.
* **free** (inserted texts): a ``free`` track, a text node (or a group holding one) with an
  anchor, a position, a font size (``fontSizeRel`` or a px string), a colour, and a sentence
  long enough to wrap at the shrink-to-fit width.

Text is Latin, Korean or mixed; stages are 16:9 or 9:16. A caption track may leave the font
family or the colour unset, so that the host page's (``motiontext.host_styles``) show. A
drawn case is a :class:`FuzzCase`: the JSON document plus the stage size, the frames to
compare and the host style profile both renderers imitate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from engine.host_page import HostPage
from motiontext.parse import load_scenario
from parity.reference_browser import ReferenceRenderer
from parity.run import run_scenario

FPS = 30
# Every cue is visible during [0.2, 2.0]; frames 15 and 45 fall inside it.
FRAMES = (15, 45)
DISPLAY = [0.2, 2.0]
SIZES = {"16:9": (1920, 1080), "9:16": (1080, 1920)}
ANCHORS = ["tl", "tc", "tr", "cl", "cc", "cr", "bl", "bc", "br"]

LATIN_WORDS = [
    "a",
    "I",
    "to",
    "of",
    "the",
    "and",
    "you",
    "caption",
    "motion",
    "render",
    "browser",
    "Hello",
    "World",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "video",
    "subtitle",
    "amazing",
    "really",
    "what",
    "is",
    "this",
    "OK",
    "yes",
    "never",
    "ever",
    "wow!",
    "right?",
    "it's",
    "done.",
    "2024",
    "100%",
    "NASA",
    "Mmm",
    "Wij",
    "fjord",
]
KOREAN_WORDS = [
    "안녕하세요",
    "자막",
    "영상",
    "정말",
    "그래",
    "오늘",
    "우리",
    "함께",
    "시작합니다",
    "네",
    "감사합니다",
    "너무",
    "좋아요",
    "하나",
    "둘",
    "셋",
    "여러분",
    "이것은",
    "테스트",
    "입니다",
]
MIXED_WORDS = ["AI가", "OK요", "유튜브", "K-pop", "ECG", "2배", "Wow~"]
TEXT_COLORS = [
    "#ffffff",
    "#FFD400",
    "#000000",
    "#ff3b30",
    "#00e5ff",
    "#7CFC00",
    "#333333",
    "rgb(255,128,0)",
    "rgba(255,255,255,0.8)",
    "white",
    "yellow",
]
BOX_COLORS = [
    "rgba(0,0,0,0.6)",
    "rgba(0,0,0,0.8)",
    "rgba(20,20,80,0.7)",
    "#000000",
    "rgba(255,255,255,0.3)",
    "transparent",
    "#1e1e1e",
]
BORDER_COLORS = ["#ffffff", "#FFD400", "#000", "rgba(255,0,0,0.8)"]
FAMILIES = ["Arial, sans-serif", "Arial", "sans-serif"]
UNSET = None  # the key is left out: the host page's value is inherited


@dataclass(frozen=True)
class FuzzCase:
    doc: dict
    width: int
    height: int
    frames: tuple[int, ...] = FRAMES
    fps: int = FPS
    host_style: str = "bare"

    def to_json(self) -> dict:
        return {
            "size": [self.width, self.height],
            "fps": self.fps,
            "frames": list(self.frames),
            "host_style": self.host_style,
            "scenario": self.doc,
        }


def _rounded(lo: float, hi: float, places: int = 3) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False).map(lambda v: round(v, places))


@st.composite
def words(draw: st.DrawFn, min_size: int = 1, max_size: int = 30) -> list[str]:
    script = draw(st.sampled_from(["latin", "korean", "mixed"]))
    pool = {
        "latin": LATIN_WORDS,
        "korean": KOREAN_WORDS,
        "mixed": LATIN_WORDS + KOREAN_WORDS + MIXED_WORDS,
    }[script]
    return draw(st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size))


@st.composite
def safe_areas(draw: st.DrawFn) -> dict:
    return {side: draw(_rounded(0.0, 0.12)) for side in ("top", "bottom", "left", "right")}


@st.composite
def box_styles(draw: st.DrawFn) -> dict:
    box: dict = {"backgroundColor": draw(st.sampled_from(BOX_COLORS))}
    pad_y, pad_x = draw(st.integers(0, 16)), draw(st.integers(0, 24))
    box["padding"] = f"{pad_y}px {pad_x}px"
    box["borderRadius"] = f"{draw(st.integers(0, 24))}px"
    if draw(st.booleans()):
        box["border"] = {
            "widthRel": draw(_rounded(0.001, 0.006, 4)),
            "color": draw(st.sampled_from(BORDER_COLORS)),
        }
    box["opacity"] = draw(st.sampled_from([1, 1, 1, 0.9, 0.75, 0.5]))
    return box


@st.composite
def caption_track(draw: st.DrawFn) -> dict:
    style = {
        "fontSizeRel": draw(_rounded(0.025, 0.09)),
        "fontFamily": draw(st.sampled_from([*FAMILIES, UNSET])),
        "color": draw(st.sampled_from([*TEXT_COLORS, UNSET])),
        "align": "center",
    }
    return {
        "id": "caption",
        "type": "subtitle",
        "layer": 1,
        "defaultStyle": {key: value for key, value in style.items() if value is not UNSET},
        "defaultBoxStyle": draw(box_styles()),
        "defaultConstraints": {"safeArea": draw(safe_areas())},
    }


@st.composite
def caption_cue(draw: st.DrawFn, index: int) -> dict:
    ws = draw(words())
    span = (DISPLAY[1] - DISPLAY[0]) / len(ws)
    children = [
        {
            "id": f"c{index}-w{i}",
            "eType": "text",
            "text": w,
            "baseTime": [round(DISPLAY[0] + i * span, 3), round(DISPLAY[0] + (i + 1) * span, 3)],
        }
        for i, w in enumerate(ws)
    ]
    layout = {
        "anchor": draw(st.sampled_from(["bc", "bc", *ANCHORS])),
        "position": {"x": draw(_rounded(0.1, 0.9)), "y": draw(_rounded(0.1, 0.95))},
        "safeAreaClamp": draw(st.sampled_from([True, True, False])),
        "childrenLayout": {
            "mode": "flow",
            "direction": "horizontal",
            "wrap": True,
            "maxWidth": f"{draw(st.integers(50, 100))}%",
            "gap": draw(st.sampled_from([0.005, 0.005, 0, 0.01, 0.003])),
            "align": "center",
            "justify": "center",
        },
    }
    return {
        "id": f"cue-c{index}",
        "track": "caption",
        "domLifetime": [0.0, DISPLAY[1] + 0.3],
        "root": {
            "id": f"clip-c{index}",
            "eType": "group",
            "displayTime": list(DISPLAY),
            "layout": layout,
            "children": children,
        },
    }


@st.composite
def free_cue(draw: st.DrawFn, index: int) -> dict:
    style: dict = {
        "color": draw(st.sampled_from(TEXT_COLORS)),
        "fontFamily": draw(st.sampled_from(FAMILIES)),
    }
    if draw(st.booleans()):
        style["fontSizeRel"] = draw(_rounded(0.02, 0.1))
    else:
        style["fontSize"] = f"{draw(st.integers(14, 96))}px"
    if draw(st.booleans()):
        style["align"] = draw(st.sampled_from(["left", "center", "right"]))
    text = " ".join(draw(words(1, 14)))
    layout = {
        "anchor": draw(st.sampled_from(ANCHORS)),
        "position": {"x": draw(_rounded(0.05, 0.95)), "y": draw(_rounded(0.05, 0.95))},
    }
    node = {"id": f"f{index}-t", "eType": "text", "text": text, "style": style}
    if draw(st.booleans()):
        node["layout"] = layout
        root = node
    else:
        root = {
            "id": f"f{index}-g",
            "eType": "group",
            "layout": layout,
            "boxStyle": draw(box_styles()),
            "children": [node],
        }
    root["displayTime"] = list(DISPLAY)
    return {"id": f"cue-f{index}", "track": "overlay", "root": root}


@st.composite
def fuzz_cases(draw: st.DrawFn, host_style: str = "bare") -> FuzzCase:
    aspect = draw(st.sampled_from(["16:9", "9:16"]))
    n_captions = draw(st.integers(0, 2))
    n_free = draw(st.integers(0 if n_captions else 1, 1))
    stage: dict = {"baseAspect": aspect}
    if draw(st.booleans()):
        stage["safeArea"] = draw(safe_areas())
    tracks, cues = [], []
    if n_captions:
        tracks.append(draw(caption_track()))
        cues += [draw(caption_cue(i)) for i in range(n_captions)]
    if n_free:
        tracks.append({"id": "overlay", "type": "free", "layer": 2})
        cues += [draw(free_cue(i)) for i in range(n_free)]
    doc = {
        "version": "2.0",
        "timebase": {"unit": "seconds", "fps": FPS},
        "stage": stage,
        "tracks": tracks,
        "cues": cues,
    }
    width, height = SIZES[aspect]
    return FuzzCase(doc, width, height, host_style=host_style)


# -- running a case (the fuzz test and the regression replay share this) ----------------------

REGRESSIONS_DIR = Path(__file__).resolve().parent / "regressions"


def case_from_json(data: dict) -> FuzzCase:
    width, height = data["size"]
    return FuzzCase(
        data["scenario"],
        int(width),
        int(height),
        tuple(data["frames"]),
        int(data.get("fps", FPS)),
        str(data.get("host_style", "bare")),
    )


def case_failures(reference: ReferenceRenderer, case: FuzzCase) -> list[str]:
    """Render ``case`` in both renderers; one line per frame outside the metric's bound."""
    scenario = load_scenario(case.doc)
    frames = list(case.frames)
    page = HostPage(case.host_style)
    results = run_scenario(
        "fuzz", case.doc, scenario, reference, case.width, case.height, case.fps, frames, page=page
    )
    return [
        f"frame {r.frame_index}: IoU {r.score.iou:.4f}, MAE {r.score.mae:.2f}"
        for r in results
        if r.score is not None and not r.score.passed
    ]


def save_regression(case: FuzzCase, failures: list[str], found_by: str) -> Path:
    """Write ``case`` to ``regressions/fuzz_<hash>.json`` (replayed by
    test_live_regressions.py) and return the path."""
    payload = case.to_json()
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:10]
    REGRESSIONS_DIR.mkdir(exist_ok=True)
    path = REGRESSIONS_DIR / f"fuzz_{digest}.json"
    payload = {"found_by": found_by, "failures": failures, **payload}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
