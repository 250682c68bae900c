"""Segmented rendering: cut a video at keyframes, render the pieces anywhere, join them.

    plan_segments(url)          seek-based probe: keyframe cut points ~every N seconds
    extract_segment(url, seg)   stream copy (no re-encode) of one piece's video packets to mp4
    OffsetOverlay               a piece's overlay runs on the whole video's clock
    concat_segments(parts)      stream-copy concat of the rendered pieces + the source audio once

Contract: for a closed-GOP source, concatenating the rendered pieces gives the same frame count
and the same pts as rendering the whole video in one job, whether the output keeps the source's
timing (constant or variable frame rate) or resamples to a requested fps. Cuts are made only
where that holds (see :func:`_cut_is_clean`); anything else (rotation, open GOPs, no seeking,
codecs mp4 cannot carry, an output rate whose frame grid does not meet the keyframe) falls back
to one segment.

Segment inputs keep the source's absolute timestamps and time base (mp4 stores both exactly),
so the pipeline's timing code sees the same pts it would see in a single render.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from engine.audio import AudioOutput
from engine.cancel import CancelToken
from engine.decode import VideoInput, translate_decode_errors
from engine.encode import FORMAT_BY_SUFFIX, OutputFile, translate_encode_errors
from engine.overlay_types import Overlay, OverlaySource
from motiontext.errors import EncodeError

# Packets read after a keyframe to look for leading pictures (open GOP): B-frames that display
# before the keyframe always come right after it in decode order.
_LEADING_WINDOW = 32
_MAX_TIME_BASE_DENOMINATOR = 1 << 30  # as engine.pipeline's resampler
# Decoders whose streams the mp4 muxer takes by stream copy (segment inputs are mp4).
_MP4_COPYABLE = frozenset({"h264", "hevc", "av1", "libdav1d", "vp9", "libvpx-vp9", "mpeg4"})


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece: source video packets with ``start_pts <= pts < end_pts`` (``end_pts`` None =
    to the end), in the source stream's time base. ``t_offset_seconds`` is the piece's start on
    the whole video's clock and ``frame_offset`` the number of output frames before it (for a
    variable-rate source kept as it is, the estimate at its average rate: the captions follow
    the frames' times, which are exact)."""

    index: int
    start_pts: int
    end_pts: int | None
    t_offset_seconds: float
    frame_offset: int


@dataclass(frozen=True, slots=True)
class SegmentPlan:
    """How a render is split. One segment means: render it in one job, untouched."""

    segments: tuple[Segment, ...]
    time_base: Fraction
    duration_seconds: float | None
    frames_estimate: int | None
    rate: Fraction  # frames per second of the output (the requested fps, else the source's)


def plan_segments(
    url: str, fps: Fraction | None, target_seconds: float, open_timeout: float = 15.0
) -> SegmentPlan:
    """Cut points about every ``target_seconds`` (videos shorter than two targets stay whole).

    Reads the container index by seeking (a few packets per cut), not the whole file. Raises
    the decode side's errors (InputError, DownloadError, DecodeError) for unusable inputs.
    """
    source = VideoInput(url, open_timeout=open_timeout)
    try:
        info = source.info
        rate = fps or info.rate
        frames = info.frames_estimate
        if fps and info.duration_seconds:
            frames = round(info.duration_seconds * fps)
        whole = SegmentPlan(
            (Segment(0, info.start_pts, None, 0.0, 0),),
            info.time_base,
            info.duration_seconds,
            frames,
            rate,
        )
        duration = info.duration_seconds or 0.0
        if (
            info.rotation_degrees
            or info.codec_name not in _MP4_COPYABLE
            or target_seconds <= 0
            or duration < 2 * target_seconds
        ):
            return whole
        cuts = _find_cuts(url, info.start_pts, info.time_base, fps, target_seconds, duration)
    finally:
        source.close()
    if not cuts:
        return whole
    starts = [info.start_pts, *cuts]
    segments = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else None
        offset = (start - info.start_pts) * info.time_base
        segments.append(Segment(index, start, end, float(offset), round(offset * rate)))
    return SegmentPlan(tuple(segments), info.time_base, info.duration_seconds, frames, rate)


def _find_cuts(
    url: str,
    start_pts: int,
    time_base: Fraction,
    fps: Fraction | None,
    target_seconds: float,
    duration: float,
) -> list[int]:
    """Keyframe pts at which a cut is clean, in increasing order (empty when seeking fails)."""
    cuts: list[int] = []
    try:
        with translate_decode_errors(url, "probe"), contextlib.closing(av.open(url)) as container:
            stream = container.streams.video[0] if len(container.streams.video) == 1 else None
            if stream is None:
                return []
            target = target_seconds
            while target < duration - target_seconds / 2:
                target_pts = start_pts + int(Fraction(target) / time_base)
                container.seek(target_pts, stream=stream, backward=True)
                packets = [
                    p for _, p in zip(range(_LEADING_WINDOW), _video_packets(container, stream))
                ]
                if packets and packets[0].is_keyframe and packets[0].pts is not None:
                    key = packets[0].pts
                    if (
                        (not cuts or key > cuts[-1])
                        and key > start_pts
                        and _cut_is_clean(key, packets, start_pts, time_base, fps)
                    ):
                        cuts.append(key)
                target += target_seconds
    except Exception:  # noqa: BLE001 (a source we cannot seek is rendered in one piece)
        return []
    return cuts


def _video_packets(container: Any, stream: Any) -> Iterator[av.Packet]:
    for packet in container.demux(stream):
        if packet.size:
            yield packet


def _cut_is_clean(
    key_pts: int,
    packets: list[av.Packet],
    start_pts: int,
    time_base: Fraction,
    fps: Fraction | None,
) -> bool:
    """A cut at keyframe ``key_pts`` reproduces the single render when no picture decoded after
    the keyframe displays before it (closed GOP) and, when resampling to ``fps``, the output's
    frame grid (anchored at the first frame, engine.pipeline._Resample) lands exactly on it."""
    if any(p.pts is not None and p.pts < key_pts for p in packets[1:]):
        return False
    if fps is None:
        return True
    # The resampler's output time base and grid, computed exactly as engine.pipeline does.
    denominator = math.lcm(time_base.denominator, fps.numerator)
    if denominator > _MAX_TIME_BASE_DENOMINATOR:
        denominator = fps.numerator
    ticks_per_frame = Fraction(fps.denominator * denominator, fps.numerator)
    first = math.ceil(start_pts * time_base * denominator)
    key_ticks = key_pts * time_base * denominator
    if key_ticks.denominator != 1 or ticks_per_frame.denominator != 1:
        return False
    return (key_ticks - first) % ticks_per_frame == 0


def extract_segment(
    url: str, segment: Segment, destination: Path, cancel: CancelToken | None = None
) -> Path:
    """Write the segment's source video packets (no audio, no re-encode) to ``destination``
    (an ``.mp4``), keeping their pts, dts, durations and time base. Returns ``destination``."""
    cancel = cancel or CancelToken()
    with translate_decode_errors(url, "read"), contextlib.closing(av.open(url)) as source:
        stream = source.streams.video[0]
        if segment.index > 0:
            source.seek(segment.start_pts, stream=stream, backward=True)
        with (
            translate_encode_errors("writing a segment"),
            contextlib.closing(av.open(str(destination), "w", format="mp4")) as out,
        ):
            out_stream = out.add_stream_from_template(stream)
            out_stream.time_base = stream.time_base
            started = segment.index == 0  # the first piece takes the file from its start
            written = 0
            for packet in _video_packets(source, stream):
                if not started:
                    if not (packet.is_keyframe and packet.pts == segment.start_pts):
                        continue
                    started = True
                elif (
                    segment.end_pts is not None
                    and packet.is_keyframe
                    and packet.pts is not None
                    and packet.pts >= segment.end_pts
                ):
                    break
                cancel.raise_if_cancelled()
                packet.stream = out_stream
                out.mux(packet)
                written += 1
            if written == 0:
                raise EncodeError(f"segment {segment.index} of {url!r} has no video packets")
    return destination


class OffsetOverlay:
    """Runs ``inner`` on the whole video's clock: a piece's local frame index and time are
    shifted by the segment's offsets before they reach the caption renderer."""

    def __init__(self, inner: OverlaySource, segment: Segment):
        self._inner = inner
        self._segment = segment

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        return self._inner.overlay_at(
            frame_index + self._segment.frame_offset, t_seconds + self._segment.t_offset_seconds
        )


@dataclass(frozen=True, slots=True)
class MergeResult:
    frames: int
    duration_seconds: float
    size_bytes: int


def concat_segments(
    parts: list[Path],
    plan: SegmentPlan,
    audio_url: str | None,
    output_path: Path,
    cancel: CancelToken | None = None,
) -> MergeResult:
    """Join rendered pieces (same codec and settings, in plan order) into ``output_path`` by
    stream copy, and mux the first audio stream of ``audio_url`` once (copied, or transcoded
    when the container needs it, as the pipeline does). The file appears only when complete.

    Each piece is re-based onto the whole video's timeline from the plan, so the result does
    not depend on how the pieces' containers stored their start times.
    """
    cancel = cancel or CancelToken()
    fmt = FORMAT_BY_SUFFIX[output_path.suffix.lower()]
    output = OutputFile(output_path)
    opened: list[Any] = []
    try:
        for part in parts:
            with translate_decode_errors(str(part), "open"):
                opened.append(av.open(str(part)))
        audio_in = None
        if audio_url is not None:
            with translate_decode_errors(audio_url, "open"):
                audio_in = av.open(audio_url)
                opened.append(audio_in)
        audio_stream = audio_in.streams.audio[0] if audio_in and audio_in.streams.audio else None
        options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        with translate_encode_errors("joining segments"):
            out = av.open(str(output.temp_path), "w", format=fmt, options=options)
            try:
                frames, end = _mux_all(out, opened[: len(parts)], plan, audio_stream, fmt, cancel)
            finally:
                out.close()
        cancel.raise_if_cancelled()
        size = output.publish()
    except BaseException:
        output.discard()
        raise
    finally:
        for container in opened:
            container.close()
    return MergeResult(frames, end, size)


def _mux_all(
    out: Any,
    pieces: list[Any],
    plan: SegmentPlan,
    audio_stream: Any,
    fmt: str,
    cancel: CancelToken,
) -> tuple[int, float]:
    first = pieces[0].streams.video[0]
    video = out.add_stream_from_template(first)
    video.time_base = first.time_base
    audio = AudioOutput(out, audio_stream, fmt) if audio_stream is not None else None
    out.start_encoding()
    video_packets = _rebased_video(pieces, plan)
    audio_packets = _audio_packets(audio_stream) if audio is not None else iter(())
    frames = 0
    end_seconds = Fraction(0)
    start_seconds: Fraction | None = None
    # Interleave by time so the file streams well (the pipeline muxes in demux order).
    pending_audio = next(audio_packets, None)
    for packet, t_seconds in video_packets:
        cancel.raise_if_cancelled()
        while pending_audio is not None and _seconds(pending_audio) <= t_seconds:
            audio.push(pending_audio)  # type: ignore[union-attr]
            pending_audio = next(audio_packets, None)
        pts_seconds = packet.pts * first.time_base if packet.pts is not None else t_seconds
        start_seconds = pts_seconds if start_seconds is None else min(start_seconds, pts_seconds)
        end_seconds = max(end_seconds, pts_seconds + (packet.duration or 0) * first.time_base)
        packet.stream = video
        out.mux(packet)
        frames += 1
    while pending_audio is not None:
        audio.push(pending_audio)  # type: ignore[union-attr]
        pending_audio = next(audio_packets, None)
    if audio is not None:
        audio.finish()
    return frames, float(end_seconds - (start_seconds or 0))


def _rebased_video(pieces: list[Any], plan: SegmentPlan) -> Iterator[tuple[av.Packet, Fraction]]:
    """Every piece's video packets in decode order, shifted so piece ``i`` starts where its
    segment starts relative to piece 0; yields (packet, dts in seconds) with increasing dts.

    An encoder with B-frames starts each piece with decode times before its first picture,
    extrapolated from the piece's own first frame spacing. In the joined stream those packets
    decode right after the previous piece, so they take the previous pictures' presentation
    times, as one encoder fed the whole video gives them (the same values at a constant rate;
    with a variable rate the extrapolation could fall before the previous decode time)."""
    out_tb = pieces[0].streams.video[0].time_base
    base: int | None = None
    last_dts: int | None = None
    latest_pts: list[int] = []  # min-heap of the latest presentation times muxed so far
    for container, segment in zip(pieces, plan.segments):
        stream = container.streams.video[0]
        if Fraction(stream.time_base) != Fraction(out_tb):
            raise EncodeError("segments were encoded with different time bases")
        packets = _video_packets(container, stream)
        # The first pictures in decode order include the earliest one displayed.
        head = [p for _, p in zip(range(_LEADING_WINDOW), packets)]
        if not head:
            raise EncodeError(f"segment {segment.index} has no video packets")
        first_pts = min(p.pts for p in head if p.pts is not None)
        leading = sum(1 for p in head if p.dts is not None and p.dts < first_pts)
        borrowed = sorted(latest_pts)[-leading:] if 0 < leading <= len(latest_pts) else []
        if base is None:
            base = first_pts
        offset = (segment.start_pts - plan.segments[0].start_pts) * plan.time_base / out_tb
        shift = base + round(offset) - first_pts
        for index, packet in enumerate(itertools.chain(head, packets)):
            if packet.pts is not None:
                packet.pts += shift
                heapq.heappush(latest_pts, packet.pts)
                if len(latest_pts) > _LEADING_WINDOW:
                    heapq.heappop(latest_pts)
            if packet.dts is not None:
                packet.dts = borrowed[index] if index < len(borrowed) else packet.dts + shift
                if last_dts is not None and packet.dts <= last_dts:
                    raise EncodeError(
                        f"segment {segment.index} overlaps the previous one "
                        f"(dts {packet.dts} after {last_dts})"
                    )
                last_dts = packet.dts
            yield packet, (packet.dts if packet.dts is not None else packet.pts) * out_tb


def _audio_packets(stream: Any) -> Iterator[av.Packet]:
    for packet in stream.container.demux(stream):
        if packet.dts is not None and packet.size:
            yield packet


def _seconds(packet: av.Packet) -> Fraction:
    return packet.dts * packet.time_base
