"""`ecg-render` command line: one sub-command per module (server/cli_*.py)."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> module that defines add_parser(subparsers) and run(args) -> int
COMMANDS = {
    "render": "server.cli_render",
    "frame": "server.cli_frame",
    "serve": "server.cli_serve",
    "worker": "server.cli_worker",
    "batch": "server.cli_batch",
    "doctor": "server.cli_doctor",
    "parity": "server.cli_parity",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecg-render",
        description="Burn MotionText v2.0 captions into video without a browser.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
