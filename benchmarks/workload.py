"""Benchmark inputs: a synthetic clip with audio and a dense caption scenario.

``make_clip(ClipSpec(...))`` writes (and caches under ``<repo>/.cache/bench-clips``) an H.264
yuv420p clip, BT.709 limited range, with a stereo AAC sine track. The picture pans across a
pre-built texture and carries a moving block, so every frame differs and the encoder has real
motion to search; generating it costs one array slice per frame plus an x264 ``ultrafast``
encode (about 10 s for 60 s of 1080p30 on two cores).

``dense_scenario(seconds)`` is a MotionText v2.0 scenario in the production caption shape of
``shared/reference/samples/cwi_demo_full.json`` (a ``define.caption`` block referenced by
every cue's layout and box style, one group per cue, one text child per word with its own
``baseTime``), with a new cue every second mixing Korean and Latin words. It uses no plugin,
so the reference renderer in Chromium and ours draw the same thing.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.caption_scenario import caption_scenario

GENERATOR_VERSION = 2  # 2: audio interleaved with the video (was appended after it)
CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "bench-clips"
_BT709 = 1
_RANGE_MPEG = 1
_PAN_PX_PER_FRAME = 3
_AUDIO_RATE = 48000


@dataclass(frozen=True)
class ClipSpec:
    """A benchmark clip: ``seconds`` of ``width`` x ``height`` at ``fps`` (integer) frames
    per second; ``audio`` adds a 48 kHz stereo AAC track."""

    width: int = 1920
    height: int = 1080
    fps: int = 30
    seconds: float = 60.0
    audio: bool = True

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)

    def key(self) -> str:
        fields = {**asdict(self), "seconds": float(self.seconds)}
        text = json.dumps([GENERATOR_VERSION, fields], sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def make_clip(spec: ClipSpec, cache_dir: Path = CACHE_DIR) -> Path:
    """Path of the clip for ``spec``, generated on first use (atomic: temp file + rename)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = (
        cache_dir
        / f"bench-{spec.width}x{spec.height}-{spec.fps}p-{spec.seconds:g}s-{spec.key()}.mp4"
    )
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            _write_clip(spec, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


def _texture(width: int, height: int, seed: int = 7) -> np.ndarray:
    """A (height, width) uint8 luma texture: soft blobs over gradients plus fine grain."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((height // 16 + 2, width // 16 + 2), dtype=np.float32)
    blobs = np.kron(coarse, np.ones((16, 16), np.float32))[:height, :width]
    x = np.linspace(0, 1, width, dtype=np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    grain = rng.integers(0, 12, (height, width), dtype=np.uint8).astype(np.float32)
    luma = 40 + 90 * blobs * (0.5 + 0.5 * y) + 60 * x + grain
    return np.clip(luma, 16, 235).astype(np.uint8)


def _write_clip(spec: ClipSpec, path: Path) -> None:
    w, h = spec.width, spec.height
    pan_range = min(4 * w, _PAN_PX_PER_FRAME * spec.frames + 1)
    luma_tex = _texture(w + pan_range, h)
    chroma_tex = _texture((w + pan_range) // 2 + 1, h // 2, seed=11) // 4 + 96
    fps = Fraction(spec.fps)
    with av.open(str(path), mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "20"})
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.time_base = video.codec_context.time_base = 1 / fps
        cc = video.codec_context
        cc.colorspace = cc.color_primaries = cc.color_trc = _BT709
        cc.color_range = _RANGE_MPEG
        audio = None
        if spec.audio:
            audio = out.add_stream("aac", rate=_AUDIO_RATE, layout="stereo")
            audio.time_base = Fraction(1, _AUDIO_RATE)
        planes = np.empty((h * 3 // 2, w), np.uint8)
        for index in range(spec.frames):
            shift = (_PAN_PX_PER_FRAME * index) % pan_range
            planes[:h] = luma_tex[:, shift : shift + w]
            box = (index * 11) % max(1, w - 96)
            planes[h // 3 : h // 3 + 96, box : box + 96] = 220
            cshift = shift // 2
            u = chroma_tex[:, cshift : cshift + w // 2]
            planes[h : h + h // 4] = u.reshape(h // 4, w)
            planes[h + h // 4 :] = (255 - u).reshape(h // 4, w)
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts, frame.time_base = index, 1 / fps
            frame.colorspace, frame.color_range = _BT709, _RANGE_MPEG
            for packet in video.encode(frame):
                out.mux(packet)
            if audio is not None:  # interleaved as cameras write it: each frame's audio beside it
                first = index * _AUDIO_RATE // spec.fps
                _write_sine(out, audio, first, (index + 1) * _AUDIO_RATE // spec.fps - first)
        for packet in video.encode(None):
            out.mux(packet)
        if audio is not None:
            for packet in audio.encode(None):
                out.mux(packet)


def _write_sine(
    out: av.container.OutputContainer, stream: av.AudioStream, first: int, count: int
) -> None:
    """Encode ``count`` samples of a 440 Hz tone starting at sample ``first``."""
    t = (first + np.arange(count)) / _AUDIO_RATE
    samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(np.stack([samples, samples]), format="fltp", layout="stereo")
    frame.sample_rate, frame.pts, frame.time_base = _AUDIO_RATE, first, Fraction(1, _AUDIO_RATE)
    for packet in stream.encode(frame):
        out.mux(packet)


# --- the dense caption scenario ---------------------------------------------------------------

_KOREAN_TEXT = (
    "오늘 우리는 새로운 자막을 함께 만들어 봅니다 정말 빠르게 영상에 글자가 움직입니다 여러분 "
    "안녕하세요 다음 장면으로 넘어갑니다 감사합니다"
)
_LATIN_TEXT = (
    "motion text render video caption fast native browser frame Hello world style word timing "
    "stage layer queue encode"
)
_KOREAN, _LATIN = tuple(_KOREAN_TEXT.split()), tuple(_LATIN_TEXT.split())
# As in the production sample: one define.caption block that every cue refers to.
_CAPTION_DEFINE = {
    "position": {"x": 0.5, "y": 0.925},
    "boxStyle": {
        "backgroundColor": "rgba(0, 0, 0, 0.9)",
        "padding": "8px 16px",
        "borderRadius": "4px",
    },
    "layout": {"anchor": "bc", "safeAreaClamp": True},
    "childrenLayout": {
        "mode": "flow",
        "direction": "horizontal",
        "wrap": True,
        "maxWidth": "100%",
        "gap": 0.005,
        "align": "center",
        "justify": "center",
    },
}
CUE_SHOWN_SECONDS = 0.95  # of each 1 s slot: a short gap keeps consecutive cues apart


def dense_scenario(seconds: float, seed: int = 1) -> dict:
    """A plugin-free v2.0 scenario: cue ``i`` shows during [i, i + 0.95] s for every whole
    second of ``seconds``; 4-8 words, Korean and Latin mixed, each with its own baseTime."""
    rng = random.Random(seed)
    cues = []
    for i in range(int(seconds)):
        start, end = float(i), round(i + CUE_SHOWN_SECONDS, 3)
        count = rng.randint(4, 8)
        words = [rng.choice(_KOREAN if (k + i) % 2 == 0 else _LATIN) for k in range(count)]
        step = (end - start) / count
        cue_id = f"clip_{i + 1}_bench"
        children = [
            {
                "id": f"word-{cue_id}_word_{k}",
                "eType": "text",
                "text": word,
                "baseTime": [round(start + k * step, 3), round(start + (k + 0.9) * step, 3)],
            }
            for k, word in enumerate(words)
        ]
        cues.append(
            {
                "id": f"cue-{cue_id}",
                "track": "caption",
                "domLifetime": [start, end],
                "root": {
                    "id": f"clip-{cue_id}",
                    "eType": "group",
                    "displayTime": [start, end],
                    "layout": {
                        "anchor": "define.caption.layout.anchor",
                        "position": "define.caption.position",
                        "safeAreaClamp": "define.caption.layout.safeAreaClamp",
                        "childrenLayout": "define.caption.childrenLayout",
                    },
                    "style": "define.caption.boxStyle",
                    "children": children,
                },
            }
        )
    return caption_scenario(cues, _CAPTION_DEFINE, pluginApiVersion="3.0")


def write_scenario(seconds: float, folder: Path) -> Path:
    """``dense_scenario(seconds)`` written as JSON under ``folder``; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"dense-{seconds:g}s.json"
    path.write_text(json.dumps(dense_scenario(seconds), ensure_ascii=False, indent=1), "utf-8")
    return path
