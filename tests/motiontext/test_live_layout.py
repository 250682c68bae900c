"""The timeline's layout cache (motiontext.live_layout): mount-time geometry answers and painted
frames identical to laying the live DOM out at every first query after a change (what the
timeline did before), with one layout per mounted word instead of two, none for stage queries.
Uses a deterministic fake shaper, so it needs no fonts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.workload import dense_scenario
from motiontext.display_list import FontSpec
from motiontext.dom import Element
from motiontext.live_layout import LiveLayout
from motiontext.parse import load_scenario
from motiontext.plugins import official_registry
from motiontext.timeline import Timeline

REPO_ROOT = Path(__file__).resolve().parents[2]


class FakeShaper:
    """Advance and metrics proportional to the font size: deterministic and font-free."""

    def advance(self, text: str, font: FontSpec) -> float:
        return 0.55 * font.size_px * len(text) + (0.1 if font.weight >= 700 else 0.0)

    def vertical_metrics(self, text: str, font: FontSpec):
        extra = (
            (1.2 * font.size_px, 0.3 * font.size_px)
            if any(ord(c) > 0x3000 for c in text)
            else (0.0, 0.0)
        )
        return round(0.9 * font.size_px), round(0.25 * font.size_px), 0, extra


class ReferenceLayout(LiveLayout):
    """The previous behaviour: the first query after a change lays the live DOM out in full;
    later queries answer from that layout until the next change."""

    def client_size(self, el: Element) -> tuple[float, float]:
        box = self._reference_box(el)
        return box.client_size if box else (0.0, 0.0)

    def offset_size(self, el: Element) -> tuple[float, float]:
        box = self._reference_box(el)
        return (round(box.w), round(box.h)) if box else (0.0, 0.0)

    def _reference_box(self, el: Element):
        if self._changed:
            self._changed, self._pending = False, None
            self.engine.layout(self.stage)
            self.layouts += 1
            self._boxes = dict(self.engine.boxes)
        return self._boxes.get(id(el))


class Recording:
    """Wraps a Geometry and logs every answer."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.log: list[tuple] = []

    def client_size(self, el: Element):
        answer = self.inner.client_size(el)
        self.log.append(("client", el.node_id, answer))
        return answer

    def offset_size(self, el: Element):
        answer = self.inner.offset_size(el)
        self.log.append(("offset", el.node_id, answer))
        return answer


def make_timeline(doc: dict, reference: bool = False) -> tuple[Timeline, Recording]:
    timeline = Timeline(load_scenario(doc), 1920, 1080, FakeShaper(), registry=official_registry())
    if reference:
        timeline.live = ReferenceLayout(timeline.engine, timeline.stage)
    recording = Recording(timeline.live)
    timeline.mounter.geometry = recording
    return timeline, recording


def play(doc: dict, reference: bool, fps: float = 30.0):
    """Every frame until the last cue ends (at most 25 s)."""
    timeline, recording = make_timeline(doc, reference)
    ends = [cue.dom_lifetime[1] for cue in timeline.scenario.cues]
    seconds = min(25.0, max([e for e in ends if e < float("inf")], default=0.0) + 0.5)
    signatures = [timeline.frame(k / fps).signature() for k in range(round(seconds * fps))]
    return recording.log, signatures, timeline.live.layouts


def sample_docs() -> list[tuple[str, dict]]:
    base = Path(os.environ.get("ECG_SHARED_DIR", REPO_ROOT.parent / "shared")) / "reference"
    folder = base / "samples"
    if not folder.is_dir():
        return []
    return [(p.stem, json.loads(p.read_text("utf-8"))) for p in sorted(folder.glob("*.json"))]


def nested_doc() -> dict:
    """Stage children with and without clamping, a grid, nested groups, words that unmount
    before their cue does."""
    words = [
        {
            "id": f"w{i}",
            "eType": "text",
            "text": f"word{i} 단어",
            "displayTime": [0.2 * i, 0.5 + 0.2 * i],
        }
        for i in range(4)
    ]
    inner = {
        "id": "inner",
        "eType": "group",
        "displayTime": [0, 1.5],
        "layout": {"childrenLayout": {"mode": "grid", "gap": 0.01}},
        "children": [{"id": "deep", "eType": "text", "text": "deep text", "displayTime": [0, 1.5]}],
    }
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [
            {
                "id": "sub",
                "type": "subtitle",
                "defaultStyle": {"fontSizeRel": 0.05, "color": "#fff"},
            },
            {"id": "free", "type": "free"},
        ],
        "cues": [
            {
                "id": "c1",
                "track": "sub",
                "root": {
                    "id": "g",
                    "eType": "group",
                    "displayTime": [0, 1.5],
                    "layout": {
                        "anchor": "bc",
                        "position": {"x": 0.5, "y": 0.9},
                        "safeAreaClamp": True,
                        "childrenLayout": {
                            "mode": "flow",
                            "direction": "horizontal",
                            "gap": 0.005,
                            "maxWidth": "80%",
                        },
                    },
                    "children": [*words, inner],
                },
            },
            {
                "id": "c2",
                "track": "free",
                "root": {
                    "id": "free-text",
                    "eType": "text",
                    "text": "free caption",
                    "displayTime": [0.3, 1.2],
                    "layout": {"position": {"x": 0.1, "y": 0.1}, "safeAreaClamp": True},
                },
            },
        ],
    }


@pytest.mark.parametrize(
    "name,doc", [("dense", dense_scenario(4)), ("nested", nested_doc()), *sample_docs()]
)
def test_answers_and_frames_match_full_layouts(name: str, doc: dict) -> None:
    log, signatures, layouts = play(doc, reference=False)
    ref_log, ref_signatures, ref_layouts = play(doc, reference=True)
    assert log == ref_log, name
    assert signatures == ref_signatures, name
    assert layouts <= ref_layouts


def test_one_layout_per_mounted_word_plus_the_frame() -> None:
    """A cue of n words: one layout for the group's safe-area clamp, one per word (its gaps
    depend on the group's size with the words before it), one to paint. Stage queries (the
    group's styling, every word's childrenLayout gap) lay nothing out."""
    doc = dense_scenario(1)
    words = len(doc["cues"][0]["root"]["children"])
    timeline, recording = make_timeline(doc)
    timeline.frame(0.0)
    assert timeline.live.layouts == words + 2
    stage_queries = [q for q in recording.log if q[1] == "<stage>"]
    assert len(stage_queries) > words
    reference, _ = make_timeline(doc, reference=True)
    reference.frame(0.0)
    assert reference.live.layouts == 2 * words + 2


def test_unchanged_frames_lay_out_and_paint_nothing() -> None:
    timeline, _ = make_timeline(dense_scenario(1))
    first = timeline.frame(0.0)
    layouts = timeline.live.layouts
    again = timeline.frame(1 / 30)
    assert timeline.live.layouts == layouts
    assert again.items == first.items and again.items is not first.items


def test_snapshot_is_a_detached_copy() -> None:
    stage = Element("stage")
    child = Element("text")
    stage.append(child)
    child.set("width", "10px")
    copy, copies = stage.snapshot()
    child.set("width", "20px")
    child.channels["tx"] = 5.0
    assert copies[id(child)].style == {"width": "10px"}
    assert copies[id(child)].channels["tx"] == 0.0
    assert copies[id(child)].parent is copy and copy.children == [copies[id(child)]]


def test_style_cache_answers_as_compute() -> None:
    from motiontext.layout.style import HostDefaults, StyleCache, compute, root_style

    cache = StyleCache(max_entries=3)
    base = root_style(HostDefaults())
    styles = [
        {"font-size": "20px", "color": "red"},
        {"padding": "4px 8px"},
        {},
        {"display": "flex", "row-gap": "3px"},
        {"font-size": "20px", "color": "red"},
    ]
    parent = cache.compute({"font-size": "30px"}, base)
    for style in styles * 2:
        assert cache.compute(style, parent) == compute(style, parent)
        assert cache.compute(style, base) == compute(style, base)
    assert cache.compute(styles[0], parent) is cache.compute(dict(styles[0]), parent)
