"""`ecg-render render SCENARIO.json INPUT -o OUTPUT`: burn a scenario's captions into a video.

Progress goes to stderr (a redrawn bar on a terminal, a line per 10 % otherwise); the exit
status is 0 on success, 130 when interrupted, 2 for bad arguments, scenarios or videos, 1 for
other errors (encoder, storage).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from engine.cancel import CancelToken
from engine.nvdec import DECODERS
from engine.pipeline import RenderResult, render_video
from engine.video_options import DEFAULT_QUALITY, ENCODERS, VideoOptions, parse_fps, parse_size
from motiontext.errors import CancelledError, DecodeError, InputError, RenderError, ScenarioError
from server.cli.fonts import add_page_options, host_page, print_warnings
from server.cli.v13_input import add_no_v13_flag, print_migration
from server.console import ProgressBar

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="burn a scenario's captions into a video",
        description="Render SCENARIO's captions over INPUT (mp4/mov/mkv/webm; path or http(s) URL) "
        "and write OUTPUT (.mp4, .mov or .webm). The source audio is kept.",
    )
    parser.add_argument("scenario", metavar="SCENARIO.json")
    parser.add_argument("input", metavar="INPUT")
    parser.add_argument("-o", "--output", required=True, metavar="OUTPUT")
    parser.add_argument(
        "--encoder",
        choices=ENCODERS,
        default="auto",
        help="auto = h264_nvenc when it opens, else libx264 (webm: libvpx-vp9)",
    )
    parser.add_argument(
        "--preset", help="x264 preset name (default veryfast), mapped for NVENC/VP9"
    )
    parser.add_argument("--crf", type=int, help="explicit CRF/CQ; overrides --quality")
    parser.add_argument(
        "--quality",
        type=int,
        default=DEFAULT_QUALITY,
        metavar="10..100",
        help=f"visual quality, mapped to CRF/CQ (default {DEFAULT_QUALITY})",
    )
    parser.add_argument("--fps", help="output frame rate, e.g. 30 or 30000/1001 (default: source)")
    parser.add_argument("--size", metavar="WxH", help="output size (default: source)")
    parser.add_argument(
        "--decoder",
        choices=DECODERS,
        default="auto",
        help="auto = NVDEC when it opens here (see `ecg-render doctor`), else the CPU",
    )
    parser.add_argument(
        "--array-backend",
        choices=("numpy", "cupy", "auto"),
        default="auto",
        help="where captions are blended: auto = CuPy on the GPU when one answers; with NVDEC "
        "the pictures then stay in GPU memory until they are encoded",
    )
    add_page_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    add_no_v13_flag(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so this module (and the CLI's parser) loads even where the scenario
    # stack is unavailable or slow to import.
    from motiontext.loader import load_document_file

    err = sys.stderr
    try:
        options = VideoOptions(
            encoder=args.encoder,
            preset=args.preset,
            crf=args.crf,
            quality=args.quality,
            fps=parse_fps(args.fps) if args.fps else None,
            size=parse_size(args.size) if args.size else None,
            decoder=args.decoder,
            array_backend=args.array_backend,
        )
        loaded = load_document_file(args.scenario, accept_v13=args.accept_v13)
        print_migration(loaded, "ecg-render render", err)
        scenario = loaded.scenario
        page = host_page(args)
        print_warnings("render", page.warnings(scenario))
        bar = None if args.quiet else ProgressBar(err)
        cancel = CancelToken()
        with _cancel_on_signals(cancel):
            result = render_video(
                args.input,
                args.output,
                page.video_overlay(scenario, options.fps),
                options,
                on_progress=bar.update if bar else None,
                cancel=cancel,
            )
        if bar:
            bar.finish()
    except CancelledError as exc:
        print(f"\necg-render render: cancelled ({exc}); nothing was written", file=err)
        return EXIT_INTERRUPTED
    except (InputError, ScenarioError, DecodeError) as exc:
        where = f" at {exc.path}" if isinstance(exc, ScenarioError) and exc.path else ""
        print(f"\necg-render render: error [{exc.code}]{where}: {exc}", file=err)
        return EXIT_BAD_INPUT
    except RenderError as exc:
        print(f"\necg-render render: error [{exc.code}]: {exc}", file=err)
        return EXIT_FAILED
    if not args.quiet:
        print(summary(result, args.output), file=err)
    return 0


@contextlib.contextmanager
def _cancel_on_signals(cancel: CancelToken) -> Iterator[None]:
    """Ctrl-C / SIGTERM cancel the render cleanly (temporary file removed) instead of
    killing it mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.getsignal(sig) for sig in signals}
    for sig in signals:
        signal.signal(sig, lambda number, _frame: cancel.cancel(f"interrupted by signal {number}"))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def summary(result: RenderResult, output: str) -> str:
    audio = result.audio or "no audio"
    return (
        f"wrote {output}: {result.width}x{result.height}, {result.frames} frames, "
        f"{result.duration_seconds:.2f} s at {result.fps:.3f} fps, decoded {result.decoder}, "
        f"blended {result.array_backend}, {result.encoder}, {audio}, "
        f"{result.size_bytes / 1e6:.1f} MB in {result.elapsed_seconds:.1f} s "
        f"({result.frames / max(result.elapsed_seconds, 1e-9):.1f} frames/s)"
    )
