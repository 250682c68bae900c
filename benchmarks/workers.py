"""One benchmark variant per sub-command, each run in its own process by ``benchmarks.run``
(so that the process tree's peak RSS belongs to that variant alone).

Every sub-command prints one JSON object on stdout's last line: ``frames`` processed and
``elapsed_seconds`` of the work itself (interpreter start and imports excluded: a long-lived
worker pays them once), plus variant details.

::

    python -m benchmarks.workers transcode IN OUT [--encoder libx264] [--preset veryfast]
    python -m benchmarks.workers pipeline-empty IN OUT [...]     # our pipeline, no captions
    python -m benchmarks.workers render SCENARIO IN OUT [...]    # `ecg-render render`
    python -m benchmarks.workers browser SCENARIO IN OUT [...]   # Chromium screenshots
    python -m benchmarks.workers overlay SCENARIO --frames N [--size WxH] [--fps 30]
    python -m benchmarks.workers overlay-chromium SCENARIO --frames N [...]
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from engine.overlay_types import Overlay

_POLL_SECONDS = 0.1


def _options(args: argparse.Namespace) -> Any:
    from engine.video_options import VideoOptions

    return VideoOptions(encoder=args.encoder, preset=args.preset)


def count_frames(path: str | Path) -> int:
    """Video frames in ``path`` (the mp4 header's count; decoded when absent)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.frames:
            return int(stream.frames)
        return sum(1 for _ in container.decode(stream))


# --- (a) plain transcode ----------------------------------------------------------------------


def transcode(input_path: str, output_path: str, codec: str, options: Any) -> int:
    """Decode + encode with ``codec`` and the engine's encoder settings, audio copied: the
    least any burn-in can cost. One thread in Python; FFmpeg's decoder and x264 thread
    internally, as they do in the pipeline. Returns the frames written."""
    from engine.encode import encoder_settings

    frames = 0
    with (
        av.open(input_path) as inp,
        av.open(output_path, "w", options={"movflags": "+faststart"}) as out,
    ):
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        ain = inp.streams.audio[0] if inp.streams.audio else None
        vout = out.add_stream(
            codec, rate=vin.average_rate, options=encoder_settings(codec, options)
        )
        vout.width, vout.height, vout.pix_fmt = vin.width, vin.height, "yuv420p"
        vout.time_base = vout.codec_context.time_base = vin.time_base
        cc = vout.codec_context
        cc.bit_rate, cc.thread_count = 0, 0
        cc.colorspace, cc.color_range = vin.codec_context.colorspace, vin.codec_context.color_range
        aout = None
        if ain is not None:
            aout = out.add_stream_from_template(ain)
            aout.codec_tag = "\0\0\0\0"
        streams = [vin] + ([ain] if ain is not None else [])
        for packet in inp.demux(streams):
            if packet.stream.type == "audio":
                if packet.dts is not None and packet.size:
                    packet.stream = aout
                    out.mux(packet)
                continue
            for frame in packet.decode():
                frame.pict_type = 0  # as the engine: keep x264's own GOP decisions
                frame.time_base = vin.time_base
                for out_packet in vout.encode(frame):
                    out.mux(out_packet)
                frames += 1
        for out_packet in vout.encode(None):
            out.mux(out_packet)
    return frames


# --- (a0) our pipeline with an empty overlay ---------------------------------------------------


class EmptyOverlay:
    """An OverlaySource that never draws: the pipeline's own cost without captions."""

    def __init__(self) -> None:
        self._overlay = Overlay(np.zeros((1, 1, 4), np.uint8), None, 0)

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        return self._overlay


# --- (c) the browser pipeline ------------------------------------------------------------------


def premultiplied_overlay(straight: np.ndarray, version: int) -> Overlay:
    """A screenshot (straight-alpha RGBA) as the pipeline's Overlay: premultiplied inside its
    alpha bbox (the only region the compositor reads), bbox attached."""
    from engine.drawn_bounds import alpha_bbox

    rgba = straight if straight.flags.writeable else straight.copy()
    bbox = alpha_bbox(rgba)
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        region = rgba[y0:y1, x0:x1]
        alpha = region[..., 3:4].astype(np.uint16)
        region[..., :3] = (region[..., :3] * alpha + 127) // 255
    return Overlay(rgba, bbox, version)


class ChromiumCapture:
    """The old servers' overlay source: motiontext-renderer 1.5.0 in headless Chromium, one
    sequential ``seek(t)`` and one transparent CDP screenshot (PNG, decoded) per frame.

    Playwright's sync API is bound to the thread that started it, so every call here must
    come from one thread."""

    def __init__(self, scenario: dict, width: int, height: int, fps: float):
        from parity.reference_browser import ReferenceBrowser
        from tests.parity.reference import ReferenceRenderer

        self.width, self.height, self.fps = width, height, fps
        # On every CPU, as the old servers ran it (the test suite's browsers run on one, which
        # costs Chromium about 11 % here); it moves to one CPU only to close (parity.one_cpu).
        self._browser = ReferenceBrowser(all_cpus=True).start()
        try:
            self._ref = ReferenceRenderer(browser=self._browser).__enter__()
        except BaseException:
            self._browser.close()
            raise
        try:
            # Documented internals of the reference harness: one reset, then seek + capture.
            self._ref._reset(scenario, width, height)
        except BaseException:
            self.close()
            raise

    def capture(self, frame_index: int) -> np.ndarray:
        """Straight-alpha (H, W, 4) RGBA at ``frame_index / fps``, in playback order."""
        self._ref._seek([frame_index / self.fps])
        return self._ref._capture(self.width, self.height)

    def close(self) -> None:
        self._ref.close()
        self._browser.close()


class ChromiumOverlaySource:
    """OverlaySource fed by a thread that owns a ChromiumCapture and runs ahead of the
    compositor through a bounded queue (the screenshots overlap decoding and encoding)."""

    def __init__(self, scenario: dict, width: int, height: int, fps: float, depth: int = 8):
        self._queue: queue.Queue[Any] = queue.Queue(depth)
        self._stop = threading.Event()
        self._args = (scenario, width, height, fps)
        self.capture_seconds = 0.0
        self.captured = 0
        self._thread = threading.Thread(target=self._produce, name="chromium", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        try:
            capture = ChromiumCapture(*self._args)
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer)
            self._queue.put(exc)
            return
        try:
            frame_index = 0
            while not self._stop.is_set():
                started = time.perf_counter()
                overlay = premultiplied_overlay(capture.capture(frame_index), frame_index + 1)
                self.capture_seconds += time.perf_counter() - started
                self.captured += 1
                while not self._stop.is_set():
                    try:
                        self._queue.put(overlay, timeout=_POLL_SECONDS)
                        break
                    except queue.Full:
                        continue
                frame_index += 1
        except BaseException as exc:  # noqa: BLE001
            self._queue.put(exc)
        finally:
            capture.close()

    def overlay_at(self, frame_index: int, t_seconds: float) -> Overlay:
        item = self._queue.get(timeout=120)
        if isinstance(item, BaseException):
            raise item
        if item.version != frame_index + 1:
            raise RuntimeError(f"overlay for frame {item.version - 1} came for {frame_index}")
        return item

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                pass
        self._thread.join()


# --- sub-commands ------------------------------------------------------------------------------


def _cmd_transcode(args: argparse.Namespace) -> dict:
    options = _options(args)
    started = time.monotonic()
    frames = transcode(args.input, args.output, args.encoder, options)
    return {"frames": frames, "elapsed_seconds": time.monotonic() - started}


def _cmd_pipeline_empty(args: argparse.Namespace) -> dict:
    from engine.pipeline import render_video

    started = time.monotonic()
    result = render_video(args.input, args.output, lambda w, h: EmptyOverlay(), _options(args))
    return {"frames": result.frames, "elapsed_seconds": time.monotonic() - started}


def _cmd_render(args: argparse.Namespace) -> dict:
    from server.cli import build_parser, main

    argv = ["render", args.scenario, args.input, "-o", args.output, "--quiet"]
    argv += ["--encoder", args.encoder, "--preset", args.preset]
    build_parser()  # imports every sub-command's module: imports stay outside the timing
    started = time.monotonic()
    status = main(argv)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"ecg-render render exited with {status}")
    return {"frames": count_frames(args.output), "elapsed_seconds": elapsed}


def _cmd_browser(args: argparse.Namespace) -> dict:
    from engine.pipeline import render_video

    scenario = json.loads(Path(args.scenario).read_text("utf-8"))
    sources: list[ChromiumOverlaySource] = []

    def make_source(width: int, height: int) -> ChromiumOverlaySource:
        sources.append(ChromiumOverlaySource(scenario, width, height, args.fps))
        return sources[-1]

    started = time.monotonic()
    try:
        result = render_video(args.input, args.output, make_source, _options(args))
    finally:
        for source in sources:
            source.close()
    elapsed = time.monotonic() - started
    return {
        "frames": result.frames,
        "elapsed_seconds": elapsed,
        "screenshot_seconds": sources[0].capture_seconds if sources else None,
    }


def _cmd_overlay(args: argparse.Namespace) -> dict:
    from engine.overlay import ScenarioOverlay
    from motiontext.parse import load_scenario_file

    width, height = args.size
    setup_started = time.monotonic()
    scenario = load_scenario_file(args.scenario)
    source = ScenarioOverlay(scenario, width, height, args.fps)
    setup = time.monotonic() - setup_started
    started = time.monotonic()
    drawn = 0
    for frame_index in range(args.frames):
        overlay = source.overlay_at(frame_index, frame_index / args.fps)
        drawn += overlay.bbox is not None
    elapsed = time.monotonic() - started
    return {
        "frames": args.frames,
        "elapsed_seconds": elapsed,
        "setup_seconds": setup,
        "drawn": drawn,
    }


def _cmd_overlay_chromium(args: argparse.Namespace) -> dict:
    width, height = args.size
    scenario = json.loads(Path(args.scenario).read_text("utf-8"))
    setup_started = time.monotonic()
    capture = ChromiumCapture(scenario, width, height, args.fps)
    setup = time.monotonic() - setup_started
    try:
        started = time.monotonic()
        drawn = 0
        for frame_index in range(args.frames):
            drawn += premultiplied_overlay(capture.capture(frame_index), 0).bbox is not None
        elapsed = time.monotonic() - started
    finally:
        capture.close()
    return {
        "frames": args.frames,
        "elapsed_seconds": elapsed,
        "setup_seconds": setup,
        "drawn": drawn,
    }


def _size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers")
    sub = parser.add_subparsers(dest="command", required=True)

    def encoding(p: argparse.ArgumentParser) -> None:
        p.add_argument("--encoder", default="libx264")
        p.add_argument("--preset", default="veryfast")

    for name, func, scenario in (
        ("transcode", _cmd_transcode, False),
        ("pipeline-empty", _cmd_pipeline_empty, False),
        ("render", _cmd_render, True),
        ("browser", _cmd_browser, True),
    ):
        p = sub.add_parser(name)
        if scenario:
            p.add_argument("scenario")
        p.add_argument("input")
        p.add_argument("output")
        p.add_argument("--fps", type=float, default=30.0, help="overlay rate (browser)")
        encoding(p)
        p.set_defaults(func=func)
    for name, func in (("overlay", _cmd_overlay), ("overlay-chromium", _cmd_overlay_chromium)):
        p = sub.add_parser(name)
        p.add_argument("scenario")
        p.add_argument("--frames", type=int, required=True)
        p.add_argument("--size", type=_size, default=(1920, 1080))
        p.add_argument("--fps", type=float, default=30.0)
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = args.func(args)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
