"""The GPU path's plumbing, run on the CPU: NVDEC fallbacks, decoder choice, and NV12 frames
"in GPU memory" with numpy standing in for CuPy (benchmarks.gpu_check.FakeCupy, which makes
the engine take its device branches). On a lent GPU, benchmarks/gpu_check.sh runs the same
paths with real CuPy and NVDEC and compares them with these CPU results."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import engine.pipeline as pipeline_module
from benchmarks.gpu_check import FakeCupy
from engine.composite import Compositor, yuv_matrix
from engine.decode import VideoInput
from engine.device_frames import DeviceFrame
from engine.nvdec import nvdec_opens, resolve_decoder
from engine.overlay_types import Overlay
from engine.pipeline import render_video
from engine.planes import plane_arrays
from engine.video_options import VideoOptions
from motiontext.errors import InputError
from tests.engine.clips import ClipSpec, make_clip
from tests.engine.test_pipeline import FakeOverlaySource, decoded_frames

FAKE = FakeCupy()
FAST = VideoOptions(encoder="libx264", preset="ultrafast")


def random_planes(seed: int, width: int = 64, height: int = 48):
    rng = np.random.default_rng(seed)
    y = rng.integers(16, 236, (height, width), dtype=np.uint8)
    u, v = (rng.integers(16, 241, (height // 2, width // 2), dtype=np.uint8) for _ in "uv")
    return y, u, v


def caption_overlay(width: int = 64, height: int = 48) -> Overlay:
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[11:37, 5:51] = (90, 20, 200, 200)  # premultiplied, odd edges: widened to 2x2 blocks
    rgba[20:25, 9:40] = (255, 255, 255, 255)
    return Overlay(rgba, (5, 11, 51, 37), 1)


def test_nv12_device_frame_blends_like_host_planes_and_downloads_as_yuv420p():
    y, u, v = random_planes(1)
    host = (y.copy(), u.copy(), v.copy())
    device = DeviceFrame(FAKE.asarray(y.copy()), FAKE.asarray(np.stack([u, v], axis=-1)))
    matrix = yuv_matrix("bt709", False)
    overlay = caption_overlay()

    assert Compositor(64, 48, matrix, np).composite(host, overlay)
    assert Compositor(64, 48, matrix, FAKE).composite(device.planes(), overlay)
    downloaded = device.download(FAKE)

    assert (downloaded.format.name, downloaded.width, downloaded.height) == ("yuv420p", 64, 48)
    for ours, expected in zip(plane_arrays(downloaded), host, strict=True):
        np.testing.assert_array_equal(ours, expected)
    assert not np.array_equal(host[0], y), "the overlay changed the picture"


def test_device_frame_copy_is_independent():
    y, u, v = random_planes(2)
    frame = DeviceFrame(y, np.stack([u, v], axis=-1))
    twin = frame.copy()
    frame.planes()[1][...] = 0
    assert twin.uv[..., 0].any() and not frame.uv[..., 0].any()


def test_decoder_choice(monkeypatch):
    assert resolve_decoder("cpu") == "cpu"
    with pytest.raises(InputError, match='"decoder" must be one of'):
        resolve_decoder("gpu")
    with pytest.raises(InputError, match='"decoder" must be one of'):
        VideoOptions(decoder="cuda")
    monkeypatch.setattr("engine.nvdec.nvdec_opens", lambda: True)
    assert resolve_decoder("auto") == resolve_decoder("nvdec") == "nvdec"
    monkeypatch.setattr("engine.nvdec.nvdec_opens", lambda: False)
    assert resolve_decoder("auto") == "cpu"
    monkeypatch.setattr("engine.nvdec.probe_nvdec", lambda: (False, "no CUDA here"))
    with pytest.raises(InputError, match="nvdec.*does not open: no CUDA here"):
        resolve_decoder("nvdec")


@pytest.mark.skipif(nvdec_opens(), reason="NVDEC opens here: gpu_check.sh covers it")
def test_nvdec_that_will_not_open_falls_back_to_the_cpu_decoder():
    clip = make_clip(ClipSpec(320, 240, seconds=0.5, audio_codec=None))
    source = VideoInput(str(clip), decoder="nvdec", device_xp=FAKE)
    try:
        frames = [item.frame for item in source.read((320, 240))]
    finally:
        source.close()
    assert source.decoder_used == "cpu"
    expected = [frame.to_ndarray() for frame in decoded_frames(clip)]
    assert len(frames) == len(expected) == 15
    for ours, theirs in zip(frames, expected, strict=True):
        np.testing.assert_array_equal(ours.to_ndarray(), theirs)


def test_render_with_pictures_in_device_memory_equals_the_host_render(monkeypatch, tmp_path):
    """render_video's device branch end to end: decoded pictures become NV12 DeviceFrames
    (as NVDEC + CuPy give them), are retimed (copies for repeated frames), blended in place
    and downloaded for the encoder. Output must equal the host path's, frame for frame."""
    clip = make_clip(ClipSpec(320, 240, seconds=1.0, audio_codec=None))
    options = VideoOptions(encoder="libx264", preset="ultrafast", fps=Fraction(45))
    host_out = tmp_path / "host.mp4"
    render_video(str(clip), host_out, FakeOverlaySource, options)

    def as_device_frame(self, frame, size):
        host = original_normalise(self, frame, size)
        y, u, v = plane_arrays(host)
        return DeviceFrame(FAKE.asarray(y.copy()), FAKE.asarray(np.stack([u, v], axis=-1)))

    original_normalise = VideoInput._normalise
    monkeypatch.setattr(VideoInput, "_normalise", as_device_frame)
    monkeypatch.setattr(pipeline_module, "array_module", lambda name: FAKE)
    device_out = tmp_path / "device.mp4"
    render_video(str(clip), device_out, FakeOverlaySource, options)

    host_frames = [f.to_ndarray() for f in decoded_frames(host_out)]
    device_frames = [f.to_ndarray() for f in decoded_frames(device_out)]
    assert len(host_frames) == len(device_frames) == 45
    for ours, theirs in zip(device_frames, host_frames, strict=True):
        np.testing.assert_array_equal(ours, theirs)
