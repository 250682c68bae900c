"""Live reference renderer for the tests: the original MotionText (npm motiontext-renderer
1.5.0) in Chromium. The implementation is the product module ``parity.reference_browser``
(``ecg-render parity`` uses it too); this module adds the shared reference data lookup.

Contract of :meth:`ReferenceRenderer.render`: one ``(height, width, 4)`` uint8 RGBA array per
requested time, **straight** (non-premultiplied) alpha, transparent where no caption is drawn,
device pixel ratio 1.

CLI (dev tool)::

    python -m tests.parity.reference SCENARIO.json --t 5.0 --size 1920x1080 -o ref.png [--boxes]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from PIL import Image

from parity import reference_browser
from parity.reference_browser import CHROMIUM_ARGS, CHROMIUM_PATH, HARNESS_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "HARNESS_DIR",
    "REPO_ROOT",
    "ReferenceRenderer",
    "shared_reference_dir",
]


def shared_reference_dir() -> Path | None:
    """The shared reference data (samples, goldens, fonts), or None when absent.

    Looked up in ``$ECG_SHARED_DIR/reference``, then ``<repo>/shared/reference``, then
    ``<repo>/../shared/reference`` (where CI lays it beside the clone).
    """
    candidates = [REPO_ROOT / "shared", REPO_ROOT.parent / "shared"]
    if os.environ.get("ECG_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["ECG_SHARED_DIR"]))
    for base in candidates:
        if (base / "reference").is_dir():
            return base / "reference"
    return None


class ReferenceRenderer(reference_browser.ReferenceRenderer):
    """:class:`parity.reference_browser.ReferenceRenderer` whose fonts default to the shared
    reference fonts (``shared_reference_dir()/fonts``)."""

    def __init__(
        self,
        chromium_path: str = CHROMIUM_PATH,
        fonts_dir: Path | None = None,
        assets_dir: Path | None = None,
        browser: reference_browser.ReferenceBrowser | None = None,
    ) -> None:
        if fonts_dir is None:
            ref = shared_reference_dir()
            fonts_dir = ref / "fonts" if ref else None
        super().__init__(chromium_path, fonts_dir, assets_dir, browser)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--t", type=float, required=True, help="time in seconds")
    parser.add_argument("--size", default="1920x1080", help="WxH of the stage")
    parser.add_argument("--fps", type=float, default=30)
    parser.add_argument("--fresh", action="store_true", help="single seek instead of sequential")
    parser.add_argument("-o", "--output", type=Path, help="PNG to write (straight alpha)")
    parser.add_argument("--boxes", action="store_true", help="print layout boxes as JSON")
    parser.add_argument("--assets-dir", type=Path, help="serves relative define asset URLs")
    args = parser.parse_args(argv)

    width, height = (int(v) for v in args.size.lower().split("x"))
    scenario = json.loads(args.scenario.read_text(encoding="utf-8"))
    with ReferenceRenderer(assets_dir=args.assets_dir) as ref:
        if args.output:
            (img,) = ref.render(scenario, [args.t], width, height, not args.fresh, args.fps)
            Image.fromarray(img, "RGBA").save(args.output)
        if args.boxes:
            json.dump(ref.boxes(scenario, args.t, width, height), sys.stdout, indent=1)
            print()
        for err in ref.page_errors:
            print(f"page error: {err}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
