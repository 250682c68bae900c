"""`ecg-render fonts install FAMILY... | list`: the web font folders (FONT_DIRS).

``install`` fetches each family's regular (400) face from its Fontsource package on the npm
registry (server/fontsource.py) into the first font folder, or with ``--variable`` (or a name
ending in " Variable") its variable face from the Fontsource variable package; ``list`` shows
every family the folders hold and where it came from. Renders never download: a family that is not installed
is reported as a warning and its text falls back, as on a page that failed to load it.

This module also holds the options every rendering command shares (``--host-style``,
``--font-dir``) and turns them into the page a render imitates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from motiontext.host_styles import HOST_STYLES

if TYPE_CHECKING:
    from engine.host_page import HostPage


def add_page_options(parser: argparse.ArgumentParser, *, default_help: str = "") -> None:
    """``--host-style`` and ``--font-dir`` (repeatable), as the rendering commands take them."""
    parser.add_argument(
        "--host-style",
        choices=tuple(HOST_STYLES),
        default=None,
        help="the page style captions inherit: bare (Chromium's defaults) or ecg-editor (the "
        "ECG editor's page) " + (default_help or "(default: the HOST_STYLE setting, bare)"),
    )
    add_font_dir_option(parser)


def add_font_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--font-dir",
        action="append",
        type=Path,
        default=None,
        metavar="DIR",
        help="web font folder (repeatable, first first); replaces the FONT_DIRS setting "
        "(default: fonts)",
    )


def font_dirs(args: argparse.Namespace) -> tuple[Path, ...]:
    from server.service.settings import get_settings

    return tuple(args.font_dir) if args.font_dir else get_settings().font_dir_paths


def host_page(args: argparse.Namespace) -> HostPage:
    """The page named by ``--host-style``/``--font-dir``, else by the settings."""
    from engine.host_page import HostPage
    from server.service.settings import get_settings

    return HostPage.from_options(args.host_style or get_settings().host_style, font_dirs(args))


def print_warnings(command: str, warnings: list[str]) -> None:
    for line in warnings:
        print(f"ecg-render {command}: warning: {line}", file=sys.stderr)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fonts",
        help="install web fonts (Fontsource) and list the font folders",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    actions = p.add_subparsers(dest="fonts_command", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install",
        help="fetch families' regular faces from Fontsource (npm) into the first font folder",
    )
    install.add_argument("families", nargs="+", metavar="FAMILY", help='e.g. "Noto Sans KR"')
    install.add_argument(
        "--variable",
        action="store_true",
        help="the variable package instead (@fontsource-variable/<slug>): family "
        '"<FAMILY> Variable", every weight from its wght axis (a FAMILY ending in " Variable" '
        "implies it)",
    )
    install.add_argument("--registry", help="npm registry URL (default: the NPM_REGISTRY setting)")
    install.add_argument(
        "--if-missing",
        action="store_true",
        help="skip families some font folder already holds (for set-up scripts)",
    )
    add_font_dir_option(install)
    listing = actions.add_parser("list", help="families in the font folders and their source")
    add_font_dir_option(listing)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.fonts_command == "install":
        return _install(args)
    return _list(args)


def _install(args: argparse.Namespace) -> int:
    from engine.font_store import FontStore
    from motiontext.errors import RenderError
    from server.fontsource import install_family, package_for
    from server.service.settings import get_settings

    dirs = font_dirs(args)
    if not dirs:
        print(
            "ecg-render fonts: error: no font folder (set FONT_DIRS or --font-dir)", file=sys.stderr
        )
        return 2
    registry = args.registry or get_settings().npm_registry
    store = FontStore(dirs) if args.if_missing else None
    failed = 0
    for family in args.families:
        try:
            package = package_for(family, args.variable)
            held = store.family(package.family) if store is not None else None
            if held is not None:
                print(f"{package.family}: already in {held.folder}")
                continue
            done = install_family(family, dirs[0], registry, variable=args.variable)
        except RenderError as exc:
            print(f"ecg-render fonts: error [{exc.code}] {family}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"{done.family}: {done.faces} faces from {done.source} in {done.folder} "
            f"({done.bytes_on_disk / 1e6:.1f} MB)"
        )
    return 1 if failed else 0


def _list(args: argparse.Namespace) -> int:
    from engine.font_store import FontStore

    dirs = font_dirs(args)
    store = FontStore(dirs)
    print("font folders: " + (", ".join(str(d) for d in dirs) or "none"))
    rows = [("family", "faces", "source", "licence", "folder")]
    for family in sorted(store.families.values(), key=lambda f: f.name.lower()):
        weights = sorted({f.weights: f.weight_descriptor for f in family.faces}.items())
        faces = f"{len(family.faces)} ({', '.join(text for _, text in weights)})"
        rows.append((family.name, faces, family.source, family.license or "-", str(family.folder)))
    if len(rows) == 1:
        print('no families installed (ecg-render fonts install "Noto Sans KR")')
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            print("  ".join([*(c.ljust(w) for c, w in zip(row, widths)), row[4]]).rstrip())
    for problem in store.problems:
        print(f"unreadable: {problem}", file=sys.stderr)
    return 0
