"""Segmented rendering equals a single render: same frames, same pts, the audio once."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from engine.overlay import ScenarioOverlay
from engine.pipeline import render_video
from engine.video_options import VideoOptions
from motiontext.parse import load_scenario
from server.service.segments import (
    MergeResult,
    OffsetOverlay,
    SegmentPlan,
    concat_segments,
    extract_segment,
    plan_segments,
)
from tests.engine.clips import RATE_CLIPS
from tests.server.conftest import SCENARIO, video_facts


def _overlay(width: int, height: int) -> ScenarioOverlay:
    return ScenarioOverlay(load_scenario(SCENARIO), width, height, 30.0)


def _render_in_pieces(
    source: str, plan: SegmentPlan, options: VideoOptions, folder: Path
) -> MergeResult:
    """What rq mode does: extract, render and join every piece (into folder/merged.mp4)."""
    parts = []
    for segment in plan.segments:
        piece = extract_segment(source, segment, folder / f"in-{segment.index}.mp4")
        out = folder / f"out-{segment.index}.mp4"
        render_video(
            str(piece), out, lambda w, h, s=segment: OffsetOverlay(_overlay(w, h), s), options
        )
        parts.append(out)
    return concat_segments(parts, plan, source, folder / "merged.mp4")


@pytest.mark.parametrize("fps", [Fraction(30), None], ids=["fps30", "source-timing"])
def test_segmented_render_equals_single_render(
    clips: dict[str, Path], tmp_path: Path, fps: Fraction | None
) -> None:
    source = str(clips["short.mp4"])
    options = VideoOptions(encoder="libx264", fps=fps)
    single = tmp_path / "single.mp4"
    render_video(source, single, _overlay, options)

    plan = plan_segments(source, fps, target_seconds=0.5)
    assert [s.t_offset_seconds for s in plan.segments] == [0.0, 0.5, 1.0, 1.5]
    assert [s.frame_offset for s in plan.segments] == [0, 15, 30, 45]
    merged = _render_in_pieces(source, plan, options, tmp_path)

    a, b = video_facts(single), video_facts(tmp_path / "merged.mp4")
    assert merged.frames == len(b.frame_pts_seconds) == len(a.frame_pts_seconds) == 60
    assert b.frame_pts_seconds == a.frame_pts_seconds
    assert (b.width, b.height) == (a.width, a.height)
    assert b.audio_packets == a.audio_packets > 0  # the source audio, muxed once
    assert merged.duration_seconds == pytest.approx(2.0)
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left


@pytest.mark.parametrize("name", sorted(RATE_CLIPS))
def test_segments_keep_the_source_timing(name: str, clips: dict[str, Path], tmp_path: Path) -> None:
    """Without fps, 25 fps, NTSC and VFR sources cut into pieces come back with the source's
    own frames and timestamps, as a single render does."""
    source = str(clips[name])
    options = VideoOptions(encoder="libx264")
    single = tmp_path / "single.mp4"
    render_video(source, single, _overlay, options)
    plan = plan_segments(source, None, target_seconds=0.4)
    assert len(plan.segments) > 1
    merged = _render_in_pieces(source, plan, options, tmp_path)
    expected = video_facts(source).frame_pts_seconds
    assert video_facts(single).frame_pts_seconds == expected
    assert video_facts(tmp_path / "merged.mp4").frame_pts_seconds == expected
    assert merged.frames == len(expected)


def test_short_videos_and_unaligned_rates_are_not_split(clips: dict[str, Path]) -> None:
    source = str(clips["short.mp4"])
    assert len(plan_segments(source, Fraction(30), target_seconds=1.5).segments) == 1
    assert len(plan_segments(source, Fraction(30), target_seconds=0).segments) == 1
    # At 7 fps the output grid meets the 0.5 s keyframes only at whole seconds.
    plan = plan_segments(source, Fraction(7), target_seconds=0.5)
    assert [s.t_offset_seconds for s in plan.segments] == [0.0, 1.0]
    assert plan.segments[1].frame_offset == 7


def test_offset_overlay_shifts_time_and_index() -> None:
    from server.service.segments import Segment

    seen = []

    class Probe:
        def overlay_at(self, frame_index: int, t_seconds: float):
            seen.append((frame_index, t_seconds))

    OffsetOverlay(Probe(), Segment(2, 100, 200, 1.5, 45)).overlay_at(3, 0.1)
    assert seen == [(48, pytest.approx(1.6))]
