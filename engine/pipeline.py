"""Render a video: streaming decode -> overlay + composite -> encode, keeping the audio.

The only module that wires stages together. Three threads, two bounded queues::

    decode thread  --q1-->  composite thread  --q2-->  calling thread (encode + mux)
    (frames, audio packets)  (retime, overlay_at, blend)  (encode video, copy/transcode audio)

Queues block when full (backpressure: no frame is ever dropped) and hold at most
``options.queue_frames`` items each, so memory stays flat in the video's length. Audio packets
travel the same queues in demux order, which keeps the muxer's interleaving buffer small.
Any stage's error, or a cancel, stops every stage; the output appears at ``output_path`` only
after the file is complete (atomic rename), otherwise the temporary file is removed.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from engine.cancel import CancelToken
from engine.composite import Compositor, array_module, yuv_matrix
from engine.decode import DecodedFrame, SourceInfo, VideoInput
from engine.device_frames import DeviceFrame
from engine.encode import (
    OutputFile,
    VideoSpec,
    VideoWriter,
    choose_encoder,
    encoder_settings,
    nvenc_takes_device_frames,
    output_format,
)
from engine.nvdec import resolve_decoder
from engine.overlay_types import OverlaySource
from engine.planes import plane_arrays
from engine.video_options import VideoOptions
from motiontext.errors import DecodeError

_POLL_SECONDS = 0.1  # how often a blocked queue operation looks for an abort
_MAX_TIME_BASE_DENOMINATOR = 1 << 30


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported once per encoded frame. ``fps`` is processing speed (frames per wall-clock
    second since the start); ``frames_total`` is an estimate and may be None."""

    frames_done: int
    frames_total: int | None
    fps: float
    elapsed_seconds: float

    @property
    def eta_seconds(self) -> float | None:
        if not self.frames_total or self.fps <= 0:
            return None
        return max(0.0, (self.frames_total - self.frames_done) / self.fps)


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What was written: ``frames`` video frames lasting ``duration_seconds``, ``size_bytes``
    on disk, ``fps`` = frames / duration, ``encoder`` the video codec that ran, ``audio`` the
    audio path taken ("copy:<codec>", "<encoder>" when transcoded, None without audio)."""

    frames: int
    duration_seconds: float
    size_bytes: int
    width: int
    height: int
    fps: float
    encoder: str
    audio: str | None
    elapsed_seconds: float
    decoder: str = "cpu"  # "cpu", "nvdec" (pictures downloaded) or "nvdec+gpu" (kept on GPU)
    array_backend: str = "numpy"


@dataclass(slots=True)
class _OutFrame:
    frame: av.VideoFrame | DeviceFrame
    pts: int  # in the output time base
    duration: int  # in the output time base, 0 if unknown


class _Aborted(Exception):
    """Raised inside a stage when another stage failed or the run was cancelled."""


_END = object()


class _Pipe:
    """A bounded hand-off between two threads that gives up once ``abort`` is set."""

    def __init__(self, maxsize: int, abort: threading.Event):
        self._queue: queue.Queue[Any] = queue.Queue(maxsize)
        self._abort = abort

    def put(self, item: Any) -> None:
        while not self._abort.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise _Aborted

    def __iter__(self) -> Iterator[Any]:
        while True:
            if self._abort.is_set():
                raise _Aborted
            try:
                item = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if item is _END:
                return
            yield item


def copy_frame(frame: av.VideoFrame | DeviceFrame) -> av.VideoFrame | DeviceFrame:
    """A new frame with the same pixels (for frames shown more than once)."""
    if isinstance(frame, DeviceFrame):
        return frame.copy()
    out = av.VideoFrame(frame.width, frame.height, "yuv420p")
    for dst, src in zip(plane_arrays(out), plane_arrays(frame)):
        dst[...] = src
    return out


class _KeepTiming:
    """Output frame = source frame, same pts and time base (VFR preserved)."""

    def __init__(self, info: SourceInfo):
        self.time_base = info.time_base

    def push(self, item: DecodedFrame) -> Iterator[_OutFrame]:
        yield _OutFrame(item.frame, item.pts, item.duration)

    def flush(self) -> Iterator[_OutFrame]:
        return iter(())


class _Resample:
    """Constant ``rate`` output: frame k at first_time + k/rate shows the latest source frame
    starting at or before it (duplicate or drop). The output time base is chosen so source
    start times and output frame times are both exact integers."""

    def __init__(self, info: SourceInfo, rate: Fraction):
        denominator = math.lcm(info.time_base.denominator, rate.numerator)
        if denominator > _MAX_TIME_BASE_DENOMINATOR:
            denominator = rate.numerator
        self.time_base = Fraction(1, denominator)
        self._src_tb = info.time_base
        self._ticks_per_frame = rate.denominator * denominator // rate.numerator
        self._nominal_src = max(1, round(1 / (info.rate * info.time_base)))
        self._prev: DecodedFrame | None = None
        self._next_pts: int | None = None

    def _ticks(self, src_pts: int) -> Fraction:
        return src_pts * self._src_tb / self.time_base

    def _emit_until(self, end_ticks: Fraction) -> Iterator[_OutFrame]:
        prev = self._prev
        assert prev is not None and self._next_pts is not None
        count = 0
        while self._next_pts + count * self._ticks_per_frame < end_ticks:
            count += 1
        for i in range(count):
            frame = prev.frame if i == count - 1 else copy_frame(prev.frame)
            yield _OutFrame(frame, self._next_pts, self._ticks_per_frame)
            self._next_pts += self._ticks_per_frame

    def push(self, item: DecodedFrame) -> Iterator[_OutFrame]:
        if self._prev is None:
            self._next_pts = math.ceil(self._ticks(item.pts))
        else:
            yield from self._emit_until(self._ticks(item.pts))
        self._prev = item

    def flush(self) -> Iterator[_OutFrame]:
        if self._prev is not None:
            prev = self._prev
            yield from self._emit_until(
                self._ticks(prev.pts + (prev.duration or self._nominal_src))
            )


def render_video(
    input_url: str,
    output_path: str | Path,
    make_overlay_source: Callable[[int, int], OverlaySource],
    options: VideoOptions,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> RenderResult:
    """Burn overlays into ``input_url`` (local path or http(s) URL) and write ``output_path``.

    ``make_overlay_source(width, height)`` is called once with the output frame size; its
    ``overlay_at(frame_index, t_seconds)`` is called for every output frame in order, with
    ``t_seconds`` the frame's presentation time relative to the video stream's start.
    ``on_progress`` runs on the calling thread after each encoded frame. Raises InputError,
    DecodeError, EncodeError, StorageError or CancelledError; on any error nothing is left
    at ``output_path``.
    """
    started = time.monotonic()
    cancel = cancel or CancelToken()
    output_path = Path(output_path)
    fmt = output_format(output_path)
    codec = choose_encoder(options.encoder, fmt)
    encoder_settings(codec, options)  # raises InputError for a bad preset/crf before any work
    xp = array_module(options.array_backend)
    decoder = resolve_decoder(options.decoder)
    source = VideoInput(
        str(input_url),
        open_timeout=options.open_timeout_seconds,
        read_timeout=options.read_timeout_seconds,
        decoder=decoder,
        device_xp=None if xp is np else xp,  # pictures stay on the GPU only to blend there
    )
    try:
        info = source.info
        width, height = options.size or (info.width - info.width % 2, info.height - info.height % 2)
        timing: _KeepTiming | _Resample = (
            _Resample(info, options.fps) if options.fps else _KeepTiming(info)
        )
        rate = options.fps or info.rate
        total = info.frames_estimate
        if options.fps and info.duration_seconds:
            total = round(info.duration_seconds * options.fps)
        overlay_source = make_overlay_source(width, height)
        cancel.raise_if_cancelled()
        output = OutputFile(output_path)
        try:
            spec = VideoSpec(width, height, timing.time_base, rate, info.color)
            device_frames = source.pictures_stay_on_device(
                (width, height)
            ) and nvenc_takes_device_frames(codec)
            writer = VideoWriter(
                output.temp_path, fmt, codec, spec, options, info.audio_stream, device_frames
            )
            try:
                job = _Job(
                    source,
                    writer,
                    timing,
                    overlay_source,
                    options,
                    (width, height),
                    total,
                    on_progress,
                    cancel,
                    started,
                    xp,
                )
                frames, first_pts, end_pts = _run_stages(job)
                writer.finish()
            except BaseException:
                writer.abort()
                raise
            cancel.raise_if_cancelled()
            size_bytes = output.publish()
        except BaseException:
            output.discard()
            raise
    finally:
        source.close()
    duration = float((end_pts - first_pts) * timing.time_base)
    audio = None
    if writer.audio is not None:
        audio = f"copy:{writer.audio.codec_name}" if writer.audio.copy else writer.audio.codec_name
    return RenderResult(
        frames=frames,
        duration_seconds=duration,
        size_bytes=size_bytes,
        width=width,
        height=height,
        fps=frames / duration if duration > 0 else float(rate),
        encoder=codec,
        audio=audio,
        elapsed_seconds=time.monotonic() - started,
        decoder=source.decoder_used,
        array_backend=xp.__name__,
    )


@dataclass(slots=True)
class _Job:
    """Everything the stages share for one render (opened and owned by render_video)."""

    source: VideoInput
    writer: VideoWriter
    timing: _KeepTiming | _Resample
    overlay_source: OverlaySource
    options: VideoOptions
    size: tuple[int, int]
    frames_total: int | None
    on_progress: Callable[[Progress], None] | None
    cancel: CancelToken
    started: float
    xp: Any  # numpy or CuPy: where the blend runs


def _run_stages(job: _Job) -> tuple[int, int, int]:
    """Run decode and composite threads feeding the encoder on this thread.
    Returns (frames written, first pts, end pts) in the output time base."""
    source, writer, timing, overlay_source = job.source, job.writer, job.timing, job.overlay_source
    options, size, cancel, on_progress = job.options, job.size, job.cancel, job.on_progress
    abort = threading.Event()
    errors: list[BaseException] = []
    decoded = _Pipe(options.queue_frames, abort)
    composited = _Pipe(options.queue_frames, abort)
    info = source.info
    start_seconds = info.start_pts * info.time_base

    def decode_stage() -> None:
        for item in source.read(size, cancel):
            decoded.put(item)
        decoded.put(_END)

    def composite_stage() -> None:
        xp = job.xp
        compositor = Compositor(
            size[0], size[1], yuv_matrix(info.color.matrix, info.color.full_range), xp
        )
        frame_index = 0

        def finish_frame(out: _OutFrame) -> None:
            nonlocal frame_index
            cancel.raise_if_cancelled()
            t_seconds = float(out.pts * timing.time_base - start_seconds)
            overlay = overlay_source.overlay_at(frame_index, t_seconds)
            if isinstance(out.frame, DeviceFrame):  # blended in GPU memory
                compositor.composite(out.frame.planes(), overlay)
                frame = out.frame
                out.frame = frame.to_cuda_frame() if writer.device_frames else frame.download(xp)
            elif compositor.prepare(overlay) is not None:
                out.frame.make_writable()  # decoder reference frames may share these buffers
                compositor.composite(plane_arrays(out.frame), overlay)
            frame_index += 1
            composited.put(out)

        for item in decoded:
            if isinstance(item, DecodedFrame):
                for out in timing.push(item):
                    finish_frame(out)
            else:
                composited.put(item)
        for out in timing.flush():
            finish_frame(out)
        composited.put(_END)

    def run(stage: Callable[[], None]) -> None:
        try:
            stage()
        except _Aborted:
            pass
        except BaseException as exc:  # noqa: BLE001 (handed to the calling thread, re-raised)
            errors.append(exc)
            abort.set()

    threads = [
        threading.Thread(target=run, args=(decode_stage,), name="ecg-decode", daemon=True),
        threading.Thread(target=run, args=(composite_stage,), name="ecg-composite", daemon=True),
    ]
    for thread in threads:
        thread.start()
    frames = 0
    first_pts = end_pts = 0
    try:
        for item in composited:
            if not isinstance(item, _OutFrame):
                writer.write_audio(item)
                continue
            cancel.raise_if_cancelled()
            item.frame.pts, item.frame.duration = item.pts, item.duration
            writer.write_frame(item.frame)
            if frames == 0:
                first_pts = item.pts
            end_pts = item.pts + item.duration
            frames += 1
            if on_progress is not None:
                elapsed = time.monotonic() - job.started
                fps = frames / elapsed if elapsed > 0 else 0.0
                on_progress(Progress(frames, job.frames_total, fps, elapsed))
    except _Aborted:
        pass
    except BaseException as exc:  # noqa: BLE001 (re-raised below, after the threads stop)
        errors.insert(0, exc)
    finally:
        if errors:
            abort.set()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    if frames == 0:
        raise DecodeError(f"{source.name!r}: no video frames were produced")
    return frames, first_pts, end_pts
