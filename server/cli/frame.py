"""`ecg-render frame`: one overlay frame as a straight-alpha RGBA PNG (the goldens' format)."""

from __future__ import annotations

import argparse
import sys

from server.cli.fonts import add_page_options, host_page, print_warnings
from server.cli.v13_input import add_no_v13_flag, print_migration


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, but is {text!r}")
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size must be within 16..8192 per side, but is {text}")
    return w, h


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "frame",
        help="render one caption overlay frame to a transparent PNG",
        description="Render the caption overlay of SCENARIO at one instant as a transparent "
        "PNG (straight alpha). Frames are evaluated with sequential playback from t=0 at "
        "--fps, as the editor preview plays them, so plugin state matches the video export.",
    )
    p.add_argument("scenario", help="MotionText scenario JSON file (v2.0, or v1.3: migrated)")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--time", "-t", type=float, help="time in seconds")
    when.add_argument("--frame", "-n", type=int, help="frame index at --fps (frame n = n/fps s)")
    p.add_argument("--fps", type=float, default=30.0, help="playback rate (default 30)")
    p.add_argument(
        "--size",
        type=parse_size,
        default=(1920, 1080),
        help="stage size WxH in px (default 1920x1080)",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="render one seek after a fresh load instead of sequential playback",
    )
    p.add_argument("-o", "--output", required=True, help="output PNG path")
    add_page_options(p)
    add_no_v13_flag(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from PIL import Image

    from engine.overlay import render_frames
    from motiontext.errors import RenderError
    from motiontext.loader import load_document_file

    if args.fps <= 0:
        print("error: --fps must be positive", file=sys.stderr)
        return 2
    t = args.time if args.time is not None else args.frame / args.fps
    try:
        loaded = load_document_file(args.scenario, accept_v13=args.accept_v13)
        print_migration(loaded, "ecg-render frame", sys.stderr)
        scenario = loaded.scenario
        page = host_page(args)
        print_warnings("frame", page.warnings(scenario))
        width, height = args.size
        [rgba] = render_frames(
            scenario, [t], width, height, args.fps, not args.fresh, page.style, page.shaper()
        )
    except RenderError as exc:
        where = f" at {exc.path}" if getattr(exc, "path", "") else ""
        print(f"error [{exc.code}]{where}: {exc}", file=sys.stderr)
        return 2
    Image.fromarray(rgba, "RGBA").save(args.output)
    return 0
