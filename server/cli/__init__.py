"""`ecg-render` command line: one sub-command per module (``server/cli/<name>.py``, each with
``add_parser(subparsers)`` and ``run(args) -> int``); :func:`main` is the entry point."""

from __future__ import annotations

import argparse
import importlib

# name -> module that defines add_parser(subparsers) and run(args) -> int
COMMANDS = {
    "render": "server.cli.render",
    "frame": "server.cli.frame",
    "serve": "server.cli.serve",
    "worker": "server.cli.worker",
    "batch": "server.cli.batch",
    "doctor": "server.cli.doctor",
    "parity": "server.cli.parity",
    "fonts": "server.cli.fonts",
    "migrate": "server.cli.migrate",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecg-render",
        description="Burn MotionText captions (v2.0; v1.3 is migrated on the way in) into video "
        "without a browser.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)
