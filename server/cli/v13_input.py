"""What every scenario-reading command shares about MotionText v1.3 input: the ``--no-v13``
flag, and the notes printed when a scenario was migrated (motiontext.loader)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from motiontext.loader import LoadedScenario


def add_no_v13_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-v13",
        dest="accept_v13",
        action="store_false",
        help="refuse MotionText v1.3 scenarios instead of migrating them to v2.0 "
        "(`ecg-render migrate` shows the migrated document)",
    )


def print_migration(loaded: LoadedScenario, prog: str, stream: TextIO, name: str = "") -> None:
    """One line saying the scenario was migrated, then each migration warning."""
    if not loaded.migrated:
        return
    subject = f"{name}: " if name else ""
    count = len(loaded.warnings)
    print(
        f"{prog}: {subject}v1.3 scenario migrated to v2.0"
        + (f" ({count} warning{'s' if count != 1 else ''})" if count else ""),
        file=stream,
    )
    for warning in loaded.warnings:
        print(f"{prog}: {subject}warning: {warning}", file=stream)
