"""`ecg-render parity`: render scenarios in the original (Chromium) and natively, compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from motiontext.host_styles import HOST_STYLES
from server.cli.fonts import add_font_dir_option, font_dirs
from server.cli.frame import parse_size
from server.cli.v13_input import add_no_v13_flag, print_migration

DEFAULT_REPORT = "out/parity_report.html"
DESCRIPTION = """\
Render each SCENARIO with the original renderer (npm motiontext-renderer 1.5.0 in headless
Chromium, tests/parity/harness) and with ECG Render, compare every Nth frame with the
project's metric (parity/metric.py: IoU >= 0.95 and blurred MAE <= 4.0), print a table, and
exit 1 if any compared frame is outside the bound (2 on errors).

Both sides play sequentially from t = 0 at --fps, on the same host page: the host style
profile (--host-style, repeatable: each scenario runs once per profile) as page CSS in
Chromium and as inherited values natively, and the web fonts of the font folders (loaded
in the page with FontFace, one per file, as the editor loads them). The size defaults to the scenario's aspect
(1920x1080, or 1080x1920 for 9:16); the duration to the last cue end.

Plugins: the harness registers no plugin (the official plugins' code is not in the
repository), so a frame is SKIPPED, not compared, when any node mounted at that time has a
pluginChain entry naming an official plugin (or one ECG Render registers) whose window has
started: active windows, DOM plugins held after their window, persisting channel values.
Frames before a plugin window starts, and plugin-free scenarios, are compared normally.
Plugins are covered by the golden tests instead.

Needs Chromium (apt-get install chromium), Playwright (pip install -e '.[test]') and the
harness's npm packages (`make setup`)."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "parity",
        help="compare ECG Render with the original renderer in Chromium, frame by frame",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="MotionText scenario JSON files (v2.0, or v1.3: migrated)",
    )
    p.add_argument(
        "--every",
        type=int,
        default=5,
        metavar="N",
        help="compare every Nth frame: 0, N, 2N, ... (default 5)",
    )
    p.add_argument("--fps", type=float, default=30.0, help="playback rate (default 30)")
    p.add_argument(
        "--size",
        type=parse_size,
        default=None,
        help="stage size WxH; must have the scenario's aspect (default 1920x1080, "
        "or 1080x1920 for 9:16)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="compare frames up to this time (default: the last cue end)",
    )
    p.add_argument(
        "--report",
        metavar="OUT.html",
        nargs="?",
        const=DEFAULT_REPORT,
        help="write a self-contained HTML report (reference | ours | diff, worst "
        f"first) to this path (--report alone: {DEFAULT_REPORT})",
    )
    p.add_argument(
        "--report-frames",
        type=int,
        default=60,
        metavar="K",
        help="distinct worst frames shown with images in the report (default 60)",
    )
    p.add_argument(
        "--assets-dir",
        type=Path,
        default=None,
        help="folder the reference page serves relative define asset URLs from",
    )
    p.add_argument(
        "--host-style",
        action="append",
        choices=tuple(HOST_STYLES),
        default=None,
        help="host style profile for both sides; repeat to run each scenario in several "
        "(default: the HOST_STYLE setting, bare)",
    )
    add_font_dir_option(p)
    p.add_argument(
        "--chromium",
        default=None,
        help="Chromium executable (default /usr/bin/chromium or chromium on PATH)",
    )
    add_no_v13_flag(p)
    p.set_defaults(run=run)


def _check_aspect(scenario, width: int, height: int) -> str | None:
    ratio = scenario.aspect_ratio()
    if round(width / ratio) == height or round(height * ratio) == width:
        return None
    return (
        f"--size {width}x{height} does not have the scenario's aspect "
        f"{scenario.base_aspect}: the original would letterbox the stage"
    )


def _print_table(summaries, out) -> None:
    header = (
        f"{'scenario':<34} {'size':>9} {'frames':>6} {'compared':>8} {'skipped':>7} "
        f"{'failed':>6} {'min IoU':>7} {'max MAE':>7}  worst"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for s in summaries:
        comp = s.compared
        if s.error:
            print(f"{s.name[:34]:<34} error: {s.error}", file=out)
            continue
        min_iou = f"{min(r.score.iou for r in comp):.4f}" if comp else "-"
        max_mae = f"{max(r.score.mae for r in comp):.2f}" if comp else "-"
        worst = max(comp, key=lambda r: r.badness) if comp else None
        worst_text = f"frame {worst.frame_index} (t={worst.t_seconds:.3f})" if worst else ""
        print(
            f"{s.name[:34]:<34} {f'{s.width}x{s.height}':>9} {len(s.results):>6} "
            f"{len(comp):>8} {len(s.skipped):>7} {len(s.failed):>6} {min_iou:>7} "
            f"{max_mae:>7}  {worst_text}",
            file=out,
        )
        for r in sorted(s.failed, key=lambda r: -r.badness)[:10]:
            print(
                f"    FAIL frame {r.frame_index} t={r.t_seconds:.3f}: IoU {r.score.iou:.4f}, "
                f"MAE {r.score.mae:.2f}",
                file=out,
            )
        if len(s.failed) > 10:
            print(f"    ... {len(s.failed) - 10} more failing frames", file=out)
        if s.skipped and not comp:
            print("    every frame skipped: plugins are in effect throughout", file=out)


def run(args: argparse.Namespace) -> int:
    from engine.host_page import HostPage
    from motiontext.errors import RenderError
    from motiontext.loader import load_document_file
    from parity.metric import IOU_MIN, MAE_MAX
    from parity.reference_browser import ReferenceRenderer, find_chromium
    from parity.report import ParityReport
    from parity.run import default_size, frame_indices, last_cue_end, run_scenario
    from server.service.settings import get_settings

    if args.fps <= 0:
        print("error: --fps must be positive", file=sys.stderr)
        return 2
    if args.every < 1:
        print(f"error: --every must be >= 1, but is {args.every}", file=sys.stderr)
        return 2
    if args.duration is not None and args.duration < 0:
        print(f"error: --duration must be >= 0, but is {args.duration}", file=sys.stderr)
        return 2
    chromium = args.chromium or find_chromium()
    if chromium is None:
        print(
            "error: Chromium not found (apt-get install chromium, or pass --chromium)",
            file=sys.stderr,
        )
        return 2

    styles = args.host_style or [get_settings().host_style]
    pages = [HostPage.from_options(style, font_dirs(args)) for style in styles]
    report = ParityReport(max_frames=args.report_frames)
    errors = 0
    try:
        with ReferenceRenderer(chromium_path=chromium, assets_dir=args.assets_dir) as reference:
            for path, page in ((p, page) for p in args.scenarios for page in pages):
                name = Path(path).name
                if len(pages) > 1 or page.style_name != "bare":
                    name = f"{name} [{page.style_name}]"
                summary = None
                try:
                    # A v1.3 scenario is migrated; both renderers get the v2.0 document.
                    loaded = load_document_file(path, accept_v13=args.accept_v13)
                    print_migration(loaded, "ecg-render parity", sys.stderr, name)
                    scenario, doc = loaded.scenario, loaded.document
                    width, height = args.size or default_size(scenario)
                    summary = report.start_scenario(name, width, height, args.fps)
                    mismatch = _check_aspect(scenario, width, height)
                    if mismatch:
                        raise ValueError(mismatch)
                    duration = (
                        args.duration if args.duration is not None else last_cue_end(scenario)
                    )
                    frames = frame_indices(duration, args.fps, args.every)
                    summary.results = run_scenario(
                        name,
                        doc,
                        scenario,
                        reference,
                        width,
                        height,
                        args.fps,
                        frames,
                        report.on_frame,
                        page,
                    )
                except (OSError, ValueError, RenderError) as exc:
                    if summary is None:
                        summary = report.start_scenario(name, 0, 0, args.fps)
                    code = getattr(exc, "code", type(exc).__name__)
                    where = f" at {exc.path}" if getattr(exc, "path", "") else ""
                    summary.error = f"[{code}]{where} {exc}"
                    errors += 1
                print(f"{name}: done", file=sys.stderr, flush=True)
    except RenderError as exc:
        print(f"error [{exc.code}]: {exc}", file=sys.stderr)
        return 2

    _print_table(report.scenarios, sys.stdout)
    compared = sum(len(s.compared) for s in report.scenarios)
    failed = sum(len(s.failed) for s in report.scenarios)
    print(
        f"\n{compared} frames compared, {failed} outside the bound "
        f"(IoU >= {IOU_MIN}, blurred MAE <= {MAE_MAX})"
        + (f", {errors} scenario errors" if errors else "")
    )
    if args.report:
        written = report.write(args.report)
        print(f"report: {written.resolve()}")
    if errors:
        return 2
    return 1 if failed else 0
