"""`ecg-render migrate IN.json [-o OUT.json] [--faithful]`: a MotionText v1.3 scenario as v2.0.

Writes the v2.0 document (stdout without -o) laid out as the original migrator writes it,
prints each warning on stderr and exits 0. A v2.0 input is written unchanged, with a note.
An unsupported version, a malformed document or one the original migrator crashes on exits 2
with the JSON path of the problem; nothing is written then.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

EXIT_BAD_INPUT = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="convert a MotionText v1.3 scenario to v2.0",
        description="Migrate a MotionText v1.3 scenario to v2.0 as the original repository's "
        "migrator does (README: 'v1.3 scenarios'). The default mode also merges the v1.3 "
        'definitions block into define and rewrites "definitions.x" references to '
        '"define.x"; --faithful gives the original\'s output exactly.',
    )
    parser.add_argument("input", metavar="IN.json")
    parser.add_argument("-o", "--output", metavar="OUT.json", help="default: stdout")
    parser.add_argument(
        "--faithful",
        action="store_true",
        help="the original migrator's output, definitions left as inert strings",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from motiontext.errors import RenderError, ScenarioError
    from motiontext.migrate import MigrationMode, document_text, migrate
    from motiontext.parse import decode_scenario_text, load_scenario, read_scenario_bytes

    err = sys.stderr
    mode = MigrationMode.FAITHFUL if args.faithful else MigrationMode.DEFAULT
    try:
        data = read_scenario_bytes(args.input)
        migration = migrate(decode_scenario_text(data), mode)
    except RenderError as exc:
        where = f" at {exc.path}" if isinstance(exc, ScenarioError) and exc.path else ""
        print(f"ecg-render migrate: error [{exc.code}]{where}: {exc}", file=err)
        return EXIT_BAD_INPUT
    if migration.migrated:
        text = document_text(migration.document)
        print(f"ecg-render migrate: migrated v1.3 -> v2.0 ({mode} mode)", file=err)
    else:
        text = data.decode("utf-8")
        print("ecg-render migrate: note: already a v2.0 scenario, written unchanged", file=err)
    for warning in migration.warnings:
        print(f"warning: {warning}", file=err)
    try:
        load_scenario(migration.document)
    except ScenarioError as exc:
        where = f" at {exc.path}" if exc.path else ""
        print(f"warning: ECG Render refuses the result{where}: {exc}", file=err)
    try:
        _write(text, args.output)
    except OSError as exc:
        print(f"ecg-render migrate: error: cannot write {args.output!r}: {exc.strerror}", file=err)
        return EXIT_BAD_INPUT
    return 0


def _write(text: str, output: str | None) -> None:
    """To stdout, or to ``output`` through a temporary file and a rename (never half a file)."""
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 whatever the locale says
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
