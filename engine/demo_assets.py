"""The bundled demo input: a short synthetic clip with a sine soundtrack, generated at set-up
(``python -m engine.demo_assets [OUT]``) so the README's main command has something to burn
captions into. Cheap when the clip already exists."""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "out" / "demo_input.mp4"


def write_demo_clip(
    path: Path,
    seconds: float = 6.0,
    width: int = 1280,
    height: int = 720,
    fps: int = 30,
    sample_rate: int = 48000,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "23"}
        audio = out.add_stream("aac", rate=sample_rate)
        audio.layout = "stereo"
        yy, xx = np.mgrid[0:height, 0:width]
        frames = int(seconds * fps)
        for i in range(frames):
            phase = i / fps
            rgb = np.empty((height, width, 3), np.uint8)
            rgb[..., 0] = (80 + 60 * np.sin(xx / 160 + phase)).astype(np.uint8)
            rgb[..., 1] = (90 + 50 * np.sin(yy / 120 - phase * 0.7)).astype(np.uint8)
            rgb[..., 2] = (140 + 40 * np.sin((xx + yy) / 200 + phase * 0.5)).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        chunk = 1024
        total = int(seconds * sample_rate)
        for start in range(0, total, chunk):
            n = min(chunk, total - start)
            t = (np.arange(start, start + n) / sample_rate).astype(np.float32)
            tone = 0.2 * np.sin(2 * math.pi * 440 * t).astype(np.float32)
            samples = np.stack([tone, tone])
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
            frame.sample_rate = sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, sample_rate)
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
    tmp.replace(path)
    return path


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_PATH
    if path.exists() and path.stat().st_size > 0:
        return 0
    write_demo_clip(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
