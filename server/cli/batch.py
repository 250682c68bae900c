"""`ecg-render batch MANIFEST --out DIR [--jobs N] [--redis URL] [--retry-failed]`: render
every line of a manifest into DIR, resumably (see server.batch).

Progress goes to stderr, the summary table to stdout, the per-line report to DIR/report.json.
Exit status: 0 when every line succeeded (now or in an earlier run), 1 when any line is
invalid or failed, 130 when interrupted (Ctrl-C / SIGTERM: running renders stop and leave
nothing behind; a rerun goes on where this one stopped), 2 when the batch cannot start
(unreadable manifest or state file, output folder not writable or in use by another batch).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from motiontext.errors import RenderError
from server.cli.fonts import add_page_options
from server.cli.v13_input import add_no_v13_flag

EXIT_CANNOT_START = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="render every line of a manifest into a folder (resumable)",
        description="Render each line of MANIFEST (JSON Lines, or CSV with the same columns: "
        "job_id, video, scenario, options) into DIR/<job_id>.<format>. A rerun skips the "
        "jobs that finished with the same inputs and leaves their files untouched.",
    )
    parser.add_argument("manifest", metavar="MANIFEST", type=Path)
    parser.add_argument("--out", required=True, metavar="DIR", type=Path, help="output folder")
    parser.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="renders at once: local processes (default: half the CPUs), or with --redis the "
        "most cluster jobs in flight (default: all)",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="submit to the rq cluster at URL instead of rendering here (the other settings, "
        "REDIS_PREFIX, QUEUE_NAME, STORAGE..., come from the environment as for the workers)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="run the jobs that failed before again"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    add_page_options(
        parser, default_help="for lines whose options name none (default: HOST_STYLE, bare)"
    )
    add_no_v13_flag(parser)
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, but is {value}")
    return value


def run(args: argparse.Namespace) -> int:
    from server.batch.report import summary_table
    from server.batch.runner import BatchConfig, run_batch
    from server.service.settings import get_settings

    settings = get_settings()
    if args.redis:
        settings = settings.model_copy(update={"mode": "rq", "redis_url": args.redis})
    if args.host_style:
        settings = settings.model_copy(update={"host_style": args.host_style})
    if args.font_dir:
        settings = settings.model_copy(update={"font_dirs": ":".join(map(str, args.font_dir))})
    if not args.accept_v13:
        settings = settings.model_copy(update={"accept_v13": False})
    config = BatchConfig(
        manifest=args.manifest,
        out_dir=args.out,
        settings=settings,
        jobs=args.jobs,
        use_rq=bool(args.redis),
        retry_failed=args.retry_failed,
        quiet=args.quiet,
    )
    stop = threading.Event()
    try:
        with _stop_on_signals(stop):
            summary = run_batch(config, sys.stderr, stop)
    except RenderError as exc:
        print(f"ecg-render batch: error [{exc.code}]: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    print(summary_table(summary.results))
    print(f"report: {summary.report_path}", file=sys.stderr)
    if summary.interrupted:
        print("ecg-render batch: interrupted; run it again to go on", file=sys.stderr)
    return summary.exit_code


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C / SIGTERM stops the batch cleanly (running renders are cancelled and
    leave nothing behind); a second one raises KeyboardInterrupt at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def handle(number: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(
            f"\necg-render batch: signal {number}, stopping (again to abort at once)",
            file=sys.stderr,
        )

    for sig in signals:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
