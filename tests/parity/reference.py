"""Live reference renderer: the original MotionText (npm motiontext-renderer 1.5.0) in Chromium.

Drives ``tests/parity/harness/page.html`` in Debian's Chromium through Playwright, following
``shared/spec/reference-harness.md``. It is a test and debugging aid only: the product never
runs a browser. Plugins are not registered, so plugin chains have no effect here.

Contract of :meth:`ReferenceRenderer.render`: one ``(height, width, 4)`` uint8 RGBA array per
requested time, **straight** (non-premultiplied) alpha, transparent where no caption is drawn,
device pixel ratio 1.

CLI (dev tool)::

    python -m tests.parity.reference SCENARIO.json --t 5.0 --size 1920x1080 -o ref.png [--boxes]
"""

from __future__ import annotations

import argparse
import base64
import functools
import io
import json
import os
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from PIL import Image

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = "/usr/bin/chromium"
# Matches how the goldens were made (checked against them, see test_harness_smoke.py).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
_TRANSPARENT = {"color": {"r": 0, "g": 0, "b": 0, "a": 0}}


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


class _Handler(SimpleHTTPRequestHandler):
    """Serves the harness dir at /, fonts at /fonts/, and optional scenario assets as fallback."""

    # Module scripts are refused unless served with a JavaScript MIME type.
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
    }

    def __init__(self, *args: Any, fonts_dir: Path | None, assets_dir: Path | None, **kw: Any):
        self._fonts_dir = fonts_dir
        self._assets_dir = assets_dir
        super().__init__(*args, directory=str(HARNESS_DIR), **kw)

    def translate_path(self, path: str) -> str:
        # The base class maps the URL under HARNESS_DIR (and refuses ".." escapes); re-root it.
        local = Path(super().translate_path(path))
        rel = local.relative_to(HARNESS_DIR)
        if rel.parts[:1] == ("fonts",) and self._fonts_dir is not None:
            font = self._fonts_dir.joinpath(*rel.parts[1:])
            if font.exists() or self._assets_dir is None:
                return str(font)
        if self._assets_dir is not None and not local.exists():
            return str(self._assets_dir / rel)
        return str(local)

    def end_headers(self) -> None:
        # A reused browser must never see a stale harness.js after an edit.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ReferenceRenderer:
    """Context manager owning a loopback static server and one headless Chromium page.

    ``fonts_dir`` holds RobotoFlex.ttf (default: the shared reference fonts); ``assets_dir``
    serves relative asset URLs of ``define`` entries (e.g. ``fonts/X.woff2``).
    """

    def __init__(
        self,
        chromium_path: str = CHROMIUM_PATH,
        fonts_dir: Path | None = None,
        assets_dir: Path | None = None,
    ) -> None:
        if not (HARNESS_DIR / "node_modules" / "motiontext-renderer").is_dir():
            raise RuntimeError(f"run `npm ci` in {HARNESS_DIR} first (or `make setup`)")
        if fonts_dir is None:
            ref = shared_reference_dir()
            fonts_dir = ref / "fonts" if ref else None
        self._chromium_path = chromium_path
        self._fonts_dir = fonts_dir
        self._assets_dir = assets_dir
        self._server: ThreadingHTTPServer | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._cdp: Any = None
        self.page_errors: list[str] = []

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        handler = functools.partial(
            _Handler, fonts_dir=self._fonts_dir, assets_dir=self._assets_dir
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        port = self._server.server_address[1]

        self._pw = sync_playwright().start()
        # Debian's Chromium, never a downloaded one.
        self._browser = self._pw.chromium.launch(
            executable_path=self._chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = self._browser.new_context(
            viewport={"width": 1920, "height": 1080}, device_scale_factor=1
        )
        self._page = context.new_page()
        self._page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self._page.goto(f"http://127.0.0.1:{port}/page.html")
        self._page.wait_for_function("window.harnessReady === true")
        self._cdp = context.new_cdp_session(self._page)

    def close(self) -> None:
        """Stop Chromium, Playwright and the server; safe to call twice."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- rendering -------------------------------------------------------------------------

    def _reset(self, scenario: dict, width: int, height: int) -> None:
        self._page.set_viewport_size({"width": width, "height": height})
        self._page.evaluate(
            "([s, w, h]) => window.harness.reset(s, w, h)", [scenario, width, height]
        )

    def _seek(self, times: list[float]) -> None:
        if times:
            self._page.evaluate("ts => window.harness.seekMany(ts)", times)

    def _capture(self, width: int, height: int) -> np.ndarray:
        # Playwright resets the background override after its own screenshots, so re-send it.
        self._cdp.send("Emulation.setDefaultBackgroundColorOverride", _TRANSPARENT)
        shot = self._cdp.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                "optimizeForSpeed": True,
            },
        )
        png = Image.open(io.BytesIO(base64.b64decode(shot["data"])))
        return np.asarray(png.convert("RGBA"))

    def render(
        self,
        scenario: dict,
        times: list[float],
        width: int,
        height: int,
        sequential: bool = True,
        fps: float = 30,
    ) -> list[np.ndarray]:
        """Render the caption overlay at each time (seconds); arrays in the order of ``times``.

        ``sequential`` (spec 14.3): one reset, then seek every frame ``k/fps`` from 0 up to the
        last requested time, capturing at the requested ones (as the goldens were made).
        Otherwise each time is rendered fresh: reset, then a single seek.
        """
        if not sequential:
            out = []
            for t in times:
                self._reset(scenario, width, height)
                self._seek([t])
                out.append(self._capture(width, height))
            return out

        self._reset(scenario, width, height)
        captured: dict[float, np.ndarray] = {}
        k = 0
        for t in sorted(set(times)):
            # Grid frames strictly before t, then t itself (exact when t is on the grid).
            pending = []
            while k / fps < t - 1e-9:
                pending.append(k / fps)
                k += 1
            if abs(k / fps - t) <= 1e-9:
                k += 1
            self._seek([*pending, t])
            captured[t] = self._capture(width, height)
        return [captured[t] for t in times]

    def boxes(self, scenario: dict, t: float, width: int, height: int) -> list[dict]:
        """Fresh seek to ``t``; layout boxes (CSS px, frame origin) of every node and wrapper.

        Each dict: ``nodeId``, ``role`` (``node`` or ``base-wrapper``), ``className``, ``rect``
        (x, y, width, height from getBoundingClientRect), computed ``fontSize``,
        ``lineHeight``, ``fontFamily``, and the inline ``style`` the renderer wrote.
        """
        self._reset(scenario, width, height)
        self._seek([t])
        return self._page.evaluate("() => window.harness.boxes()")


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
