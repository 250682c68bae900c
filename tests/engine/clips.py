"""Short synthetic test videos, generated with PyAV and cached on disk.

``make_clip(ClipSpec(...))`` returns the path of a clip with moving gradients (so every frame
differs and encoders have real work) and, optionally, a 440 Hz sine audio track. Clips are
cached under ``<repo>/.cache/test-clips`` keyed by their spec, so only the first run pays
for generation; delete the folder after changing the generator (or bump GENERATOR_VERSION).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

GENERATOR_VERSION = 4
CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "test-clips"
# VFR clips cycle through these frame durations (milliseconds).
VFR_DURATIONS_MS = (33, 33, 50, 17, 67, 40)
_SPC = {"bt709": 1, "bt601": 6}


@dataclass(frozen=True)
class ClipSpec:
    """A test clip. ``fps`` is a string fraction ("30", "30000/1001"); ``audio_codec`` None
    means no audio; ``vfr`` makes frame durations cycle through VFR_DURATIONS_MS."""

    width: int = 1280
    height: int = 720
    fps: str = "30"
    seconds: float = 2.0
    container: str = "mp4"
    codec: str = "libx264"
    audio_codec: str | None = "aac"
    audio_rate: int = 48000
    audio_offset_seconds: float = 0.0
    vfr: bool = False
    matrix: str = "bt709"
    full_range: bool = False
    rotation: int = 0  # display-matrix rotation, counter-clockwise degrees
    video: bool = True  # False: an audio-only file
    options: dict[str, str] = field(default_factory=lambda: {"preset": "ultrafast"})

    def key(self) -> str:
        text = json.dumps([GENERATOR_VERSION, asdict(self)], sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:16]


def make_clip(spec: ClipSpec, cache_dir: Path = CACHE_DIR) -> Path:
    """Path of the clip for ``spec``, generating it on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    ext = {"matroska": "mkv"}.get(spec.container, spec.container)
    path = cache_dir / f"{spec.width}x{spec.height}-{spec.codec}-{spec.key()}.{ext}"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with _scheduling_kept():
            _write_clip(spec, tmp)
        os.replace(tmp, path)
    return path


@contextlib.contextmanager
def _scheduling_kept() -> Iterator[None]:
    """Puts the calling thread's scheduling back after an encoder ran in it: libsvtav1, run as
    root, leaves the thread that opened it SCHED_FIFO 99. Everything the test process started
    afterwards inherited that (Chromium, uvicorn, workers), and two real-time Chromium threads
    stuck in the kernel then starved the whole machine."""
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    try:
        yield
    finally:
        os.sched_setscheduler(0, policy, param)


def frame_times(spec: ClipSpec) -> list[Fraction]:
    """Presentation time of every frame, in seconds from the first."""
    times, t = [], Fraction(0)
    fps = Fraction(spec.fps)
    i = 0
    while t < Fraction(spec.seconds).limit_denominator(1000):
        times.append(t)
        if spec.vfr:
            t += Fraction(VFR_DURATIONS_MS[i % len(VFR_DURATIONS_MS)], 1000)
        else:
            t += 1 / fps
        i += 1
    return times


def synthetic_yuv(width: int, height: int, index: int) -> np.ndarray:
    """Frame ``index`` as a (H*3/2, W) yuv420p array: gradients that move with ``index``.

    Luma stays in 60..180 and chroma within 128 +- 20, so every pixel is inside the RGB gamut
    in BT.601/709, limited range (RGB references then need no clipping)."""
    x = np.arange(width, dtype=np.float32)
    y = np.arange(height, dtype=np.float32)[:, None]
    luma = 60 + 120 * (0.5 + 0.5 * np.sin((x + 6 * index) / 97.0)) * (0.6 + 0.4 * y / height)
    luma = np.broadcast_to(luma, (height, width)).astype(np.uint8).copy()
    box = (index * 7) % max(1, width - 64)
    luma[height // 3 : height // 3 + 48, box : box + 48] = 180
    cw, ch = width // 2, height // 2
    cx = np.arange(cw, dtype=np.float32)
    cy = np.arange(ch, dtype=np.float32)[:, None]
    u = (128 + 20 * np.sin((cy + 3 * index) / 41.0) + 0 * cx).astype(np.uint8)
    v = (128 + 20 * np.cos((cx - 2 * index) / 53.0) + 0 * cy).astype(np.uint8)
    return np.concatenate([luma, u.reshape(-1, width), v.reshape(-1, width)])


def _write_clip(spec: ClipSpec, path: Path) -> None:
    fmt = spec.container
    with av.open(str(path), mode="w", format=fmt) as out:
        fps = Fraction(spec.fps)
        if not spec.video:
            audio = out.add_stream(spec.audio_codec or "aac", rate=spec.audio_rate, layout="stereo")
            _write_sine(out, audio, spec)
            return
        options = dict(spec.options)
        if spec.codec == "libx265":
            options.setdefault("x265-params", "log-level=none")
        video = out.add_stream(spec.codec, rate=fps, options=options)
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        tb = Fraction(1, 90000) if spec.vfr else 1 / fps
        video.time_base = video.codec_context.time_base = tb
        cc = video.codec_context
        cc.colorspace = cc.color_primaries = cc.color_trc = _SPC[spec.matrix]
        cc.color_range = 2 if spec.full_range else 1
        if spec.rotation:
            video.set_display_rotation(spec.rotation)
        audio = None
        if spec.audio_codec:
            audio = out.add_stream(spec.audio_codec, rate=spec.audio_rate, layout="stereo")
            audio.time_base = Fraction(1, spec.audio_rate)
        times = frame_times(spec) if spec.video else []
        for index, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(
                synthetic_yuv(spec.width, spec.height, index), format="yuv420p"
            )
            frame.pts = int(t / tb)
            frame.time_base = tb
            frame.colorspace, frame.color_range = _SPC[spec.matrix], cc.color_range
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None) if spec.video else ():
            out.mux(packet)
        if audio is not None:
            _write_sine(out, audio, spec)


def _write_sine(out: av.container.OutputContainer, stream: av.AudioStream, spec: ClipSpec) -> None:
    rate = spec.audio_rate
    start = round(spec.audio_offset_seconds * rate)
    total = round(spec.seconds * rate)
    chunk = 1000  # deliberately not the codec's frame size: PyAV re-chunks
    for first in range(start, total, chunk):
        n = min(chunk, total - first)
        samples = np.sin(2 * np.pi * 440 * (first + np.arange(n)) / rate).astype(np.float32) * 0.3
        frame = av.AudioFrame.from_ndarray(
            np.stack([samples, samples]), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts, frame.time_base = rate, first, Fraction(1, rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def _rate_clip(fps: str, vfr: bool = False, gop: int = 5) -> ClipSpec:
    return ClipSpec(320, 240, fps, 1.2, vfr=vfr, options={"preset": "veryfast", "g": str(gop)})


# Frame rates that are kept when no fps is asked for: 1.2 s at 320x240 with audio and a
# keyframe every 5-6 frames (so segmented renders have cuts, B-frames included).
RATE_CLIPS = {
    "25fps.mp4": _rate_clip("25"),
    "ntsc.mp4": _rate_clip("30000/1001", gop=6),
    "vfr.mp4": _rate_clip("30", vfr=True),  # frame durations cycle through VFR_DURATIONS_MS
}
