"""render_video end to end on short generated clips (tests/engine/clips.py), with a synthetic
overlay source: timing, audio, composite accuracy in the encoded output, failures, cancel."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from engine.cancel import CancelToken
from engine.encode import encoder_opens
from engine.overlay_types import Overlay
from engine.pipeline import Progress, render_video
from engine.video_options import VideoOptions
from motiontext.errors import (
    CancelledError,
    DecodeError,
    DownloadError,
    EncodeError,
    InputError,
)
from tests.engine.clips import RATE_CLIPS, ClipSpec, frame_times, make_clip

FAST = VideoOptions(preset="ultrafast")
BOX = (96, 500, 1000, 620)  # x0, y0, x1, y1 of the synthetic caption in a 1280x720 frame


class FakeOverlaySource:
    """Empty before 1 s; then a semi-transparent box whose colour changes every 0.5 s.
    Records every overlay_at call."""

    def __init__(self, width: int, height: int, start_seconds: float = 1.0):
        self.size = (width, height)
        self.start_seconds = start_seconds
        self.calls: list[tuple[int, float]] = []
        self._rgba = np.zeros((height, width, 4), np.uint8)
        self._version = -1

    @staticmethod
    def style(t_seconds: float) -> tuple[int, tuple[int, int, int], int]:
        """(version, straight RGB colour, alpha) at ``t_seconds``."""
        step = int(t_seconds / 0.5)
        colours = [(255, 40, 20), (20, 200, 60), (30, 60, 250), (250, 250, 250)]
        return step, colours[step % 4], (160, 220, 255, 90)[step % 4]

    def bbox(self) -> tuple[int, int, int, int]:
        w, h = self.size
        x0, y0, x1, y1 = BOX
        return (x0 * w // 1280, y0 * h // 720, x1 * w // 1280, y1 * h // 720)

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        assert frame_index == len(self.calls), "frames must be requested in order"
        self.calls.append((frame_index, t_seconds))
        if t_seconds < self.start_seconds:
            return Overlay(self._rgba, None, 0)
        version, rgb, alpha = self.style(t_seconds)
        if version != self._version:
            self._rgba[:] = 0
            x0, y0, x1, y1 = self.bbox()
            premultiplied = [round(c * alpha / 255) for c in rgb] + [alpha]
            self._rgba[y0:y1, x0:x1] = premultiplied
            self._version = version
        return Overlay(self._rgba, self.bbox(), version + 1)


class EmptyOverlaySource:
    def __init__(self, width: int, height: int):
        self.size = (width, height)

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        return Overlay(np.zeros((1, 1, 4), np.uint8), None, 0)


def recording(factory: type) -> tuple[list, object]:
    made: list = []

    def make(width: int, height: int):
        made.append(factory(width, height))
        return made[-1]

    return made, make


def video_times(path: Path) -> list[Fraction]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        return [frame.pts * stream.time_base for frame in c.decode(stream)]


def audio_span(path: Path) -> tuple[float, float, float]:
    """(start, end, longest packet) of the first audio stream, in seconds."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        packets = [(p.pts, p.duration) for p in c.demux(stream) if p.pts is not None]
        tb = stream.time_base
        start = min(pts for pts, _ in packets) * tb
        end = max(pts + (dur or 0) for pts, dur in packets) * tb
        return float(start), float(end), float(max(dur for _, dur in packets) * tb)


def decoded_frames(path: Path):
    with av.open(str(path)) as c:
        yield from c.decode(c.streams.video[0])


def rgb(frame: av.VideoFrame) -> np.ndarray:
    """RGB via swscale with explicit BT.709 limited range (independent of our matrices)."""
    return (
        frame.reformat(
            format="rgb24",
            src_colorspace="ITU709",
            dst_colorspace="ITU709",
            src_color_range="MPEG",
            dst_color_range="JPEG",
        )
        .to_ndarray()
        .astype(np.float64)
    )


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def clip720() -> Path:
    return make_clip(ClipSpec())


def test_720p30_with_audio_keeps_timing_audio_and_untouched_frames(clip720, tmp_path):
    made, make = recording(FakeOverlaySource)
    progress: list[Progress] = []
    out = tmp_path / "out.mp4"
    result = render_video(str(clip720), out, make, FAST, on_progress=progress.append)

    source_times = video_times(clip720)
    assert video_times(out) == source_times
    assert result.frames == len(source_times) == 60
    assert (result.width, result.height, result.encoder, result.audio) == (
        1280,
        720,
        "libx264",
        "copy:aac",
    )
    assert result.size_bytes == out.stat().st_size and abs(result.duration_seconds - 2.0) < 1e-9
    head = out.read_bytes()[:200_000]
    assert 0 <= head.find(b"moov") < head.find(b"mdat"), "faststart: index before media"
    assert made[0].size == (1280, 720)
    assert [i for i, _ in made[0].calls] == list(range(60))
    assert [t for _, t in made[0].calls] == [float(t) for t in source_times]
    assert [p.frames_done for p in progress] == list(range(1, 61))
    assert progress[-1].frames_total == 60 and progress[-1].fps > 0
    s_start, s_end, packet = audio_span(clip720)
    o_start, o_end, _ = audio_span(out)
    assert abs(o_start - s_start) <= packet and abs(o_end - s_end) <= packet

    plain = tmp_path / "plain.mp4"
    render_video(str(clip720), plain, EmptyOverlaySource, FAST)
    box = made[0].bbox()
    for index, (src, plain_f, ours) in enumerate(
        zip(decoded_frames(clip720), decoded_frames(plain), decoded_frames(out))
    ):
        t = float(source_times[index])
        if t < 1.0:  # no overlay yet: same pixels as a plain re-encode
            for p_plain, p_ours in zip(plain_f.to_ndarray(), ours.to_ndarray()):
                assert psnr(p_plain, p_ours) >= 40
        elif index % 7 == 0:  # overlay: equal to an RGB blend of the source, in the box
            _, colour, alpha = FakeOverlaySource.style(t)
            x0, y0, x1, y1 = box
            a = alpha / 255
            expected = rgb(src)[y0:y1, x0:x1] * (1 - a) + np.array(colour) * a
            assert psnr(rgb(ours)[y0:y1, x0:x1], expected) >= 35


def test_1080p_ntsc_rate_without_audio(tmp_path):
    clip = make_clip(ClipSpec(1920, 1080, "30000/1001", audio_codec=None))
    made, make = recording(FakeOverlaySource)
    out = tmp_path / "out.mp4"
    result = render_video(str(clip), out, make, FAST)
    assert video_times(out) == video_times(clip)
    assert made[0].size == (1920, 1080)
    with av.open(str(out)) as c:
        assert not c.streams.audio
        assert c.streams.video[0].average_rate == Fraction(30000, 1001)
    assert result.audio is None and result.frames == 60
    assert result.encoder == ("h264_nvenc" if encoder_opens("h264_nvenc") else "libx264")


def test_vfr_source_keeps_every_pts_and_overlay_follows_them(tmp_path):
    spec = ClipSpec(vfr=True)
    clip = make_clip(spec)
    made, make = recording(FakeOverlaySource)
    out = tmp_path / "vfr.mp4"
    render_video(str(clip), out, make, FAST)
    times = video_times(out)
    assert times == video_times(clip) == frame_times(spec)
    assert [t for _, t in made[0].calls] == [float(t) for t in times]


def test_portrait_9x16(tmp_path):
    clip = make_clip(ClipSpec(720, 1280, seconds=1.5))
    made, make = recording(FakeOverlaySource)
    result = render_video(str(clip), tmp_path / "p.mov", make, FAST)
    assert made[0].size == (720, 1280) and (result.width, result.height) == (720, 1280)
    assert video_times(tmp_path / "p.mov") == video_times(clip)


def test_display_rotation_is_applied(tmp_path):
    clip = make_clip(ClipSpec(1280, 720, seconds=0.5, rotation=90, audio_codec=None))
    made, make = recording(EmptyOverlaySource)
    result = render_video(str(clip), tmp_path / "r.mp4", make, FAST)
    assert made[0].size == (720, 1280) and (result.width, result.height) == (720, 1280)
    with av.open(str(tmp_path / "r.mp4")) as c:
        frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (720, 1280) and not frame.rotation


def test_full_range_bt601_source_keeps_levels_and_tags(tmp_path):
    clip = make_clip(ClipSpec(640, 360, seconds=1.5, matrix="bt601", full_range=True))
    made, make = recording(FakeOverlaySource)
    out = tmp_path / "full.mp4"
    render_video(str(clip), out, make, FAST)
    x0, y0, x1, y1 = made[0].bbox()
    for index, (src, ours) in enumerate(zip(decoded_frames(clip), decoded_frames(out))):
        assert (ours.colorspace, ours.color_range) == (6, 2)  # SMPTE 170M, JPEG range
        t = float(index / 30)
        if t < 1.0:
            assert psnr(src.to_ndarray(), ours.to_ndarray()) >= 40
        elif index % 5 == 0:
            _, colour, alpha = FakeOverlaySource.style(t)
            to_rgb = {
                "format": "rgb24",
                "src_colorspace": "ITU601",
                "dst_colorspace": "ITU601",
                "src_color_range": "JPEG",
                "dst_color_range": "JPEG",
            }
            src_rgb = src.reformat(**to_rgb).to_ndarray().astype(np.float64)[y0:y1, x0:x1]
            got = ours.reformat(**to_rgb).to_ndarray().astype(np.float64)[y0:y1, x0:x1]
            expected = src_rgb * (1 - alpha / 255) + np.array(colour) * alpha / 255
            assert psnr(got, expected) >= 35


def test_webm_output_is_vp9_and_opus(clip720, tmp_path):
    out = tmp_path / "out.webm"
    result = render_video(str(clip720), out, FakeOverlaySource, FAST)
    assert (result.encoder, result.audio) == ("libvpx-vp9", "libopus")
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "vp9"
        assert c.streams.audio[0].codec_context.name == "opus"
    assert len(video_times(out)) == 60
    s_start, s_end, s_packet = audio_span(clip720)
    o_start, o_end, o_packet = audio_span(out)
    tolerance = max(s_packet, o_packet)
    assert abs(o_start - s_start) <= tolerance and abs(o_end - s_end) <= tolerance


@pytest.mark.parametrize(
    "spec",
    [
        ClipSpec(320, 180, seconds=1, codec="libx265", container="matroska", audio_codec="flac"),
        ClipSpec(
            320,
            180,
            seconds=1,
            codec="libvpx-vp9",
            container="webm",
            audio_codec="libopus",
            options={"deadline": "realtime", "cpu-used": "8"},
        ),
        ClipSpec(
            320, 180, seconds=1, codec="libsvtav1", audio_codec=None, options={"preset": "12"}
        ),
    ],
    ids=["hevc-flac-mkv", "vp9-opus-webm", "av1-mp4"],
)
def test_input_codecs(spec, tmp_path):
    clip = make_clip(spec)
    out = tmp_path / "out.mp4"
    result = render_video(str(clip), out, FakeOverlaySource, FAST)
    assert video_times(out) == video_times(clip)
    if spec.audio_codec:  # flac and opus are copied into mp4
        assert result.audio == f"copy:{'opus' if spec.audio_codec == 'libopus' else 'flac'}"
        s_start, s_end, packet = audio_span(clip)
        o_start, o_end, _ = audio_span(out)
        assert abs(o_start - s_start) <= packet and abs(o_end - s_end) <= packet


def test_audio_transcode_keeps_offset(tmp_path):
    clip = make_clip(
        ClipSpec(
            640,
            360,
            seconds=1.5,
            container="matroska",
            audio_codec="pcm_s16le",
            audio_offset_seconds=0.5,
        )
    )
    out = tmp_path / "out.mp4"
    result = render_video(str(clip), out, EmptyOverlaySource, FAST)
    assert result.audio == "aac"
    s_start, s_end, _ = audio_span(clip)
    o_start, o_end, o_packet = audio_span(out)
    assert abs(s_start - 0.5) < 1e-3
    # AAC packets start one frame early (encoder priming); mkv times are rounded to 1 ms.
    assert abs(o_start - s_start) <= o_packet + 0.002
    assert abs(o_end - s_end) <= o_packet


@pytest.mark.parametrize("fps", [Fraction(24), Fraction(60)])
def test_fps_resample(fps, tmp_path):
    clip = make_clip(ClipSpec(seconds=1, audio_codec=None))
    made, make = recording(FakeOverlaySource)
    out = tmp_path / "out.mp4"
    result = render_video(str(clip), out, make, VideoOptions(preset="ultrafast", fps=fps))
    expected = [k / fps for k in range(int(fps))]
    assert video_times(out) == expected and result.frames == int(fps)
    assert [t for _, t in made[0].calls] == [float(t) for t in expected]


def test_size_rescales(clip720, tmp_path):
    made, make = recording(FakeOverlaySource)
    options = VideoOptions(preset="ultrafast", size=(640, 360))
    result = render_video(str(clip720), tmp_path / "s.mp4", make, options)
    assert made[0].size == (640, 360) and (result.width, result.height) == (640, 360)
    with av.open(str(tmp_path / "s.mp4")) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (640, 360)


@pytest.fixture
def http_root(tmp_path):
    """A local HTTP server with Range support (what mp4 over HTTP needs) serving a folder."""
    import http.server
    import threading

    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            start, end = 0, len(data) - 1
            spec = self.headers.get("Range", "")
            if spec.startswith("bytes="):
                first, _, last = spec[6:].partition("-")
                start, end = int(first or 0), int(last) if last else len(data) - 1
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            try:
                self.wfile.write(data[start : end + 1])
            except (BrokenPipeError, ConnectionResetError):
                pass  # FFmpeg closes connections when it seeks

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_input(clip720, http_root, tmp_path):
    root, base = http_root
    (root / "clip.mp4").write_bytes(clip720.read_bytes())
    out = tmp_path / "out.mp4"
    result = render_video(f"{base}/clip.mp4", out, FakeOverlaySource, FAST)
    assert result.frames == 60 and result.audio == "copy:aac"
    assert video_times(out) == video_times(clip720)
    with pytest.raises(DownloadError) as info:
        render_video(
            f"{base}/missing.mp4?X-Amz-Signature=secret",
            tmp_path / "o2.mp4",
            FakeOverlaySource,
            FAST,
        )
    assert "missing.mp4" in str(info.value) and "secret" not in str(info.value)
    assert leftovers(tmp_path) == ["out.mp4", "www"]


def _corrupt(clip: Path, path: Path) -> None:
    """Keep the file-type header, replace everything after it with noise."""
    data = clip.read_bytes()
    noise = np.random.default_rng(1).integers(0, 256, len(data) - 64, dtype=np.uint8)
    path.write_bytes(data[:64] + noise.tobytes())


@pytest.mark.parametrize("kind", ["corrupt", "truncated", "empty", "audio-only"])
def test_bad_inputs_raise_decode_error_and_leave_nothing(kind, clip720, tmp_path):
    bad = tmp_path / "in" / f"{kind}.mp4"
    bad.parent.mkdir()
    if kind == "corrupt":
        _corrupt(clip720, bad)
    elif kind == "truncated":
        bad.write_bytes(clip720.read_bytes()[: clip720.stat().st_size // 2])
    elif kind == "empty":
        bad.write_bytes(b"")
    else:
        bad = make_clip(ClipSpec(seconds=0.5, video=False))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(DecodeError) as info:
        render_video(str(bad), out_dir / "out.mp4", FakeOverlaySource, FAST)
    assert str(bad) in str(info.value) or "video" in str(info.value)
    assert leftovers(out_dir) == []


def test_missing_input_and_bad_output_suffix(clip720, tmp_path):
    with pytest.raises(InputError, match="not found"):
        render_video(str(tmp_path / "nope.mp4"), tmp_path / "o.mp4", FakeOverlaySource, FAST)
    with pytest.raises(InputError, match="must end in"):
        render_video(str(clip720), tmp_path / "o.avi", FakeOverlaySource, FAST)
    assert leftovers(tmp_path) == []


def test_cancel_leaves_nothing(clip720, tmp_path):
    token = CancelToken()

    def on_progress(p: Progress) -> None:
        if p.frames_done == 10:
            token.cancel()

    with pytest.raises(CancelledError):
        render_video(str(clip720), tmp_path / "o.mp4", FakeOverlaySource, FAST, on_progress, token)
    assert leftovers(tmp_path) == []


def test_backpressure_keeps_stages_close(clip720, tmp_path):
    """A slow consumer must hold the other stages back: the overlay source never runs more
    than the queue depth (plus the frames in hand) ahead of the encoder."""
    made, make = recording(FakeOverlaySource)
    lead: list[int] = []

    def slow(p: Progress) -> None:
        lead.append(len(made[0].calls) - p.frames_done)
        time.sleep(0.005)

    options = VideoOptions(preset="ultrafast", queue_frames=3)
    render_video(str(clip720), tmp_path / "o.mp4", make, options, on_progress=slow)
    assert len(lead) == 60 and max(lead) <= options.queue_frames + 2


def test_overlay_error_leaves_nothing(clip720, tmp_path):
    class Exploding(FakeOverlaySource):
        def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
            if frame_index == 20:
                raise RuntimeError("rasterizer broke")
            return super().overlay_at(frame_index, t_seconds)

    with pytest.raises(RuntimeError, match="rasterizer broke"):
        render_video(str(clip720), tmp_path / "o.mp4", Exploding, FAST)
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(encoder_opens("h264_nvenc"), reason="NVENC works here")
def test_encoder_that_will_not_open(clip720, tmp_path):
    options = VideoOptions(encoder="h264_nvenc")
    with pytest.raises(EncodeError, match="h264_nvenc"):
        render_video(str(clip720), tmp_path / "o.mp4", FakeOverlaySource, options)
    assert leftovers(tmp_path) == []


SCENARIO = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "scenarios"
    / "plugin_fadein.json"
)


def run_cli(argv: list[str]) -> int:
    """The render sub-command through its own parser (server.cli registers every command,
    some of which may not exist yet)."""
    import argparse

    from server.cli import render as cli_render

    parser = argparse.ArgumentParser(prog="ecg-render")
    cli_render.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_render_caption_matches_frame_render(tmp_path, capsys):
    """End to end with a real scenario: the caption box of a rendered frame equals the
    single-frame renderer's PNG (straight RGBA) composited over the source frame."""
    from engine.overlay import render_frames
    from motiontext.parse import load_scenario_file

    clip = make_clip(ClipSpec(seconds=2.5))
    out = tmp_path / "cli.mp4"
    code = run_cli(["render", str(SCENARIO), str(clip), "-o", str(out), "--preset", "ultrafast"])
    assert code == 0, capsys.readouterr().err
    assert "wrote" in capsys.readouterr().err
    index = 60  # t = 2.0 s, the caption fully visible
    t = float(video_times(clip)[index])
    png = render_frames(load_scenario_file(SCENARIO), [t], 1280, 720, fps=30.0)[0]
    alpha = png[..., 3].astype(np.float64) / 255
    ys, xs = np.nonzero(png[..., 3])
    assert len(ys) > 100, "the scenario should show a caption at 2 s"
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    source = next(f for i, f in enumerate(decoded_frames(clip)) if i == index)
    ours = next(f for i, f in enumerate(decoded_frames(out)) if i == index)
    expected = rgb(source) * (1 - alpha[..., None]) + png[..., :3] * alpha[..., None]
    assert psnr(rgb(ours)[box], expected[box]) >= 35


@pytest.mark.parametrize("name", sorted(RATE_CLIPS))
def test_cli_render_without_fps_keeps_the_source_timing(name, tmp_path, capsys):
    """No --fps: 25 fps, NTSC and VFR sources keep every frame and timestamp; --fps 30 on the
    25 fps source resamples to 30."""
    clip = make_clip(RATE_CLIPS[name])
    out = tmp_path / "kept.mp4"
    code = run_cli(["render", str(SCENARIO), str(clip), "-o", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert video_times(out) == video_times(clip)
    if name == "25fps.mp4":
        resampled = tmp_path / "30.mp4"
        code = run_cli(["render", str(SCENARIO), str(clip), "-o", str(resampled), "--fps", "30"])
        assert code == 0, capsys.readouterr().err
        assert video_times(resampled) == [Fraction(k, 30) for k in range(36)]


def test_cli_reports_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    code = run_cli(["render", str(SCENARIO), str(bad), "-o", str(tmp_path / "o.mp4")])
    assert code == 2
    assert "INVALID_VIDEO" in capsys.readouterr().err
    assert leftovers(tmp_path) == ["bad.mp4"]


def test_options_mapping_and_validation(clip720, tmp_path):
    from engine.video_options import parse_fps, parse_size

    default = VideoOptions()
    assert [VideoOptions(quality=q).rate_control_value("libx264") for q in (100, 90, 50, 10)] == [
        15,
        19,
        33,
        47,
    ]
    assert [
        VideoOptions(quality=q).rate_control_value("libvpx-vp9") for q in (100, 90, 50, 10)
    ] == [
        18,
        23,
        41,
        59,
    ]
    assert VideoOptions(crf=30, quality=10).rate_control_value("libx264") == 30
    assert default.encoder_preset("libx264") == "veryfast"
    assert default.encoder_preset("h264_nvenc") == "p3"
    assert default.encoder_preset("libvpx-vp9") == "7"
    assert parse_fps("29.97") == Fraction(30000, 1001) and parse_fps("25") == 25
    assert (
        parse_fps(29.97) == parse_fps("30000/1001") == parse_fps("29.970") == Fraction(30000, 1001)
    )
    assert VideoOptions(fps=23.976).fps == Fraction(24000, 1001)  # one parser for every rate
    for bad in ("1e999999999", "-30", "30 fps", "30/0", "nan", True, 241):
        with pytest.raises(InputError, match='"fps" must'):
            parse_fps(bad)
    assert parse_size("1280x720") == (1280, 720)
    for bad in (
        {"quality": 5},
        {"crf": 70},
        {"encoder": "x265"},
        {"size": (641, 360)},
        {"fps": 0},
        {"preset": "turbo"},
    ):
        with pytest.raises(InputError, match="must"):
            VideoOptions(**bad)
    with pytest.raises(InputError, match="libvpx-vp9"):
        render_video(
            str(clip720), tmp_path / "o.webm", FakeOverlaySource, VideoOptions(encoder="libx264")
        )
    with pytest.raises(InputError, match="between 0 and 51"):
        render_video(str(clip720), tmp_path / "o.mp4", FakeOverlaySource, VideoOptions(crf=60))
    assert leftovers(tmp_path) == []


def test_progress_bar_lines():
    import io

    from server.console import ProgressBar, format_seconds

    stream = io.StringIO()
    bar = ProgressBar(stream)
    for done in range(1, 101):
        bar.update(Progress(done, 100, 25.0, done / 25.0))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # 0 %, 10 %, ..., 100 %: logs get a line per step
    assert "100/100 frames" in lines[-1] and "25.0 fps" in lines[-1] and "ETA 0:00" in lines[-1]
    assert format_seconds(3725) == "1:02:05" and format_seconds(None) == "--:--"
